"""The difference-in-differences estimators, checked against published tables and hand-computed cases."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from mel_core.criteria import did as d


def _survey(rows: list[tuple], variables: tuple[str, ...] = ("y",)) -> pd.DataFrame:
    """Rows of (respondent_id, round, year, group, cluster, *values)."""
    columns = ["respondent_id", "round", "year", "group", "cluster", *variables]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(4, "admin_unit", "11")
    return frame


def _cells(means: dict[tuple[str, str], float], spread: float = 1.0, per_cell: int = 2) -> pd.DataFrame:
    """A repeated cross-section whose cell (group, round) means are exactly ``means``: each cell holds
    ``per_cell`` observations at mean − spread and mean + spread (so the mean is exact)."""
    rows = []
    years = {"baseline": 1992, "endline": 1993}
    for (group, round_name), mean in means.items():
        for i in range(per_cell):
            value = mean + (spread if i % 2 else -spread)
            rows.append((f"{group}-{round_name}-{i}", round_name, years[round_name], group, f"c{i}", value))
    return _survey(rows)


def test_card_and_krueger_table_3_from_its_published_means():
    """Card, D. and Krueger, A. B. (1994), "Minimum wages and employment: a case study of the fast-food industry
    in New Jersey and Pennsylvania", American Economic Review 84(4), Table 3, mean FTE employment per store:
    New Jersey (treatment) 20.44 before, 21.03 after; Pennsylvania (comparison) 23.33 before, 21.17 after;
    published difference-in-differences 2.76 (SE 1.36).

    From the rounded means the identity gives (21.03 − 20.44) − (21.17 − 23.33) = 0.59 − (−2.16) = 2.75; the
    published 2.76 comes from the unrounded means, so the estimate must be 2.75 exactly and within 0.01 of 2.76.
    """
    survey = _cells(
        {
            ("treatment", "baseline"): 20.44,
            ("treatment", "endline"): 21.03,
            ("comparison", "baseline"): 23.33,
            ("comparison", "endline"): 21.17,
        }
    )
    e = d.did(survey, "y", "endline", cov_type="nonrobust", panel=False)
    assert e.estimate == pytest.approx(2.75, abs=1e-9)
    assert abs(e.estimate - 2.76) <= 0.01 + 1e-9
    assert e.method == "did" and e.design == "cross_section"
    assert e.baseline_mean == pytest.approx(23.33)  # Pennsylvania before: the yardstick of a relative effect


def test_card_and_krueger_as_a_panel_of_stores_gives_the_same_difference():
    # The same stores before and after: changes 0.59 (NJ) and −2.16 (PA); first differences on treated = 2.75.
    rows = []
    for group, (before, after) in {"treatment": (20.44, 21.03), "comparison": (23.33, 21.17)}.items():
        for i, shift in enumerate((-1.0, 1.0, -0.5, 0.5)):
            rows.append((f"{group}{i}", "baseline", 1992, group, f"c{i}", before + shift))
            rows.append((f"{group}{i}", "endline", 1993, group, f"c{i}", after + shift * 0.5))
    survey = _survey(rows)
    assert d.is_panel(survey)
    e = d.did(survey, "y", "endline", cov_type="HC1")
    assert e.design == "panel"
    assert e.estimate == pytest.approx(2.75, abs=1e-9)


def test_wooldridge_example_13_3_incinerator_and_house_prices():
    """Wooldridge, J. M., Introductory Econometrics: A Modern Approach, Example 13.3 (data KIELMC): mean real
    house prices (1978 dollars) far from and near the incinerator site, 1978: 82,517.23 and 63,692.86; 1981:
    101,307.51 and 70,619.24. The 1981 near–far difference is the published −30,688.27 (the 1981 cross-section
    regression's coefficient on nearinc); the difference-in-differences δ̂1 = −30,688.27 − (−18,824.37) =
    −11,863.90, as the book gives."""
    means = {
        ("comparison", "baseline"): 82_517.23,
        ("treatment", "baseline"): 63_692.86,
        ("comparison", "endline"): 101_307.51,
        ("treatment", "endline"): 70_619.24,
    }
    survey = _cells(means, spread=5_000.0, per_cell=4)
    assert means[("treatment", "endline")] - means[("comparison", "endline")] == pytest.approx(-30_688.27)
    e = d.did(survey, "y", "endline", cov_type="nonrobust", panel=False)
    assert e.estimate == pytest.approx(-11_863.90, abs=1e-6)


def test_first_differences_with_a_hand_computed_standard_error():
    # Treated changes 3 and 5 (mean 4), comparison changes 1 and 1 (mean 1): DiD = 4 − 1 = 3.
    # Residuals −1, +1, 0, 0: SSR 2, df 4 − 2 = 2, σ² = 1, Var(b) = σ²(1/2 + 1/2) = 1, SE 1, t = 3.
    # With 2 degrees of freedom P(|T| > t) = 1 − t/√(t² + 2) = 1 − 3/√11 = 0.09547.
    survey = _survey(
        [
            ("a", "baseline", 2011, "treatment", "c1", 10.0), ("a", "endline", 2015, "treatment", "c1", 13.0),
            ("b", "baseline", 2011, "treatment", "c2", 10.0), ("b", "endline", 2015, "treatment", "c2", 15.0),
            ("c", "baseline", 2011, "comparison", "c3", 12.0), ("c", "endline", 2015, "comparison", "c3", 13.0),
            ("d", "baseline", 2011, "comparison", "c4", 14.0), ("d", "endline", 2015, "comparison", "c4", 15.0),
        ]
    )  # fmt: skip
    e = d.did(survey, "y", "endline", cov_type="nonrobust")
    assert (e.estimate, e.se, e.n) == (pytest.approx(3.0), pytest.approx(1.0), 4)
    assert e.p_value == pytest.approx(1 - 3 / 11**0.5, abs=1e-6)
    assert e.baseline_mean == pytest.approx(13.0)  # comparison at baseline: (12 + 14) / 2
    assert not e.significant and e.ci_low < 0 < e.ci_high
    robust = d.did(survey, "y", "endline")  # four clusters: cluster-robust by default
    assert robust.cov_type == "cluster" and robust.n_clusters == 4 and robust.estimate == pytest.approx(3.0)


def test_clusters_missing_fall_back_to_hc1_and_an_unknown_cov_type_is_an_error():
    survey = _cells({("treatment", "baseline"): 1, ("treatment", "endline"): 3, ("comparison", "baseline"): 1,
                     ("comparison", "endline"): 2})  # fmt: skip
    survey["cluster"] = None
    assert d.did(survey, "y", "endline", panel=False).cov_type == "HC1"
    with pytest.raises(ValueError, match="cov_type"):
        d.did(survey, "y", "endline", cov_type="bootstrap", panel=False)


def test_before_after_without_a_comparison_group():
    # Panel of treated only: changes 2, 4, 6 → mean change 4; baseline mean (10 + 11 + 12) / 3 = 11.
    survey = _survey(
        [(r, rnd, yr, "treatment", "c1" if r != "c" else "c2", v) for r, rnd, yr, v in [
            ("a", "baseline", 2016, 10.0), ("a", "endline", 2018, 12.0), ("b", "baseline", 2016, 11.0),
            ("b", "endline", 2018, 15.0), ("c", "baseline", 2016, 12.0), ("c", "endline", 2018, 18.0)]]
    )  # fmt: skip
    e = d.did(survey, "y", "endline", cov_type="nonrobust", covariates=["y"])
    assert (
        e.method == "before_after"
        and e.estimate == pytest.approx(4.0)
        and e.baseline_mean == pytest.approx(11)
    )
    # SE of a mean: sd(2, 4, 6) / √3 = 2 / √3
    assert e.se == pytest.approx(2 / 3**0.5)


def test_rounds_panel_detection_and_pre_treatment_rounds():
    rows = [(f"{g}{i}", rnd, yr, g, "c", 1.0) for g in ("treatment", "comparison") for i in range(3)
            for rnd, yr in (("endline", 2017), ("baseline", 2011), ("midline", 2013))]  # fmt: skip
    survey = _survey(rows)
    assert d.round_order(survey) == ["baseline", "midline", "endline"]
    assert d.base_round(survey) == "baseline"
    assert d.is_panel(survey)
    # Support starts in April 2013: a 2013 survey is still before it; with a 2012 start it is not.
    assert d.pre_treatment_rounds(survey, date(2013, 4, 1)) == ["baseline", "midline"]
    assert d.pre_treatment_rounds(survey, date(2012, 1, 1)) == ["baseline"]
    # The base round is always before support, even when it comes after the start (GOPA: start 2007, survey 2008).
    assert d.pre_treatment_rounds(survey, date(2007, 11, 1)) == ["baseline"]
    fresh = survey.assign(respondent_id=survey["respondent_id"] + survey["round"])
    assert not d.is_panel(fresh)
    assert d.has_comparison(survey) and not d.has_comparison(survey[survey["group"] == "treatment"])


def test_effects_by_group_from_one_interacted_regression():
    # Changes: treated g=1: 1, 3 (mean 2); treated g=0: 5, 7 (6); comparison g=1: −1, 1 (0); comparison g=0: 0, 2 (1).
    # Others' effect 6 − 1 = 5; the group's 2 − 0 = 2; difference 2 − 5 = −3.
    changes = {
        ("treatment", 1): (1, 3),
        ("treatment", 0): (5, 7),
        ("comparison", 1): (-1, 1),
        ("comparison", 0): (0, 2),
    }
    rows = []
    for (group, g), values in changes.items():
        for i, change in enumerate(values):
            rid = f"{group}{g}{i}"
            rows.append((rid, "baseline", 2011, group, f"{group}{i}", 10.0, g))
            rows.append((rid, "endline", 2015, group, f"{group}{i}", 10.0 + change, g))
    survey = _survey(rows, ("y", "female_head"))
    e = d.group_effect(survey, "y", "endline", "female_head", cov_type="nonrobust")
    assert e.effect_others.estimate == pytest.approx(5.0)
    assert e.effect_group.estimate == pytest.approx(2.0)
    assert e.difference.estimate == pytest.approx(-3.0)
    assert (e.treated_in_group, e.treated_others) == (2, 2)
    # Var(group effect) = Var(b_treated + b_interaction): from the fit's covariance; here each cell mean has variance
    # σ²/2 with σ² = SSR/df = (4 cells × 2 × 1²)/(8 − 4) = 2, so Var = 2 × (2/2) = 2 (two cells differenced), SE √2.
    assert e.effect_group.se == pytest.approx(2**0.5)
    with pytest.raises(ValueError, match="no 'ethnic_minority'"):
        d.group_effect(survey, "y", "endline", "ethnic_minority")


def _poverty_panel() -> pd.DataFrame:
    # Treated: 4 poor at baseline, 3 leave poverty (75%); comparison: 4 poor, 1 leaves (25%); one household of each
    # group is not poor at baseline and is left out. LPM = 0.75 − 0.25 = 0.5; with one binary regressor the logit
    # reproduces the two cell shares, so its average marginal effect is the same 0.5.
    rows = []
    plan = {"treatment": [1, 1, 1, 0, None], "comparison": [1, 0, 0, 0, None]}
    for group, exits in plan.items():
        for i, exit_ in enumerate(exits):
            rid, cluster = f"{group}{i}", f"{group[0]}{i % 3}"
            rows.append((rid, "baseline", 2011, group, cluster, 0 if exit_ is None else 1))
            rows.append((rid, "endline", 2015, group, cluster, 0 if exit_ is None else 1 - exit_))
    return _survey(rows, ("poor",))


def test_poverty_exit_among_the_baseline_poor_as_lpm_and_logit():
    p = d.poverty_effect(_poverty_panel(), "endline", cov_type="HC1")
    assert p.measure == "exit" and p.poor_at_base == 8
    assert (p.exit_treated, p.exit_comparison) == (0.75, 0.25)
    assert p.lpm.estimate == pytest.approx(0.5)
    assert p.logit_ame is not None and p.logit_ame.estimate == pytest.approx(0.5, abs=1e-6)


def test_poverty_rate_in_a_repeated_cross_section():
    # Poverty rates: treated 0.75 → 0.25, comparison 0.75 → 0.5: DiD (0.25 − 0.75) − (0.5 − 0.75) = −0.25.
    rows = []
    for group, before, after in (
        ("treatment", [1, 1, 1, 0], [1, 0, 0, 0]),
        ("comparison", [1, 1, 1, 0], [1, 1, 0, 0]),
    ):
        for rnd, yr, values in (("baseline", 2008, before), ("endline", 2014, after)):
            rows += [(f"{rnd}{group}{i}", rnd, yr, group, f"c{i}", v) for i, v in enumerate(values)]
    p = d.poverty_effect(_survey(rows, ("poor",)), "endline", cov_type="HC1")
    assert p.measure == "rate" and p.logit_ame is None
    assert p.lpm.estimate == pytest.approx(-0.25)
