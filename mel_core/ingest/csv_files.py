"""Reading one CSV file into a table: UTF-8, ``,`` or ``;`` separated, quotes as spreadsheet programs write them.

The csv module reads strictly: a quote that opens a cell and is never closed would otherwise take every
following line into that one cell and the import would report success with those rows gone. What strict
reading cannot see, a quote closed again by chance lines later, shows as a cell whose lines read as rows of
the table; both are problems of the row where the quote opened.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from mel_core.errors import Problem
from mel_core.i18n import say
from mel_core.ingest.cells import Raw
from mel_core.ingest.formats import BY_NAME, Kind, TableFormat
from mel_core.ingest.spreadsheet_text import from_csv, may_hold_escapes
from mel_core.ingest.tables import Progress, Source, Table, add_rows, header, table_name, too_wide
from mel_core.limits import check_upload, setting

#: Kinds of cell whose text may run over several lines (a note, a title, an objective).
MULTILINE = frozenset({Kind.TEXT, Kind.LIST})


def read_csv(path: Path, source: Source, progress: Progress | None = None) -> None:
    """Read ``path`` as the table its name says into ``source`` (or add the problems of the file)."""
    label = path.name
    name = table_name(path.stem)
    fmt = BY_NAME.get(name)
    if fmt is None:
        _whole(
            source,
            label,
            say(
                f"unknown table file; expected {', '.join(f'{n}.csv' for n in BY_NAME)}",
                f"tệp bảng không xác định; cần một trong: {', '.join(f'{n}.csv' for n in BY_NAME)}",
            ),
        )
        return
    if not source.claim(name, label, path.name):
        return
    problems = check_upload(path, "csv", name=label, limits=source.limits)
    if problems:
        source.problems.extend(problems)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        _whole(
            source,
            label,
            say(f"the file cannot be read: {exc.strerror}", f"không đọc được tệp: {exc.strerror}"),
        )
        return
    text = _decode(data, label, source.problems)
    if text is None:
        return
    if not text.strip():
        _whole(
            source,
            label,
            say(
                "the file is empty: the first line must be the header row",
                "tệp trống: dòng đầu tiên phải là dòng tiêu đề",
            ),
        )
        return
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    csv.field_size_limit(source.limits.csv_field_chars)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = _Records(reader, label, source.problems)
    head = next(records, None)
    if head is None:
        return
    table = Table(name, label, header(list(head)))
    if (wide := too_wide(table, source.limits)) is not None:
        source.problems.append(wide)
        return
    total = text.count("\n") + 1 if progress else 0
    lines: Iterator[list[str]] = _checked_lines(records, table, fmt, delimiter, source.problems)
    if may_hold_escapes(text):  # an export's apostrophes before formula-like text come off (spreadsheet_text)
        lines = ([from_csv(cell) for cell in line] for line in lines)
    rows = cast(Iterator[tuple[int, list[Raw]]], enumerate(lines, start=2))
    add_rows(table, rows, source.problems, source.limits, progress=progress, total=total)
    source.tables[name] = table


def _whole(source: Source, label: str, reason: str) -> None:
    source.problems.append(Problem(label, 0, "", "", reason))


def _decode(data: bytes, label: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(
            Problem(
                label,
                line,
                "",
                "",
                say(
                    "the file is not UTF-8 (it may be Windows-1258 or another code page): "
                    "in Excel use 'Save As → CSV UTF-8', in LibreOffice choose the UTF-8 character set",
                    "tệp không ở mã UTF-8 (có thể là Windows-1258 hoặc bảng mã khác): trong Excel chọn"
                    " 'Save As → CSV UTF-8', trong LibreOffice chọn bộ ký tự UTF-8",
                ),
            )
        )
        return None


class _Records:
    """The reader's records, each with the line of the file it starts on; a record the csv module cannot read
    ends them with a problem of its row (records are numbered as a spreadsheet numbers rows: header = 1)."""

    def __init__(self, reader: Any, label: str, problems: list[Problem]) -> None:
        self.reader, self.label, self.problems = reader, label, problems
        self.row = 0  # the record last read
        self.lines = 1  # how many lines of the file it spans
        self.end = 0  # the last line of the file read so far

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        try:
            record: list[str] = next(self.reader)
        except csv.Error as exc:
            self.problems.append(self._unreadable(self.row + 1, self.end + 1, str(exc)))
            raise StopIteration from None
        self.row += 1
        start, self.end = self.end + 1, self.reader.line_num
        self.lines = self.end - start + 1
        return record

    def _unreadable(self, row: int, line: int, error: str) -> Problem:
        en, vi = f"(line {line:,} of the file)", f"(dòng {line:,} của tệp)"
        if error.startswith("unexpected end of data"):
            reason = say(
                f'a quote (") opens a cell in this row {en} and is never closed, so every line after it would be'
                " read into that cell: close the quote, or write the cell without it",
                f'một dấu nháy kép (") mở một ô ở dòng này {vi} nhưng không bao giờ đóng, nên mọi dòng sau sẽ bị'
                " đọc vào ô đó: hãy đóng dấu nháy, hoặc viết ô không có nó",
            )
        elif "expected after" in error:
            reason = say(
                f'a quote (") ends a cell of this row {en} but more text follows it in the same cell: write the'
                ' cell as "…" with every quote inside it doubled ("")',
                f'một dấu nháy kép (") kết thúc một ô của dòng này {vi} nhưng vẫn còn chữ theo sau trong ô đó:'
                ' viết ô dạng "…" và nhân đôi mọi dấu nháy bên trong ("")',
            )
        else:
            variable = setting("csv_field_chars")
            reason = say(
                f"the CSV cannot be read from this row on {en}: {error} ({variable} raises the field limit)",
                f"không đọc được tệp CSV từ dòng này {vi}: {error} ({variable} nâng giới hạn độ dài ô)",
            )
        return Problem(self.label, row, "", "", reason)


def _checked_lines(
    records: _Records, table: Table, fmt: TableFormat, delimiter: str, problems: list[Problem]
) -> Iterator[list[str]]:
    """The records after the header; one that spans lines of the file is checked for a quote left open."""
    kinds = [fmt.column(n).kind if n in fmt.names else Kind.NUMBER for n in table.header]  # survey: numbers
    width = len(table.header)
    for record in records:
        if records.lines > 1:
            problem = _swallowed(record, records.row, kinds, width, delimiter, table)
            if problem is not None:
                problems.append(problem)
        yield record


def _swallowed(
    record: list[str], row: int, kinds: list[Kind], width: int, delimiter: str, table: Table
) -> Problem | None:
    """The problem of a record whose cell runs over lines where the format allows none, or whose lines read
    as whole rows of the table: the sign of a quote (") opened by mistake and closed by chance lines later."""
    for index, cell in enumerate(record):
        if "\n" not in cell and "\r" not in cell:
            continue
        column = table.header[index] if index < width else f"column {index + 1}"
        shown = cell if len(cell) <= 80 else cell[:77] + "…"
        kind = kinds[index] if index < width else None
        if kind not in MULTILINE:
            return Problem(
                table.source,
                row,
                column,
                shown,
                say(
                    'a line break inside a cell that holds one value: a quote (") was probably opened in this'
                    " row and closed lines later, taking the rows between into this cell",
                    'ô chỉ chứa một giá trị lại có dấu xuống dòng: có lẽ một dấu nháy kép (") đã mở ở dòng này'
                    " và đóng ở vài dòng sau, kéo các dòng ở giữa vào ô này",
                ),
            )
        rows_inside = [line for line in cell.splitlines()[1:] if line.count(delimiter) >= max(width - 1, 1)]
        if rows_inside:
            return Problem(
                table.source,
                row,
                column,
                shown,
                say(
                    f'the cell runs over lines that read as {len(rows_inside)} row(s) of the table: a quote (")'
                    " was probably opened in this row and closed lines later; close it where the cell ends",
                    f"ô kéo dài qua các dòng trông như {len(rows_inside)} dòng của bảng: có lẽ một dấu nháy kép"
                    ' (") đã mở ở dòng này và đóng ở vài dòng sau; hãy đóng nó ở nơi ô kết thúc',
                ),
            )
    return None
