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
from mel_core.i18n import message
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
            message("ingest.csv_files.unknown_table_file", files=", ".join(f"{n}.csv" for n in BY_NAME)),
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
            message("ingest.csv_files.file_cannot_read", strerror=exc.strerror),
        )
        return
    text = _decode(data, label, source.problems)
    if text is None:
        return
    if not text.strip():
        _whole(
            source,
            label,
            message("ingest.csv_files.file_empty_first_line"),
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
                message("ingest.csv_files.file_not_utf_8"),
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
        if error.startswith("unexpected end of data"):
            reason = message("ingest.csv_files.quote_opens_cell_row", line=line)
        elif "expected after" in error:
            reason = message("ingest.csv_files.quote_ends_cell_row", line=line)
        else:
            variable = setting("csv_field_chars")
            reason = message(
                "ingest.csv_files.csv_cannot_read_row", line=line, error=error, variable=variable
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
                message("ingest.csv_files.line_break_inside_cell"),
            )
        rows_inside = [line for line in cell.splitlines()[1:] if line.count(delimiter) >= max(width - 1, 1)]
        if rows_inside:
            return Problem(
                table.source,
                row,
                column,
                shown,
                message("ingest.csv_files.cell_runs_over_lines", n=len(rows_inside)),
            )
    return None
