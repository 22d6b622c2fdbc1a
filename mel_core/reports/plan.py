"""The plan's framework in a report: objectives, solutions, indicators by their own sector, adjusted plans.

The manual (seed 004, chapter III, figure 3.1; appendices 1a, 2a) draws a plan as a tree: the fields of the plan
(economic, social, natural resources and environment, state management), the sectors of each field, and in each
sector the general objective, the specific objectives, the solutions (giải pháp) of each objective and the
indicators of each solution at their level of the results chain. An indicator is reported under **its own**
sector (``indicators.sector``), which defaults to its programme's: a livestock programme's poverty rate belongs
to poverty reduction, its training count to vocational training.

:func:`add_plan` reads what the report forms need beyond the figures (the solutions, each indicator's sector,
solution, frequency, timing and collection method, and the original plan beside an adjusted one);
:func:`by_sector` walks the fields and sectors of the plan in the manual's order and hands each form the part
of each programme that belongs to a sector.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Connection, func, select

from mel_core.i18n import term
from mel_core.periods import Period, parse_period
from mel_core.reference import PlanField, PlanSector, plan_fields
from mel_core.reports.scope import ProgrammeFigures, Scope
from mel_core.reports.table import NONE, Cell, cell_text, planned
from mel_core.store import Indicator, Objective, Programme, Target, read, table_of
from mel_core.store.programmes import Solution
from mel_core.vocabulary import FREQUENCIES

#: The columns :func:`add_plan` adds to a programme's indicators.
DETAIL_COLUMNS = ["code", "sector", "frequency", "timing", "collection_method", "solution"]
#: The columns it adds to a programme's targets: the original plan, the adjusted one and the adjustment.
ADJUSTMENT_COLUMNS = [
    "original",
    "original_high",
    "adjusted",
    "adjusted_high",
    "adjusted_on",
    "adjustment_reason",
]
#: Which plan a report rates against: the plan in force (the adjusted one where a target was adjusted, the
#: default) or the original plan as first approved.
PlanChoice = Literal["adjusted", "original"]
PLAN_CHOICES: tuple[PlanChoice, ...] = ("adjusted", "original")
#: The line under a form's title that says which plan its targets and rates are of (vi, then en).
PLAN_USED: dict[PlanChoice, str] = {
    "adjusted": "Đánh giá so với kế hoạch điều chỉnh (nơi chỉ tiêu đã được điều chỉnh) / Rated against the"
    " adjusted plan (where a target was adjusted)",
    "original": "Đánh giá so với kế hoạch ban đầu / Rated against the original plan",
}
#: A programme's objectives and their solutions (one row per solution; ``solution`` 0 for an objective without).
PLAN_COLUMNS = ["objective", "objective_statement", "solution", "solution_statement"]


def frequency_words(frequency: str) -> str:
    """How often an indicator is collected, in the forms' words (``hằng quý``, from kb/taxonomy.yml).

    A value that is not one of the store's frequencies is shown as it is.
    """
    return term("indicator_frequencies", frequency, "vi").lower() if frequency in FREQUENCIES else frequency


def add_plan(conn: Connection, scope: Scope) -> None:
    """Add to each programme of ``scope`` its objectives and solutions (``fig.plan``), each indicator's own
    sector, frequency, timing, collection method and solution number, and each target's original plan and
    adjustment (``original``, ``original_high``, ``adjusted_on``, ``adjustment_reason``)."""
    i, o, s, p, t = (table_of(m) for m in (Indicator, Objective, Solution, Programme, Target))
    for fig in scope.programmes:
        pid = fig.programme["id"]
        details = read.frame(
            conn,
            select(
                i.c.code,
                func.coalesce(i.c.sector, p.c.sector),
                i.c.frequency,
                i.c.timing,
                i.c.collection_method,
                s.c.number,
            )
            .select_from(i.join(p, p.c.id == i.c.programme_id).outerjoin(s, s.c.id == i.c.solution_id))
            .where(i.c.programme_id == pid),
            DETAIL_COLUMNS,
        )
        details["solution"] = details["solution"].fillna(0).astype(int)
        fig.indicators = fig.indicators.drop(columns=DETAIL_COLUMNS[1:], errors="ignore").merge(
            details, on="code", how="left"
        )
        if not fig.targets.empty:
            adjustments = read.frame(
                conn,
                select(
                    i.c.code,
                    t.c.period,
                    t.c.admin_unit_code,
                    t.c.value,
                    t.c.value_high,
                    t.c.adjusted_value,
                    t.c.adjusted_value_high,
                    t.c.adjusted_on,
                    t.c.adjustment_reason,
                )
                .join(i, i.c.id == t.c.indicator_id)
                .where(i.c.programme_id == pid, t.c.adjusted_value.is_not(None)),
                ["indicator_code", "period", "admin_unit", *ADJUSTMENT_COLUMNS],
            )
            fig.targets = fig.targets.drop(columns=ADJUSTMENT_COLUMNS, errors="ignore").merge(
                adjustments, on=["indicator_code", "period", "admin_unit"], how="left"
            )
        fig.plan = read.frame(
            conn,
            select(o.c.number, o.c.statement, func.coalesce(s.c.number, 0), s.c.statement)
            .select_from(o.outerjoin(s, s.c.objective_id == o.c.id))
            .where(o.c.programme_id == pid)
            .order_by(o.c.number, s.c.number),
            PLAN_COLUMNS,
        )


def rate_against(scope: Scope, plan: PlanChoice) -> None:
    """Make the targets of ``scope`` those of the plan asked for (after :func:`add_plan`).

    The scope reads the plan in force (the adjusted plan where a target was adjusted); with ``"original"`` each
    adjusted target takes its original value (and range) back, so that every form shows and rates against the
    plan as first approved, and its note names the adjusted plan instead (:func:`adjustment_note`).
    """
    if plan not in PLAN_CHOICES:
        raise ValueError(f"plan must be one of {PLAN_CHOICES}, not {plan!r}")
    if plan == "adjusted":
        return
    for fig in scope.programmes:
        t = fig.targets
        if t.empty or "adjusted_on" not in t:
            continue
        adjusted = t["adjusted_on"].notna().to_numpy()
        if not adjusted.any():
            continue
        t = t.copy()
        t.loc[adjusted, "value"] = t.loc[adjusted, "original"].astype(float)
        t.loc[adjusted, "value_high"] = t.loc[adjusted, "original_high"].astype(float)
        fig.targets = t


def titled(fig: ProgrammeFigures) -> str:
    """The programme's title with its code, once: ``… (GOPA)`` even when the title already ends in ``(GOPA)``."""
    title, code = str(fig.programme["title"]), fig.code
    return title if f"({code})" in title else f"{title} ({code})"


def general_objective(fig: ProgrammeFigures) -> str | None:
    """The programme's general objective (mục tiêu chung), or None when the store has none."""
    text = fig.programme.get("general_objective")
    return str(text) if isinstance(text, str) and text.strip() else None


@dataclass(frozen=True)
class PlanPlace:
    """Where a group of rows sits in the plan: its field and sector, and the part of a programme that is there."""

    field: PlanField
    sector: PlanSector
    figures: ProgrammeFigures | None  # None for a sector of the plan that nothing in the scope reports under


def own_sectors(fig: ProgrammeFigures) -> pd.Series:
    """Each indicator's own sector key (its programme's where it names none)."""
    if "sector" in fig.indicators:
        return fig.indicators["sector"].fillna(str(fig.programme["sector"]))
    return pd.Series(str(fig.programme["sector"]), index=fig.indicators.index)


def part_in(fig: ProgrammeFigures, sectors: tuple[str, ...]) -> ProgrammeFigures | None:
    """The programme restricted to its indicators of ``sectors`` (a programme without indicators belongs to its
    own sector); None when nothing of it is there."""
    home = str(fig.programme["sector"]) in sectors
    if fig.indicators.empty:
        return fig if home else None
    inside = own_sectors(fig).isin(sectors).to_numpy()
    if not inside.any():
        return None
    # the objectives listed here: those with indicators here and, at home, those with no indicator anywhere
    numbers = fig.indicators["objective_number"]
    here = set(numbers[inside].dropna().astype(int))
    anywhere = set(numbers.dropna().astype(int))
    kept = fig.plan["objective"].astype(int).map(lambda n: n in here or (home and n not in anywhere))
    return replace(
        fig,
        indicators=fig.indicators[inside].reset_index(drop=True),
        plan=fig.plan[kept.to_numpy(dtype=bool)].reset_index(drop=True),
    )


def by_sector(scope: Scope, shown: list[ProgrammeFigures], every: bool) -> Iterator[PlanPlace]:
    """The fields and sectors of the plan in the manual's order, each with the part of each programme there.

    ``every``: also the fields and sectors where nothing is reported (a province's framework shows the whole
    plan, so that what is missing from it shows).
    """
    del scope  # the order of the plan comes from kb/taxonomy.yml; the scope decides ``shown``
    for plan_field in plan_fields():
        for plan_sector in plan_field.sectors:
            parts = [part for fig in shown if (part := part_in(fig, plan_sector.sectors)) is not None]
            if not parts and every:
                yield PlanPlace(plan_field, plan_sector, None)
            for part in parts:
                yield PlanPlace(plan_field, plan_sector, part)


@dataclass(frozen=True)
class Adjustment:
    """An adjusted target: both plans, the date and the reason, and which of the two the form shows."""

    original: Cell
    adjusted: Cell
    day: date
    reason: str
    shows_original: bool


def adjustment_of(fig: ProgrammeFigures, code: str, period: Period) -> Adjustment | None:
    """The adjustment of the target of ``code`` for ``period`` at the scope's unit, if it was adjusted."""
    t = fig.targets
    if "adjusted_on" not in t:
        return None
    rows = [row for row in fig.target_rows(code, period.label) if pd.notna(row["adjusted_on"])]
    if not rows:
        return None
    last = rows[-1]

    def high(column: str) -> float | None:
        return float(last[column]) if pd.notna(last[column]) else None

    day = last["adjusted_on"]
    day = day if isinstance(day, date) else date.fromisoformat(str(day))
    shown = (float(last["value"]), high("value_high"))
    return Adjustment(
        original=planned(float(last["original"]), high("original_high")),
        adjusted=planned(float(last["adjusted"]), high("adjusted_high")),
        day=day,
        reason=str(last["adjustment_reason"]),
        shows_original=shown == (float(last["original"]), high("original_high"))
        and shown != (float(last["adjusted"]), high("adjusted_high")),
    )


def adjustment_note(fig: ProgrammeFigures, code: str, period: Period) -> str:
    """``kế hoạch điều chỉnh ngày 15/07/2015 (lý do: …); kế hoạch ban đầu: 120``, or "" without an adjustment.

    Rated against the original plan (:func:`rate_against`), the note names the adjusted plan instead:
    ``kế hoạch ban đầu; điều chỉnh ngày 15/07/2015 (lý do: …) thành: 150``.
    """
    found = adjustment_of(fig, code, period)
    if found is None:
        return ""
    if found.shows_original:
        return (
            f"kế hoạch ban đầu; điều chỉnh ngày {found.day:%d/%m/%Y} ({found.reason}) thành:"
            f" {cell_text(found.adjusted)}"
        )
    return (
        f"kế hoạch điều chỉnh ngày {found.day:%d/%m/%Y} ({found.reason}); kế hoạch ban đầu:"
        f" {cell_text(found.original)}"
    )


def with_adjustment(note: str, fig: ProgrammeFigures, code: str, plan_period: object) -> str:
    """A form's note on an indicator, with the adjustment of the plan it is measured against (if adjusted)."""
    if not isinstance(plan_period, str):
        return note
    adjusted = adjustment_note(fig, code, parse_period(plan_period))
    return "; ".join(part for part in (note, adjusted) if part)


def indicator_text(name: str, code: str, unit: str, target: Cell, adjusted: str = "") -> str:
    """An indicator in a framework cell: ``Tên (MÃ): 320 hộ``, the plan in force and, adjusted, the original."""
    value = cell_text(target) if target is not None else NONE
    text = f"{name} ({code}): {value} {unit}" if value != NONE else f"{name} ({code}): {NONE} ({unit})"
    return f"{text} [{adjusted}]" if adjusted else text


def how_collected(frequency: object, timing: object, method: object) -> str:
    """``hằng quý, cuối mỗi quý; báo cáo của xã``: how often, when and how an indicator is collected."""
    parts = [frequency_words(frequency) if isinstance(frequency, str) else ""]
    parts.append(str(timing) if isinstance(timing, str) else "")
    when = ", ".join(p for p in parts if p)
    how = str(method) if isinstance(method, str) else ""
    return "; ".join(p for p in (when, how) if p)
