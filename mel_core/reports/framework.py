"""Table 4.1: the monitoring and evaluation framework of a year's plan (seed 004, chapter IV).

For each objective, the solution that serves it (the programme or model) and its indicators, each in the column
of its level of the results chain (input, output, outcome/impact) with the year's target, then the agency that
monitors and compiles and the agency that provides the information. An indicator without a target for the
year is listed with "–": the framework shows what is missing from the plan rather than hiding it.
"""

from __future__ import annotations

import math
from datetime import date

from mel_core.periods import Period
from mel_core.reports.layout import grouped, ordered_indicators, place_date, plan_for
from mel_core.reports.period import period_title
from mel_core.reports.scope import ProgrammeFigures, Scope
from mel_core.reports.table import NONE, BodyRow, Cell, HeaderCell, ReportTable, cell_text, planned

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


def _text(name: str, code: str, unit: str, target: Cell) -> str:
    value = cell_text(target) if target is not None else NONE
    return f"{name} ({code}): {value} {unit}" if value != NONE else f"{name} ({code}): {NONE} ({unit})"


def _rows(fig: ProgrammeFigures, year: Period) -> list[BodyRow]:
    indicators = ordered_indicators(fig, LEVELS)
    indicators = indicators.assign(
        _objective=indicators["objective_number"].fillna(0).astype(int)
    ).sort_values("_objective", kind="stable")
    rows: list[BodyRow] = []
    solution = str(fig.programme["title"])
    for number, group in indicators.groupby("_objective", sort=True):
        statement = group["objective"].iloc[0]
        objective = f"{number}. {statement}" if number and isinstance(statement, str) else "Chưa gắn mục tiêu"
        for k, ind in enumerate(group.itertuples(index=False)):
            value, high, _ = plan_for(fig, ind.code, year)
            cells: list[Cell] = [None] * COLUMNS
            cells[0] = f"{number}.{k + 1}" if number else str(k + 1)
            cells[1] = objective if k == 0 else None
            cells[2] = solution if k == 0 else None
            cells[COLUMN_OF.get(str(ind.level), 5)] = _text(
                ind.name, ind.code, ind.unit, planned(value, high if not math.isnan(high) else None)
            )
            cells[6] = ind.compiling_agency if isinstance(ind.compiling_agency, str) else NONE
            cells[7] = ind.providing_agency if isinstance(ind.providing_agency, str) else NONE
            rows.append(BodyRow(cells))
    return rows


def framework(scope: Scope, year: Period, today: date) -> ReportTable:
    """Table 4.1, the M&E framework of a programme's or a province's plan for one year.

    Args:
        scope: the programmes and figures of the report.
        year: the plan year (validated by :mod:`mel_core.reports.period`).
        today: the date under the national heading.
    """
    body: list[BodyRow] = []
    for row, fig in grouped(scope, COLUMNS, year):
        if row is not None:
            body.append(row)
        elif fig is not None:
            body.extend(_rows(fig, year))
    table = ReportTable(
        form="4.1",
        issuer=scope.issuer,
        title=[
            "KHUNG THEO DÕI VÀ ĐÁNH GIÁ KẾ HOẠCH",
            f"{period_title('annual', year)} - {scope.subject.upper()}",
        ],
        place_date=place_date(scope, today),
        header=HEADER,
        widths=WIDTHS,
        body=body,
        intro=[f"Mục tiêu chung: {scope.subject}"],
        notes=[f"Ghi chú: “{NONE}”: chưa có chỉ tiêu kế hoạch năm {year.label} cho chỉ tiêu này."],
        period=year.label,
        wrap=(1, 2, 3, 4, 5, 6, 7),
    )
    table.check()
    return table
