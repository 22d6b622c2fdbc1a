"""Appendix 1b: the M&E framework of a year's plan with its key remaining issues (seed 004, appendix 1b).

The manual's second model of the framework of a province's or district's annual plan (the sample of the Centre
for Rural Progress) starts from the problems the plan addresses: its first column holds the **key remaining
issues** (những vấn đề tồn tại chủ yếu) of each field and sector, beside the general objectives and key tasks
that answer them. Then come the result and impact targets with, for each, its M&E indicator, baseline, reporting
frequency, reporting agency and data collection method, and the concrete solutions with their output targets
and the same four columns. Input indicators are left out, as the manual's template hides its input columns
("if M&E on inputs is needed, N column is to be unhidden"); Table 4.1 lists them.

Where the store has them: the key issues and the general objective are the programme's (``key_issues`` and
``general_objective`` in the ``programmes`` table), the specific objectives and solutions its plan's, and each
indicator is placed by its own sector, as in Table 4.1 (:mod:`mel_core.reports.plan`). A line carries the k-th
result indicator of an objective beside the k-th output indicator of its solutions.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from mel_core.periods import Period
from mel_core.reports.framework import GENERAL, at_home, framework_table
from mel_core.reports.layout import plan_for
from mel_core.reports.plan import adjustment_note, frequency_words, general_objective, indicator_text
from mel_core.reports.scope import ProgrammeFigures, Scope
from mel_core.reports.table import NONE, BodyRow, Cell, HeaderCell, ReportTable, cell_text, number, planned

COLUMNS = 14
RESULTS = ("outcome", "impact")
#: The solution cell of an objective's output indicators that serve none of its solutions in particular.
NO_SOLUTION = "(chỉ tiêu đầu ra chung của mục tiêu)"
ISSUES = "Những vấn đề tồn tại chủ yếu"

HEADER = [
    HeaderCell("STT", 0, 0, rowspan=2),
    HeaderCell(ISSUES, 0, 1, rowspan=2),
    HeaderCell("Mục tiêu tổng quát/Nhiệm vụ chủ yếu", 0, 2, rowspan=2),
    HeaderCell("Kết quả/Tác động", 0, 3, colspan=6),
    HeaderCell("Đầu ra", 0, 9, colspan=5),
    HeaderCell("Chỉ tiêu kết quả/tác động", 1, 3),
    HeaderCell("Chỉ tiêu theo dõi, đánh giá kết quả/tác động", 1, 4),
    HeaderCell("Giá trị cơ sở", 1, 5),
    HeaderCell("Tần suất báo cáo", 1, 6),
    HeaderCell("Cơ quan báo cáo", 1, 7),
    HeaderCell("Phương pháp thu thập số liệu", 1, 8),
    HeaderCell("Giải pháp cụ thể/Chỉ tiêu đầu ra", 1, 9),
    HeaderCell("Chỉ tiêu theo dõi, đánh giá đầu ra", 1, 10),
    HeaderCell("Tần suất báo cáo", 1, 11),
    HeaderCell("Cơ quan báo cáo", 1, 12),
    HeaderCell("Phương pháp thu thập số liệu", 1, 13),
]
WIDTHS = [7.0, 30.0, 30.0, 16.0, 30.0, 12.0, 12.0, 20.0, 22.0, 30.0, 30.0, 12.0, 20.0, 22.0]


def key_issues(fig: ProgrammeFigures) -> str | None:
    """The key remaining issues the programme's general objective addresses, or None when the store has none."""
    text = fig.programme.get("key_issues")
    return str(text) if isinstance(text, str) and text.strip() else None


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, str) and value.strip() else None


def _how(ind: pd.Series) -> tuple[Cell, Cell, Cell]:
    """Reporting frequency, reporting agency and data collection method (with its timing) of an indicator."""
    frequency = _text(ind.get("frequency"))
    method = "; ".join(p for p in (_text(ind.get("timing")), _text(ind.get("collection_method"))) if p)
    return (
        frequency_words(frequency) if frequency else NONE,
        _text(ind.get("providing_agency")) or NONE,
        method or NONE,
    )


def _result_cells(fig: ProgrammeFigures, ind: pd.Series, year: Period) -> list[Cell]:
    """Columns (4)-(9): the year's target, the indicator, its baseline and how it is reported."""
    code = str(ind["code"])
    value, high, plan_period = plan_for(fig, code, year)
    target = planned(value, high if not math.isnan(high) else None)
    adjusted = adjustment_note(fig, code, year) if plan_period else ""
    shown = f"{cell_text(target)} {ind['unit']}" if target is not None else NONE
    baseline = ind.get("baseline_value")
    base = (
        f"{cell_text(number(float(baseline)))} {ind['unit']}"
        if baseline is not None and not pd.isna(baseline)
        else NONE
    )
    return [
        f"{shown} [{adjusted}]" if adjusted else shown,
        f"{ind['name']} ({code})",
        base,
        *_how(ind),
    ]


def _output_cells(fig: ProgrammeFigures, ind: pd.Series, year: Period) -> list[Cell]:
    """Columns (11)-(14): the output indicator with the year's target, and how it is reported."""
    code = str(ind["code"])
    value, high, plan_period = plan_for(fig, code, year)
    target = planned(value, high if not math.isnan(high) else None)
    adjusted = adjustment_note(fig, code, year) if plan_period else ""
    return [indicator_text(str(ind["name"]), code, str(ind["unit"]), target, adjusted), *_how(ind)]


def _objective_lines(
    fig: ProgrammeFigures, mine: pd.DataFrame, solutions: pd.DataFrame, year: Period, whole: bool
) -> list[BodyRow]:
    """The lines of one objective: its k-th result indicator beside the k-th output of its solutions."""
    results = [r for _, r in mine[mine["level"].isin(RESULTS)].iterrows()]
    outputs = mine[mine["level"] == "output"]
    pairs: list[tuple[str | None, pd.Series | None]] = []
    for number_, statement in zip(solutions["solution"], solutions["solution_statement"], strict=True):
        theirs = [r for _, r in outputs[outputs["solution"] == number_].iterrows()]
        if not theirs and not whole:
            continue
        label = f"Giải pháp {int(number_)}: {statement}"
        pairs += [(label if k == 0 else None, r) for k, r in enumerate(theirs)] or [(label, None)]
    rest = [r for _, r in outputs[~outputs["solution"].isin(set(solutions["solution"]))].iterrows()]
    pairs += [(NO_SOLUTION if k == 0 and pairs else None, r) for k, r in enumerate(rest)]
    rows = []
    for k in range(max(1, len(results), len(pairs))):
        cells: list[Cell] = [None] * COLUMNS
        if k < len(results):
            cells[3:9] = _result_cells(fig, results[k], year)
        if k < len(pairs):
            solution, ind = pairs[k]
            cells[9] = solution
            if ind is not None:
                cells[10:14] = _output_cells(fig, ind, year)
        rows.append(BodyRow(cells))
    return rows


def plan_lines(fig: ProgrammeFigures, year: Period, whole: bool) -> list[BodyRow]:
    """The lines of a programme's part in a sector: key issues and general objective, then each objective.

    Args:
        fig: the programme, or its part in one sector (:func:`mel_core.reports.plan.part_in`).
        year: the plan year.
        whole: True where the part is in the programme's own sector: its key issues, its general objective and
            the solutions without an indicator are listed there (once).
    """
    indicators = fig.indicators[fig.indicators["level"].isin(("output", *RESULTS))].copy()
    indicators["_objective"] = indicators["objective_number"].fillna(0).astype(int)
    if "solution" not in indicators:
        indicators["solution"] = 0
    indicators = indicators.sort_values(["code"], kind="stable")
    plan = fig.plan
    objectives: dict[int, str] = {}
    for n, text in zip(plan["objective"], plan["objective_statement"], strict=True):
        objectives.setdefault(int(n), str(text))
    for n, text in zip(indicators["_objective"], indicators["objective"], strict=True):
        if n and isinstance(text, str):
            objectives.setdefault(int(n), text)
    none = plan.iloc[0:0]
    rows: list[BodyRow] = []
    loose = indicators[indicators["_objective"] == 0]
    general = general_objective(fig)
    if whole or not loose.empty:
        lines = _objective_lines(fig, loose, none, year, whole)
        lines[0].cells[2] = f"{GENERAL}: {general or NONE}"
        if whole:
            lines[0].cells[1] = key_issues(fig) or NONE
        lines[0].kind = "objective" if loose.empty else "item"
        rows += lines
    for n in sorted(objectives):
        solutions = plan[(plan["objective"] == n) & (plan["solution"] > 0)]
        lines = _objective_lines(fig, indicators[indicators["_objective"] == n], solutions, year, whole)
        lines[0].cells[2] = f"Mục tiêu {n}: {objectives[n]}"
        rows += lines
    return rows


def framework_1b(scope: Scope, year: Period, today: date) -> ReportTable:
    """Appendix 1b, the M&E framework of a year's plan with the key remaining issues, for a programme or a
    province.

    Args:
        scope: the programmes and figures of the report (with :func:`mel_core.reports.plan.add_plan` applied).
        year: the plan year (validated by :mod:`mel_core.reports.period`).
        today: the date under the national heading.
    """
    return framework_table(
        scope,
        year,
        today,
        form="1b",
        heading="KHUNG THEO DÕI VÀ ĐÁNH GIÁ KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI",
        columns=COLUMNS,
        header=HEADER,
        widths=WIDTHS,
        rows_of=lambda fig: plan_lines(fig, year, whole=at_home(fig)),
        notes=[
            f"Ghi chú: “{NONE}”: kho dữ liệu chưa có thông tin này (vấn đề tồn tại, kế hoạch năm {year.label},"
            " giá trị cơ sở, tần suất, cơ quan báo cáo hoặc phương pháp thu thập).",
            "Những vấn đề tồn tại chủ yếu và mục tiêu tổng quát lấy từ kế hoạch của từng chương trình (cột"
            " key_issues và general_objective của bảng programmes); chỉ tiêu đầu vào xem Biểu 4.1.",
            "Chỉ tiêu đã điều chỉnh ghi trong ngoặc vuông ngày, lý do điều chỉnh và kế hoạch còn lại.",
        ],
        wrap=(1, 2, 4, 8, 9, 10, 13),
    )
