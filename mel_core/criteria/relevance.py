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
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.ratings import rate
from mel_core.criteria.relevance_text import findings
from mel_core.criteria.result import CriterionResult, Scored
from mel_core.criteria.targeting import (
    poor_targeting_score,
    poverty_indicator,
    representation_score,
    targeting_evidence,
    targeting_score,
)
from mel_core.i18n import t

#: How letter 247/KTHT-GN values who chose the model (participatory choice above a choice made for people).
CHOICE_SCORES: dict[str, float] = {
    "households": 1.0,
    "community_meeting": 1.0,
    "implementer": 0.4,
    "plan": 0.2,
}
SMART_FIELDS = ("baseline", "target", "unit", "data_source", "frequency")
__all__ = [
    "CHOICE_SCORES",
    "RelevanceScores",
    "alignment_score",
    "assess",
    "charts",
    "choice_score",
    "framework_score",
    "poor_targeting_score",
    "poverty_indicator",
    "representation_score",
    "score",
    "smart_table",
    "targeting_evidence",
    "targeting_score",
]


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


@dataclass(frozen=True, kw_only=True)
class RelevanceScores(Scored):
    """Relevance's components (``targeting``, ``choice``, ``framework``, ``alignment``) and what they rest on.

    Attributes:
        targeting: :func:`targeting_evidence` (shares of the beneficiaries and of the area, the area's source).
        chosen_by: who chose the model, as recorded (None when not).
        smart: :func:`smart_table`.
        coded, outcome_and_impact: outcome and impact indicators with a national code, and all of them.
    """

    criterion: str = "relevance"
    targeting: dict[str, Any]
    chosen_by: Any = None
    smart: pd.DataFrame
    coded: int = 0
    outcome_and_impact: int = 0

    @property
    def missing(self) -> dict[str, int]:
        """Per SMART field, how many indicators lack it."""
        return {f: int((self.smart[f] == 0).sum()) for f in SMART_FIELDS}


def score(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    area_poverty_rate: float | None = None,
    **options: Any,
) -> RelevanceScores:
    """Relevance's components from the programme's records (formulas: the module's docstring); no words.

    Args:
        data: the programme's records.
        portfolio: not used by relevance (accepted for a uniform call).
        area_poverty_rate: the area's poverty rate in % to compare beneficiaries with, overriding the
            comparison group and the poverty indicator.
    """
    del portfolio, options
    ev = targeting_evidence(data.survey, data.indicators, area_poverty_rate)
    chosen = data.programme.get("model_chosen_by")
    smart = smart_table(data.indicators, data.targets)
    aligned, coded, total = alignment_score(data.indicators)
    return RelevanceScores(
        scores={
            "targeting": targeting_score(ev),
            "choice": choice_score(chosen),
            "framework": framework_score(smart),
            "alignment": aligned,
        },
        metrics={
            "poor_share": ev["poor"],
            "area_poverty_rate": ev["area_poor"],
            "area_source": ev["area_source"],
            "minority_share": ev["minority"],
            "female_head_share": ev["female"],
            "model_chosen_by": chosen,
            "smart_completeness": None if smart.empty else float(smart["complete"].mean()),
            "national_coded": coded,
            "outcome_and_impact_indicators": total,
        },
        targeting=ev,
        chosen_by=chosen,
        smart=smart,
        coded=coded,
        outcome_and_impact=total,
    )


def assess(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    lang: str = "en",
    area_poverty_rate: float | None = None,
    **options: Any,
) -> CriterionResult:
    """Assess relevance: :func:`score`, worded by :func:`mel_core.criteria.relevance_text.findings`, rated.

    Args:
        data: the programme's records.
        portfolio: not used by relevance (accepted for a uniform call).
        lang: "en" or "vi".
        area_poverty_rate: the area's poverty rate in % to compare beneficiaries with, overriding the
            comparison group and the poverty indicator.
    """
    result = findings(score(data, portfolio, area_poverty_rate=area_poverty_rate, **options), lang)
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
        ax.set_title(t("criteria.relevance.chart.who_programme_reached_baseline", lang))
        ax.legend()
        fig.tight_layout()
        figures.append(fig)
    frame = result.tables.get("framework")
    if frame is not None and not frame.empty:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.barh(frame.iloc[:, 0], 100 * frame.iloc[:, -1])
        ax.set_xlim(0, 100)
        ax.set_xlabel(t("criteria.relevance.chart.smart_fields_present", lang))
        ax.set_title(t("criteria.relevance.chart.completeness_results_framework", lang))
        fig.tight_layout()
        figures.append(fig)
    return figures
