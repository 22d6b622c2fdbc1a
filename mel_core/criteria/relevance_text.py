"""The words of the relevance assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.relevance` so that the analysis reads as analysis: :func:`findings` words
a :class:`~mel_core.criteria.relevance.RelevanceScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mel_core.criteria.result import CriterionResult, tr
from mel_core.i18n import term
from mel_core.vocabulary import INDICATOR_LEVELS

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.relevance import RelevanceScores

CHOICE_LABELS = {
    "households": ("the households themselves", "chính các hộ"),
    "community_meeting": ("a community meeting", "họp cộng đồng"),
    "implementer": ("the implementer", "đơn vị thực hiện"),
    "plan": ("the plan (top-down)", "kế hoạch cấp trên"),
}
AREA_SOURCES = {
    "comparison": ("the comparison group at baseline", "nhóm đối chứng ở vòng khảo sát ban đầu"),
    "indicator": (
        "the baseline of the poverty-rate indicator",
        "giá trị ban đầu của chỉ tiêu tỷ lệ hộ nghèo",
    ),
    "option": ("the rate given by the evaluator", "tỷ lệ do chuyên gia đánh giá nhập"),
}
FIELDS_VI = {
    "baseline": "giá trị ban đầu",
    "target": "chỉ tiêu kế hoạch",
    "unit": "đơn vị tính",
    "data_source": "nguồn số liệu",
    "frequency": "tần suất",
}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def findings(scored: RelevanceScores, lang: str) -> CriterionResult:
    """The relevance result in ``lang``: ``scored``'s scores and metrics, findings, recommendations and tables
    (not yet rated)."""
    result = scored.result(lang)
    _targeting(result, scored.targeting)
    _choice(result, scored.chosen_by, scored.scores["choice"])
    _framework(result, scored.smart, scored.missing)
    _alignment(result, scored.scores["alignment"], scored.coded, scored.outcome_and_impact)
    result.tables["targeting"] = _targeting_table(scored.targeting, lang)
    result.tables["framework"] = _framework_table(scored.smart, lang)
    return result


def _targeting(result: CriterionResult, ev: dict[str, Any]) -> None:
    lang = result.lang
    source = AREA_SOURCES.get(str(ev["area_source"] or ""), ("", ""))
    poor, area_poor = ev["poor"], ev["area_poor"]
    if poor is not None and area_poor is not None:
        minority, area_minority = _pct(ev["minority"]), _pct(ev["area_minority"])
        female, area_female = _pct(ev["female"]), _pct(ev["area_female"])
        result.find(
            tr(
                lang,
                f"Targeting: {_pct(poor)} of the {ev['n']} beneficiary households surveyed at baseline were"
                f" poor, against an area poverty rate of {_pct(area_poor)} ({source[0]}); ethnic-minority"
                f" households {minority} (area {area_minority}), female-headed {female} (area {area_female}).",
                f"Đối tượng: {_pct(poor)} trong {ev['n']} hộ hưởng lợi được khảo sát ban đầu là hộ nghèo, so"
                f" với tỷ lệ hộ nghèo của địa bàn {_pct(area_poor)} ({source[1]}); hộ dân tộc thiểu số"
                f" {minority} (địa bàn {area_minority}), hộ do phụ nữ làm chủ {female} (địa bàn {area_female}).",
            ),
            "high" if ev["area_source"] == "comparison" else "medium",
            poor_share=poor,
            area_poverty_rate=area_poor,
            area_source=ev["area_source"],
            minority_share=ev["minority"],
            female_head_share=ev["female"],
            households=ev["n"],
        )
        if poor < 0.9 * area_poor:  # clearly below, not a sampling wobble
            result.recommend(
                tr(
                    lang,
                    "Select beneficiaries from the commune's list of poor households: the share of poor households"
                    " among beneficiaries is below the area's poverty rate.",
                    "Lựa chọn hộ hưởng lợi theo danh sách hộ nghèo của xã: tỷ lệ hộ nghèo trong số hộ hưởng lợi"
                    " thấp hơn tỷ lệ hộ nghèo của địa bàn.",
                )
            )
        return
    result.find(
        tr(
            lang,
            "Targeting cannot be judged: the survey has no baseline share of poor beneficiaries or no area"
            " poverty rate (no comparison group and no poverty-rate indicator with a baseline).",
            "Chưa đánh giá được đối tượng hưởng lợi: khảo sát không có tỷ lệ hộ nghèo ban đầu của hộ hưởng lợi"
            " hoặc không có tỷ lệ hộ nghèo của địa bàn (không có nhóm đối chứng, không có chỉ tiêu tỷ lệ hộ"
            " nghèo với giá trị ban đầu).",
        ),
        poor_share=poor,
        area_poverty_rate=area_poor,
    )


def _choice(result: CriterionResult, chosen: Any, score: float | None) -> None:
    lang = result.lang
    if score is None:
        result.find(
            tr(lang, "Who chose the model is not recorded.", "Không có thông tin ai đã lựa chọn mô hình."),
            model_chosen_by=chosen,
        )
        return
    en, vi = CHOICE_LABELS[str(chosen)]
    participatory = score >= 1.0
    if participatory:
        en_tail = ", a participatory choice as letter 247/KTHT-GN asks."
        vi_tail = ", đúng cách tiếp cận có sự tham gia mà Công văn 247/KTHT-GN đề cao."
    else:
        en_tail = ", not by the households or a community meeting as letter 247/KTHT-GN recommends."
        vi_tail = ", không phải do hộ dân hay họp cộng đồng như Công văn 247/KTHT-GN khuyến nghị."
    result.find(
        tr(lang, f"The model was chosen by {en}{en_tail}", f"Mô hình do {vi} lựa chọn{vi_tail}"),
        "high",
        model_chosen_by=chosen,
        score=score,
    )
    if not participatory:
        result.recommend(
            tr(
                lang,
                "Let households choose the crop or animal in a community meeting before replicating the model.",
                "Để hộ dân lựa chọn cây trồng, vật nuôi qua họp cộng đồng trước khi nhân rộng mô hình.",
            )
        )


def _framework(result: CriterionResult, smart: pd.DataFrame, missing: dict[str, int]) -> None:
    lang = result.lang
    if smart.empty:
        result.find(
            tr(lang, "The programme has no indicators recorded.", "Chương trình chưa có chỉ tiêu nào."),
            indicators=0,
        )
        return
    levels = sorted(set(smart["level"]))
    gaps = ", ".join(
        f"{tr(lang, f.replace('_', ' '), FIELDS_VI[f])} {n}" for f, n in missing.items() if n
    ) or tr(lang, "none", "không")
    order = [lv for lv in ("input", "output", "outcome", "impact") if lv in levels] + sorted(
        set(levels) - set(INDICATOR_LEVELS)
    )
    shown = ", ".join(
        tr(
            lang,
            str(lv),
            term("indicator_levels", str(lv), "vi").lower() if lv in INDICATOR_LEVELS else str(lv),
        )
        for lv in order
    )
    result.find(
        tr(
            lang,
            f"Results framework: {len(smart)} indicators at levels {shown}; SMART fields"
            f" {100 * smart['complete'].mean():.0f}% complete (missing: {gaps}).",
            f"Khung kết quả: {len(smart)} chỉ tiêu ở các cấp {shown}; các trường SMART đầy đủ"
            f" {100 * smart['complete'].mean():.0f}% (còn thiếu: {gaps}).",
        ),
        "high",
        indicators=len(smart),
        completeness=float(smart["complete"].mean()),
        missing=missing,
        levels=levels,
    )
    if not {"outcome", "impact"} & set(levels):
        result.recommend(
            tr(
                lang,
                "Add outcome and impact indicators: the framework measures only inputs and outputs.",
                "Bổ sung chỉ tiêu kết quả và tác động: khung hiện chỉ đo đầu vào và đầu ra.",
            )
        )
    elif any(missing.values()):
        result.recommend(
            tr(
                lang,
                "Complete each indicator's baseline, target, unit, data source and frequency.",
                "Bổ sung đủ giá trị ban đầu, chỉ tiêu kế hoạch, đơn vị tính, nguồn số liệu và tần suất cho"
                " từng chỉ tiêu.",
            )
        )


def _alignment(result: CriterionResult, aligned: float | None, coded: int, total: int) -> None:
    lang = result.lang
    if aligned is None:
        result.find(
            tr(
                lang,
                "Alignment with national indicators cannot be judged: no outcome or impact indicator.",
                "Chưa đánh giá được sự gắn kết với hệ thống chỉ tiêu quốc gia: không có chỉ tiêu kết quả"
                " hoặc tác động.",
            )
        )
        return
    result.find(
        tr(
            lang,
            f"{coded} of {total} outcome and impact indicators ({100 * aligned:.0f}%) carry a national"
            " indicator code.",
            f"{coded}/{total} chỉ tiêu kết quả và tác động ({100 * aligned:.0f}%) có mã chỉ tiêu quốc gia.",
        ),
        "high",
        coded=coded,
        outcome_and_impact_indicators=total,
    )


def _targeting_table(ev: dict[str, Any], lang: str) -> pd.DataFrame:
    def percent(key: str) -> float | None:
        return None if ev[key] is None else 100 * ev[key]

    return pd.DataFrame(
        {
            tr(lang, "group", "nhóm"): [
                tr(lang, "poor", "hộ nghèo"),
                tr(lang, "ethnic minority", "dân tộc thiểu số"),
                tr(lang, "female-headed", "phụ nữ làm chủ hộ"),
            ],
            tr(lang, "beneficiaries (%)", "hộ hưởng lợi (%)"): [
                percent(k) for k in ("poor", "minority", "female")
            ],
            tr(lang, "area (%)", "địa bàn (%)"): [
                percent(f"area_{k}") for k in ("poor", "minority", "female")
            ],
        }
    )


def _framework_table(smart: pd.DataFrame, lang: str) -> pd.DataFrame:
    return smart.rename(
        columns={
            "code": tr(lang, "indicator", "chỉ tiêu"),
            "level": tr(lang, "level", "cấp"),
            "baseline": tr(lang, "baseline", "giá trị ban đầu"),
            "target": tr(lang, "target", "chỉ tiêu kế hoạch"),
            "unit": tr(lang, "unit", "đơn vị tính"),
            "data_source": tr(lang, "data source", "nguồn số liệu"),
            "frequency": tr(lang, "frequency", "tần suất"),
            "complete": tr(lang, "share complete", "tỷ lệ đầy đủ"),
        }
    )
