"""What a target means: a point or a range, reached from above or below depending on direction.

A rising indicator (income) meets its target when the actual value reaches the bottom of the target range; a
falling one (the poverty rate) when it comes down to the top of the range. Achievement is measured two ways:
the plain ratio of actual to target (the MPI report forms' "comparison %"), and the share of the distance from
baseline to target that has been travelled, which is the fair measure for falling indicators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Direction = Literal["increase", "decrease"]

#: Admin unit of the figures and targets for the whole programme.
WHOLE = "VN"


def direction_of(value: object) -> Direction:
    """``"decrease"`` for a falling indicator (any spelling or case), else ``"increase"``."""
    return "decrease" if str(value).strip().lower() == "decrease" else "increase"


@dataclass(frozen=True)
class TargetValue:
    """A planned value ``low``, or a range ``low``–``high`` (growth 6.5–7 %)."""

    low: float
    high: float | None = None

    def __post_init__(self) -> None:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"target range {self.low}–{self.high} is upside down")

    @property
    def is_range(self) -> bool:
        return self.high is not None and self.high != self.low

    def threshold(self, direction: Direction) -> float:
        """The value that must be reached: the bottom of the range going up, the top going down."""
        if direction == "decrease" and self.high is not None:
            return self.high
        return self.low

    def met_by(self, actual: float, direction: Direction) -> bool:
        """True when ``actual`` reaches the target in the indicator's direction."""
        goal = self.threshold(direction)
        return actual >= goal if direction == "increase" else actual <= goal

    def within(self, actual: float) -> bool:
        """True when ``actual`` lies inside the range (or equals the point target)."""
        return self.low <= actual <= (self.high if self.high is not None else self.low)

    def ratio(self, actual: float, direction: Direction) -> float:
        """Actual over target (increase) or target over actual (decrease): 1.0 means met; NaN when undefined."""
        goal = self.threshold(direction)
        numerator, denominator = (actual, goal) if direction == "increase" else (goal, actual)
        return numerator / denominator if denominator != 0 else math.nan

    def distance_travelled(self, baseline: float, actual: float, direction: Direction) -> float:
        """(actual − baseline) / (target − baseline): 1.0 when the target is reached from the baseline.

        Negative when the indicator moved the wrong way; NaN when the target equals the baseline.
        """
        goal = self.threshold(direction)
        planned = goal - baseline
        return (actual - baseline) / planned if planned != 0 else math.nan


def running_total(per_period: Sequence[float]) -> list[float]:
    """Per-period values (households supported each year) as a cumulative series."""
    total, out = 0.0, []
    for value in per_period:
        total += value
        out.append(total)
    return out


def per_period(cumulative: Sequence[float]) -> list[float]:
    """A cumulative series (households supported to date) as the increment of each period."""
    return [value - (cumulative[i - 1] if i else 0.0) for i, value in enumerate(cumulative)]
