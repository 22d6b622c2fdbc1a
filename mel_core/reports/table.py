"""A report form as data: heading, title, merged header cells, numbered columns and body rows.

The forms (:mod:`~mel_core.reports.framework`, :mod:`~mel_core.reports.general_frame`,
:mod:`~mel_core.reports.five_year`) build a :class:`ReportTable`; the writers (:mod:`~mel_core.reports.xlsx`,
:mod:`~mel_core.reports.html`) render any table, so the .xlsx and the HTML of a form always hold the same cells.

Missing is never zero: a figure that was not reported is the text :data:`MISSING` ("chưa có số liệu"), a plan
that does not exist is :data:`NONE` ("–").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from mel_core.reference import plan_fields

#: A figure that should have been reported and was not (late or missing data).
MISSING = "chưa có số liệu"
#: Nothing to show: no plan for this indicator and period, or a rate without both figures.
NONE = "–"
NATIONAL_HEADING = ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def sector_place(sector: str) -> tuple[str, str, str, str]:
    """The field number and title, and the plan sector's number and title, of a sector key (kb/taxonomy.yml).

    The fields and sectors are the manual's (seed 004, figure 3.1, Tables 4.1-4.5): ``("1", "PHÁT TRIỂN KINH
    TẾ", "1.2", "Nông nghiệp và phát triển nông thôn")`` for ``livestock``.

    Raises:
        KeyError: the key is in no sector of the plan (kb/taxonomy.yml places every sector key).
    """
    for plan_field in plan_fields():
        for plan_sector in plan_field.sectors:
            if sector in plan_sector.sectors:
                return plan_field.number, plan_field.vi.upper(), plan_sector.number, plan_sector.vi
    raise KeyError(sector)


@dataclass(frozen=True)
class Number:
    """A figure with the number of decimals it is shown with."""

    value: float
    decimals: int = 0
    percent: bool = False


Cell = str | Number | None


def number(value: float | None) -> Cell:
    """A reported figure, with as many decimals as it has (at most 2); :data:`MISSING` when absent."""
    if value is None or not math.isfinite(value):
        return MISSING
    for decimals in (0, 1, 2):
        if abs(value - round(value, decimals)) < 1e-9 * max(1.0, abs(value)):
            return Number(value, decimals)
    return Number(value, 2)


def planned(value: float | None, high: float | None = None) -> Cell:
    """A planned value or range (``85–92``); :data:`NONE` when nothing is planned."""
    if value is None or not math.isfinite(value):
        return NONE
    if high is not None and math.isfinite(high) and high != value:
        return f"{format_number(number(value))}–{format_number(number(high))}"  # type: ignore[arg-type]
    return number(value)


def rate(ratio: float | None) -> Cell:
    """A completion rate in per cent with one decimal; :data:`NONE` when it cannot be computed."""
    if ratio is None or not math.isfinite(ratio):
        return NONE
    return Number(ratio * 100.0, 1, percent=True)


def format_number(cell: Number) -> str:
    """A figure written the Vietnamese way: ``1.234,5`` (thousands with '.', decimals with ',').

    Rounded half up on the figure's 15 significant digits, as a spreadsheet shows it (113.25 → 113,3), so the
    HTML page and the workbook print the same digits.
    """
    exact = Decimal(f"{cell.value:.15g}").quantize(Decimal(1).scaleb(-cell.decimals), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{cell.decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def cell_text(cell: Cell) -> str:
    """A body cell as text (what a reader sees)."""
    if cell is None:
        return ""
    if isinstance(cell, Number):
        return format_number(cell)
    return cell


@dataclass(frozen=True)
class HeaderCell:
    """A header cell at (row, col), counted from 0 inside the header, spanning rows and columns."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


RowKind = Literal["field", "group", "subsector", "programme", "objective", "item", "empty"]


@dataclass
class BodyRow:
    """One line of the table body; group lines (field, sector, programme, objective) are shown bold, items and
    the "nothing here" line of an empty sector (``empty``) are not."""

    cells: list[Cell]
    kind: RowKind = "item"


@dataclass
class ReportTable:
    """A report form ready to be written: everything a writer needs, and nothing about the store."""

    form: str  # "4.1", "4.2", "4.5"
    issuer: list[str]
    title: list[str]
    place_date: str
    header: list[HeaderCell]
    widths: list[float]  # column widths in characters (Excel's unit)
    body: list[BodyRow] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)  # lines under the title (general objective, period)
    notes: list[str] = field(default_factory=list)  # lines under the table
    period: str = ""
    wrap: tuple[int, ...] = ()  # columns whose text wraps (names, objectives)

    @property
    def columns(self) -> int:
        return len(self.widths)

    @property
    def header_rows(self) -> int:
        return max(c.row + c.rowspan for c in self.header)

    @property
    def sheet_name(self) -> str:
        return f"Biểu {self.form}"

    def numbering(self) -> list[str]:
        """The column numbers printed under the header: (1), (2), …"""
        return [f"({k + 1})" for k in range(self.columns)]

    def check(self) -> None:
        """Every body row has one cell per column and the header covers every column once per row."""
        for row in self.body:
            if len(row.cells) != self.columns:
                raise ValueError(
                    f"form {self.form}: a row has {len(row.cells)} cells, expected {self.columns}"
                )
        covered = [[0] * self.columns for _ in range(self.header_rows)]
        for c in self.header:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    covered[r][k] += 1
        if any(n != 1 for line in covered for n in line):
            raise ValueError(f"form {self.form}: header cells overlap or leave a gap")
