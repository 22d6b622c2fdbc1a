"""The outline of the narrative reports 4.3 and 4.4: which of the manual's headings, in which order.

The headings follow the manual's Tables 4.3 and 4.4 (seed 004, chapter IV) item by item and in its order. Their
words, and the prefilled sentences, are in the catalogue (``mel_core/catalogue/narrative.yml``), each written
once in each language.
"""

from __future__ import annotations

from typing import Literal

from mel_core.i18n import t, term
from mel_core.periods import Period

Lang = Literal["vi", "en"]


def period_words(kind: str, period: Period, lang: Lang) -> str:
    """How the report names its period: "6 tháng đầu năm 2013", "năm 2013" / "the first 6 months of 2013", "2013"."""
    year = period.start.year
    if kind == "six-month":
        first = period.start.month == 1
        key = "narrative.period_first_half" if first else "narrative.period_second_half"
        return t(key, lang, year=year)
    return t("narrative.period_year", lang, year=year)


def criterion_words(criterion: str, lang: Lang) -> str:
    """A criterion's name (kb/taxonomy.yml), or the synthesis of an evaluation's findings."""
    if criterion == "synthesis":
        return t("narrative.synthesis", lang)
    return term("criteria", criterion, lang)


def heading_texts(kind: str, period: Period, lang: Lang) -> list[str]:
    """The outline's headings in order: Table 4.3 (six-month) or Table 4.4 (annual).

    Six-month: section 1 and its five items, section 2 and its two. Annual: section 1 and its five items,
    section 2 and its three, section 3 and its two.
    """
    words, year = period_words(kind, period, lang), period.start.year
    if kind == "six-month":
        keys = [
            "narrative.h_implementation",
            "narrative.h_context_half",
            "narrative.h_outline",
            "narrative.h_actual_half",
            "narrative.h_explanation",
            "narrative.h_assessment_half",
            "narrative.h_solutions_rest",
            "narrative.h_forecast",
            "narrative.h_measures",
        ]
    else:
        keys = [
            "narrative.h_implementation",
            "narrative.h_context",
            "narrative.h_outline",
            "narrative.h_actual",
            "narrative.h_explanation",
            "narrative.h_assessment",
            "narrative.h_next_plan",
            "narrative.h_predictions",
            "narrative.h_objectives",
            "narrative.h_solutions",
            "narrative.h_recommendations",
            "narrative.h_differences",
            "narrative.h_support",
        ]
        year += 1
    return [t(k, lang, period=words, year=year) for k in keys]
