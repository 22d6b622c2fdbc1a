"""Each criterion's two halves apart: the score function's figures on hand-made records (no words involved), and
the findings function's sentences, in English and Vietnamese, from hand-made scores."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from mel_core.criteria import (
    coherence,
    coherence_text,
    efficiency,
    efficiency_text,
    relevance,
    relevance_text,
    sustainability,
    sustainability_text,
    synthesis,
    synthesis_text,
)
from mel_core.criteria.relevance import SMART_FIELDS
from mel_core.criteria.result import CriterionResult, Scored
from tests import criteria_frames_rcs as f


def _statements(result: CriterionResult) -> list[str]:
    return [x.statement for x in result.findings]


# --------------------------------------------------------------------------------------------------- relevance


def test_relevance_score_is_figures_only():
    data = f.data(
        chosen_by="implementer",
        indicators=[
            f.indicator("OC1", "outcome", national_code="VN.GN.01"),
            f.indicator("OP1", "output", unit=None),
        ],
        target_rows=f.targets([("OC1", "2013", 20.0)]),
    )
    scored = relevance.score(data)
    assert isinstance(scored, Scored) and not isinstance(scored, CriterionResult)
    # OC1 has all five SMART fields, OP1 three of five (no target, no unit): mean 0.8; outcome but no impact
    # indicator: × 0.75
    assert scored.scores["framework"] == pytest.approx(0.8 * 0.75)
    assert scored.missing == {"baseline": 0, "target": 1, "unit": 1, "data_source": 0, "frequency": 0}
    assert scored.scores["choice"] == 0.4  # the implementer chose
    assert (scored.scores["alignment"], scored.coded, scored.outcome_and_impact) == (1.0, 1, 1)
    assert scored.scores["targeting"] is None  # no survey: no share of poor beneficiaries
    assert scored.metrics["smart_completeness"] == pytest.approx(0.8)
    assert list(scored.scores) == ["targeting", "choice", "framework", "alignment"]


def _relevance_scores() -> relevance.RelevanceScores:
    targeting = {
        "poor": 0.4, "area_poor": 0.5, "area_source": "comparison", "minority": 0.3, "area_minority": 0.4,
        "female": 0.2, "area_female": 0.25, "n": 40, "n_comparison": 38,
    }  # fmt: skip
    return relevance.RelevanceScores(
        scores={"targeting": 0.4, "choice": 1.0, "framework": None, "alignment": 0.5},
        targeting=targeting,
        chosen_by="households",
        smart=pd.DataFrame(columns=["code", "level", *SMART_FIELDS, "complete"]),
        coded=1,
        outcome_and_impact=2,
    )


def test_relevance_findings_word_the_scores_in_english():
    scored = _relevance_scores()
    result = relevance_text.findings(scored, "en")
    assert _statements(result) == [
        "Targeting: 40.0% of the 40 beneficiary households surveyed at baseline were poor, against an area poverty"
        " rate of 50.0% (the comparison group at baseline); ethnic-minority households 30.0% (area 40.0%),"
        " female-headed 20.0% (area 25.0%).",
        "The model was chosen by the households themselves, a participatory choice as letter 247/KTHT-GN asks.",
        "The programme has no indicators recorded.",
        "1 of 2 outcome and impact indicators (50%) carry a national indicator code.",
    ]
    assert result.findings[0].confidence == "high" and result.findings[0].evidence["households"] == 40
    # 0.4 < 0.9 × 0.5: the share of poor beneficiaries is clearly below the area's
    assert result.recommendations[0].startswith(
        "Select beneficiaries from the commune's list of poor households"
    )
    assert result.scores == scored.scores and result.rating is None  # worded, not rated


def test_relevance_findings_word_the_scores_in_vietnamese():
    result = relevance_text.findings(_relevance_scores(), "vi")
    assert _statements(result)[1] == (
        "Mô hình do chính các hộ lựa chọn, đúng cách tiếp cận có sự tham gia mà Công văn 247/KTHT-GN đề cao."
    )
    assert _statements(result)[3] == "1/2 chỉ tiêu kết quả và tác động (50%) có mã chỉ tiêu quốc gia."
    assert result.tables["targeting"].columns.tolist() == ["nhóm", "hộ hưởng lợi (%)", "địa bàn (%)"]
    assert result.tables["targeting"].iloc[0].tolist() == ["hộ nghèo", 40.0, 50.0]


# --------------------------------------------------------------------------------------------------- coherence


def test_coherence_score_is_figures_only():
    programmes = [
        dict(code="P1", sector="livestock", start_date=date(2011, 1, 1), end_date=date(2015, 12, 31),
             provinces=["11"]),
        dict(code="Q1", sector="livestock", start_date=date(2013, 1, 1), end_date=date(2014, 12, 31),
             provinces=["11"]),
    ]  # fmt: skip
    data = f.data("P1", provinces=["11"], start=date(2011, 1, 1), end=date(2015, 12, 31))
    scored = coherence.score(data, f.portfolio(programmes))
    # province-years of P1: (11, 2011…2015) = 5; Q1 shares 2013 and 2014: 1 − 2/5
    assert scored.scores["overlap"] == pytest.approx(0.6)
    assert (scored.shared, scored.province_years, scored.others) == (2, 5, 1)
    # Q1 is the one related programme, not linked: 0 of 1
    assert scored.scores["linkage"] == 0.0 and scored.unlinked == ["Q1"] and scored.linked == []
    assert scored.scores["measurement"] is None and scored.twice.empty  # no national-coded observation
    assert not coherence.score(data, None).compared
    assert coherence.score(data, None).scores == {"overlap": None, "measurement": None, "linkage": None}


def test_coherence_findings_without_a_portfolio_and_with_linked_programmes():
    alone = coherence.CoherenceScores(
        scores={"overlap": None, "measurement": None, "linkage": None}, compared=False
    )
    assert _statements(coherence_text.findings(alone, "vi")) == [
        "Chưa đánh giá được tính nhất quán: không có danh mục các chương trình khác để so sánh."
    ]
    own = {"code": "P1", "provinces": [], "start_date": None, "end_date": None}
    empty = coherence.overlaps(own, f.portfolio([]).programmes,
                               date(2020, 1, 1))  # fmt: skip
    scored = coherence.CoherenceScores(
        scores={"overlap": 1.0, "measurement": None, "linkage": 1.0},
        sector="livestock",
        others=3,
        overlaps=empty,
        twice=coherence.twice_measured("P1", f.portfolio([]).observations, set()),
        province_years=5,
        family=["Q2"],
        linked=["Q2"],
    )
    en = _statements(coherence_text.findings(scored, "en"))
    assert en[2] == (
        "Double measurement cannot be checked: the programme has no observation of an indicator with a national"
        " code."
    )
    assert en[0] == (
        "No other programme of the same sector (livestock) works in the same provinces over the same years:"
        " compared against 3 other programmes in the store, none overlaps."
    )
    assert en[1] == "Linked programmes (parent or replication, not duplicates): Q2."
    assert (
        en[-1]
        == "Of the 1 same-sector programmes working in the same provinces at the same time, 1 are formally linked."
    )
    vi = _statements(coherence_text.findings(scored, "vi"))
    assert vi[1] == "Chương trình có liên kết (chương trình mẹ hoặc nhân rộng, không phải trùng lặp): Q2."


# -------------------------------------------------------------------------------------------------- efficiency


def test_efficiency_score_is_figures_only():
    money = f.expenditures([("2011", "central", 100.0, 90.0), ("2012", "central", 100.0, 80.0),
                            ("2012", "community", 20.0, 30.0)])  # fmt: skip
    data = f.data(
        start=date(2011, 1, 1), end=date(2012, 12, 31), as_of=date(2020, 1, 1), expenditure_rows=money
    )
    scored = efficiency.score(data, None, impact_estimate=0.0)
    # disbursed 200 of 220 planned: r = 0.909…, score 1 − |1 − r|
    assert scored.disbursement_rate == pytest.approx(200 / 220)
    assert scored.scores["disbursement"] == pytest.approx(200 / 220)
    assert scored.last_period == "2012"
    # community money 30 of 200 disbursed = 0.15, against a goal of 0.2: 0.75
    assert scored.cofinancing_share == pytest.approx(0.15)
    assert scored.scores["cofinancing"] == pytest.approx(0.75)
    assert scored.scores["timeliness"] is None and scored.activities.table.empty
    assert scored.benchmark.status == "no_portfolio" and scored.scores["cost_benchmark"] is None
    assert scored.impact_cost.status == "not_computed"  # an effect of 0 has no cost per unit
    assert scored.metrics["impact_estimate"] == 0.0 and "cost_per_unit_of_impact" not in scored.metrics


def _efficiency_scores(**changes: object) -> efficiency.EfficiencyScores:
    fields: dict[str, object] = dict(
        scores={"disbursement": None, "timeliness": 0.5, "cost_benchmark": None, "cofinancing": None},
        planned=0.0,
        disbursed=0.0,
        disbursement_rate=math.nan,
        disbursement=pd.DataFrame(columns=["period", "source", "planned", "disbursed", "rate"]),
        activities=efficiency.Activities(
            pd.DataFrame({"status": ["done", "planned"]}),
            30,
            on_time=1,
            median_delay=12.0,
            dropped=0,
            overdue=1,
        ),
        benchmark=efficiency.Benchmark("running"),
        cofinancing_share=None,
        cofinancing_goal=0.2,
        cost_per_output=pd.DataFrame(),
        impact_cost=efficiency.ImpactCost(
            "computed", estimate=2.0, variable="income", households=100.0, cost=1.5
        ),
        running=True,
    )
    fields.update(changes)
    return efficiency.EfficiencyScores(**fields)  # type: ignore[arg-type]


def test_efficiency_findings_word_the_scores_in_english():
    result = efficiency_text.findings(_efficiency_scores(disbursed=300.0), "en")
    assert _statements(result) == [
        "No planned money is recorded: the disbursement rate cannot be computed.",
        "Activities on time (within 30 days): 1 of 2 (50%); median delay 12 days; 0 cancelled or stopped, 1"
        " overdue.",
        "No cost benchmark: the programme is still running, its cost is not final.",
        "Cost per unit of impact: 1.50 million VND spent per household for each unit of effect (effect 2.00 on"
        " income per household; 300 million VND disbursed to date, 100 households).",
    ]
    # on time for half the activities (< 0.6): plan better
    assert result.recommendations == [
        "Plan activities with realistic dates and follow delays up every month."
    ]


def test_efficiency_findings_word_the_scores_in_vietnamese():
    scored = _efficiency_scores(
        cofinancing_share=0.1,
        impact_cost=efficiency.ImpactCost("no_estimate"),
        benchmark=efficiency.Benchmark("missing"),
    )
    statements = _statements(efficiency_text.findings(scored, "vi"))
    assert "Không so sánh chi phí: thiếu số hộ hoặc số vốn giải ngân." in statements
    assert "Cộng đồng và người hưởng lợi đóng góp 10% số vốn đã giải ngân (mục tiêu 20%)." in statements
    assert statements[-1] == "Chưa có ước lượng tác động: không tính chi phí trên một đơn vị tác động."


# ---------------------------------------------------------------------------------------------- sustainability


def test_sustainability_score_is_figures_only():
    survey = f.survey(
        [{"round": "post", "group": "treatment", "continues_model": v} for v in (1, 1, 1, 0)]
        + [{"round": "post", "group": "comparison", "replicated_model": v} for v in (1, 0, 0, 0, 0)]
    )
    money = f.expenditures([("2016", "local_budget", 30.0, 30.0), ("2016", "central", 10.0, None)])
    data = f.data(end=date(2015, 12, 31), survey_rows=survey, expenditure_rows=money,
                  activity_rows=f.activities([("Bàn giao mô hình", "done")]))  # fmt: skip
    scored = sustainability.score(data)
    assert (scored.continues, scored.continued_by) == (0.75, 4)
    assert (scored.replicated, scored.replicated_by) == (0.2, 5)
    assert scored.scores["replication"] == pytest.approx(1.0)  # 0.2 of non-beneficiaries: full
    assert scored.scores["local_funding"] == pytest.approx(0.75)  # 30 of 40 after the end
    assert scored.scores["handover"] == 1.0 and scored.handover == "done"
    assert scored.scores["post_trend"] is None  # no indicator observed after the end


def test_sustainability_findings_word_the_scores_in_both_languages():
    scored = sustainability.SustainabilityScores(
        scores={"continuation": 0.4, "replication": None, "post_trend": None, "local_funding": None,
                "handover": None},
        running=False, continues=0.4, continued_by=10, post_trend=pd.DataFrame(),
        after_end_funding=pd.DataFrame(columns=["source", "amount"]), handover=None,
    )  # fmt: skip
    en = sustainability_text.findings(scored, "en")
    assert (
        _statements(en)[0] == "40% of 10 beneficiary households still practised the model at the post round."
    )
    assert _statements(en)[-1] == "No handover to the locality is recorded among the activities."
    assert (
        en.recommendations[0]
        == "Find out with the households why most stopped the model before replicating it."
    )
    vi = sustainability_text.findings(scored, "vi")
    assert _statements(vi)[0] == "40% trong 10 hộ hưởng lợi vẫn duy trì mô hình ở vòng khảo sát sau hỗ trợ."
    assert vi.recommendations[-1] == (
        "Bàn giao chính thức mô hình cho xã hoặc huyện, xác định rõ ai duy trì phần việc nào."
    )
    assert list(vi.tables["after_end_funding"].columns) == ["nguồn", "triệu đồng"]


# --------------------------------------------------------------------------------------------------- synthesis


def test_synthesis_score_is_figures_only():
    results = {
        "relevance": {"rating": {"level": 4}, "recommendations": ["A", "B"]},
        "coherence": {"rating": {"level": 4, "final_level": 2}, "recommendations": ["B", "C"]},
        "impact": {"rating": {"level": None}},
    }
    scored = synthesis.score(results)
    assert scored.levels["relevance"] == 4 and scored.levels["coherence"] == 2  # the evaluator's final level
    assert scored.scores["relevance"] == 1.0 and scored.scores["coherence"] == pytest.approx(1 / 3)
    assert scored.scores["impact"] is None and scored.scores["efficiency"] is None
    assert scored.assessed == {"relevance", "coherence", "impact"}
    # the weakest criterion's recommendations first, each once
    assert scored.recommendations == [("coherence", "B"), ("coherence", "C"), ("relevance", "A")]
    assert scored.metrics == {"rated": 2, "levels": {"relevance": 4, "coherence": 2}}


def test_synthesis_findings_word_the_scores_in_both_languages():
    scored = synthesis.SynthesisScores(
        scores={}, levels={"relevance": 3, "coherence": None, "effectiveness": None, "efficiency": None,
                           "impact": None, "sustainability": None},
        assessed=frozenset({"relevance", "coherence"}), recommendations=[("relevance", "Do X.")],
    )  # fmt: skip
    en = synthesis_text.findings(scored, "en")
    assert _statements(en)[1] == "Coherence: not rated."
    assert _statements(en)[2] == "Effectiveness was not assessed in this evaluation."
    assert en.recommendations == ["[Relevance] Do X."]
    vi = synthesis_text.findings(scored, "vi")
    assert _statements(vi)[0].startswith("Tính phù hợp: ") and _statements(vi)[0].endswith(" (mức 3/4).")
    assert vi.recommendations == ["[Tính phù hợp] Do X."]


# ----------------------------------------------------------------------------------------------- effectiveness


def _results_chain(outcome_actual: float):
    from tests.criteria_frames_results import indicator, obs, programme_data, target

    return programme_data(
        indicators=[indicator("OP1", "output", cumulative=True, baseline=0),
                    indicator("OC1", "outcome", baseline=10)],
        targets=[target("OP1", "2015", 100), target("OC1", "2015", 20)],
        observations=[obs("OP1", "2015", 110, "11"), obs("OC1", "2015", outcome_actual, "11")],
    )  # fmt: skip


def test_effectiveness_score_is_figures_only():
    from mel_core.criteria import effectiveness

    scored = effectiveness.score(_results_chain(13.0))
    # outputs 110 of 100: progress 1; the outcome travelled 3 of the 10 from its baseline: 0.3
    assert scored.scores == pytest.approx({"outcomes": 0.3, "outputs": 1.0, "impact": None})
    assert scored.caps == {"broken_chain": True} and scored.broken is True
    assert scored.metrics["targets_met"] == {"output": [1, 1], "outcome": [0, 1]}
    assert scored.measurable and not scored.projecting
    unmeasured = effectiveness.score(programme_data_without_targets())
    assert not unmeasured.measurable and unmeasured.scores == {
        "outcomes": None,
        "outputs": None,
        "impact": None,
    }


def programme_data_without_targets():
    from tests.criteria_frames_results import indicator, programme_data

    return programme_data(indicators=[indicator("OC1", "outcome", baseline=10)])


def test_effectiveness_findings_word_the_scores_in_both_languages():
    from mel_core.criteria import effectiveness, effectiveness_text

    scored = effectiveness.score(_results_chain(13.0))
    en = _statements(effectiveness_text.findings(scored, "en"))
    assert "Broken results chain: the outputs were delivered but the outcomes did not follow." in en
    assert "OC1 Indicator OC1: 13 against a target of 20 in 2015 (progress 0.30)." in en
    vi = _statements(effectiveness_text.findings(scored, "vi"))
    assert "Chuỗi kết quả bị đứt: đầu ra đã hoàn thành nhưng kết quả không đạt." in vi
    assert "OC1 Chỉ số OC1: thực hiện 13 so với kế hoạch 20 năm 2015 (mức tiến triển 0.30)." in vi
    unmeasured = effectiveness_text.findings(effectiveness.score(programme_data_without_targets()), "vi")
    assert _statements(unmeasured) == ["Khung kết quả không có chỉ tiêu kế hoạch: không đo được mức đạt."]


# ------------------------------------------------------------------------------------------------------ impact


def _panel(effect: float) -> pd.DataFrame:
    rows = []
    for i in range(40):
        group = "treatment" if i < 20 else "comparison"
        base = 10.0 + (i % 5)
        gain = 2.0 + (effect if group == "treatment" else 0.0) + 0.1 * (i % 3)
        common = {"respondent_id": f"R{i}", "group": group, "admin_unit": "11", "cluster": f"c{i % 8}"}
        rows.append({**common, "round": "baseline", "year": 2011, "income_million_vnd": base})
        rows.append({**common, "round": "endline", "year": 2015, "income_million_vnd": base + gain})
    return pd.DataFrame(rows)


def test_impact_score_is_figures_only():
    from mel_core.criteria import impact
    from tests.criteria_frames_results import programme_data

    data = programme_data()
    data = type(data)(**{**data.__dict__, "survey": _panel(3.0)})
    scored = impact.score(data, cov_type="HC1")
    assert scored.stage == "estimated" and scored.panel and scored.comparison
    main = scored.main
    # gains: 2 + 3 + 0.1·(i mod 3) treated (i = 0…19: mean of i mod 3 = 19/20), 2 + 0.1·(i mod 3) comparison
    # (i = 20…39: mean 20/20); the DiD is the difference of the mean gains: 3 + 0.095 − 0.1 = 2.995
    assert main is not None and main.estimate == pytest.approx(2.995)
    # the comparison group's base-round mean: 10 + the mean of i mod 5 over i = 20…39 = 12
    assert main.baseline_mean == pytest.approx(12.0) and scored.relative == pytest.approx(2.995 / 12)
    assert scored.scores["effect"] == impact.effect_score(main)
    assert scored.caps == {"no_comparison_group": False, "pre_trend_violated": False}
    assert scored.poverty is None and scored.poverty_why == ""  # no ``poor`` variable
    assert impact.score(programme_data()).stage == "no_survey"


def test_impact_findings_word_the_scores_in_both_languages():
    from mel_core.criteria import impact, impact_text

    nothing = impact.ImpactScores(scores={"effect": None, "poverty": None, "equity": None}, stage="no_survey")
    assert _statements(impact_text.findings(nothing, "en")) == [
        "No household or enterprise survey is recorded for this programme, so its impact cannot be estimated:"
        " not rated."
    ]
    failed = impact.ImpactScores(
        scores={"effect": None, "poverty": None, "equity": None},
        stage="no_estimate",
        why="no respondent seen in both rounds",
        outcome="income_million_vnd",
        target="endline",
        year={"baseline": 2011, "endline": 2015},
        rounds=["baseline", "endline"],
        respondents=40,
        panel=True,
        comparison=True,
        means=pd.DataFrame(
            {"group": ["treatment"], "round": ["baseline"], "year": [2011], "mean": [10.0], "n": [20]}
        ),
    )
    worded = impact_text.findings(failed, "vi")
    [means] = worded.tables.values()
    assert means.columns.tolist() == ["nhóm", "vòng", "năm", "trung bình", "số đối tượng"]
    assert means.iloc[0].tolist() == ["nhóm hưởng lợi", "baseline", 2011, 10.0, 20]
    vi = _statements(worded)
    assert vi == [
        "Điều tra: dạng bảng (cùng đối tượng qua các vòng), có nhóm so sánh; 40 đối tượng trong 2 vòng:"
        " đầu kỳ (2011), cuối kỳ (2015).",
        "Không ước lượng được tác động từ số liệu điều tra (no respondent seen in both rounds): chưa đủ căn cứ để"
        " xếp hạng.",
    ]
