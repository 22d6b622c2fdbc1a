"""Trend projection of an indicator to a programme's end date (for programmes still running).

The model is an ordinary least-squares line of the indicator's whole-programme values on time in years (each
value placed at the end of its period, as a decimal year), fitted with statsmodels. The projection is the
line's predicted value at the end date with its 95 % **prediction** interval
(``get_prediction().summary_frame(alpha=0.05)``, columns ``obs_ci_lower``/``obs_ci_upper``): the range in which
a single future figure is expected, not merely the mean. Three figures at least are needed (one residual
degree of freedom). A straight line is a deliberately simple model: an S-shaped plan is under-projected early
and over-projected late, which the interval only partly absorbs; the finding says "the trend projects".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from mel_core.criteria.data import ProgrammeData
from mel_core.indicators.achievement import WHOLE, final_targets, score_target
from mel_core.indicators.values import Direction

MIN_POINTS = 3


def decimal_year(day: date) -> float:
    """A date as a decimal year: 2015-12-31 → 2015.997…, 2016-01-01 → 2016.0."""
    start = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


@dataclass(frozen=True)
class Projection:
    """The projected value at a date with its 95 % prediction interval, and the fitted slope per year."""

    predicted: float
    lower: float
    upper: float
    slope: float
    points: int


def project(times: list[float], values: list[float], at: float, alpha: float = 0.05) -> Projection | None:
    """OLS of ``values`` on ``times`` (years), predicted at ``at`` with its (1 − alpha) prediction interval.

    Returns:
        None with fewer than three points or when all times are equal.
    """
    import statsmodels.api as sm

    pairs = [(t, v) for t, v in zip(times, values, strict=True) if math.isfinite(v)]
    if len(pairs) < MIN_POINTS or len({t for t, _ in pairs}) < 2:
        return None
    x = np.array([t for t, _ in pairs], dtype=float)
    y = np.array([v for _, v in pairs], dtype=float)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    frame = fit.get_prediction(np.array([[1.0, at]])).summary_frame(alpha=alpha)
    return Projection(
        predicted=float(frame["mean"].iloc[0]),
        lower=float(frame["obs_ci_lower"].iloc[0]),
        upper=float(frame["obs_ci_upper"].iloc[0]),
        slope=float(fit.params[1]),
        points=len(pairs),
    )


def target_position(goal: float, lower: float, upper: float) -> str:
    """Where the target's threshold lies against the interval: ``"below"``, ``"inside"`` or ``"above"``."""
    if goal < lower:
        return "below"
    if goal > upper:
        return "above"
    return "inside"


PROJECTION_COLUMNS = [
    "indicator_code",
    "level",
    "direction",
    "points",
    "slope",
    "predicted",
    "lower",
    "upper",
    "target",
    "target_high",
    "target_position",
    "projected_met",
    "projected_progress",
]


def projections(
    data: ProgrammeData, table: pd.DataFrame, end: date, levels: tuple[str, ...] = ("outcome",)
) -> pd.DataFrame:
    """Project each indicator of ``levels`` to ``end`` and judge it against its final whole-programme target.

    Args:
        data: the :class:`~mel_core.criteria.data.ProgrammeData` (its observations and provinces are read).
        table: the programme's achievement table (:func:`~mel_core.indicators.achievement.achievement`).
        end: the programme's end date.
        levels: which results-chain levels to project.

    Returns:
        One row per projected indicator (:data:`PROJECTION_COLUMNS`); indicators with fewer than three
        figures are left out.
    """
    observations, provinces = data.observations, data.provinces
    finals = final_targets(table)
    rows = []
    if finals.empty or observations.empty:
        return pd.DataFrame(columns=PROJECTION_COLUMNS)
    totals = observations[(observations["disaggregation"].fillna("") == "") & observations["value"].notna()]
    for final in finals[finals["level"].isin(levels)].itertuples(index=False):
        series = totals[(totals["indicator_code"] == final.indicator_code) & (totals["admin_unit"] == WHOLE)]
        if series.empty and len(provinces) == 1:
            series = totals[
                (totals["indicator_code"] == final.indicator_code) & (totals["admin_unit"] == provinces[0])
            ]
        series = series[series["period_end"] <= end]
        fit = project(
            [decimal_year(d) for d in series["period_end"]],
            list(series["value"].astype(float)),
            decimal_year(end),
        )
        if fit is None:
            continue
        direction: Direction = "decrease" if final.direction == "decrease" else "increase"
        high = final.target_high if pd.notna(final.target_high) else None
        scored = score_target(final.target, high, fit.predicted, direction, final.baseline)
        goal = high if (direction == "decrease" and high is not None) else final.target
        rows.append(
            {
                "indicator_code": final.indicator_code,
                "level": final.level,
                "direction": direction,
                "points": fit.points,
                "slope": fit.slope,
                "predicted": fit.predicted,
                "lower": fit.lower,
                "upper": fit.upper,
                "target": final.target,
                "target_high": final.target_high,
                "target_position": target_position(goal, fit.lower, fit.upper),
                "projected_met": scored["met"],
                "projected_progress": scored["progress"],
            }
        )
    return pd.DataFrame(rows, columns=PROJECTION_COLUMNS)
