"""Where rows come from: a folder of CSV files or one .xlsx workbook, one table per file or sheet.

A source yields, per table, its header and its rows numbered as a spreadsheet shows them (header = 1), and
reports what is wrong with a file as a whole: not UTF-8, empty, unknown file or sheet names, formulas and
merged cells (the importer reads plain values only).
"""

from __future__ import annotations

import csv
import gc
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from xml.etree import ElementTree

from mel_core.errors import ImportValidationError, MelError, Problem
from mel_core.i18n import say
from mel_core.ingest.cells import Raw
from mel_core.ingest.formats import BY_NAME
from mel_core.ingest.spreadsheet_text import from_csv, may_hold_escapes
from mel_core.text import clean_cell

IGNORED_PREFIX = "_"  # sheets like `_about` carry notes for people and are not imported


@dataclass
class Table:
    """The rows of one table as read from one CSV file or sheet."""

    name: str
    source: str
    header: list[str]
    rows: list[tuple[int, list[Raw]]] = field(default_factory=list)


@dataclass
class Source:
    """Every table found at a path, and the problems of the files themselves."""

    path: Path
    tables: dict[str, Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _table_name(name: str) -> str:
    return clean_cell(name).lower()


GIVE_A_FOLDER = say(
    "Give a folder of CSV files or one .xlsx workbook.",
    "Hãy chỉ định một thư mục tệp CSV hoặc một tệp .xlsx.",
)


#: ``progress(label, done, total)``: how a long step goes (total 0 when it is not known).
Progress = Callable[[str, int, int], None]
#: How many rows go by between two reports of progress while reading.
PROGRESS_EVERY = 5_000


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds millions of objects that all stay alive.

    Each full collection walks every object built so far and frees none of them, which makes reading,
    checking and writing a large table several times slower. Reference counting still frees everything
    as usual; only the search for reference cycles waits until the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _trim(cells: list[Raw]) -> list[Raw]:
    last = cells[-1] if cells else None
    if last.__class__ is str and last and not last.isspace():  # the usual case: nothing to trim
        return cells
    end = len(cells)
    while end:
        cell = cells[end - 1]
        if cell is None or (isinstance(cell, str) and not str(cell).strip()):
            end -= 1
        else:
            break
    return cells[:end]


def _add_rows(
    table: Table, rows: Iterator[tuple[int, list[Raw]]], progress: Progress | None = None, total: int = 0
) -> None:
    label = f"reading {table.source}"
    number = 0
    for number, cells in rows:
        cells = _trim(cells)
        if cells:  # blank lines (often at the end of a sheet) are not rows
            table.rows.append((number, cells))
        if progress and number % PROGRESS_EVERY == 0:
            progress(label, number, total)
    if progress:
        progress(label, number, number)


def _header(cells: list[Raw]) -> list[str]:
    return [clean_cell(str(c)) if c is not None else "" for c in _trim(cells)]


# ---------------------------------------------------------------------------------------------------- CSV


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


#: The longest CSV field read, in characters (the csv module's own default is 131,072); MEL_LIMIT_CSV_FIELD_CHARS
#: raises it. A longer field is a problem of its row, not a failure of mel.
CSV_FIELD_CHARS = 1_000_000


def csv_field_limit() -> int:
    """The longest CSV field read (``MEL_LIMIT_CSV_FIELD_CHARS``, default :data:`CSV_FIELD_CHARS`)."""
    return int(os.environ.get("MEL_LIMIT_CSV_FIELD_CHARS") or CSV_FIELD_CHARS)


def _unreadable(label: str, row: int, exc: csv.Error) -> Problem:
    return Problem(
        label,
        row,
        "",
        "",
        say(
            f"the CSV cannot be read from this row on: {exc} (MEL_LIMIT_CSV_FIELD_CHARS raises the field limit)",
            f"không đọc được tệp CSV từ dòng này: {exc} (MEL_LIMIT_CSV_FIELD_CHARS nâng giới hạn độ dài ô)",
        ),
    )


def _readable(reader: Any, label: str, problems: list[Problem]) -> Iterator[list[str]]:
    """The reader's rows; a row the csv module cannot read (a field over the limit …) ends them with a problem."""
    row = 1
    try:
        for line in reader:
            row += 1
            yield line
    except csv.Error as exc:
        problems.append(_unreadable(label, row + 1, exc))


def read_csv(path: Path, source: Source, progress: Progress | None = None) -> None:
    label = path.name
    name = _table_name(path.stem)
    if name not in BY_NAME:
        source.problems.append(
            Problem(
                label,
                0,
                "",
                "",
                say(
                    f"unknown table file; expected {', '.join(f'{n}.csv' for n in BY_NAME)}",
                    f"tệp bảng không xác định; cần một trong: {', '.join(f'{n}.csv' for n in BY_NAME)}",
                ),
            )
        )
        return
    text = _decode(path.read_bytes(), label, source.problems)
    if text is None:
        return
    if not text.strip():
        source.problems.append(
            Problem(
                label,
                0,
                "",
                "",
                say(
                    "the file is empty: the first line must be the header row",
                    "tệp trống: dòng đầu tiên phải là dòng tiêu đề",
                ),
            )
        )
        return
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    csv.field_size_limit(csv_field_limit())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = _header(list(next(reader)))
    except csv.Error as exc:
        source.problems.append(_unreadable(label, 1, exc))
        return
    table = Table(name, label, header)
    # The reader gives a new list of texts for every line: no copy needed.
    total = text.count("\n") + 1 if progress else 0
    lines: Iterator[list[str]] = _readable(reader, label, source.problems)
    if may_hold_escapes(text):  # an export's apostrophes before formula-like text come off (spreadsheet_text)
        lines = ([from_csv(cell) for cell in line] for line in _readable(reader, label, source.problems))
    _add_rows(table, cast(Iterator[tuple[int, list[Raw]]], enumerate(lines, start=2)), progress, total)
    source.tables[name] = table


# ---------------------------------------------------------------------------------------------------- XLSX

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+)(\d+)(?::([A-Z]+\d+))?"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the XML part inside the workbook that holds it."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    parts = {}
    for sheet in workbook.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        parts[sheet.get("name", "")] = target
    return parts


def read_xlsx(path: Path, source: Source, progress: Progress | None = None) -> None:
    import openpyxl  # heavy: only when a workbook is read

    label = path.name
    try:
        archive = zipfile.ZipFile(path)
        parts = _sheet_parts(archive)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        source.problems.append(
            Problem(
                label,
                0,
                "",
                "",
                say(
                    f"not a readable .xlsx workbook ({exc}); save it as 'Excel Workbook (.xlsx)'",
                    f"không đọc được tệp .xlsx ({exc}); hãy lưu dưới dạng 'Excel Workbook (.xlsx)'",
                ),
            )
        )
        return
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet_name in workbook.sheetnames:
            name = _table_name(sheet_name)
            where = f"{label} › {sheet_name}"
            if name.startswith(IGNORED_PREFIX):
                continue
            worksheet = workbook[sheet_name]
            rows = worksheet.iter_rows(values_only=True)
            first = next(rows, None)
            if name not in BY_NAME:
                if first is not None and any(c is not None for c in first):
                    source.problems.append(
                        Problem(
                            where,
                            0,
                            "",
                            "",
                            say(
                                f"unknown sheet; expected {', '.join(BY_NAME)} "
                                f"(name a notes sheet with a leading '{IGNORED_PREFIX}')",
                                f"trang tính không xác định; cần một trong: {', '.join(BY_NAME)} "
                                f"(đặt tên trang ghi chú bắt đầu bằng '{IGNORED_PREFIX}')",
                            ),
                        )
                    )
                continue
            if first is None or not _trim(list(first)):
                source.problems.append(
                    Problem(
                        where,
                        0,
                        "",
                        "",
                        say(
                            "the sheet is empty: row 1 must be the header row",
                            "trang tính trống: dòng 1 phải là dòng tiêu đề",
                        ),
                    )
                )
                continue
            table = Table(name, where, _header(list(first)))
            total = worksheet.max_row or 0  # from the sheet's dimension, when the file records it
            _add_rows(table, ((n, list(r)) for n, r in enumerate(rows, start=2)), progress, total)
            source.tables[name] = table
            _check_part(archive, parts.get(sheet_name, ""), worksheet, table, source.problems)
    finally:
        workbook.close()
        archive.close()


def _check_part(
    archive: zipfile.ZipFile, part: str, worksheet: object, table: Table, problems: list[Problem]
) -> None:
    """Report merged cells and formulas: both hide the values the importer must read."""
    try:
        xml = archive.read(part)
    except KeyError:
        return
    from openpyxl.utils import column_index_from_string

    for m in _MERGE.finditer(xml):
        first_col, first_row, last = m.group(1).decode(), int(m.group(2)), (m.group(3) or b"").decode()
        index = column_index_from_string(first_col) - 1
        column = table.header[index] if index < len(table.header) else first_col
        span = f"{first_col}{first_row}:{last}" if last else f"{first_col}{first_row}"
        problems.append(
            Problem(
                table.source,
                first_row,
                column,
                "",
                say(
                    f"merged cells {span}: unmerge them and write the value in every cell",
                    f"ô bị gộp {span}: hãy bỏ gộp ô và ghi giá trị vào từng ô",
                ),
            )
        )
    if _FORMULA.search(xml):
        for row in worksheet.iter_rows():  # type: ignore[attr-defined]
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    index = cell.column - 1
                    column = table.header[index] if index < len(table.header) else cell.column_letter
                    problems.append(
                        Problem(
                            table.source,
                            cell.row,
                            column,
                            str(cell.value),
                            say(
                                "cell holds a formula: copy the column and paste values only",
                                "ô chứa công thức: sao chép cột và chỉ dán giá trị (Paste Values)",
                            ),
                        )
                    )


# ---------------------------------------------------------------------------------------------------- open


def open_source(path: Path, progress: Progress | None = None) -> Source:
    """Read every table at ``path`` (a folder of CSV files, one .csv file, or one .xlsx workbook).

    ``progress(label, rows_read, total)`` is told how the reading goes (total 0 when not known).

    Raises:
        MelError: the path does not exist or is of a kind the importer does not read.
        ImportValidationError: the folder holds no table at all.
    """
    path = Path(path)
    if not path.exists():
        raise MelError(say(f"{path} does not exist", f"{path} không tồn tại"), hint=GIVE_A_FOLDER)
    with gc_paused():
        return _read_path(path, progress)


def _read_path(path: Path, progress: Progress | None) -> Source:
    source = Source(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise ImportValidationError(
                [
                    Problem(
                        str(path),
                        0,
                        "",
                        "",
                        say(
                            "no .csv files in this folder; expected "
                            + ", ".join(f"{n}.csv" for n in BY_NAME),
                            "thư mục không có tệp .csv nào; cần: " + ", ".join(f"{n}.csv" for n in BY_NAME),
                        ),
                    )
                ],
                str(path),
            )
        for file in files:
            read_csv(file, source, progress)
    elif path.suffix.lower() == ".csv":
        read_csv(path, source, progress)
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        read_xlsx(path, source, progress)
    else:
        raise MelError(
            say(
                f"{path}: cannot import a {path.suffix or 'file without extension'}",
                f"{path}: không nhập được tệp {path.suffix or 'không có phần mở rộng'}",
            ),
            hint=say(
                "Give a folder of CSV files or one .xlsx workbook (save .xls files as .xlsx first).",
                "Hãy chỉ định một thư mục tệp CSV hoặc một tệp .xlsx (tệp .xls cần lưu lại thành .xlsx trước).",
            ),
        )
    return source
