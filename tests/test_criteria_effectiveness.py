import json
import math
from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session

from mel_core.criteria import effectiveness
from mel_core.criteria.data import load_portfolio, load_programme
from mel_core.criteria.projection import decimal_year, project, target_position
from mel_core.demo.sample import DATA_UNTIL
from tests.criteria_frames_results import indicator, obs, programme_data, sample_engine, target


def test_decimal_year():
    assert decimal_year(date(2016, 1, 1)) == 2016.0
    assert decimal_year(date(2015, 7, 2)) == pytest.approx(2015 + 182 / 365)


def test_project_by_hand():
    # y = 1, 2, 4 at x = 2020, 2021, 2022: x̄ = 2021, ȳ = 7/3, Sxy = 3, Sxx = 2 → slope 1.5
    # prediction at 2023: 7/3 + 2·1.5 = 5.3333; residuals 1/6, −1/3, 1/6 → SSE = 1/6, s² = SSE/(n−2) = 1/6
    # prediction se = sqrt(s²·(1 + 1/3 + (2023−2021)²/2)) = sqrt(1/6 · 10/3) = 0.74536; t(0.975, 1) = 12.7062
    fit = project([2020.0, 2021.0, 2022.0], [1.0, 2.0, 4.0], 2023.0)
    assert fit is not None
    assert fit.slope == pytest.approx(1.5)
    assert fit.predicted == pytest.approx(16 / 3)
    half = 12.706204736 * math.sqrt(10 / 18)
    assert fit.lower == pytest.approx(16 / 3 - half, rel=1e-6)
    assert fit.upper == pytest.approx(16 / 3 + half, rel=1e-6)


def test_project_needs_three_points():
    assert project([2020.0, 2021.0], [1.0, 2.0], 2023.0) is None
    assert project([2020.0, 2021.0, 2022.0], [1.0, math.nan, 2.0], 2023.0) is None


@pytest.mark.parametrize(("goal", "where"), [(-5.0, "below"), (5.0, "inside"), (15.0, "above")])
def test_target_position(goal, where):
    assert target_position(goal, -4.1, 14.8) == where


def _summary(out_met, out_n, oc_met, oc_n, oc_progress):
    return pd.DataFrame(
        [{"level": "output", "indicators": out_n, "met": out_met, "share_met": out_met / out_n, "progress": 1.0},
         {"level": "outcome", "indicators": oc_n, "met": oc_met, "share_met": oc_met / oc_n, "progress": oc_progress}]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("summary", "broken"),
    [
        (_summary(3, 3, 0, 2, 0.30), True),  # all outputs met, no outcome met, progress 0.30 < 0.6
        (_summary(3, 4, 0, 2, 0.30), True),  # 3/4 = 75 % of outputs is "delivered"
        (_summary(2, 3, 0, 2, 0.30), False),  # 2/3 < 75 %: outputs not delivered either
        (_summary(2, 2, 0, 2, 0.97), False),  # outcomes nearly reached (0.97): not broken
        (_summary(2, 2, 1, 2, 0.40), False),  # half the outcome targets met
    ],
    ids=["broken", "three-quarters", "outputs-short", "outcomes-close", "half-met"],
)
def test_broken_chain(summary, broken):
    assert effectiveness.broken_chain(summary) is broken


def test_broken_chain_needs_both_levels():
    assert effectiveness.broken_chain(_summary(2, 2, 0, 2, 0.3).iloc[[0]]) is None


def _finished(outcome_actual: float, with_gender: bool = False):
    observations = [obs("OP1", "2015", 110, "11"), obs("OC1", "2015", outcome_actual, "11"),
                    obs("IM1", "2015", 40, "11")]  # fmt: skip
    if with_gender:
        observations += [
            obs("OC1", "2015", 12.0, "11", "sex=female"),
            obs("OC1", "2015", 16.0, "11", "sex=male"),
        ]
    return programme_data(
        indicators=[indicator("OP1", "output", cumulative=True, baseline=0),
                    indicator("OC1", "outcome", baseline=10), indicator("IM1", "impact", direction="decrease",
                                                                       baseline=50)],
        targets=[target("OP1", "2015", 100), target("OC1", "2015", 20), target("IM1", "2011-2015", 40)],
        observations=observations,
    )  # fmt: skip


def test_assess_broken_chain_caps_the_level():
    # outputs 110/100 → progress 1; outcome 10 → 20 planned, 15.5 reached → (15.5−10)/10 = 0.55; impact met → 1
    # score = (2·0.55 + 1 + 1) / 4 = 0.775 → level 3 by the thresholds, capped to 2 by the broken chain
    result = effectiveness.assess(_finished(15.5))
    assert result.scores == pytest.approx({"outcomes": 0.55, "outputs": 1.0, "impact": 1.0})
    assert result.caps["broken_chain"] is True
    assert result.rating.evidence["score"] == pytest.approx(0.775)
    assert result.rating.level == 2
    assert any("Broken results chain" in f.statement for f in result.findings)
    assert any("Outcome targets met: 0 of 1 (0%)" in f.statement for f in result.findings)
    json.dumps(result.to_json())


def test_assess_outcomes_met_no_cap():
    # outcome 21 ≥ 20 → progress 1; score (2 + 1 + 1) / 4 = 1 → level 4
    result = effectiveness.assess(_finished(21.0), lang="vi")
    assert result.caps["broken_chain"] is False and result.rating.level == 4
    assert result.rating.label == "rất hiệu quả"
    assert any("Chỉ tiêu kết quả đạt: 1/1" in f.statement for f in result.findings)


def test_assess_gap_against_women():
    # women 12 against men 16 on a rising outcome: gap −4, relative −4/16 = −25 % > 5 %
    result = effectiveness.assess(_finished(15.5, with_gender=True))
    gap = [f for f in result.findings if "gap against women" in f.statement]
    assert gap and gap[0].evidence["relative_gap"] == pytest.approx(-0.25)


def test_assess_without_targets_is_not_rated():
    data = programme_data(
        indicators=[indicator("OC1", "outcome")], observations=[obs("OC1", "2015", 3, "11")]
    )
    result = effectiveness.assess(data)
    assert result.scores["outcomes"] is None and result.rating.level is None
    assert result.rating.label == "not rated"
    assert "has no targets" in result.findings[0].statement


def test_assess_missing_actuals_are_not_zero():
    data = programme_data(
        indicators=[indicator("OC1", "outcome", baseline=1)], targets=[target("OC1", "2015", 5)]
    )
    result = effectiveness.assess(data)
    assert result.scores["outcomes"] is None and result.rating.level is None
    assert "No target has a reported actual" in result.findings[0].statement


def test_assess_running_programme_projects_outcomes():
    # 10, 20, 30 at the ends of 2022–2024; the line projects ≈ 60 at the end of 2027 (slope ≈ 10 a year), so
    # progress against 80 from 0 is ≈ 0.75 although the latest phased target (30 in 2024) is met
    data = programme_data(
        indicators=[indicator("OC1", "outcome", baseline=0)],
        targets=[target("OC1", "2024", 30), target("OC1", "2027", 80)],
        observations=[obs("OC1", "2022", 10), obs("OC1", "2023", 20), obs("OC1", "2024", 30)],
        start=date(2022, 1, 1), end=date(2027, 12, 31), as_of=date(2025, 3, 1), provinces=("38", "42"),
    )  # fmt: skip
    result = effectiveness.assess(data)
    projection = result.tables["projection"].iloc[0]
    assert projection["predicted"] == pytest.approx(60, abs=0.1)
    assert projection["target_position"] == "inside" or projection["target_position"] == "above"
    assert result.scores["outcomes"] == pytest.approx(projection["projected_progress"])
    assert result.scores["outcomes"] == pytest.approx(0.75, abs=0.01)
    assert any("still running" in f.statement for f in result.findings)


def test_assess_rejects_unknown_options():
    with pytest.raises(TypeError):
        effectiveness.assess(_finished(20), bogus=1)


# ------------------------------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    engine = sample_engine(tmp_path_factory.mktemp("effectiveness"))
    with Session(engine) as session:
        portfolio = load_portfolio(session)
        codes = list(portfolio.programmes["code"])
        data = {code: load_programme(session, code, as_of=DATA_UNTIL) for code in codes}
    engine.dispose()
    return {code: effectiveness.assess(d, portfolio) for code, d in data.items()}, data


def test_sample_success_above_failure(sample):
    results, _ = sample
    success, failure = results["DB-BSS-2011"], results["KT-KEO-2012"]
    assert success.rating.level >= 3
    assert failure.rating.level <= 2
    assert success.rating.level > failure.rating.level


def test_sample_failure_has_a_broken_chain(sample):
    results, _data = sample
    failure = results["KT-KEO-2012"]
    levels = failure.tables["levels"].set_index("level")
    assert levels.loc["output", "share_met"] == 1.0  # every output delivered
    assert levels.loc["outcome", "met"] == 0  # no outcome reached
    assert failure.caps["broken_chain"] is True
    assert not results["DB-BSS-2011"].caps["broken_chain"]


def test_sample_running_programme_is_projected_and_behind(sample):
    results, data = sample
    running = results["TH-SK-2022"]
    assert data["TH-SK-2022"].running
    projection = running.tables["projection"]
    assert not projection.empty and (projection["points"] >= 3).all()
    assert (projection["lower"] < projection["predicted"]).all() and (
        projection["predicted"] < projection["upper"]
    ).all()
    # behind plan: outputs below their phased targets, at least one outcome projected to miss its end target
    assert running.scores["outputs"] < 1.0
    assert not projection["projected_met"].astype(bool).all()


def test_sample_results_are_json_and_chart(sample):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, _ = sample
    for result in results.values():
        json.dumps(result.to_json())
    figures = effectiveness.charts(results["TH-SK-2022"])
    assert len(figures) == 2
    for fig in figures:
        plt.close(fig)
