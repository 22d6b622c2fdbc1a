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
from mel_core.i18n import say

if TYPE_CHECKING:
    from mel_core.ingest.sources import Source
    from mel_core.ingest.validate import Batch, Known, Record

NOT_POSITIVE = say(
    "must be 1 or more (solutions are numbered 1, 2 … under their objective)",
    "phải từ 1 trở lên (giải pháp đánh số 1, 2 … trong mỗi mục tiêu)",
)


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
                    say(
                        "a solution belongs to an objective: give the objective too (its number or text)",
                        "giải pháp thuộc một mục tiêu: hãy ghi cả mục tiêu (số thứ tự hoặc nguyên văn)",
                    ),
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
                say(
                    f"objective {objective} of programme {r.get('programme_code')} has no solution {number}:"
                    " add it to the solutions table",
                    f"mục tiêu {objective} của chương trình {r.get('programme_code')} không có giải pháp"
                    f" {number}: thêm vào bảng solutions",
                ),
            )
        )


def _check_adjustment(label: str, r: Record, problems: list[Problem]) -> None:
    value, high = r.get("adjusted_value"), r.get("adjusted_value_high")

    def problem(column: str, shown: object, en: str, vi: str) -> None:
        problems.append(Problem(label, r["_row"], column, "" if shown is None else str(shown), say(en, vi)))

    if value is None:
        for column in ("adjusted_value_high", "adjusted_on", "adjustment_reason"):
            if r.get(column) not in (None, ""):
                problem(
                    column,
                    r[column],
                    "only an adjusted plan has this: give adjusted_value too, or leave it empty",
                    "chỉ kế hoạch điều chỉnh mới có giá trị này: hãy ghi cả adjusted_value, hoặc để trống",
                )
        return
    if high is not None and high < value:
        problem(
            "adjusted_value_high",
            high,
            "the top of a range must not be below adjusted_value",
            "cận trên của khoảng không được nhỏ hơn adjusted_value",
        )
    if r.get("adjusted_on") is None:
        problem(
            "adjusted_on",
            None,
            "an adjusted plan needs the date of the adjustment (YYYY-MM-DD)",
            "kế hoạch điều chỉnh cần ngày điều chỉnh (YYYY-MM-DD)",
        )
    if not r.get("adjustment_reason"):
        problem(
            "adjustment_reason",
            None,
            "an adjusted plan needs the reason of the adjustment",
            "kế hoạch điều chỉnh cần ghi lý do điều chỉnh",
        )
