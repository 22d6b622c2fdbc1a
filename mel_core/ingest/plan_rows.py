"""Checks of the plan's framework (seed 004, chapter III): solutions of objectives and adjusted targets.

- a solution (giải pháp) belongs to one of its programme's objectives (its number or exact text, resolved by
  :func:`mel_core.ingest.validate.resolve_objective`) and is numbered from 1 under it;
- an indicator that names a ``solution`` names its ``objective`` too, and the solution must exist (in the
  ``solutions`` table of the same import or already in the store);
- an adjusted plan (kế hoạch điều chỉnh) of a target gives its value, the date of the adjustment and its reason;
  a date or a reason without an adjusted value, or a range whose top is below its bottom, is an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mel_core.errors import Problem
from mel_core.i18n import message

if TYPE_CHECKING:
    from mel_core.ingest.sources import Source
    from mel_core.ingest.validate import Batch, Known, Record

NOT_POSITIVE = message("ingest.plan_rows.not_positive")


def check_plan(source: Source, batch: Batch, known: Known) -> None:
    """Add the problems of solutions, indicators' solutions and adjusted targets to ``batch``."""
    solutions = set(known.solutions)
    table = source.tables.get("solutions")
    if table is not None:
        for r in batch.rows("solutions"):
            number = r.get("solution")
            if number is not None and number < 1:
                batch.problems.append(Problem(table.source, r["_row"], "solution", str(number), NOT_POSITIVE))
            elif isinstance(r.get("objective"), int) and number is not None and r.get("programme_code"):
                solutions.add((r["programme_code"], r["objective"], number))
    table = source.tables.get("indicators")
    if table is not None:
        for r in batch.rows("indicators"):
            _check_indicator(table.source, r, solutions, batch.problems)
    table = source.tables.get("targets")
    if table is not None:
        for r in batch.rows("targets"):
            _check_adjustment(table.source, r, batch.problems)


def _check_indicator(
    label: str, r: Record, solutions: set[tuple[str, int, int]], problems: list[Problem]
) -> None:
    number = r.get("solution")
    if number is None:
        return
    if number < 1:
        problems.append(Problem(label, r["_row"], "solution", str(number), NOT_POSITIVE))
        return
    objective = r.get("objective")
    if objective is None:
        # an objective that was given but did not resolve already has its problem
        if not any(p.source == label and p.row == r["_row"] and p.column == "objective" for p in problems):
            problems.append(
                Problem(
                    label,
                    r["_row"],
                    "solution",
                    str(number),
                    message("ingest.plan_rows.solution_belongs_objective_give"),
                )
            )
        return
    if not isinstance(objective, int):  # an objective that did not resolve has its own problem
        return
    if (r.get("programme_code"), objective, number) not in solutions:
        problems.append(
            Problem(
                label,
                r["_row"],
                "solution",
                str(number),
                message(
                    "ingest.plan_rows.objective_programme_no_solution",
                    objective=objective,
                    programme=r.get("programme_code"),
                    number=number,
                ),
            )
        )


def _check_adjustment(label: str, r: Record, problems: list[Problem]) -> None:
    value, high = r.get("adjusted_value"), r.get("adjusted_value_high")

    def problem(column: str, shown: object, reason: str) -> None:
        problems.append(Problem(label, r["_row"], column, "" if shown is None else str(shown), reason))

    if value is None:
        for column in ("adjusted_value_high", "adjusted_on", "adjustment_reason"):
            if r.get(column) not in (None, ""):
                problem(
                    column,
                    r[column],
                    message("ingest.plan_rows.only_adjusted_plan_give"),
                )
        return
    if high is not None and high < value:
        problem(
            "adjusted_value_high",
            high,
            message("ingest.plan_rows.top_range_must_not"),
        )
    if r.get("adjusted_on") is None:
        problem(
            "adjusted_on",
            None,
            message("ingest.plan_rows.adjusted_plan_needs_date"),
        )
    if not r.get("adjustment_reason"):
        problem(
            "adjustment_reason",
            None,
            message("ingest.plan_rows.adjusted_plan_needs_reason"),
        )
