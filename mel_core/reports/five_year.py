"""Table 4.5: the monitoring and evaluation framework of a five-year plan (seed 004, chapter IV).

For each indicator: its unit, the five-year target, the plan of each year, the actual achievement and the rate
of completion. The five-year target is the target set for the span itself (``2011-2015``); where there is
none, the target of the last year inside the span that has one, which for a running total or a level is the
end-of-period commitment (the note says so). The actual is the span's own figure, else the latest figure inside
the span: the state at its end for a level, the running total for a cumulative indicator (the rule of
:func:`mel_core.indicators.achievement.achievement`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mel_core.i18n import term
from mel_core.periods import Period, parse_period
from mel_core.reports.layout import assess, grouped, ordered_indicators, place_date, plan_for
from mel_core.reports.period import period_title
from mel_core.reports.plan import with_adjustment
from mel_core.reports.scope import ProgrammeFigures, Scope
from mel_core.reports.table import (
    MISSING,
    NONE,
    BodyRow,
    Cell,
    HeaderCell,
    ReportTable,
    number,
    planned,
    rate,
)

LEVELS = ("input", "output", "outcome", "impact")


def _header(years: list[int]) -> list[HeaderCell]:
    last = 4 + len(years)
    return [
        HeaderCell("STT", 0, 0, rowspan=2),
        HeaderCell("Hệ thống chỉ tiêu", 0, 1, rowspan=2),
        HeaderCell("Đơn vị tính", 0, 2, rowspan=2),
        HeaderCell("Mục tiêu 5 năm", 0, 3, rowspan=2),
        HeaderCell("Chỉ tiêu kế hoạch hằng năm", 0, 4, colspan=len(years)),
        HeaderCell("Thực hiện", 0, last, rowspan=2),
        HeaderCell("Tỷ lệ hoàn thành (%)", 0, last + 1, rowspan=2),
        HeaderCell("Ghi chú", 0, last + 2, rowspan=2),
        *[HeaderCell(f"Năm {year}", 1, 4 + k) for k, year in enumerate(years)],
    ]


def _note(row: pd.Series, span: Period) -> str:
    notes = []
    if pd.isna(row["target"]):
        notes.append("chưa có mục tiêu 5 năm")
    elif row["plan_period"] != span.label:
        notes.append(f"mục tiêu theo kế hoạch năm {row['plan_period']}")
    if pd.isna(row["actual"]):
        notes.append("số liệu chưa báo cáo")
    elif parse_period(str(row["actual_period"])).end < span.end:
        notes.append(f"số liệu đến kỳ {row['actual_period']}")
    return "; ".join(notes)


def _rows(fig: ProgrammeFigures, span: Period, years: list[int]) -> list[BodyRow]:
    indicators = ordered_indicators(fig, LEVELS)

    def plan(code: str) -> tuple[float, float, str | None]:
        # the span's own target, else the plan of the last year inside the span that has one
        for candidate in [span] + [parse_period(str(year)) for year in reversed(years)]:
            value, high, from_period = plan_for(fig, code, candidate)
            if from_period is not None:
                return value, high, from_period
        return plan_for(fig, code, span)

    scored = assess(fig, span, list(indicators["code"]), plan)
    columns = 7 + len(years)
    rows = []
    for k, ind in enumerate(indicators.itertuples(index=False), start=1):
        row = scored.loc[ind.code]
        cells: list[Cell] = [None] * columns
        cells[0] = str(k)
        cells[1] = f"{ind.name} ({ind.code}, {term('indicator_levels', str(ind.level), 'vi').lower()})"
        cells[2] = ind.unit
        cells[3] = planned(row["target"], row["target_high"])
        for j, year in enumerate(years):
            value, high, _ = plan_for(fig, ind.code, parse_period(str(year)))
            cells[4 + j] = planned(value, high)
        cells[4 + len(years)] = number(row["actual"])
        has_both = not pd.isna(row["target"]) and not pd.isna(row["actual"])
        cells[5 + len(years)] = rate(row["ratio"]) if has_both else NONE
        cells[6 + len(years)] = with_adjustment(_note(row, span), fig, ind.code, row["plan_period"])
        rows.append(BodyRow(cells))
    return rows


def five_year(scope: Scope, span: Period, today: date) -> ReportTable:
    """Table 4.5 for a programme or a province over a five-year span (``2011-2015``).

    Args:
        scope: the programmes and figures of the report.
        span: the five years reported (validated by :mod:`mel_core.reports.period`).
        today: the date under the national heading.
    """
    years = list(span.years)
    columns = 7 + len(years)
    body: list[BodyRow] = []
    for row, fig in grouped(scope, columns, span):
        if row is not None:
            body.append(row)
        elif fig is not None:
            body.extend(_rows(fig, span, years))
    table = ReportTable(
        form="4.5",
        issuer=scope.issuer,
        title=[
            "KHUNG THEO DÕI VÀ ĐÁNH GIÁ KẾ HOẠCH",
            f"{period_title('five-year', span)} - {scope.subject.upper()}",
        ],
        place_date=place_date(scope, today),
        header=_header(years),
        widths=[7.0, 46.0, 13.0, 12.0] + [10.0] * len(years) + [12.0, 12.0, 28.0],
        body=body,
        intro=[f"Giai đoạn: {span.label}"],
        notes=[
            f"Ghi chú: “{MISSING}”: số liệu chưa được báo cáo (không phải bằng 0); “{NONE}”: không có kế hoạch"
            " hoặc không tính được tỷ lệ.",
            "Tỷ lệ hoàn thành tính theo chiều của chỉ tiêu: với chỉ tiêu cần giảm, tỷ lệ là mục tiêu chia thực"
            " hiện.",
        ],
        period=span.label,
        wrap=(1, columns - 1),
    )
    table.check()
    return table
