"""Table 4.2: the general frame of results after a month, a quarter, six months or a year (seed 004, chapter IV).

Planned against implemented, for outputs and for outcomes and impacts, by field and sector. Columns (1)-(10) are
the manual's: number, objective by sector, then unit and value of the planned output, planned outcome/impact,
implemented output and implemented outcome/impact. Two columns follow: (11) the completion rate against the
plan (direction-aware: a falling indicator that comes down to its target is 100 %) and (12) notes that say
where a figure comes from when it is not the period's own.

A month, a quarter or a half-year without a target of its own is measured against its year's annual plan (the
manual's "results in the reported period" against the year's indicators), and the note says so. The reporting
schedule (Table 2.1) has monthly and quarterly reports besides the six-month and annual ones; they use this form
with the period named in the heading of columns (7)-(10).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from mel_core.periods import Period, parse_period
from mel_core.reports.layout import assess, grouped, ordered_indicators, place_date, plan_for
from mel_core.reports.period import SUB_YEAR, ReportKind, period_title
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

LEVELS = ("output", "outcome", "impact")
COLUMNS = 12

HEADER = [
    HeaderCell("STT", 0, 0, rowspan=3),
    HeaderCell("Mục tiêu theo ngành, lĩnh vực", 0, 1, rowspan=3),
    HeaderCell("Chỉ tiêu kế hoạch", 0, 2, colspan=4),
    HeaderCell("Kết quả thực hiện chỉ tiêu trong kỳ báo cáo (6 tháng/năm)", 0, 6, colspan=4),
    HeaderCell("Tỷ lệ thực hiện so với kế hoạch (%)", 0, 10, rowspan=3),
    HeaderCell("Ghi chú", 0, 11, rowspan=3),
    HeaderCell("Đầu ra", 1, 2, colspan=2),
    HeaderCell("Kết quả/Tác động", 1, 4, colspan=2),
    HeaderCell("Đầu ra", 1, 6, colspan=2),
    HeaderCell("Kết quả/Tác động", 1, 8, colspan=2),
    *[HeaderCell(text, 2, 2 + k) for k, text in enumerate(["Đơn vị tính", "Chỉ tiêu"] * 4)],
]
# how columns (7)-(10) name the reported period; the manual's own form says "(6 tháng/năm)"
_IN_PERIOD = {"monthly": "(tháng)", "quarterly": "(quý)"}


def _header(kind: ReportKind) -> list[HeaderCell]:
    if kind not in _IN_PERIOD:
        return HEADER
    text = f"Kết quả thực hiện chỉ tiêu trong kỳ báo cáo {_IN_PERIOD[kind]}"
    return [replace(h, text=text) if (h.row, h.col) == (0, 6) else h for h in HEADER]


WIDTHS = [7.0, 44.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 13.0, 26.0]


def _note(row: pd.Series, period: Period) -> str:
    notes = []
    if pd.isna(row["target"]):
        notes.append("chưa có kế hoạch cho kỳ này")
    elif row["plan_period"] != period.label:
        notes.append(f"so với kế hoạch năm {row['plan_period']}")
    if pd.isna(row["actual"]):
        notes.append("số liệu chưa báo cáo")
    elif row["actual_period"] != period.label:
        notes.append(f"số liệu kỳ {row['actual_period']}")
    return "; ".join(notes)


def _rows(fig: ProgrammeFigures, period: Period, kind: ReportKind) -> list[BodyRow]:
    indicators = ordered_indicators(fig, LEVELS)
    codes = list(indicators["code"])

    def plan(code: str) -> tuple[float, float, str | None]:
        value, high, from_period = plan_for(fig, code, period)
        if from_period is None and kind in SUB_YEAR:
            return plan_for(fig, code, parse_period(str(period.start.year)))
        return value, high, from_period

    scored = assess(fig, period, codes, plan)
    rows = []
    for k, ind in enumerate(indicators.itertuples(index=False), start=1):
        row = scored.loc[ind.code]
        cells: list[Cell] = [None] * COLUMNS
        cells[0], cells[1] = str(k), f"{ind.name} ({ind.code})"
        at = 2 if ind.level == "output" else 4
        has_plan = not pd.isna(row["target"])
        cells[at], cells[at + 1] = (
            (ind.unit, planned(row["target"], row["target_high"])) if has_plan else (NONE, NONE)
        )
        cells[at + 4], cells[at + 5] = ind.unit, number(row["actual"])
        other = 4 if at == 2 else 2
        cells[other] = cells[other + 1] = cells[other + 4] = cells[other + 5] = None
        cells[10] = rate(row["ratio"]) if has_plan and not pd.isna(row["actual"]) else NONE
        cells[11] = with_adjustment(_note(row, period), fig, ind.code, row["plan_period"])
        rows.append(BodyRow(cells))
    return rows


def general_frame(scope: Scope, kind: ReportKind, period: Period, today: date) -> ReportTable:
    """Table 4.2 for a monthly, quarterly, six-month or annual report of a programme or a province.

    Args:
        scope: the programmes and figures of the report.
        kind: ``"monthly"``, ``"quarterly"``, ``"six-month"`` or ``"annual"``.
        period: the month, quarter, half-year or year reported (validated by :mod:`mel_core.reports.period`).
        today: the date under the national heading.
    """
    body: list[BodyRow] = []
    for row, fig in grouped(scope, COLUMNS, period):
        if row is not None:
            body.append(row)
        elif fig is not None:
            rows = _rows(fig, period, kind)
            body.extend(rows if rows else [BodyRow(["", "không có chỉ tiêu đầu ra, kết quả"] + [None] * 10)])
    table = ReportTable(
        form="4.2",
        issuer=scope.issuer,
        title=[
            "KHUNG TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾ HOẠCH",
            f"{period_title(kind, period)} - {scope.subject.upper()}",
        ],
        place_date=place_date(scope, today),
        header=_header(kind),
        widths=WIDTHS,
        body=body,
        intro=[f"Kỳ báo cáo: {period.label}"],
        notes=[
            f"Ghi chú: “{MISSING}”: chỉ tiêu có trong khung nhưng số liệu chưa được báo cáo (không phải bằng 0);"
            f" “{NONE}”: không có kế hoạch hoặc không tính được tỷ lệ.",
            "Tỷ lệ thực hiện tính theo chiều của chỉ tiêu: với chỉ tiêu cần giảm (tỷ lệ hộ nghèo), tỷ lệ là kế"
            " hoạch chia thực hiện.",
        ],
        period=period.label,
        wrap=(1, 11),
    )
    table.check()
    return table
