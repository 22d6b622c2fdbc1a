"""Reading one .xlsx workbook, one table per sheet, with openpyxl (read-only) once the file is within limits.

The workbook is checked by :func:`mel_core.limits.check_upload` before openpyxl opens it (zip bombs, DTDs,
nesting); a sheet whose dimension claims more than a worksheet can hold is refused; a sheet is read for the
rows it holds, whatever its dimension says (a stale dimension would cut rows off, a false one would make
millions of empty ones). Whatever openpyxl cannot read is a problem of the file or of the sheet, with the cell
that stopped it when it can be found: never a failure of mel.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from mel_core.errors import Problem
from mel_core.i18n import both, message, render, t
from mel_core.ingest.cells import Raw
from mel_core.ingest.formats import BY_NAME
from mel_core.ingest.tables import (
    IGNORED_PREFIX,
    Progress,
    Source,
    Table,
    add_rows,
    header,
    table_name,
    too_wide,
    trim,
)
from mel_core.limits import SHEET_COLUMNS, SHEET_ROWS, check_upload, not_readable

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3}\d{1,7}))?"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _failures() -> tuple[type[BaseException], ...]:
    """What openpyxl raises on a file it cannot read: its own error, the zip's and the XML parser's, and the
    built-in errors of a value it could not convert (a cell ``<v>NaN</v>`` of a number, a string index
    beyond the table, a date that is none)."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,
        ElementTree.ParseError,
        KeyError,
        IndexError,
        ValueError,
        TypeError,
        AttributeError,
        OSError,
        EOFError,
    )


def read_xlsx(path: Path, source: Source, progress: Progress | None = None) -> None:
    """Read every sheet of the workbook at ``path`` into ``source`` (or add the problems of the file)."""
    import openpyxl  # heavy: only when a workbook is read

    label = path.name
    problems = check_upload(path, "xlsx", name=label, limits=source.limits)
    if problems:
        source.problems.extend(problems)
        return
    failures = _failures()
    with zipfile.ZipFile(path) as archive:  # within limits, so a zip whose directory reads
        try:
            parts = _sheet_parts(archive)
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except failures as exc:
            source.problems.append(Problem(label, 0, "", "", not_readable("xlsx", _reason(exc))))
            return
        try:
            names = set(archive.namelist())
            for (
                sheet_name,
                part,
            ) in parts.items():  # openpyxl leaves out, without a word, a sheet it cannot find
                if part not in names and not table_name(sheet_name).startswith(IGNORED_PREFIX):
                    source.problems.append(Problem(f"{label} › {sheet_name}", 0, "", "", _missing(part)))
            for sheet_name in workbook.sheetnames:
                if parts.get(sheet_name) in names:
                    sheet = _Sheet(
                        workbook, archive, sheet_name, parts[sheet_name], f"{label} › {sheet_name}"
                    )
                    _read_sheet(sheet, source, progress)
        finally:
            workbook.close()


@dataclass
class _Sheet:
    workbook: Any
    archive: zipfile.ZipFile
    name: str
    part: str
    where: str
    stopped_at: int = 0  # the row openpyxl could not read
    error: BaseException | None = None


def _read_sheet(sheet: _Sheet, source: Source, progress: Progress | None) -> None:
    name, where = table_name(sheet.name), sheet.where
    if name.startswith(IGNORED_PREFIX):
        return
    try:
        worksheet = sheet.workbook[sheet.name]
        declared_rows, declared_columns = worksheet.max_row or 0, worksheet.max_column or 0
    except _failures() as exc:
        source.problems.append(Problem(where, 0, "", "", not_readable("xlsx", _reason(exc))))
        return
    if declared_rows > SHEET_ROWS or declared_columns > SHEET_COLUMNS:
        source.problems.append(Problem(where, 0, "", "", _oversized(declared_rows, declared_columns)))
        return
    worksheet.reset_dimensions()  # read the rows there are: a stale dimension cuts rows off, a false one adds
    rows = _until_unreadable(worksheet.iter_rows(values_only=True), sheet)
    first = next(rows, None)
    if name not in BY_NAME:
        if first is not None and any(c is not None for c in first):
            source.problems.append(
                Problem(
                    where,
                    0,
                    "",
                    "",
                    message(
                        "ingest.workbook.unknown_sheet_expected_name",
                        by_name=", ".join(BY_NAME),
                        ignored_prefix=IGNORED_PREFIX,
                    ),
                )
            )
        return
    if not source.claim(name, where, sheet.name):
        return
    if first is None or not trim(list(first)):
        if sheet.error is None:
            source.problems.append(
                Problem(
                    where,
                    0,
                    "",
                    "",
                    message("ingest.workbook.sheet_empty_row_1"),
                )
            )
        else:
            source.problems.append(_unreadable(sheet, []))
        return
    table = Table(name, where, header(list(first)))
    if (wide := too_wide(table, source.limits)) is not None:
        source.problems.append(wide)
        return
    numbered = ((n, list(r)) for n, r in enumerate(rows, start=2))
    add_rows(
        table,
        numbered,
        source.problems,
        source.limits,
        last_row=SHEET_ROWS,
        progress=progress,
        total=declared_rows,  # from the sheet's dimension, when the file records it
    )
    source.tables[name] = table
    if sheet.error is not None:
        source.problems.append(_unreadable(sheet, table.header))
        return
    _check_part(sheet, worksheet, table, source.problems)


def _until_unreadable(rows: Iterator[tuple[Raw, ...]], sheet: _Sheet) -> Iterator[tuple[Raw, ...]]:
    """The rows openpyxl reads, up to the first it cannot (remembered in ``sheet``)."""
    failures = _failures()
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except failures as exc:
            sheet.stopped_at, sheet.error = number + 1, exc
            return
        number += 1
        yield row


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().strip("\"'") or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "…"


def _missing(part: str) -> str:
    if not part:
        return message("ingest.workbook.part_none_missing")
    return message("ingest.workbook.part_missing", part=part)


def _oversized(rows: int, columns: int) -> str:
    return message(
        "ingest.workbook.sheet_declares_rows_columns",
        rows=rows,
        columns=columns,
        sheet_rows=SHEET_ROWS,
        sheet_columns=SHEET_COLUMNS,
    )


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the XML part inside the workbook that holds it."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    parts = {}
    for sheet in workbook.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        parts[sheet.get("name", "")] = posixpath.normpath(target)
    return parts


# ------------------------------------------------------------------------------------------ the cell that stops

_CELL_REF = re.compile(r"^([A-Z]{1,3})([1-9]\d{0,6})$")
#: What the value of a cell of each type must look like (ECMA-376 §18.3.1.4 and §18.18.11)
_VALUE = {
    "n": re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"),
    "b": re.compile(r"^\s*[01]\s*$"),
    "s": re.compile(r"^\s*\d{1,10}\s*$"),
    "d": re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?$|^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
}
_KIND = {
    "n": message("ingest.workbook.number"),
    "b": message("ingest.workbook.true_false"),
    "s": message("ingest.workbook.shared_text"),
    "d": message("ingest.workbook.date"),
}


def _unreadable(sheet: _Sheet, columns: list[str]) -> Problem:
    """The problem of the sheet openpyxl stopped reading: the first cell whose value does not fit its type
    (found by a second, plain reading of the sheet's XML), else the row where it stopped and why."""
    found = _first_bad_cell(sheet)
    if found is None:
        why = _reason(sheet.error) if sheet.error is not None else ""
        reason = not_readable("xlsx", f"the sheet cannot be read from row {sheet.stopped_at} on: {why}")
        return Problem(sheet.where, sheet.stopped_at, "", "", reason)
    ref, kind, value = found
    match = _CELL_REF.match(ref)
    if match is None:
        return Problem(
            sheet.where,
            sheet.stopped_at,
            "",
            ref,
            message("ingest.workbook.cell_s_reference_not"),
        )
    from openpyxl.utils import column_index_from_string

    letters, row = match.group(1), int(match.group(2))
    index = column_index_from_string(letters) - 1
    column = columns[index] if index < len(columns) and columns[index] else letters
    wanted = _KIND[kind]
    return Problem(
        sheet.where,
        row,
        column,
        value,
        both(lambda lang: t("ingest.workbook.stored_as", lang, ref=ref, wanted=render(wanted, lang))),
    )


def _first_bad_cell(sheet: _Sheet) -> tuple[str, str, str] | None:
    """(reference, type, value) of the first cell whose value does not fit its type, or whose reference is
    not a worksheet's; None if every cell fits. The part is within limits and holds no DTD."""
    cell_tag, value_tag = f"{{{_NS['m']}}}c", f"{{{_NS['m']}}}v"
    shared: int | None = None  # counted when a shared text is first met
    try:
        with sheet.archive.open(sheet.part) as stream:
            for _event, element in ElementTree.iterparse(stream):
                if element.tag != cell_tag:
                    continue
                ref, kind = element.get("r", ""), element.get("t", "n")
                value = element.findtext(value_tag)
                if ref and not _CELL_REF.match(ref):
                    return ref, kind, value or ""
                pattern = _VALUE.get(kind)
                if pattern is not None and value is not None and not pattern.match(value):
                    return ref, kind, value
                if kind == "s" and value is not None:
                    shared = _shared_texts(sheet.archive) if shared is None else shared
                    if int(value) >= shared:
                        return ref, kind, value
                element.clear()
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None
    return None


def _shared_texts(archive: zipfile.ZipFile) -> int:
    """How many texts the workbook's shared-strings table holds (0 without one)."""
    if "xl/sharedStrings.xml" not in archive.namelist():
        return 0
    tag = f"{{{_NS['m']}}}si"
    count = 0
    with archive.open("xl/sharedStrings.xml") as stream:
        for _event, element in ElementTree.iterparse(stream):
            if element.tag == tag:
                count += 1
                element.clear()
    return count


# ---------------------------------------------------------------------------------------------- hidden values


def _check_part(sheet: _Sheet, worksheet: Any, table: Table, problems: list[Problem]) -> None:
    """Report merged cells and formulas: both hide the values the importer must read."""
    xml = sheet.archive.read(sheet.part)
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
                message("ingest.workbook.merged_cells_unmerge_them", span=span),
            )
        )
    if _FORMULA.search(xml):
        for row in worksheet.iter_rows():
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
                            message("ingest.workbook.cell_holds_formula_copy"),
                        )
                    )
