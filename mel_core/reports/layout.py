"""What the three forms share: the heading, the rows by field and sector, and actual against plan.

Actual against plan is read through :func:`mel_core.indicators.achievement.achievement`, the function the
effectiveness evaluation uses, so a report and an evaluation never disagree on a figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import date

import pandas as pd

from mel_core import geo
from mel_core.indicators.achievement import achievement
from mel_core.periods import Period
from mel_core.reports.period import in_words
from mel_core.reports.plan import by_sector, titled
from mel_core.reports.scope import ProgrammeFigures, Scope
from mel_core.reports.table import BodyRow, Cell

LEVEL_ORDER = {"input": 0, "output": 1, "outcome": 2, "impact": 3}


def place_date(scope: Scope, day: date) -> str:
    """``Điện Biên, ngày 23 tháng 11 năm 2026``: the province of the report (or of the programme)."""
    name = scope.province_name
    if name is None:
        provinces = scope.programmes[0].programme.get("provinces") or []
        known = [geo.provinces()[c] for c in provinces if c in geo.provinces()]
        name = known[0].successor_name if len(known) == 1 else None
    return f"{name}, {in_words(day)}" if name else in_words(day).capitalize()


def active(fig: ProgrammeFigures, period: Period) -> bool:
    """True when the programme runs during ``period`` or has a plan or a figure inside it."""
    start, end = fig.programme.get("start_date"), fig.programme.get("end_date")
    if (start is None or start <= period.end) and (end is None or end >= period.start):
        return True
    for frame in (fig.targets, fig.observations):
        if (
            not frame.empty
            and ((frame["period_start"] >= period.start) & (frame["period_end"] <= period.end)).any()
        ):
            return True
    return False


#: The row under a sector of the plan that nothing in the report's scope reports under.
NOTHING_THERE = "chưa có mục tiêu, chỉ tiêu nào trong kho dữ liệu"


def grouped(
    scope: Scope, columns: int, period: Period, label: int = 1
) -> Iterator[tuple[BodyRow | None, ProgrammeFigures | None]]:
    """Group rows (field, sector of the plan, programme) and, after each programme's row, its part there.

    Indicators are placed by their own sector (:mod:`mel_core.reports.plan`), so a programme appears under each
    sector it reports in, with the indicators of that sector. A report on a place (a province, a district)
    shows every field and sector of the plan, those without anything marked as such; it leaves out the
    programmes that neither ran during the period nor have a plan or a figure inside it. Yields ``(row, None)``
    for a group row to add and ``(None, part)`` where the rows of the programme's part go.
    """

    def row(number: str, text: str, kind: str) -> BodyRow:
        cells: list[Cell] = [None] * columns
        cells[0], cells[label] = number, text
        return BodyRow(cells, kind)  # type: ignore[arg-type]

    shown = [fig for fig in scope.programmes if scope.province is None or active(fig, period)]
    fields_seen: set[str] = set()
    sectors_seen: dict[str, int] = {}
    for place in by_sector(scope, shown, every=scope.province is not None):
        if place.field.number not in fields_seen:
            fields_seen.add(place.field.number)
            yield row(place.field.number, place.field.vi.upper(), "field"), None
        if place.sector.number not in sectors_seen:
            sectors_seen[place.sector.number] = 0
            yield row(place.sector.number, place.sector.vi, "group"), None
        if place.figures is None:
            yield row("", NOTHING_THERE, "empty"), None
            continue
        sectors_seen[place.sector.number] += 1
        number = f"{place.sector.number}.{sectors_seen[place.sector.number]}"
        yield row(number, titled(place.figures), "programme"), None
        yield None, place.figures


def ordered_indicators(fig: ProgrammeFigures, levels: tuple[str, ...]) -> pd.DataFrame:
    """The programme's indicators of the given levels, by level of the results chain, then code."""
    frame = fig.indicators[fig.indicators["level"].isin(levels)].copy()
    frame["_order"] = frame["level"].map(LEVEL_ORDER)
    return frame.sort_values(["_order", "code"], kind="stable").drop(columns="_order")


def plan_for(fig: ProgrammeFigures, code: str, period: Period) -> tuple[float, float, str | None]:
    """The target of an indicator for exactly ``period`` at the scope's unit: (value, high, period) or NaNs."""
    rows = fig.target_rows(code, period.label)
    if not rows:
        return math.nan, math.nan, None
    last = rows[-1]
    high = float(last["value_high"]) if pd.notna(last["value_high"]) else math.nan
    return float(last["value"]), high, str(last["period"])


def assess(
    fig: ProgrammeFigures,
    period: Period,
    codes: list[str],
    plan: Callable[[str], tuple[float, float, str | None]],
) -> pd.DataFrame:
    """Actual against plan for each indicator over ``period``, by :func:`achievement`.

    ``plan(code)`` gives the planned value, the top of a range and the period the plan was set for (the
    annual plan for a half-year …); an indicator without a plan still gets its actual, and no rate.

    Returns:
        One row per code (indexed by code) with ``target``, ``target_high``, ``plan_period``, ``actual``,
        ``actual_period`` and ``ratio`` (direction-aware actual over plan).
    """
    rows = []
    for code in codes:
        value, high, plan_period = plan(code)
        rows.append(
            {
                "indicator_code": code,
                "period": period.label,
                "period_start": period.start,
                "period_end": period.end,
                "admin_unit": fig.unit,
                "value": value,
                "value_high": high,
                "plan_period": plan_period,
            }
        )
    targets = pd.DataFrame(rows)
    if targets.empty:
        return pd.DataFrame(
            columns=["target", "target_high", "plan_period", "actual", "actual_period", "ratio"]
        )
    scored = achievement(
        fig.indicators, targets, fig.observations, single_unit=fig.single_unit, parents=fig.parents or None
    )
    scored = scored.set_index("indicator_code")
    out = scored[["target", "target_high", "actual", "actual_period", "ratio"]].copy()
    out["plan_period"] = targets.set_index("indicator_code")["plan_period"]
    # without a plan there is no rate (achievement() divides by the NaN plan and says "not met")
    out.loc[out["target"].isna(), "ratio"] = math.nan
    return out
