"""The words of the relevance assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.relevance` so that the analysis reads as analysis: :func:`findings` words
a :class:`~mel_core.criteria.relevance.RelevanceScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mel_core.criteria.result import CriterionResult
from mel_core.i18n import t, term
from mel_core.vocabulary import INDICATOR_LEVELS

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.relevance import RelevanceScores

#: Who may have chosen the model, each worded by criteria.relevance.chosen_by.<key>.
CHOICES = ("households", "community_meeting", "implementer", "plan")
#: Where the area's poverty rate comes from, each worded by criteria.relevance.area_sources.<key>.
AREA_SOURCES = ("comparison", "indicator", "option")


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
    area_source = str(ev["area_source"] or "")
    source = t(f"criteria.relevance.area_sources.{area_source}", lang) if area_source in AREA_SOURCES else ""
    poor, area_poor = ev["poor"], ev["area_poor"]
    if poor is not None and area_poor is not None:
        minority, area_minority = _pct(ev["minority"]), _pct(ev["area_minority"])
        female, area_female = _pct(ev["female"]), _pct(ev["area_female"])
        result.find(
            t(
                "criteria.relevance.targeting",
                lang,
                poor=_pct(poor),
                n=ev["n"],
                area_poor=_pct(area_poor),
                source=source,
                minority=minority,
                area_minority=area_minority,
                female=female,
                area_female=area_female,
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
            result.recommend(t("criteria.relevance.select_beneficiaries_commune_s", lang))
        return
    result.find(
        t("criteria.relevance.targeting_cannot_judged_survey", lang),
        poor_share=poor,
        area_poverty_rate=area_poor,
    )


def _choice(result: CriterionResult, chosen: Any, score: float | None) -> None:
    lang = result.lang
    if score is None:
        result.find(
            t("criteria.relevance.who_chose_model_not", lang),
            model_chosen_by=chosen,
        )
        return
    if str(chosen) not in CHOICES:
        raise KeyError(str(chosen))
    who = t(f"criteria.relevance.chosen_by.{chosen}", lang)
    participatory = score >= 1.0
    result.find(
        t("criteria.relevance.chosen_participatory", lang, who=who)
        if participatory
        else t("criteria.relevance.chosen_top_down", lang, who=who),
        "high",
        model_chosen_by=chosen,
        score=score,
    )
    if not participatory:
        result.recommend(t("criteria.relevance.let_households_choose_crop", lang))


def _framework(result: CriterionResult, smart: pd.DataFrame, missing: dict[str, int]) -> None:
    lang = result.lang
    if smart.empty:
        result.find(
            t("criteria.relevance.programme_no_indicators_recorded", lang),
            indicators=0,
        )
        return
    levels = sorted(set(smart["level"]))
    gaps = ", ".join(
        f"{t(f'criteria.relevance.fields.{f}', lang)} {n}" for f, n in missing.items() if n
    ) or t("criteria.relevance.none", lang)
    order = [lv for lv in ("input", "output", "outcome", "impact") if lv in levels] + sorted(
        set(levels) - set(INDICATOR_LEVELS)
    )
    shown = ", ".join(
        term("indicator_levels", str(lv), lang).lower() if lv in INDICATOR_LEVELS else str(lv) for lv in order
    )
    result.find(
        t(
            "criteria.relevance.results_framework_indicators_levels",
            lang,
            n_smart=len(smart),
            shown=shown,
            percent=100 * smart["complete"].mean(),
            gaps=gaps,
        ),
        "high",
        indicators=len(smart),
        completeness=float(smart["complete"].mean()),
        missing=missing,
        levels=levels,
    )
    if not {"outcome", "impact"} & set(levels):
        result.recommend(t("criteria.relevance.add_outcome_impact_indicators", lang))
    elif any(missing.values()):
        result.recommend(t("criteria.relevance.complete_each_indicator_s", lang))


def _alignment(result: CriterionResult, aligned: float | None, coded: int, total: int) -> None:
    lang = result.lang
    if aligned is None:
        result.find(t("criteria.relevance.alignment_national_indicators_cannot", lang))
        return
    result.find(
        t(
            "criteria.relevance.outcome_impact_indicators_carry",
            lang,
            coded=coded,
            total=total,
            percent=100 * aligned,
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
            t("criteria.relevance.group", lang): [
                t("criteria.relevance.poor", lang),
                t("criteria.relevance.ethnic_minority", lang),
                t("criteria.relevance.female_headed", lang),
            ],
            t("criteria.relevance.beneficiaries", lang): [percent(k) for k in ("poor", "minority", "female")],
            t("criteria.relevance.area", lang): [
                percent(f"area_{k}") for k in ("poor", "minority", "female")
            ],
        }
    )


def _framework_table(smart: pd.DataFrame, lang: str) -> pd.DataFrame:
    return smart.rename(
        columns={
            "code": t("criteria.relevance.indicator", lang),
            "level": t("criteria.relevance.level", lang),
            "baseline": t("criteria.relevance.fields.baseline", lang),
            "target": t("criteria.relevance.fields.target", lang),
            "unit": t("criteria.relevance.fields.unit", lang),
            "data_source": t("criteria.relevance.fields.data_source", lang),
            "frequency": t("criteria.relevance.fields.frequency", lang),
            "complete": t("criteria.relevance.share_complete", lang),
        }
    )
