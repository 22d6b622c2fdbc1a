"""A report form as a formatted Excel workbook (openpyxl), ready to print on A4 landscape.

Layout, from the top: the issuing body on the left and the national heading on the right, the place and date,
the form's number, the title, the intro lines, the header with its merged cells, the column numbers (1) (2) …,
the body with borders, and the notes. Fonts are Times New Roman, as in official documents; figures are numbers
with a number format (so a reader can compute with them), missing figures are text.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mel_core.reports.table import NATIONAL_HEADING, Number, ReportTable

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
GROUP_FILL = PatternFill("solid", fgColor="FAFAFA")


def _merge(ws: Worksheet, row: int, first: int, last: int, value: str, **style: object) -> None:
    """Write ``value`` at (row, first) merged over columns first..last (1-based), with a style."""
    cell = ws.cell(row=row, column=first, value=value)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    for key, item in style.items():
        setattr(cell, key, item)


def number_format(cell: Number) -> str:
    """The Excel number format of a figure: thousands separated, its own number of decimals."""
    if cell.percent:
        return "0.0"
    return "#,##0" if cell.decimals == 0 else "#,##0." + "0" * cell.decimals


def write_xlsx(table: ReportTable, path: Path) -> Path:
    """Write ``table`` as a one-sheet workbook at ``path`` (replaced if it exists) and return the path."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = table.sheet_name
    n = table.columns
    left_end = max(2, n // 3)
    right_start = max(left_end + 1, n - max(4, n // 2) + 1)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(name=FONT, size=12, bold=True)
    plain = Font(name=FONT, size=12)

    # heading: issuer left, national heading right
    issuer = table.issuer + [""] * (2 - len(table.issuer))
    _merge(ws, 1, 1, left_end, issuer[0], font=plain, alignment=center)
    _merge(ws, 2, 1, left_end, issuer[1], font=bold, alignment=center)
    _merge(ws, 1, right_start, n, NATIONAL_HEADING[0], font=bold, alignment=center)
    _merge(
        ws,
        2,
        right_start,
        n,
        NATIONAL_HEADING[1],
        font=Font(name=FONT, size=13, bold=True, underline="single"),
        alignment=center,
    )
    _merge(
        ws, 3, right_start, n, table.place_date, font=Font(name=FONT, size=12, italic=True), alignment=center
    )
    _merge(
        ws,
        4,
        1,
        left_end,
        table.sheet_name,
        font=Font(name=FONT, size=11, italic=True),
        alignment=Alignment(horizontal="left"),
    )
    row = 5
    for line in table.title:
        _merge(ws, row, 1, n, line, font=Font(name=FONT, size=14, bold=True), alignment=center)
        ws.row_dimensions[row].height = 20
        row += 1
    for line in table.intro:
        _merge(ws, row, 1, n, line, font=Font(name=FONT, size=12, italic=True), alignment=center)
        row += 1
    row += 1

    # header with merged cells, then the column numbers
    top = row
    for h in range(table.header_rows):
        for k in range(n):
            c = ws.cell(row=top + h, column=k + 1)
            c.border, c.fill, c.font, c.alignment = BOX, HEADER_FILL, bold, center
    for head in table.header:
        ws.cell(row=top + head.row, column=head.col + 1, value=head.text)
        if head.rowspan > 1 or head.colspan > 1:
            ws.merge_cells(
                start_row=top + head.row,
                start_column=head.col + 1,
                end_row=top + head.row + head.rowspan - 1,
                end_column=head.col + head.colspan,
            )
    for offset in range(table.header_rows):
        ws.row_dimensions[top + offset].height = 32
    numbers = top + table.header_rows
    for k, label in enumerate(table.numbering()):
        c = ws.cell(row=numbers, column=k + 1, value=label)
        c.border, c.font, c.alignment = BOX, Font(name=FONT, size=11, italic=True), center

    # body
    row = numbers + 1
    for body_row in table.body:
        group = body_row.kind not in ("item", "empty")
        font = Font(name=FONT, size=12, bold=group)
        for k, value in enumerate(body_row.cells):
            c = ws.cell(row=row, column=k + 1)
            c.border, c.font = BOX, font
            if group:
                c.fill = GROUP_FILL
            if isinstance(value, Number):
                c.value = value.value
                c.number_format = number_format(value)
                c.alignment = Alignment(horizontal="right", vertical="center")
            else:
                c.value = value
                wrap = k in table.wrap or group
                horizontal = "left" if k in table.wrap or (group and k == 1) else "center"
                c.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap)
        row += 1
    row += 1
    for line in table.notes:
        _merge(
            ws,
            row,
            1,
            n,
            line,
            font=Font(name=FONT, size=11, italic=True),
            alignment=Alignment(wrap_text=True, vertical="top"),
        )
        ws.row_dimensions[row].height = 30
        row += 1

    for k, width in enumerate(table.widths):
        ws.column_dimensions[get_column_letter(k + 1)].width = width
    ws.freeze_panes = ws.cell(row=numbers + 1, column=1)
    ws.print_title_rows = f"{top}:{numbers}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Trang &P / &N"
    wb.properties.title = " ".join(table.title)
    wb.properties.creator = "mel"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
