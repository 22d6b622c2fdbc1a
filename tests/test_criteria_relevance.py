"""Relevance: hand-computed building blocks, assess() on hand-made frames, and the sample's stories."""

from __future__ import annotations

import json

import matplotlib
import pytest

from mel_core.criteria import relevance as rel
from mel_core.criteria.data import INDICATOR_COLUMNS
from tests import criteria_frames_rcs as f

matplotlib.use("Agg")


@pytest.mark.parametrize(
    ("share", "area", "expected"),
    [
        (0.8, 0.6, 0.75),  # 0.5 + 0.5·(0.8 − 0.6)/(1 − 0.6) = 0.5 + 0.5·0.5
        (0.3, 0.6, 0.25),  # 0.5·0.3/0.6
        (0.5, 0.5, 0.5),  # random selection
        (1.0, 0.4, 1.0),  # only poor households
        (0.0, 0.4, 0.0),  # no poor household
    ],
    ids=["above", "below", "random", "all-poor", "none-poor"],
)
def test_poor_targeting_score(share: float, area: float, expected: float) -> None:
    assert rel.poor_targeting_score(share, area) == pytest.approx(expected)


def test_representation_score() -> None:
    assert rel.representation_score(0.4, 0.5) == pytest.approx(0.8)  # 0.4/0.5
    assert rel.representation_score(0.6, 0.5) == 1.0  # over-represented: capped at 1
    assert rel.representation_score(0.6, None) is None
    assert rel.representation_score(0.6, 0.0) is None


def _households() -> list[dict[str, object]]:
    # treatment at baseline: poor 1,1,1,0 (0.75); minority 1,1,0,0 (0.5); female 1,0,0,0 (0.25)
    # comparison at baseline: poor 1,1,0,0 (0.5); minority 1,1,1,0 (0.75); female 1,0,0,0 (0.25)
    rows = []
    for group, poor, minority, female in [
        ("treatment", [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]),
        ("comparison", [1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0]),
    ]:
        for p, m, w in zip(poor, minority, female, strict=True):
            rows.append(
                {"round": "baseline", "group": group, "poor": p, "ethnic_minority": m, "female_head": w}
            )
            # later rounds must not count: nobody poor at the endline
            rows.append(
                {"round": "endline", "group": group, "poor": 0, "ethnic_minority": m, "female_head": w}
            )
    return rows


def test_targeting_with_comparison_group() -> None:
    ev = rel.targeting_evidence(f.survey(_households()), f.frame([], INDICATOR_COLUMNS))
    assert (ev["poor"], ev["area_poor"], ev["area_source"]) == (0.75, 0.5, "comparison")
    assert (ev["minority"], ev["area_minority"], ev["female"], ev["area_female"]) == (0.5, 0.75, 0.25, 0.25)
    # poor 0.5 + 0.5·0.25/0.5 = 0.75 (×2); minority 0.5/0.75 = 0.6667; female 0.25/0.25 = 1 → 3.1667/4
    assert rel.targeting_score(ev) == pytest.approx((2 * 0.75 + 0.5 / 0.75 + 1.0) / 4)


def test_targeting_falls_back_to_the_poverty_indicator() -> None:
    treated = [r for r in _households() if r["group"] == "treatment"]
    indicators = f.frame([f.indicator("IM1", "impact", national_code="VN.GN.01", baseline_value=60.0)],
                         INDICATOR_COLUMNS)  # fmt: skip
    ev = rel.targeting_evidence(f.survey(treated), indicators)
    assert (ev["area_poor"], ev["area_source"]) == (0.6, "indicator")
    # only the poor part: 0.5 + 0.5·(0.75 − 0.6)/0.4 = 0.6875 (no comparison group for minority and female)
    assert rel.targeting_score(ev) == pytest.approx(0.6875)
    # the evaluator's rate overrides both: 75 % → s = a → 0.5
    ev = rel.targeting_evidence(f.survey(treated), indicators, area_poverty_rate=75.0)
    assert ev["area_source"] == "option"
    assert rel.targeting_score(ev) == pytest.approx(0.5)


def test_poverty_indicator_by_name_and_unit() -> None:
    by_name = f.frame([f.indicator("OC1", unit="hộ"), f.indicator("IM2", "impact", name="Tỷ lệ hộ NGHÈO")],
                      INDICATOR_COLUMNS)  # fmt: skip
    row = rel.poverty_indicator(by_name)
    assert row is not None and row["code"] == "IM2"
    wrong_unit = f.frame([f.indicator("IM2", "impact", name="Số hộ nghèo", unit="hộ")], INDICATOR_COLUMNS)
    assert rel.poverty_indicator(wrong_unit) is None


def test_targeting_without_evidence_is_none() -> None:
    ev = rel.targeting_evidence(f.survey([]), f.frame([], INDICATOR_COLUMNS))
    assert ev["poor"] is None and rel.targeting_score(ev) is None


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [("households", 1.0), ("community_meeting", 1.0), ("implementer", 0.4), ("plan", 0.2), (None, None),
     ("", None), ("somebody", None)],
)  # fmt: skip
def test_choice_score(chosen: str | None, expected: float | None) -> None:
    assert rel.choice_score(chosen) == expected


def _framework_indicators() -> list[dict[str, object]]:
    return [
        f.indicator("OP1", "output"),  # every field, and a target below: 5/5
        # no baseline, no data source, no target: unit and frequency only, 2/5
        f.indicator("OC1", "outcome", baseline_value=None, data_source=None),
    ]


def test_framework_score() -> None:
    smart = rel.smart_table(
        f.frame(_framework_indicators(), INDICATOR_COLUMNS), f.targets([("OP1", "2015", 9)])
    )
    assert list(smart["complete"]) == [1.0, 0.4]
    # mean 0.7 × (0.5 + 0.25 outcome + 0 impact) = 0.525
    assert rel.framework_score(smart) == pytest.approx(0.525)
    outputs_only = rel.smart_table(f.frame(_framework_indicators()[:1], INDICATOR_COLUMNS),
                                   f.targets([("OP1", "2015", 9)]))  # fmt: skip
    assert rel.framework_score(outputs_only) == pytest.approx(0.5)  # 1.0 × 0.5: inputs and outputs count half
    assert rel.framework_score(rel.smart_table(f.frame([], INDICATOR_COLUMNS), f.targets([]))) is None


def test_alignment_score() -> None:
    indicators = f.frame(
        [f.indicator("OP1", "output", national_code="VN.X.1"),  # outputs do not count
         f.indicator("OC1", national_code="VN.GN.03"), f.indicator("OC2"),
         f.indicator("IM1", "impact", national_code="VN.GN.01")],
        INDICATOR_COLUMNS,
    )  # fmt: skip
    assert rel.alignment_score(indicators) == (pytest.approx(2 / 3), 2, 3)
    outputs = f.frame([f.indicator("OP1", "output")], INDICATOR_COLUMNS)
    assert rel.alignment_score(outputs) == (None, 0, 0)


def test_assess_hand_made() -> None:
    indicators = [*_framework_indicators(), f.indicator("OC2", national_code="VN.GN.03")]
    # OC2 complete except the target (4/5 = 0.8): completeness (1 + 0.4 + 0.8)/3 = 0.7333, × 0.75 = 0.55
    data = f.data(chosen_by="community_meeting", indicators=indicators, survey_rows=f.survey(_households()),
                  target_rows=f.targets([("OP1", "2015", 9)]))  # fmt: skip
    result = rel.assess(data, None, lang="en")
    targeting = (2 * 0.75 + 0.5 / 0.75 + 1.0) / 4
    assert result.scores == pytest.approx(
        {"targeting": targeting, "choice": 1.0, "framework": 0.55, "alignment": 0.5}  # 1 of OC1, OC2 coded
    )
    # (0.7917 + 1 + 0.55 + 0.5·0.5)/3.5 = 0.7405 → level 3 (0.6 ≤ score < 0.8)
    assert result.rating is not None and result.rating.level == 3
    assert result.rating.evidence["score"] == pytest.approx((targeting + 1 + 0.55 + 0.25) / 3.5)
    assert any("75.0%" in x.statement and "50.0%" in x.statement for x in result.findings)
    json.dumps(result.to_json())
    assert len(rel.charts(result)) == 2


def test_assess_without_evidence_is_not_rated_and_vietnamese() -> None:
    result = rel.assess(f.data(), None, lang="vi")
    assert result.scores == {"targeting": None, "choice": None, "framework": None, "alignment": None}
    assert result.rating is not None and result.rating.level is None
    assert result.rating.label == "chưa đủ căn cứ để xếp hạng"
    assert any("Không có thông tin ai đã lựa chọn mô hình" in x.statement for x in result.findings)


def test_plan_chosen_model_gets_a_recommendation() -> None:
    result = rel.assess(f.data(chosen_by="plan", indicators=_framework_indicators()), None, lang="en")
    assert result.scores["choice"] == 0.2
    assert any("community meeting" in r for r in result.recommendations)


def test_sample_stories() -> None:
    pf, programmes = f.sample_store()
    results = {code: rel.assess(d, pf, lang="en") for code, d in programmes.items()}
    success, failure = results["DB-BSS-2011"], results["KT-KEO-2012"]
    assert success.rating is not None and failure.rating is not None
    assert success.rating.level is not None and failure.rating.level is not None
    assert success.rating.level >= 3  # relevant or highly relevant
    assert failure.rating.level < success.rating.level
    # what the data says: DB-BSS reached more poor households than the comparison villages at baseline
    survey = programmes["DB-BSS-2011"].survey
    base = survey[survey["round"] == "baseline"]
    poor = base.groupby("group")["poor"].mean()
    assert success.metrics["poor_share"] == pytest.approx(poor["treatment"])
    assert success.metrics["area_poverty_rate"] == pytest.approx(poor["comparison"])
    assert poor["treatment"] > poor["comparison"]
    # chosen by a community meeting against chosen by plan
    assert success.scores["choice"] == 1.0 and failure.scores["choice"] == 0.2
    # a programme without a comparison group takes the poverty indicator's baseline
    assert results["DB-BSS-NR-2016"].metrics["area_source"] == "indicator"
    for result in results.values():
        json.dumps(result.to_json())
