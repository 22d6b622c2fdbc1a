"""Effectiveness (tính hiệu quả): did the programme reach the results it planned?

Achievement comes from :func:`mel_core.indicators.achievement.achievement` on the whole-programme rows (admin unit
``"VN"``; a one-province programme's figures stand for it), so it respects direction (a falling poverty rate is
progress), ranges and cumulative indicators. An indicator is judged at its **last assessed target**: the target
with the latest end whose period the figures cover completely (:func:`latest_assessed`).

*Progress* of an indicator is its distance travelled from the baseline to the target, capped to [0, 1] (the
capped ratio actual/target when it has no baseline); an indicator that met its target has progress 1.

Components (``RULES["effectiveness"]``), each in [0, 1]:

- ``outcomes`` = mean progress of the outcome indicators at their last assessed target. For a programme still
  running, each outcome indicator's figures are projected to the end date (:func:`project`, an OLS trend) and
  the progress is that of the projected value against the final target; an indicator with fewer than three
  figures keeps its current progress. None when no outcome indicator has an assessed target.
- ``outputs`` = mean progress of the output indicators at their last assessed target.
- ``impact`` = mean progress of the impact indicators at their last assessed target.

Cap ``broken_chain`` (:func:`broken_chain`): outputs were delivered — at least 75 % of the output indicators met
their target — but outcomes did not follow — fewer than half of the outcome indicators met their target **and**
their mean progress is below 0.6. Both levels need assessed targets.

Gaps by sex and ethnicity (:func:`gaps`) are reported as findings, not scored (equity is scored by impact).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.effectiveness_text import findings
from mel_core.criteria.projection import project, projections
from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, Scored
from mel_core.i18n import t
from mel_core.indicators.achievement import WHOLE, achievement, gaps, latest_assessed

__all__ = [
    "OUTCOMES_FAILED_PROGRESS",
    "OUTPUTS_DELIVERED",
    "EffectivenessScores",
    "assess",
    "broken_chain",
    "charts",
    "gaps",
    "level_summary",
    "programme_achievement",
    "project",
    "projections",
    "score",
]

#: Share of output indicators meeting their target from which outputs count as delivered.
OUTPUTS_DELIVERED = 0.75
#: Mean outcome progress below which outcomes count as not achieved (with fewer than half the targets met).
OUTCOMES_FAILED_PROGRESS = 0.6
LEVELS = ("input", "output", "outcome", "impact")


def programme_achievement(data: ProgrammeData) -> pd.DataFrame:
    """Achievement of every target of the programme (all admin units), a one-province programme's as ``VN``;
    communes' figures roll up level by level to a district's or province's target, as in the report forms."""
    single = data.provinces[0] if len(data.provinces) == 1 else None
    return achievement(
        data.indicators, data.targets, data.observations, single_unit=single, parents=data.parents or None
    )


def level_summary(assessed: pd.DataFrame) -> pd.DataFrame:
    """Per results-chain level: indicators assessed, targets met, share met and mean progress.

    Args:
        assessed: one row per indicator (:func:`latest_assessed`), with ``level``, ``met`` and ``progress``.

    Returns:
        Columns ``level``, ``indicators``, ``met``, ``share_met``, ``progress``; levels in results-chain order.
    """
    rows = []
    for level in LEVELS:
        part = assessed[assessed["level"] == level]
        if part.empty:
            continue
        met = int(part["met"].fillna(False).astype(bool).sum())
        rows.append(
            {
                "level": level,
                "indicators": len(part),
                "met": met,
                "share_met": met / len(part),
                "progress": float(part["progress"].mean()),
            }
        )
    return pd.DataFrame(rows, columns=["level", "indicators", "met", "share_met", "progress"])


def broken_chain(summary: pd.DataFrame, outcome_progress: float | None = None) -> bool | None:
    """Outputs delivered but outcomes not (see the module's docstring); None when either level is unassessed.

    Args:
        summary: the output of :func:`level_summary`.
        outcome_progress: the outcomes' mean progress to use (a running programme's projected one); default the
            summary's.
    """
    by_level = summary.set_index("level")
    if "output" not in by_level.index or "outcome" not in by_level.index:
        return None
    outputs_delivered = by_level.loc["output", "share_met"] >= OUTPUTS_DELIVERED
    progress = by_level.loc["outcome", "progress"] if outcome_progress is None else outcome_progress
    outcomes_failed = by_level.loc["outcome", "share_met"] < 0.5 and progress < OUTCOMES_FAILED_PROGRESS
    return bool(outputs_delivered and outcomes_failed)


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


@dataclass(frozen=True, kw_only=True)
class EffectivenessScores(Scored):
    """Effectiveness's components (``outcomes``, ``outputs``, ``impact``), its cap ``broken_chain``, and what they
    rest on.

    Attributes:
        indicators: the programme's indicators (their names word the findings).
        running, end_date: whether the programme still runs, and its end date.
        targets_recorded: whether the results framework has targets at all.
        whole: the achievement of every target for the whole programme (:func:`programme_achievement`).
        assessed: one row per indicator at its last assessed target (:func:`latest_assessed`).
        summary: :func:`level_summary` of ``assessed``.
        projecting: whether outcomes are projected to the end date (a running programme with an end date).
        projected: :func:`projections` (empty when not projecting or nothing could be projected).
        broken: :func:`broken_chain` (None when a level is unassessed).
        gaps: :func:`gaps` by sex and ethnicity; gap_threshold: the relative gap that is reported.
    """

    criterion: str = "effectiveness"
    indicators: pd.DataFrame
    running: bool = False
    end_date: Any = None
    targets_recorded: bool = True
    whole: pd.DataFrame
    assessed: pd.DataFrame
    summary: pd.DataFrame
    projecting: bool = False
    projected: pd.DataFrame = field(default_factory=pd.DataFrame)
    broken: bool | None = None
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    gap_threshold: float = 0.05

    @property
    def measurable(self) -> bool:
        """Whether any target has an actual value for the whole programme."""
        return self.targets_recorded and not self.assessed.empty


def score(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    gap_threshold: float = 0.05,
    **options: Any,
) -> EffectivenessScores:
    """Effectiveness's components and cap (see the module's docstring); no words.

    Args:
        data: the programme's records.
        portfolio: unused (effectiveness compares a programme with its own plan).
        gap_threshold: a gap by sex or ethnicity against a group larger than this share of the other group's
            value is reported as a finding.
        options: unknown options are an error.
    """
    if options:
        raise TypeError(f"effectiveness.assess: unknown options {sorted(options)}")
    table = programme_achievement(data)
    whole = table[table["admin_unit"] == WHOLE] if not table.empty else table
    assessed = latest_assessed(table) if not table.empty else table
    summary = (
        level_summary(assessed) if not assessed.empty else level_summary(pd.DataFrame(columns=["level"]))
    )
    end = data.programme.get("end_date")
    common: dict[str, Any] = {
        "indicators": data.indicators,
        "running": data.running,
        "end_date": end,
        "targets_recorded": not data.targets.empty,
        "whole": whole,
        "assessed": assessed,
        "summary": summary,
        "gap_threshold": gap_threshold,
    }
    if data.targets.empty or assessed.empty:
        return EffectivenessScores(scores={"outcomes": None, "outputs": None, "impact": None}, **common)
    by_level = {lvl: assessed[assessed["level"] == lvl] for lvl in LEVELS}
    outcome_progress = _mean(by_level["outcome"]["progress"])
    projecting = data.running and end is not None
    projected = pd.DataFrame()
    if data.running and end is not None:
        projected = projections(data, table, end)
        if not projected.empty:
            progress = assessed.set_index("indicator_code")["progress"].copy()
            for row in projected.itertuples(index=False):
                if pd.notna(row.projected_progress):
                    progress[row.indicator_code] = row.projected_progress
            outcome_codes = by_level["outcome"]["indicator_code"]
            outcome_progress = _mean(progress.reindex(outcome_codes))
    broken = broken_chain(summary, outcome_progress)
    return EffectivenessScores(
        scores={
            "outcomes": outcome_progress,
            "outputs": _mean(by_level["output"]["progress"]),
            "impact": _mean(by_level["impact"]["progress"]),
        },
        caps={"broken_chain": bool(broken)},
        metrics={
            "running": data.running,
            "targets_met": {
                r.level: [int(r.met), int(r.indicators)] for r in summary.itertuples(index=False)
            },
            "progress": {r.level: float(r.progress) for r in summary.itertuples(index=False)},
            "outcome_progress": outcome_progress,
            "broken_chain": broken,
            "projected": projected.to_dict("records") if not projected.empty else [],
        },
        projecting=projecting,
        projected=projected,
        broken=broken,
        gaps=gaps(
            data.indicators, data.observations, data.provinces[0] if len(data.provinces) == 1 else None
        ),
        **common,
    )


def assess(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    lang: str = "en",
    gap_threshold: float = 0.05,
    **options: Any,
) -> CriterionResult:
    """Assess effectiveness: :func:`score`, worded by :func:`mel_core.criteria.effectiveness_text.findings`,
    rated.

    Args:
        data: the programme's records.
        portfolio: unused (effectiveness compares a programme with its own plan).
        lang: ``"en"`` or ``"vi"``.
        gap_threshold: a gap by sex or ethnicity against a group larger than this share of the other group's
            value is reported as a finding.
        options: unknown options are an error.
    """
    result = findings(score(data, portfolio, gap_threshold=gap_threshold, **options), lang)
    rate(result)
    return result


def charts(result: CriterionResult) -> list[Any]:
    """Progress per indicator by level, and the projections of a running programme."""
    import matplotlib.pyplot as plt

    lang = result.lang
    figures = []
    table = result.tables.get("achievement")
    levels = result.tables.get("levels")
    if levels is not None and not levels.empty:
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.barh(levels["level"], levels["progress"], color="#4C72B0")
        ax.set_xlim(0, 1)
        ax.axvline(1.0, color="grey", linewidth=0.8)
        ax.set_xlabel(t("criteria.effectiveness.chart.mean_progress_towards_targets", lang))
        ax.set_title(t("criteria.effectiveness.chart.achievement_results_chain_level", lang))
        fig.tight_layout()
        figures.append(fig)
    projected = result.tables.get("projection")
    if projected is not None and not projected.empty and table is not None:
        fig, ax = plt.subplots(figsize=(6, 3))
        codes = list(projected["indicator_code"])
        ax.errorbar(
            codes,
            projected["predicted"],
            yerr=[projected["predicted"] - projected["lower"], projected["upper"] - projected["predicted"]],
            fmt="o",
            label=t("criteria.effectiveness.chart.projected_95_interval", lang),
        )
        ax.scatter(
            codes,
            projected["target"],
            marker="x",
            color="red",
            label=t("criteria.effectiveness.chart.target", lang),
        )
        ax.set_title(t("criteria.effectiveness.chart.outcomes_projected_end_date", lang))
        ax.legend()
        fig.tight_layout()
        figures.append(fig)
    return figures
