"""Table 4.1: the monitoring and evaluation framework of a year's plan (seed 004, chapter IV; figure 3.1).

The plan as the manual draws it: by field and sector, each programme's general objective, its specific
objectives, the solutions (giải pháp) of each objective and, beside each solution, its indicators in the column
of their level of the results chain (input, output, outcome/impact) with the year's target, then the agency that
monitors and compiles and the agency that provides the information. As in the manual's figures, the k-th
input, output and outcome indicator of a solution share a line (the chain from what is put in to what it
achieves). Indicators under no specific objective stand under the general objective; an indicator is placed in
its own sector (:mod:`mel_core.reports.plan`).

The target shown is the plan in force; an adjusted target also shows the date and reason of the adjustment and
the original plan beside it. An indicator without a target for the year is listed with "–": the framework
shows what is missing from the plan rather than hiding it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import pandas as pd

from mel_core.periods import Period, parse_period
from mel_core.reports.layout import LEVEL_ORDER, grouped, place_date, plan_for
from mel_core.reports.period import period_title
from mel_core.reports.plan import (
    adjustment_note,
    general_objective,
    how_collected,
    indicator_text,
    own_sectors,
)
from mel_core.reports.scope import ProgrammeFigures, Scope
from mel_core.reports.table import NONE, BodyRow, Cell, HeaderCell, ReportTable, planned

LEVELS = ("input", "output", "outcome", "impact")
COLUMN_OF = {"input": 3, "output": 4, "outcome": 5, "impact": 5}
COLUMNS = 8

HEADER = [
    HeaderCell("STT", 0, 0, rowspan=2),
    HeaderCell("Mục tiêu", 0, 1, rowspan=2),
    HeaderCell("Giải pháp", 0, 2, rowspan=2),
    HeaderCell("Hệ thống chỉ tiêu", 0, 3, colspan=3),
    HeaderCell("Cơ quan chịu trách nhiệm", 0, 6, colspan=2),
    HeaderCell("Đầu vào", 1, 3),
    HeaderCell("Đầu ra", 1, 4),
    HeaderCell("Kết quả/Tác động", 1, 5),
    HeaderCell("Theo dõi, tổng hợp", 1, 6),
    HeaderCell("Cung cấp thông tin", 1, 7),
]
WIDTHS = [7.0, 34.0, 28.0, 30.0, 30.0, 30.0, 22.0, 22.0]
GENERAL = "Mục tiêu chung"
#: The solution cell of an objective's indicators that serve none of its solutions in particular.
NO_SOLUTION = "(chỉ tiêu chung của mục tiêu)"

#: The plan of an indicator for the form's period: (value, top of a range, the period the plan was set for).
PlanOf = Callable[[ProgrammeFigures, str], tuple[float, float, str | None]]


def _agencies(rows: list[pd.Series], column: str) -> Cell:
    """The agency of a line's indicators: one name when they share it, else each indicator's, by its code."""
    found = {str(r["code"]): str(r[column]) for r in rows if isinstance(r[column], str) and r[column]}
    if not found:
        return NONE
    if len(set(found.values())) == 1 and len(found) == len(rows):
        return next(iter(found.values()))
    return "; ".join(f"{code}: {agency}" for code, agency in found.items())


def _chain_rows(
    fig: ProgrammeFigures,
    group: pd.DataFrame,
    plan_of: PlanOf,
    period: Period,
    columns: int,
    remarks: int | None,
) -> list[BodyRow]:
    """The lines of one solution (or objective): its k-th input, output and outcome/impact on the k-th line."""
    by_column: dict[int, list[pd.Series]] = {3: [], 4: [], 5: []}
    for _, ind in group.iterrows():
        by_column[COLUMN_OF.get(str(ind["level"]), 5)].append(ind)
    lines = max(1, *(len(v) for v in by_column.values()))
    rows = []
    for k in range(lines):
        cells: list[Cell] = [None] * columns
        here = [by_column[c][k] for c in (3, 4, 5) if k < len(by_column[c])]
        for column in (3, 4, 5):
            if k < len(by_column[column]):
                ind = by_column[column][k]
                value, high, plan_period = plan_of(fig, str(ind["code"]))
                target = planned(value, high if not math.isnan(high) else None)
                adjusted = adjustment_note(fig, str(ind["code"]), _period(plan_period, period))
                cells[column] = indicator_text(
                    str(ind["name"]), str(ind["code"]), str(ind["unit"]), target, adjusted
                )
        if here:
            cells[6] = _agencies(here, "compiling_agency")
            cells[7] = _agencies(here, "providing_agency")
            if remarks is not None:
                notes = [
                    f"{r['code']}: {text}"
                    for r in here
                    if (
                        text := how_collected(r.get("frequency"), r.get("timing"), r.get("collection_method"))
                    )
                ]
                cells[remarks] = "; ".join(notes)
        rows.append(BodyRow(cells))
    return rows


def _period(label: str | None, default: Period) -> Period:
    return parse_period(label) if label else default


def plan_rows(
    fig: ProgrammeFigures,
    plan_of: PlanOf,
    period: Period,
    *,
    columns: int = COLUMNS,
    remarks: int | None = None,
    whole: bool = True,
) -> list[BodyRow]:
    """The lines of a programme's part in a sector: general objective, objectives, solutions, indicators.

    Args:
        fig: the programme, or its part in one sector (:func:`mel_core.reports.plan.part_in`).
        plan_of: the plan of an indicator for the form's period (the year's, the five years').
        period: the period reported (for the adjustments of its plans).
        columns: the form's number of columns (4.1: 8; appendices 2a and 4a: 9, with remarks).
        remarks: the column of how each indicator is collected (frequency, timing, method), if the form has one.
        whole: True where the part is in the programme's own sector: its general objective and the solutions
            without an indicator are listed there (once); the objectives listed are those of ``fig.plan`` (which
            :func:`mel_core.reports.plan.part_in` keeps to the sector) and those of its indicators.
    """
    indicators = fig.indicators[fig.indicators["level"].isin(LEVELS)].copy()
    indicators["_order"] = indicators["level"].map(LEVEL_ORDER)
    indicators["_objective"] = indicators["objective_number"].fillna(0).astype(int)
    if "solution" not in indicators:
        indicators["solution"] = 0
    indicators = indicators.sort_values(["_order", "code"], kind="stable")
    plan = fig.plan
    objectives: dict[int, str] = {}
    for n, text in zip(plan["objective"], plan["objective_statement"], strict=True):
        objectives.setdefault(int(n), str(text))
    for n, text in zip(indicators["_objective"], indicators["objective"], strict=True):
        if n and isinstance(text, str):
            objectives.setdefault(int(n), text)
    rows: list[BodyRow] = []
    general = general_objective(fig)
    loose = indicators[indicators["_objective"] == 0]
    if not loose.empty or (whole and general):
        lines = (
            _chain_rows(fig, loose, plan_of, period, columns, remarks)
            if not loose.empty
            else [_blank(columns)]
        )
        lines[0].cells[1] = f"{GENERAL}: {general or NONE}"
        lines[0].kind = "objective" if loose.empty else "item"
        rows += lines
    for number in sorted(objectives):
        mine = indicators[indicators["_objective"] == number]
        solutions = plan[(plan["objective"] == number) & (plan["solution"] > 0)]
        block: list[BodyRow] = []
        for solution, statement in zip(solutions["solution"], solutions["solution_statement"], strict=True):
            theirs = mine[mine["solution"] == solution]
            if theirs.empty and not whole:
                continue
            lines = _chain_rows(fig, theirs, plan_of, period, columns, remarks)
            lines[0].cells[2] = f"Giải pháp {int(solution)}: {statement}"
            block += lines
        rest = mine[~mine["solution"].isin(set(solutions["solution"]))]
        if not rest.empty or not block:
            lines = _chain_rows(fig, rest, plan_of, period, columns, remarks)
            if block and not rest.empty:
                lines[0].cells[2] = NO_SOLUTION
            block += lines
        block[0].cells[1] = f"Mục tiêu {number}: {objectives[number]}"
        rows += block
    return rows


def _blank(columns: int) -> BodyRow:
    return BodyRow([None] * columns)


def at_home(fig: ProgrammeFigures) -> bool:
    """True when this part of a programme is in the programme's own sector, where its objectives and solutions
    without an indicator are listed."""
    return fig.indicators.empty or bool((own_sectors(fig) == str(fig.programme["sector"])).any())


def general_line(scope: Scope) -> str:
    """The general objective under the title: the programme's, or the province's (its general economy plan's)."""
    if scope.province is None and len(scope.programmes) == 1:
        return f"{GENERAL}: {general_objective(scope.programmes[0]) or NONE}"
    plans = [
        text
        for fig in scope.programmes
        if str(fig.programme["sector"]) == "general_economy" and (text := general_objective(fig))
    ]
    return f"{GENERAL}: {'; '.join(plans) or NONE}"


def framework(scope: Scope, year: Period, today: date) -> ReportTable:
    """Table 4.1, the M&E framework of a programme's or a province's plan for one year.

    Args:
        scope: the programmes and figures of the report.
        year: the plan year (validated by :mod:`mel_core.reports.period`).
        today: the date under the national heading.
    """

    def plan_of(fig: ProgrammeFigures, code: str) -> tuple[float, float, str | None]:
        return plan_for(fig, code, year)

    return framework_table(
        scope,
        year,
        today,
        form="4.1",
        heading="KHUNG THEO DÕI VÀ ĐÁNH GIÁ KẾ HOẠCH",
        columns=COLUMNS,
        header=HEADER,
        widths=WIDTHS,
        rows_of=lambda fig: plan_rows(fig, plan_of, year, whole=at_home(fig)),
        notes=[
            f"Ghi chú: “{NONE}”: chưa có chỉ tiêu kế hoạch năm {year.label} cho chỉ tiêu này.",
            "Chỉ tiêu ghi kế hoạch dùng để đánh giá (ghi dưới tên biểu); chỉ tiêu đã điều chỉnh ghi trong ngoặc"
            " vuông ngày, lý do điều chỉnh và kế hoạch còn lại (ban đầu hoặc điều chỉnh).",
        ],
        wrap=(1, 2, 3, 4, 5, 6, 7),
    )


def framework_table(
    scope: Scope,
    year: Period,
    today: date,
    *,
    form: str,
    heading: str,
    columns: int,
    header: list[HeaderCell],
    widths: list[float],
    rows_of: Callable[[ProgrammeFigures], list[BodyRow]],
    notes: list[str],
    wrap: tuple[int, ...],
) -> ReportTable:
    """A framework of a year's plan (Table 4.1, appendix 1b): the rows of each programme (``rows_of``) under the
    fields and sectors of the plan, titled ``heading`` and the year and subject, the general objective under the
    title, checked."""
    body: list[BodyRow] = []
    for row, fig in grouped(scope, columns, year):
        if row is not None:
            body.append(row)
        elif fig is not None:
            body.extend(rows_of(fig))
    table = ReportTable(
        form=form,
        issuer=scope.issuer,
        title=[heading, f"{period_title('annual', year)} - {scope.subject.upper()}"],
        place_date=place_date(scope, today),
        header=header,
        widths=widths,
        body=body,
        intro=[general_line(scope)],
        notes=notes,
        period=year.label,
        wrap=wrap,
    )
    table.check()
    return table
