"""Relevance (tính phù hợp): did the programme reach the poor, with a model they chose, and a results framework
that measures results the country tracks?

Components (``RULES["relevance"]``), each in [0, 1] with 1 best, None when the evidence is missing:

- **targeting** = (2·poor + minority + female) / (sum of the weights of the parts present), where, from the
  survey's baseline round:

  - poor = 0.5 + 0.5·(s − a)/(1 − a) when s ≥ a, else 0.5·s/a; s is the share of poor households among the
    beneficiaries (treatment group), a the area poverty rate. Selecting at random gives 0.5, only poor
    households 1, no poor household 0. **The area rate** is the share of poor households in the comparison group
    at baseline when there is one (the same households' survey, the same poverty line, so like is compared with
    like); otherwise the baseline of the programme's poverty-rate indicator (national code ``VN.GN.01``, or unit
    ``%`` with "nghèo"/"poverty" in its name) divided by 100; the ``area_poverty_rate`` option (in %) overrides
    both. No poor share or no area rate: the part is missing.
  - minority = min(1, s_m / a_m) and female = min(1, s_f / a_f): ethnic-minority and female-headed households
    are not under-represented among beneficiaries against the comparison group (a_m, a_f) at baseline. Only
    with a comparison group whose share is above zero; the beneficiaries' shares are reported in any case.

- **choice**: who chose the model, scored as letter 247/KTHT-GN values participation: households 1.0,
  community meeting 1.0, implementer 0.4, plan 0.2 (:data:`CHOICE_SCORES`); None when not recorded.
- **framework** = completeness × levels. Completeness is the mean, over indicators, of the share of the five
  SMART fields present (baseline, target, unit, data source, frequency); levels = 0.5 + 0.25·[an outcome
  indicator exists] + 0.25·[an impact indicator exists], so a framework of inputs and outputs only counts half.
  None without indicators.
- **alignment**: the share of outcome and impact indicators that carry a national indicator code; None when
  there is no outcome or impact indicator.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, tr
from mel_core.criteria.targeting import (
    poor_targeting_score,
    poverty_indicator,
    representation_score,
    targeting_evidence,
    targeting_score,
)

#: How letter 247/KTHT-GN values who chose the model (participatory choice above a choice made for people).
CHOICE_SCORES: dict[str, float] = {
    "households": 1.0,
    "community_meeting": 1.0,
    "implementer": 0.4,
    "plan": 0.2,
}
CHOICE_LABELS = {
    "households": ("the households themselves", "chính các hộ"),
    "community_meeting": ("a community meeting", "họp cộng đồng"),
    "implementer": ("the implementer", "đơn vị thực hiện"),
    "plan": ("the plan (top-down)", "kế hoạch cấp trên"),
}
SMART_FIELDS = ("baseline", "target", "unit", "data_source", "frequency")
LEVELS_VI = {"input": "đầu vào", "output": "đầu ra", "outcome": "kết quả", "impact": "tác động"}
FIELDS_VI = {"baseline": "giá trị ban đầu", "target": "chỉ tiêu kế hoạch", "unit": "đơn vị tính",
             "data_source": "nguồn số liệu", "frequency": "tần suất"}  # fmt: skip
__all__ = [
    "CHOICE_SCORES", "alignment_score", "assess", "charts", "choice_score", "framework_score",
    "poor_targeting_score", "poverty_indicator", "representation_score", "smart_table", "targeting_evidence",
    "targeting_score",
]  # fmt: skip


def choice_score(chosen_by: str | None) -> float | None:
    """The score of who chose the model (:data:`CHOICE_SCORES`); None when not recorded or unknown."""
    if not chosen_by or (isinstance(chosen_by, float) and math.isnan(chosen_by)):
        return None
    return CHOICE_SCORES.get(str(chosen_by))


def smart_table(indicators: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: its level and 1/0 for each SMART field present, and the share present."""
    rows = []
    targeted = set(targets["indicator_code"]) if not targets.empty else set()

    def has(value: Any) -> int:
        return int(value is not None and not (isinstance(value, float) and math.isnan(value)) and value != "")

    for _, ind in indicators.iterrows():
        fields = {
            "baseline": has(ind["baseline_value"]),
            "target": int(ind["code"] in targeted),
            "unit": has(ind["unit"]),
            "data_source": has(ind["data_source"]),
            "frequency": has(ind["frequency"]),
        }
        rows.append(
            {"code": ind["code"], "level": ind["level"], **fields, "complete": sum(fields.values()) / 5.0}
        )
    return pd.DataFrame(rows, columns=["code", "level", *SMART_FIELDS, "complete"])


def framework_score(smart: pd.DataFrame) -> float | None:
    """Mean completeness × (0.5 + 0.25·[outcome present] + 0.25·[impact present]); None without indicators."""
    if smart.empty:
        return None
    levels = set(smart["level"])
    factor = 0.5 + 0.25 * ("outcome" in levels) + 0.25 * ("impact" in levels)
    return float(smart["complete"].mean()) * factor


def alignment_score(indicators: pd.DataFrame) -> tuple[float | None, int, int]:
    """(share of outcome/impact indicators with a national code, how many have one, how many there are)."""
    if indicators.empty:
        return None, 0, 0
    results = indicators[indicators["level"].isin(["outcome", "impact"])]
    if results.empty:
        return None, 0, 0
    coded = int(results["national_code"].fillna("").astype(str).str.strip().ne("").sum())
    return coded / len(results), coded, len(results)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def assess(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    lang: str = "en",
    area_poverty_rate: float | None = None,
    **options: Any,
) -> CriterionResult:
    """Assess relevance (see the module docstring for the formulas).

    Args:
        data: the programme's records.
        portfolio: not used by relevance (accepted for a uniform call).
        lang: "en" or "vi".
        area_poverty_rate: the area's poverty rate in % to compare beneficiaries with, overriding the
            comparison group and the poverty indicator.
    """
    del portfolio, options
    result = CriterionResult("relevance", lang)
    ev = targeting_evidence(data.survey, data.indicators, area_poverty_rate)
    result.scores["targeting"] = targeting_score(ev)
    source = {
        "comparison": ("the comparison group at baseline", "nhóm đối chứng ở vòng khảo sát ban đầu"),
        "indicator": (
            "the baseline of the poverty-rate indicator",
            "giá trị ban đầu của chỉ tiêu tỷ lệ hộ nghèo",
        ),
        "option": ("the rate given by the evaluator", "tỷ lệ do chuyên gia đánh giá nhập"),
    }.get(ev["area_source"] or "", ("", ""))
    if ev["poor"] is not None and ev["area_poor"] is not None:
        result.find(
            tr(
                lang,
                f"Targeting: {_pct(ev['poor'])} of the {ev['n']} beneficiary households surveyed at baseline were"
                f" poor, against an area poverty rate of {_pct(ev['area_poor'])} ({source[0]}); ethnic-minority"
                f" households {_pct(ev['minority'])} (area {_pct(ev['area_minority'])}), female-headed"
                f" {_pct(ev['female'])} (area {_pct(ev['area_female'])}).",
                f"Đối tượng: {_pct(ev['poor'])} trong {ev['n']} hộ hưởng lợi được khảo sát ban đầu là hộ nghèo, so"
                f" với tỷ lệ hộ nghèo của địa bàn {_pct(ev['area_poor'])} ({source[1]}); hộ dân tộc thiểu số"
                f" {_pct(ev['minority'])} (địa bàn {_pct(ev['area_minority'])}), hộ do phụ nữ làm chủ"
                f" {_pct(ev['female'])} (địa bàn {_pct(ev['area_female'])}).",
            ),
            "high" if ev["area_source"] == "comparison" else "medium",
            poor_share=ev["poor"], area_poverty_rate=ev["area_poor"], area_source=ev["area_source"],
            minority_share=ev["minority"], female_head_share=ev["female"], households=ev["n"],
        )  # fmt: skip
        if ev["poor"] < 0.9 * ev["area_poor"]:  # clearly below, not a sampling wobble
            result.recommend(
                tr(
                    lang,
                    "Select beneficiaries from the commune's list of poor households: the share of poor households"
                    " among beneficiaries is below the area's poverty rate.",
                    "Lựa chọn hộ hưởng lợi theo danh sách hộ nghèo của xã: tỷ lệ hộ nghèo trong số hộ hưởng lợi"
                    " thấp hơn tỷ lệ hộ nghèo của địa bàn.",
                )
            )
    else:
        result.find(
            tr(
                lang,
                "Targeting cannot be judged: the survey has no baseline share of poor beneficiaries or no area"
                " poverty rate (no comparison group and no poverty-rate indicator with a baseline).",
                "Chưa đánh giá được đối tượng hưởng lợi: khảo sát không có tỷ lệ hộ nghèo ban đầu của hộ hưởng lợi"
                " hoặc không có tỷ lệ hộ nghèo của địa bàn (không có nhóm đối chứng, không có chỉ tiêu tỷ lệ hộ"
                " nghèo với giá trị ban đầu).",
            ),
            poor_share=ev["poor"], area_poverty_rate=ev["area_poor"],
        )  # fmt: skip

    chosen = data.programme.get("model_chosen_by")
    result.scores["choice"] = choice_score(chosen)
    if result.scores["choice"] is None:
        result.find(
            tr(lang, "Who chose the model is not recorded.", "Không có thông tin ai đã lựa chọn mô hình."),
            model_chosen_by=chosen,
        )
    else:
        en, vi = CHOICE_LABELS[str(chosen)]
        participatory = result.scores["choice"] >= 1.0
        result.find(
            tr(
                lang,
                f"The model was chosen by {en}"
                + (", a participatory choice as letter 247/KTHT-GN asks." if participatory else
                   ", not by the households or a community meeting as letter 247/KTHT-GN recommends."),
                f"Mô hình do {vi} lựa chọn"
                + (", đúng cách tiếp cận có sự tham gia mà Công văn 247/KTHT-GN đề cao." if participatory else
                   ", không phải do hộ dân hay họp cộng đồng như Công văn 247/KTHT-GN khuyến nghị."),
            ),
            "high", model_chosen_by=chosen, score=result.scores["choice"],
        )  # fmt: skip
        if not participatory:
            result.recommend(
                tr(
                    lang,
                    "Let households choose the crop or animal in a community meeting before replicating the model.",
                    "Để hộ dân lựa chọn cây trồng, vật nuôi qua họp cộng đồng trước khi nhân rộng mô hình.",
                )
            )

    smart = smart_table(data.indicators, data.targets)
    result.scores["framework"] = framework_score(smart)
    if smart.empty:
        result.find(
            tr(lang, "The programme has no indicators recorded.", "Chương trình chưa có chỉ tiêu nào."),
            indicators=0,
        )
    else:
        missing = {f: int((smart[f] == 0).sum()) for f in SMART_FIELDS}
        levels = sorted(set(smart["level"]))
        gaps = ", ".join(
            f"{tr(lang, f.replace('_', ' '), FIELDS_VI[f])} {n}" for f, n in missing.items() if n
        ) or tr(lang, "none", "không")
        order = [lv for lv in ("input", "output", "outcome", "impact") if lv in levels] + sorted(
            set(levels) - set(LEVELS_VI)
        )
        shown = ", ".join(tr(lang, str(lv), LEVELS_VI.get(str(lv), str(lv))) for lv in order)
        result.find(
            tr(
                lang,
                f"Results framework: {len(smart)} indicators at levels {shown}; SMART fields"
                f" {100 * smart['complete'].mean():.0f}% complete (missing: {gaps}).",
                f"Khung kết quả: {len(smart)} chỉ tiêu ở các cấp {shown}; các trường SMART đầy đủ"
                f" {100 * smart['complete'].mean():.0f}% (còn thiếu: {gaps}).",
            ),
            "high", indicators=len(smart), completeness=float(smart["complete"].mean()), missing=missing,
            levels=levels,
        )  # fmt: skip
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

    aligned, coded, total = alignment_score(data.indicators)
    result.scores["alignment"] = aligned
    if aligned is None:
        result.find(
            tr(
                lang,
                "Alignment with national indicators cannot be judged: no outcome or impact indicator.",
                "Chưa đánh giá được sự gắn kết với hệ thống chỉ tiêu quốc gia: không có chỉ tiêu kết quả"
                " hoặc tác động.",
            )
        )
    else:
        result.find(
            tr(
                lang,
                f"{coded} of {total} outcome and impact indicators ({100 * aligned:.0f}%) carry a national"
                " indicator code.",
                f"{coded}/{total} chỉ tiêu kết quả và tác động ({100 * aligned:.0f}%) có mã chỉ tiêu quốc gia.",
            ),
            "high", coded=coded, outcome_and_impact_indicators=total,
        )  # fmt: skip
    result.metrics.update(
        poor_share=ev["poor"], area_poverty_rate=ev["area_poor"], area_source=ev["area_source"],
        minority_share=ev["minority"], female_head_share=ev["female"], model_chosen_by=chosen,
        smart_completeness=None if smart.empty else float(smart["complete"].mean()),
        national_coded=coded, outcome_and_impact_indicators=total,
    )  # fmt: skip
    result.tables["targeting"] = pd.DataFrame(
        {
            tr(lang, "group", "nhóm"): [
                tr(lang, "poor", "hộ nghèo"),
                tr(lang, "ethnic minority", "dân tộc thiểu số"),
                tr(lang, "female-headed", "phụ nữ làm chủ hộ"),
            ],
            tr(lang, "beneficiaries (%)", "hộ hưởng lợi (%)"): [
                None if ev[k] is None else 100 * ev[k] for k in ("poor", "minority", "female")
            ],
            tr(lang, "area (%)", "địa bàn (%)"): [
                None if ev[f"area_{k}"] is None else 100 * ev[f"area_{k}"]
                for k in ("poor", "minority", "female")
            ],
        }
    )
    result.tables["framework"] = smart.rename(
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
    rate(result)
    return result


def charts(result: CriterionResult) -> list[Any]:
    """Beneficiaries against the area (poor, minority, female-headed) and the framework's completeness."""
    import matplotlib.pyplot as plt

    lang = result.lang
    figures = []
    table = result.tables.get("targeting")
    if table is not None and table.iloc[:, 1:].notna().any().any():
        fig, ax = plt.subplots(figsize=(6, 3.5))
        labels = list(table.iloc[:, 0])
        xs = range(len(labels))
        ax.bar([x - 0.2 for x in xs], table.iloc[:, 1].fillna(0), width=0.4, label=table.columns[1])
        ax.bar([x + 0.2 for x in xs], table.iloc[:, 2].fillna(0), width=0.4, label=table.columns[2])
        ax.set_xticks(list(xs), labels)
        ax.set_ylabel("%")
        ax.set_title(
            tr(lang, "Who the programme reached at baseline", "Đối tượng hưởng lợi ở vòng khảo sát ban đầu")
        )
        ax.legend()
        fig.tight_layout()
        figures.append(fig)
    frame = result.tables.get("framework")
    if frame is not None and not frame.empty:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.barh(frame.iloc[:, 0], 100 * frame.iloc[:, -1])
        ax.set_xlim(0, 100)
        ax.set_xlabel(tr(lang, "SMART fields present (%)", "Trường SMART đầy đủ (%)"))
        ax.set_title(tr(lang, "Completeness of the results framework", "Mức đầy đủ của khung kết quả"))
        fig.tight_layout()
        figures.append(fig)
    return figures
