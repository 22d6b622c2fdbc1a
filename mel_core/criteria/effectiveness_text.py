"""The words of the effectiveness assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.effectiveness` so that the analysis reads as analysis: :func:`findings`
words an :class:`~mel_core.criteria.effectiveness.EffectivenessScores`; every sentence carries the figures it
rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core.criteria.result import CriterionResult
from mel_core.i18n import t, term
from mel_core.vocabulary import INDICATOR_LEVELS

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.effectiveness import EffectivenessScores


#: The levels whose targets met are summarised, each worded in a sentence by criteria.effectiveness.levels.<level>
#: (lower case in Vietnamese, as a sentence has it).
LEVELS = ("output", "outcome", "impact")


def _level(level: str, lang: str) -> str:
    """An indicator level as a table cell has it: its label (kb/taxonomy.yml) in lower case, which in English is the
    level itself (``output``); another value as it is."""
    return term("indicator_levels", level, lang).lower() if level in INDICATOR_LEVELS else level


def name_of(indicators: pd.DataFrame, code: str, lang: str) -> str:
    """``code name`` of an indicator in ``lang`` (the English name when there is one, for ``en``)."""
    row = indicators[indicators["code"] == code]
    if row.empty:
        return code
    name = row["name"].iloc[0] if lang == "vi" or pd.isna(row["name_en"].iloc[0]) else row["name_en"].iloc[0]
    return f"{code} {name}"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:,.1f}"


def readable(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The achievement table with headings and levels in ``lang``."""
    cols = {
        "indicator_code": t("criteria.effectiveness.indicator", lang),
        "level": t("criteria.effectiveness.level", lang),
        "period": t("criteria.effectiveness.period", lang),
        "target": t("criteria.effectiveness.target", lang),
        "target_high": t("criteria.effectiveness.target_top_range", lang),
        "actual": t("criteria.effectiveness.actual", lang),
        "met": t("criteria.effectiveness.met", lang),
        "ratio": t("criteria.effectiveness.actual_target", lang),
        "progress": t("criteria.effectiveness.progress", lang),
    }
    out = table[list(cols)].copy()
    out["level"] = out["level"].map(lambda level: _level(level, lang))
    return out.rename(columns=cols).reset_index(drop=True)


def findings(scored: EffectivenessScores, lang: str) -> CriterionResult:
    """The effectiveness result in ``lang``: ``scored``'s scores, caps and metrics, findings, recommendations and
    tables (not yet rated)."""
    result = scored.result(lang)
    result.tables["achievement"] = readable(scored.whole, lang)
    result.tables["levels"] = scored.summary
    if not scored.measurable:
        why = (
            t("criteria.effectiveness.results_framework_no_targets", lang)
            if not scored.targets_recorded
            else t("criteria.effectiveness.no_target_reported_actual", lang)
        )
        result.find(t("criteria.effectiveness.achievement_cannot_measured", lang, why=why), "high")
        result.recommend(t("criteria.effectiveness.set_baselines_targets_outcome", lang))
        return result
    if scored.projecting:
        result.tables["projection"] = scored.projected
    _achievement(result, scored)
    result.tables["gaps"] = scored.gaps
    gap_findings(result, scored.indicators, scored.gaps, scored.gap_threshold)
    return result


def _achievement(result: CriterionResult, scored: EffectivenessScores) -> None:
    assessed, summary, projected = scored.assessed, scored.summary, scored.projected
    indicators, broken = scored.indicators, scored.broken
    lang = result.lang
    for row in summary.itertuples(index=False):
        if row.level not in LEVELS:
            continue
        part = assessed[assessed["level"] == row.level]
        last = max(part["period_end"])
        result.find(
            t(
                "criteria.effectiveness.level_targets_met",
                lang,
                level=t(f"criteria.effectiveness.levels.{row.level}", lang),
                met=row.met,
                indicators=row.indicators,
                share_met=row.share_met,
                year=last.year,
                progress=row.progress,
            ),
            "high",
            level=row.level,
            met=row.met,
            indicators=row.indicators,
            progress=row.progress,
        )
    missed = assessed[(assessed["level"] == "outcome") & ~assessed["met"].fillna(False).astype(bool)]
    for r in missed.itertuples(index=False):
        name = name_of(indicators, r.indicator_code, lang)
        result.find(
            t(
                "criteria.effectiveness.against_target_progress",
                lang,
                name=name,
                actual=_fmt(r.actual),
                target=_fmt(r.target),
                period=r.period,
                progress=r.progress,
            ),
            "high",
            indicator=r.indicator_code,
            actual=r.actual,
            target=r.target,
            period=r.period,
        )
    if broken:
        result.find(
            t("criteria.effectiveness.broken_results_chain_outputs", lang),
            "high",
        )
        result.recommend(t("criteria.effectiveness.find_out_why_delivered", lang))
    end = scored.end_date
    if scored.running and end is not None:
        on_track = (
            int(projected["projected_met"].fillna(False).astype(bool).sum()) if not projected.empty else 0
        )
        result.find(
            t(
                "criteria.effectiveness.programme_still_running_ends",
                lang,
                end=end.isoformat(),
                on_track=on_track,
                n_projected=len(projected),
            ),
            "medium",
            end_date=end,
            projected_on_track=on_track,
            projected=len(projected),
        )
    for r in projected.itertuples(index=False):
        name = name_of(indicators, r.indicator_code, lang)
        result.find(
            t(
                "criteria.effectiveness.trend_projects",
                lang,
                name=name,
                predicted=_fmt(r.predicted),
                end=end.isoformat(),
                lower=_fmt(r.lower),
                upper=_fmt(r.upper),
                target=_fmt(r.target),
                position=t(f"criteria.effectiveness.positions.{r.target_position}", lang),
            ),
            "medium",
            indicator=r.indicator_code,
            predicted=r.predicted,
            lower=r.lower,
            upper=r.upper,
            target=r.target,
            points=r.points,
        )
        behind = (r.direction == "increase" and r.target_position == "above") or (
            r.direction == "decrease" and r.target_position == "below"
        )
        if behind:
            result.recommend(
                t("criteria.effectiveness.off_track_end_target", lang, indicator_code=r.indicator_code)
            )


def gap_findings(
    result: CriterionResult, indicators: pd.DataFrame, table: pd.DataFrame, threshold: float
) -> None:
    """The gaps by sex and ethnicity (:func:`~mel_core.indicators.achievement.gaps`) larger than ``threshold``."""
    lang = result.lang
    if table.empty:
        result.find(
            t("criteria.effectiveness.no_figures_sex_ethnicity", lang),
            "high",
        )
        return
    for r in table.itertuples(index=False):
        name = name_of(indicators, r.indicator_code, lang)
        group = t(f"criteria.effectiveness.groups.{r.group}", lang)
        if r.kind == "share":
            result.find(
                t(
                    "criteria.effectiveness.group_share",
                    lang,
                    name=name,
                    period=r.period,
                    group=group,
                    share=r.share,
                    value=_fmt(r.value),
                    total=_fmt(r.value + r.reference),
                ),
                "high",
                indicator=r.indicator_code,
                group=r.group,
                share=r.share,
            )
        elif pd.notna(r.relative_gap) and r.relative_gap < -threshold:
            result.find(
                t(
                    "criteria.effectiveness.group_gap",
                    lang,
                    name=name,
                    period=r.period,
                    group=group,
                    value=_fmt(r.value),
                    reference=_fmt(r.reference),
                    gap=abs(r.relative_gap),
                ),
                "high",
                indicator=r.indicator_code,
                group=r.group,
                value=r.value,
                reference=r.reference,
                relative_gap=r.relative_gap,
            )
            result.recommend(
                t("criteria.effectiveness.group_lag", lang, group=group, indicator_code=r.indicator_code)
            )
