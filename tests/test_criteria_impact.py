"""The impact criterion: scoring building blocks on hand-computed cases, assess() on small hand-built programmes
(missing survey, no comparison group, violated pre-trends), and the real sample store with its known effects."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import Session

from mel_core.criteria import did as d
from mel_core.criteria import impact
from mel_core.criteria.data import SURVEY_COLUMNS, ProgrammeData, load_programme
from mel_core.demo.sample import SAMPLE_WORKBOOK, TRUE_EFFECTS
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import Programme, make_engine, table_of


def _estimate(
    estimate: float, low: float, high: float, base_mean: float, method: str = "did"
) -> d.DidEstimate:
    return d.DidEstimate("y", "endline", "baseline", estimate, 1.0, low, high, 0.5, 100, 10, method, "panel",
                         "cluster", base_mean)  # fmt: skip


def _programme(survey: pd.DataFrame | None, start: date = date(2011, 1, 1), indicators=None) -> ProgrammeData:
    empty = pd.DataFrame()
    return ProgrammeData(
        programme={"code": "T-1", "title": "Thử nghiệm", "start_date": start, "end_date": date(2015, 12, 31)},
        provinces=["11"], objectives=empty, indicators=indicators if indicators is not None else empty,
        targets=empty, observations=empty, expenditures=empty, activities=empty,
        survey=survey if survey is not None else pd.DataFrame(columns=SURVEY_COLUMNS), as_of=date(2020, 1, 1),
    )  # fmt: skip


def _panel(effect: float, rounds=(("baseline", 2011), ("endline", 2015)), comparison: bool = True,
           pre_gap: float = 0.0, per_cluster: int = 6, clusters: int = 4) -> pd.DataFrame:  # fmt: skip
    """A panel whose treated households gain ``effect`` at every round after the first pre-treatment ones, with
    deterministic household-level variation; ``pre_gap`` makes the treated diverge already by the second round."""
    rows = []
    groups = ("treatment", "comparison") if comparison else ("treatment",)
    for group in groups:
        for c in range(clusters):
            for h in range(per_cluster):
                rid = f"{group[0]}{c}-{h}"
                base = 20.0 + c + (h % 3)
                for k, (rnd, yr) in enumerate(rounds):
                    value = base + 1.5 * k + ((h * 7 + c * 3 + k * 5) % 5 - 2) * 0.4
                    if group == "treatment":
                        value += effect if yr >= 2014 else pre_gap * k
                    poor = int(value < 22.5)
                    rows.append([rid, rnd, yr, group, "11", f"{group[0]}{c}", value, poor, (h + c) % 2, int(h == 0),
                                 3 + h % 4])  # fmt: skip
    columns = [
        *SURVEY_COLUMNS,
        "income_million_vnd",
        "poor",
        "ethnic_minority",
        "female_head",
        "household_size",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- building blocks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estimate", "low", "high", "base", "expected"),
    [
        (4.0, 1.0, 7.0, 20.0, 1.0),  # rel 4/20 = 0.20 = FULL_EFFECT → 1.0, significant ×1
        (2.0, 0.5, 3.5, 20.0, 0.5),  # rel 0.10 / 0.20 = 0.5 ×1
        (2.0, -0.5, 4.5, 20.0, 0.25),  # 0.5 × 0.5 (interval includes zero)
        (10.0, 8.0, 12.0, 20.0, 1.0),  # rel 0.5 capped at 1
        (-2.0, -4.0, -0.1, 20.0, 0.0),  # harm: 0
    ],
    ids=["full", "half", "not-significant", "capped", "negative"],
)
def test_effect_score(estimate, low, high, base, expected):
    assert impact.effect_score(_estimate(estimate, low, high, base)) == pytest.approx(expected)


def test_effect_score_needs_a_positive_baseline_mean():
    assert impact.effect_score(_estimate(1.0, 0.5, 1.5, 0.0)) is None


def test_poverty_score_for_exits_and_for_the_poverty_rate():
    exit_ = d.PovertyEffect("exit", _estimate(0.10, 0.02, 0.18, 0.3), None, 50, 0.5, 0.4)
    assert impact.poverty_score(exit_) == pytest.approx(0.5)  # 10 points / 20 points, significant
    not_sig = d.PovertyEffect("exit", _estimate(0.30, -0.02, 0.62, 0.3), None, 50, 0.7, 0.4)
    assert impact.poverty_score(not_sig) == pytest.approx(0.5)  # 30/20 capped at 1, × 0.5
    rate = d.PovertyEffect("rate", _estimate(-0.05, -0.09, -0.01, 0.4), None, 0, None, None)
    assert impact.poverty_score(rate) == pytest.approx(0.25)  # a fall of 5 points: 5/20, significant
    rising = d.PovertyEffect("rate", _estimate(0.05, 0.01, 0.09, 0.4), None, 0, None, None)
    assert impact.poverty_score(rising) == 0.0


def _group(group_effect: float, others: float, n_in: int = 30, n_out: int = 30) -> d.GroupEffect:
    g, o = _estimate(group_effect, 0, 0, 10), _estimate(others, 0, 0, 10)
    return d.GroupEffect("female_head", g, o, _estimate(group_effect - others, 0, 0, 10), n_in, n_out)


def test_group_ratio_and_equity_take_the_worst_group():
    assert impact.group_ratio(_group(2.0, 4.0)) == pytest.approx(0.5)  # 2 / 4
    assert impact.group_ratio(_group(5.0, 4.0)) == 1.0  # ahead of the others: capped at 1
    assert impact.group_ratio(_group(1.0, -1.0)) == 1.0  # the others gained nothing: not behind them
    assert impact.group_ratio(_group(2.0, 4.0, n_in=19)) is None  # fewer than 20 treated in the group
    main = _estimate(3.0, 1.0, 5.0, 20)
    assert impact.equity_score([_group(3.0, 4.0), _group(2.0, 4.0)], main) == pytest.approx(
        0.5
    )  # min(0.75, 0.5)
    assert (
        impact.equity_score([_group(2.0, 4.0)], _estimate(3.0, -1.0, 7.0, 20)) is None
    )  # no significant effect
    assert impact.equity_score([_group(2.0, 4.0, n_in=5)], main) is None


def test_outcome_variables_and_the_default_outcome():
    survey = pd.DataFrame({"respondent_id": ["a"], "round": ["baseline"], "year": [2011], "group": ["treatment"],
                           "poor": [1], "household_size": [4], "satisfaction_index": [55.0], "income_million_vnd":
                           [20.5], "flag": [1]})  # fmt: skip
    assert impact.outcome_variables(survey) == ["satisfaction_index", "income_million_vnd"]
    assert impact.default_outcome(survey) == "income_million_vnd"
    gopa = pd.DataFrame({"level": ["output", "outcome"], "name": ["Số lượt cán bộ", "Chỉ số hài lòng"],
                         "name_en": ["Officials trained", "Citizen satisfaction with services"]})  # fmt: skip
    assert impact.default_outcome(survey, gopa) == "satisfaction_index"  # the framework names satisfaction
    income = gopa.assign(name_en=["Officials trained", "Average income of households"])
    assert impact.default_outcome(survey, income) == "income_million_vnd"
    assert impact.default_outcome(survey[["respondent_id", "round", "poor"]]) is None


def test_default_round():
    survey = _panel(3.0, rounds=(("baseline", 2011), ("midline", 2013), ("endline", 2015), ("post", 2018)))
    assert impact.default_round(survey, ["baseline", "midline"]) == "endline"
    no_end = survey[survey["round"] != "endline"]
    assert impact.default_round(no_end, ["baseline", "midline"]) == "post"
    assert impact.default_round(survey[survey["round"] == "baseline"], ["baseline"]) is None


# --- assess() on small programmes ----------------------------------------------------------------------------------


def test_a_missing_survey_is_not_rated_and_says_so():
    result = impact.assess(_programme(None))
    assert result.rating.level is None and result.rating.label == "not rated"
    assert result.scores == {"effect": None, "poverty": None, "equity": None}
    assert "No household or enterprise survey" in result.findings[0].statement
    vi = impact.assess(_programme(None), lang="vi")
    assert (
        vi.rating.label == "chưa đủ căn cứ để xếp hạng"
        and "chưa có số liệu điều tra" in vi.findings[0].statement
    )
    assert impact.headline_effect(_programme(None)) is None


def test_a_survey_with_only_a_baseline_is_not_rated():
    survey = _panel(3.0)
    result = impact.assess(_programme(survey[survey["round"] == "baseline"]))
    assert result.rating.level is None
    assert any("no round after support" in f.statement for f in result.findings)


def test_a_clear_effect_with_a_comparison_group():
    data = _programme(_panel(5.0))
    result = impact.assess(data, cov_type="HC1")
    # The treated gain exactly 5 more than the comparison households (the noise is identical in both groups).
    assert result.metrics["estimate"] == pytest.approx(5.0)
    assert result.metrics["method"] == "did" and result.metrics["design"] == "panel"
    base = data.survey.query("group == 'comparison' and round == 'baseline'")["income_million_vnd"].mean()
    assert result.metrics["relative_effect"] == pytest.approx(5.0 / base)
    assert result.scores["effect"] == pytest.approx(min(5.0 / base / impact.FULL_EFFECT, 1.0))
    assert result.caps == {"no_comparison_group": False, "pre_trend_violated": False}
    assert result.rating.level >= 3
    json.dumps(result.to_json())  # the runner stores it
    headline = impact.headline_effect(data)
    assert (
        headline is not None
        and headline.method == "did"
        and headline.estimate == pytest.approx(5.0, abs=1e-6)
    )
    assert len(impact.charts(result)) == 2


def test_without_a_comparison_group_the_before_after_is_weaker_evidence_and_capped():
    result = impact.assess(_programme(_panel(5.0, comparison=False)))
    assert result.caps["no_comparison_group"] is True
    assert result.metrics["method"] == "before_after"
    assert any("weaker evidence" in f.statement for f in result.findings)
    assert result.scores["equity"] is None
    assert result.rating.level is not None and result.rating.level <= 3


def test_diverging_pre_trends_cap_the_rating():
    rounds = (("baseline", 2011), ("midline", 2013), ("endline", 2016))
    parallel = impact.assess(_programme(_panel(5.0, rounds), start=date(2013, 4, 1)), cov_type="HC1")
    assert parallel.caps["pre_trend_violated"] is False
    assert parallel.metrics["pre_trend"]["estimate"] == pytest.approx(0.0, abs=1e-9)
    diverging = impact.assess(
        _programme(_panel(5.0, rounds, pre_gap=3.0), start=date(2013, 4, 1)), cov_type="HC1"
    )
    # The treated were already 3 ahead by the 2013 midline, before support: the placebo DiD finds exactly that.
    assert diverging.metrics["pre_trend"]["estimate"] == pytest.approx(3.0)
    assert diverging.caps["pre_trend_violated"] is True
    assert diverging.rating.level <= 2


def test_options_are_checked():
    data = _programme(_panel(2.0))
    with pytest.raises(ValueError, match="outcome 'profit'"):
        impact.assess(data, outcome="profit")
    with pytest.raises(ValueError, match="round 'post'"):
        impact.assess(data, survey_round="post")
    with pytest.raises(ValueError, match="cov_type"):
        impact.assess(data, cov_type="robust")
    with pytest.raises(ValueError, match="covariates not in the survey"):
        impact.assess(data, covariates=["land_area"])


# --- the sample store ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('impact') / 'mel.db'}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    with Session(engine) as session:
        codes = session.connection().scalars(select(table_of(Programme).c.code)).all()
        programmes = {code: load_programme(session, code) for code in codes}
    engine.dispose()
    return programmes


@pytest.fixture(scope="module")
def results(sample):
    return {code: impact.assess(data) for code, data in sample.items()}


def test_every_realised_true_effect_lies_in_its_confidence_interval(sample, results):
    truth = pd.read_excel(SAMPLE_WORKBOOK, sheet_name="_truth")
    checked = 0
    for row in truth.itertuples():
        data = sample[row.programme_code]
        if not d.has_comparison(data.survey):
            continue
        result = results[row.programme_code]
        if row.variable != result.metrics["outcome"]:
            result = impact.assess(data, outcome=row.variable)
        table = result.tables["Estimated effects"]
        found = table[(table["variable"] == row.variable) & (table["round"] == row.round)]
        assert len(found) == 1, (row.programme_code, row.variable, row.round)
        low, high = found["CI low"].iloc[0], found["CI high"].iloc[0]
        assert low <= row.att_treated <= high, (
            f"{row.programme_code} {row.round}: {row.att_treated} ∉ [{low}, {high}]"
        )
        assert row.effect == TRUE_EFFECTS[row.programme_code][row.variable][row.round]
        checked += 1
    assert checked == len(truth) - 1  # all but the replication without a comparison group


def test_the_success_has_the_largest_income_effect_and_the_failure_none(sample, results):
    income = {code: impact.headline_effect(data, "income_million_vnd") for code, data in sample.items()
              if d.has_comparison(data.survey) and "income_million_vnd" in TRUE_EFFECTS[code]}  # fmt: skip
    assert max(income, key=lambda code: income[code].estimate) == "DB-BSS-2011"
    failure = income["KT-KEO-2012"]
    assert failure.ci_low < 0 < failure.ci_high
    assert results["DB-BSS-2011"].rating.level > results["KT-KEO-2012"].rating.level
    assert results["DB-BSS-2011"].rating.level == 4 and results["KT-KEO-2012"].rating.level == 1
    assert any("review the results chain" in r for r in results["KT-KEO-2012"].recommendations)


def test_the_repeated_cross_section_recovers_the_satisfaction_effect(results):
    gopa = results["GOPA"]
    assert gopa.metrics["design"] == "cross_section"
    assert gopa.metrics["outcome"] == "satisfaction_index"  # the variable its results framework names
    assert gopa.metrics["ci_low"] > 0
    assert gopa.metrics["poverty"]["measure"] == "rate"


def test_the_replication_without_comparison_group_falls_back_to_before_after(results):
    nr = results["DB-BSS-NR-2016"]
    assert nr.metrics["method"] == "before_after" and nr.caps["no_comparison_group"]
    assert any("weaker evidence" in f.statement and f.confidence == "high" for f in nr.findings)
    assert nr.rating.level <= 3
    # The before/after change overstates the true effect: it also holds the general rise in incomes.
    assert nr.metrics["estimate"] > TRUE_EFFECTS["DB-BSS-NR-2016"]["income_million_vnd"]["endline"]


def test_the_pre_trend_is_checked_where_two_rounds_precede_support(results):
    cam = results["NA-CAM-2013"]
    assert cam.metrics["pre_treatment_rounds"] == ["baseline", "midline"]
    assert cam.metrics["pre_trend"]["p_value"] >= 0.05 and not cam.caps["pre_trend_violated"]
    assert all("pre_trend" not in r.metrics for code, r in results.items() if code != "NA-CAM-2013")


def test_a_sample_programme_without_its_survey_is_not_rated(sample):
    data = replace(sample["DB-BSS-2011"], survey=pd.DataFrame(columns=SURVEY_COLUMNS))
    result = impact.assess(data, lang="vi")
    assert result.rating.level is None
    assert "chưa có số liệu điều tra" in result.findings[0].statement


def test_poverty_exits_and_equity_in_the_sample(results):
    success = results["DB-BSS-2011"]
    assert success.metrics["poverty"]["measure"] == "exit"
    assert success.metrics["poverty"]["ci_low"] > 0 and success.metrics["poverty"]["logit_ame"]["ci_low"] > 0
    # Vocational training helped women less (the story): the gap is in the data and lowers the equity score.
    training = results["HG-NGHE-2014"]
    assert training.metrics["equity"]["female_head"]["ci_high"] < 0
    assert training.scores["equity"] < 0.5
    assert results["XTTM-2013"].scores["poverty"] is None  # enterprises: no poverty variable


def test_an_outcome_never_measured_after_support_is_not_rated():
    survey = _panel(3.0)
    survey.loc[survey["round"] == "endline", "income_million_vnd"] = None
    result = impact.assess(_programme(survey), outcome="income_million_vnd")
    assert result.rating.level is None and result.scores["effect"] is None
    assert any("No effect can be estimated" in f.statement for f in result.findings)
