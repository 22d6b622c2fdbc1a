"""Hostile inputs for ``mel import``, made by code (no blobs): each is a case of tests/test_hostile_input.py.

A case writes one file or folder into an empty folder and says which words the error message must hold. The
workbooks start from the valid dataset of :mod:`tests.datasets` (written by openpyxl) with one part rewritten,
so that what makes the case hostile is the only thing wrong with it.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tests.datasets import copy_tables, write_csv, write_xlsx

Tables = dict[str, list[list[object]]]

#: The part of each sheet in a workbook written by :func:`tests.datasets.write_xlsx` (one per table, in order).
SHEET = {
    name: f"xl/worksheets/sheet{n}.xml"
    for n, name in enumerate(
        ("programmes", "indicators", "targets", "observations", "expenditures", "activities", "survey"),
        start=1,
    )
}
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@dataclass(frozen=True)
class Case:
    """One hostile input: ``build(folder)`` writes it and returns the path to import."""

    id: str
    build: Callable[[Path], Path]
    expect: tuple[str, ...]  # words the error output must hold (English)
    env: dict[str, str] = field(default_factory=dict)  # settings for the run (a lowered limit)


def _set(tables: Tables, table: str, row: int, column: str, value: object) -> Tables:
    header = tables[table][0]
    tables[table][row - 1][header.index(column)] = value
    return tables


def csv_with(table: str, row: int, column: str, value: object) -> Callable[[Path], Path]:
    """A folder of the valid CSV files with one cell changed."""
    return lambda folder: write_csv(folder / "csv", _set(copy_tables(), table, row, column, value))


def xlsx_with(table: str, row: int, column: str, value: object) -> Callable[[Path], Path]:
    """The valid workbook with one cell changed (written by openpyxl)."""
    return lambda folder: write_xlsx(folder / "book.xlsx", _set(copy_tables(), table, row, column, value))


def rewrite(path: Path, parts: dict[str, bytes | None]) -> Path:
    """The workbook at ``path`` with ``parts`` replaced (None: removed) or added."""
    with zipfile.ZipFile(path) as old:
        kept = {info.filename: old.read(info) for info in old.infolist() if info.filename not in parts}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in kept.items():
            new.writestr(name, data)
        for name, data in parts.items():
            if data is not None:
                new.writestr(name, data)
    return path


def xlsx_part(parts: Callable[[], dict[str, bytes | None]]) -> Callable[[Path], Path]:
    """The valid workbook with some of its parts rewritten."""
    return lambda folder: rewrite(write_xlsx(folder / "book.xlsx"), parts())


def sheet_xml(rows: bytes, *, dimension: bytes = b"A1:E3", before: bytes = b"") -> bytes:
    """A worksheet part holding ``rows`` (``<row>`` elements) under the header of the expenditures table."""
    header = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (col, name)
        for col, name in zip(
            (b"A", b"B", b"C", b"D", b"E"),
            (b"programme_code", b"period", b"source", b"planned_million_vnd", b"disbursed_million_vnd"),
            strict=True,
        )
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>%s<worksheet %s><dimension ref="%s"/><sheetData>'
        b'<row r="1">%s</row>%s</sheetData></worksheet>' % (before, MAIN, dimension, header, rows)
    )


def expenditure_row(number: int, planned: bytes, *, kind: bytes = b"n") -> bytes:
    """One row of the expenditures sheet whose planned money is the raw cell text ``planned``."""
    return (
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>DB-BSS</t></is></c>'
        b'<c r="B%d" t="inlineStr"><is><t>2013</t></is></c><c r="C%d" t="inlineStr"><is><t>donor</t></is></c>'
        b'<c r="D%d" t="%s"><v>%s</v></c></row>' % (number, number, number, number, number, kind, planned)
    )


def expenditures_sheet(xml: bytes) -> Callable[[Path], Path]:
    return xlsx_part(lambda: {SHEET["expenditures"]: xml})


# ------------------------------------------------------------------------------------------------- zip bombs


def deflated_zeros(size: int) -> bytes:
    """A raw deflate stream that inflates to ``size`` zero bytes (a multiple of 1 MiB), made without compressing
    them all: after a full flush the compressor starts afresh, so every MiB compresses to the same bytes."""
    mib = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * (size // mib) + compressor.flush()


def with_raw_part(path: Path, name: str, deflated: bytes, size: int) -> Path:
    """Add the part ``name`` to the zip at ``path`` from an already deflated stream that inflates to ``size``
    bytes. Its CRC is left 0: the stream is refused before it is inflated, so the CRC is never checked."""
    with zipfile.ZipFile(path) as old:
        kept = [(info, old.read(info)) for info in old.infolist() if info.filename != name]
    with path.open("wb") as out:
        entries = []
        for info, data in kept:
            entries.append(
                _local(out, info.filename.encode(), zlib.compress(data)[2:-4], len(data), zlib.crc32(data))
            )
        entries.append(_local(out, name.encode(), deflated, size, 0))
        start = out.tell()
        for offset, encoded, compressed, length, crc in entries:
            out.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0,
                    8,
                    0,
                    0,
                    crc,
                    compressed,
                    length,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + encoded
            )
        end = out.tell()
        out.write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), end - start, start, 0)
        )
    return path


def _local(
    out: BinaryIO, name: bytes, deflated: bytes, size: int, crc: int
) -> tuple[int, bytes, int, int, int]:
    offset = out.tell()
    header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), size, len(name), 0)
    out.write(header + name + deflated)
    return offset, name, len(deflated), size, crc


def zip_bomb(size: int) -> Callable[[Path], Path]:
    """The valid workbook whose expenditures sheet inflates to ``size`` bytes of zeros."""

    def build(folder: Path) -> Path:
        return with_raw_part(
            write_xlsx(folder / "bomb.xlsx"), SHEET["expenditures"], deflated_zeros(size), size
        )

    return build


# ------------------------------------------------------------------------------------------------- CSV folders


def csv_text(table: str, text: str) -> Callable[[Path], Path]:
    """The valid CSV folder with one file's text replaced."""

    def build(folder: Path) -> Path:
        path = write_csv(folder / "csv")
        (path / f"{table}.csv").write_text(text, encoding="utf-8")
        return path

    return build


def csv_edit(table: str, edit: Callable[[str], str]) -> Callable[[Path], Path]:
    """The valid CSV folder with one file's text edited."""

    def build(folder: Path) -> Path:
        path = write_csv(folder / "csv")
        file = path / f"{table}.csv"
        file.write_text(edit(file.read_text(encoding="utf-8")), encoding="utf-8")
        return path

    return build


def a_directory_named(name: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = write_csv(folder / "csv")
        (path / name).unlink(missing_ok=True)
        (path / name).mkdir()
        return path

    return build


def a_copy_named(table: str, name: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = write_csv(folder / "csv")
        shutil.copy(path / f"{table}.csv", path / name)
        return path

    return build


def bytes_as(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return build


def a_special_file(name: str, make: Callable[[Path], None]) -> Callable[[Path], Path]:
    """The valid CSV folder with the file ``name`` replaced by what ``make`` creates (a FIFO, a link)."""

    def build(folder: Path) -> Path:
        path = write_csv(folder / "csv")
        (path / name).unlink()
        make(path / name)
        return path

    return build


def quote_closed_later(text: str) -> str:
    """observations.csv with a quote opened in row 2's note (its last cell) and closed by chance at the end of
    row 4's: rows 3 and 4 would become part of that note."""
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    lines[1] += '"ghi chú'
    lines[3] += '"'
    return "\n".join(lines)


def with_flag(path: Path, part: str, flag: int) -> Path:
    """The zip at ``path`` with general-purpose ``flag`` set on ``part`` in both of its headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(part).header_offset
    data[local + 6] |= flag
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + length]) == part.encode():
            data[central + 8] |= flag
        central = data.find(b"PK\x01\x02", central + 46)
    path.write_bytes(bytes(data))
    return path


def with_part(part: str, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = write_xlsx(folder / "book.xlsx")
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(part, data, compress_type=method)
        return path

    return build


def two_sheets_for(table: str, second: str) -> Callable[[Path], Path]:
    """The valid workbook with a copy of ``table``'s sheet named ``second`` (``Targets `` for ``targets``)."""

    def build(folder: Path) -> Path:
        from openpyxl import load_workbook

        path = write_xlsx(folder / "book.xlsx")
        workbook = load_workbook(path)
        workbook.copy_worksheet(workbook[table]).title = second
        workbook.save(path)
        return path

    return build


def deeply_nested(levels: int) -> bytes:
    """``levels`` nested elements with names that do not repeat, so the part compresses no better than a
    sheet does (a ratio near 3): only its depth gives it away."""
    rng = random.Random(19)
    names = [b"e%x" % rng.getrandbits(48) for _ in range(levels)]
    return b"".join(b"<%s>" % n for n in names) + b"".join(b"</%s>" % n for n in reversed(names))


def billion_laughs() -> bytes:
    entities = b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10 if i > 1 else b"lol") for i in range(1, 10)
    )
    return b"<!DOCTYPE worksheet [" + entities + b"]>"


def shared_strings(count: int, declared: int | None = None) -> bytes:
    counted = b' uniqueCount="%d"' % declared if declared is not None else b""
    texts = b"".join(b"<si><t>t%d</t></si>" % n for n in range(count))
    return b"<sst %s%s>%s</sst>" % (MAIN, counted, texts)


def _cell_row(number: int, cells: bytes) -> bytes:
    return b'<row r="%d">%s</row>' % (number, cells)


def _not_utf8(folder: Path) -> Path:
    path = write_csv(folder / "csv")
    # Windows-1258 writes Vietnamese with combining tone marks: what an old Excel saves as "CSV"
    (path / "programmes.csv").write_bytes(
        unicodedata.normalize("NFD", "code,title\nX,Nuôi bò\n").encode("cp1258", errors="replace")
    )
    return path


def _binary(folder: Path) -> Path:
    path = write_csv(folder / "csv")
    (path / "survey.csv").write_bytes(bytes(range(256)) * 64)
    return path


CSV_CASES = [
    Case("count-1e20", csv_with("programmes", 3, "households", "1e20"), ("households", "2,147,483,647")),
    Case("count-1e308", csv_with("activities", 2, "participants_households", "1e308"), ("2,147,483,647",)),
    Case(
        "money-1e308",
        csv_with("expenditures", 2, "planned_million_vnd", "1e308"),
        ("planned_million_vnd", "larger than 1,000,000,000,000"),
    ),
    Case("nul-in-text", csv_with("programmes", 3, "title", "Nuôi bò\x00 sinh sản"), ("title", "U+0000")),
    Case("escape-in-text", csv_with("observations", 2, "note", "\x1b]0;pwned\x07"), ("note", "U+001B")),
    Case(
        "folder-named-like-a-table", a_directory_named("observations.csv"), ("observations.csv", "not a file")
    ),
    Case("fifo-named-like-a-table", a_special_file("targets.csv", os.mkfifo), ("targets.csv", "not a file")),
    Case(
        "link-to-dev-zero",
        a_special_file("survey.csv", lambda p: p.symlink_to("/dev/zero")),
        ("survey.csv", "not a file"),
    ),
    Case(
        "file-names-differ-by-case",
        a_copy_named("programmes", "PROGRAMMES.csv"),
        ("PROGRAMMES.csv holds the table programmes already",),
    ),
    Case(
        "file-names-differ-by-a-space",
        a_copy_named("targets", "targets .csv"),
        ("holds the table targets already",),
    ),
    Case(
        "quote-never-closed",
        csv_edit("programmes", lambda t: t.replace("GOPA,Chương", 'GOPA,"Chương', 1)),
        ("programmes.csv, row 2", "never closed"),
    ),
    Case(
        "quote-closed-lines-later",
        csv_edit("observations", quote_closed_later),
        ("observations.csv, row 2", "read as 2 row(s) of the table"),
    ),
    Case(
        "quote-then-text",
        csv_edit("programmes", lambda t: t.replace("GOPA,Chương trình", 'GOPA,"Chương" trình', 1)),
        ("more text follows",),
    ),
    Case(
        "line-break-in-a-number",
        csv_edit("targets", lambda t: t.replace(",30,", ',"30\n31",', 1)),
        ("targets.csv, row 2, column 'value'", "line break"),
    ),
    Case(
        "field-over-the-csv-limit",
        csv_with("programmes", 3, "title", "x" * 5_000),
        ("programmes.csv, row 3", "field larger than field limit (1000)"),
        {"MEL_LIMIT_CSV_FIELD_CHARS": "1000"},
    ),
    Case(
        "cell-over-the-limit",
        csv_with("programmes", 3, "title", "Mô hình " * 100),
        ("title", "more than 100 characters"),
        {"MEL_LIMIT_CELL_CHARS": "100"},
    ),
    Case(
        "file-over-the-limit",
        csv_with("observations", 2, "note", "ghi chú " * 150_000),
        ("observations.csv", "at most 1,048,576 are read"),
        {"MEL_LIMIT_FILE_MB": "1"},
    ),
    Case(
        "rows-over-the-limit",
        lambda folder: write_csv(folder / "csv"),
        ("observations.csv, row 5", "more than 3 rows"),
        {"MEL_LIMIT_ROWS": "3"},
    ),
    Case(
        "columns-over-the-limit",
        csv_text("targets", ",".join(f"c{n}" for n in range(2_000)) + "\n1\n"),
        ("targets.csv, row 1", "2,000 columns; at most 1,000"),
    ),
    Case("not-utf8", _not_utf8, ("programmes.csv, row 2", "not UTF-8")),
    Case("binary-as-csv", _binary, ("survey.csv", "not UTF-8")),
]


NOT_A_WORKBOOK = "not a readable .xlsx workbook"
XLSX_CASES = [
    Case("nan-in-a-number-cell", expenditures_sheet(sheet_xml(expenditure_row(2, b"NaN"))), ("D2", "'NaN'")),
    Case(
        "not-a-date-in-a-date-cell",
        expenditures_sheet(sheet_xml(expenditure_row(2, b"yesterday", kind=b"d"))),
        ("stored as a date",),
    ),
    Case(
        "shared-text-beyond-the-table",
        expenditures_sheet(sheet_xml(expenditure_row(2, b"99", kind=b"s"))),
        ("stored as a shared text",),
    ),
    Case(
        "billion-laughs",
        expenditures_sheet(sheet_xml(expenditure_row(2, b"&lol9;", kind=b"str"), before=billion_laughs())),
        ("declares a DTD",),
    ),
    Case(
        "external-entity",
        expenditures_sheet(
            sheet_xml(
                expenditure_row(2, b"&x;", kind=b"str"),
                before=b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
            )
        ),
        ("declares a DTD",),
    ),
    Case(
        "truncated-sheet",
        expenditures_sheet(sheet_xml(expenditure_row(2, b"1"))[:-40]),
        (NOT_A_WORKBOOK, "cannot be read from row 2"),
    ),
    Case(
        "deep-nesting", expenditures_sheet(sheet_xml(deeply_nested(100_000))), ("more than 100 levels deep",)
    ),
    Case("zip-bomb-3-gb", zip_bomb(3 << 30), ("would inflate to 3,2", "at most 2,147,483,648")),
    Case("zip-bomb-ratio", zip_bomb(64 << 20), ("would inflate 1,0", "times")),
    Case(
        "unpacked-over-the-limit",
        with_part("xl/media/image1.png", random.Random(19).randbytes(3 << 19)),
        ("would inflate to", "at most 1,048,576"),
        {"MEL_LIMIT_UNPACKED_MB": "1"},
    ),
    Case(
        "encrypted-part",
        lambda folder: with_flag(write_xlsx(folder / "book.xlsx"), SHEET["targets"], 0x1),
        (NOT_A_WORKBOOK, "encrypted"),
    ),
    Case(
        "shared-strings-count-declared",
        xlsx_part(lambda: {"xl/sharedStrings.xml": shared_strings(1, declared=4_000_000_000)}),
        ("4,000,000,000 shared texts",),
    ),
    Case(
        "two-million-rows-declared",
        expenditures_sheet(sheet_xml(expenditure_row(2, b"1"), dimension=b"A1:E2000000")),
        ("2,000,000 rows", "more than a worksheet can hold"),
    ),
    Case(
        "row-beyond-a-worksheet",
        expenditures_sheet(sheet_xml(expenditure_row(2, b"1") + expenditure_row(1_500_000, b"2"))),
        ("row 1,048,577 is beyond the last row",),
    ),
    Case(
        "cell-far-right",
        expenditures_sheet(sheet_xml(_cell_row(2, b'<c r="ZZZ2" t="inlineStr"><is><t>x</t></is></c>'))),
        ("18,278 columns; at most 1,000",),
    ),
    Case(
        "cell-reference-beyond-a-worksheet",
        expenditures_sheet(sheet_xml(_cell_row(2, b'<c r="ZZZZ2" t="inlineStr"><is><t>x</t></is></c>'))),
        ("'ZZZZ2'", "not one of a worksheet"),
    ),
    Case("sheet-part-missing", xlsx_part(lambda: {SHEET["activities"]: None}), ("activities", "is missing")),
    Case("workbook-part-missing", xlsx_part(lambda: {"xl/workbook.xml": None}), (NOT_A_WORKBOOK,)),
    Case(
        "two-sheets-for-one-table",
        two_sheets_for("targets", "Targets "),
        ("› Targets ", "holds the table targets already"),
    ),
    Case(
        "rows-over-the-limit-in-a-sheet",
        lambda folder: write_xlsx(folder / "book.xlsx"),
        ("book.xlsx › observations, row 4", "more than 2 rows"),
        {"MEL_LIMIT_ROWS": "2"},
    ),
    Case(
        "cell-over-the-limit-in-a-sheet",
        xlsx_with("programmes", 2, "title", "Chương trình " * 20),
        ("book.xlsx › programmes, row 2, column 'title'", "more than 50 characters"),
        {"MEL_LIMIT_CELL_CHARS": "50"},
    ),
    Case("empty-file", bytes_as("book.xlsx", b""), (NOT_A_WORKBOOK,)),
    Case(
        "old-or-password-protected",
        bytes_as("book.xlsx", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(1024)),
        (NOT_A_WORKBOOK, "saved with a password"),
    ),
]

CASES = CSV_CASES + XLSX_CASES
