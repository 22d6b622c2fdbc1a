"""Properties of ``mel import`` on any input (#19): random bytes as a CSV file or a workbook, random sheet XML,
random cell values. Whatever comes in, ``import_path`` (what ``mel import`` calls) either imports or raises
:class:`ImportValidationError` with located problems: never any other exception, the exit 70 of "a bug in mel".
"""

from __future__ import annotations

import csv
import functools
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from mel_core.errors import ImportValidationError
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import make_engine
from tests.datasets import copy_tables, write_csv, write_xlsx
from tests.hostile_inputs import MAIN, SHEET, rewrite

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One store for every example: what a valid example imports stays, as it would in use."""
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'mel.db'}")
    init_store(eng)
    yield eng
    eng.dispose()


def imports_or_reports(engine: Engine, path: Path) -> None:
    """The property: imported, or refused with problems that say where and why."""
    try:
        import_path(engine, path)
    except ImportValidationError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.source and problem.reason and problem.row >= 0


@functools.cache
def workbook_bytes() -> bytes:
    """The valid workbook (a function, not a fixture: hypothesis would print its 10 KB with every failure)."""
    with tempfile.TemporaryDirectory() as folder:
        return write_xlsx(Path(folder) / "book.xlsx").read_bytes()


# ------------------------------------------------------------------------------------------------ random bytes


@FUZZ
@given(
    data=st.binary(max_size=3_000), name=st.sampled_from(["observations.csv", "survey.csv", "Targets .CSV"])
)
def test_random_bytes_as_a_csv_file(engine, data, name):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / name).write_bytes(data)
        imports_or_reports(engine, Path(folder))


@FUZZ
@given(data=st.data())
def test_random_changes_to_the_bytes_of_a_workbook(engine, data):
    """Bytes changed, cut or inserted anywhere in a valid workbook: its directory, headers or compressed parts."""
    content = bytearray(workbook_bytes())
    for _ in range(data.draw(st.integers(1, 4), label="changes")):
        if not content:
            break
        at = data.draw(st.integers(0, len(content) - 1), label="at")
        change = data.draw(st.sampled_from(["flip", "cut", "insert", "truncate"]), label="change")
        if change == "flip":
            content[at] ^= data.draw(st.integers(1, 255), label="bits")
        elif change == "cut":
            del content[at : at + data.draw(st.integers(1, 64))]
        elif change == "insert":
            content[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            del content[at:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        path.write_bytes(bytes(content))
        imports_or_reports(engine, path)


# ------------------------------------------------------------------------------------------------ random sheets

_texts = st.text(st.characters(codec="utf-8", exclude_characters="<&\x00"), max_size=12)
_values = st.one_of(
    _texts,
    st.sampled_from(
        ["NaN", "inf", "-inf", "1e999", "1e308", "-0", "1e20", "99999999999", "2013", "DB-BSS", ""]
    ),
    st.floats().map(repr),
    st.integers(-(10**25), 10**25).map(str),
)
_cell = st.builds(
    lambda column, kind, value: (column, kind, value),
    st.sampled_from(["A", "B", "C", "D", "E", "F", "G", "H", "ZZ", "XFD", "ZZZZ", "a", ""]),
    st.sampled_from(["n", "s", "b", "d", "e", "str", "inlineStr", "bogus", None]),
    _values,
)


def _sheet(rows: list[tuple[int, list[tuple[str, str | None, str]]]], dimension: str) -> bytes:
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip(
            "ABCDEFGH",
            [
                "programme_code",
                "indicator_code",
                "period",
                "admin_unit",
                "value",
                "disaggregation",
                "source",
                "note",
            ],
            strict=True,
        )
    )
    body = []
    for number, cells in rows:
        out = []
        for column, kind, value in cells:
            kind_attr = f' t="{kind}"' if kind else ""
            inner = f"<is><t>{value}</t></is>" if kind == "inlineStr" else f"<v>{value}</v>"
            out.append(f'<c r="{column}{number}"{kind_attr}>{inner}</c>')
        body.append(f'<row r="{number}">{"".join(out)}</row>')
    xml = (
        f'<worksheet {MAIN.decode()}><dimension ref="{dimension}"/><sheetData><row r="1">{header}</row>'
        f"{''.join(body)}</sheetData></worksheet>"
    )
    return xml.encode("utf-8")


@FUZZ
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 1_100_000), st.lists(_cell, max_size=8)),
        max_size=6,
    ),
    dimension=st.sampled_from(["A1:H6", "A1:H2", "A1:XFD1048576", "A1:H3000000", "A1", "Z9:A1", "bogus"]),
    strings=st.lists(_texts, max_size=3),
)
def test_random_sheet_xml_in_a_valid_workbook(engine, rows, dimension, strings):
    """Cells of any type holding anything (a number cell with NaN, a shared text beyond the table …), rows out
    of order or beyond a worksheet, any dimension: each a problem of the sheet, never a failure."""
    # openpyxl reads rows in the order given, which is not what this is about
    rows = sorted(rows, key=lambda row: row[0])
    shared = "".join(f"<si><t>{t}</t></si>" for t in strings)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        path.write_bytes(workbook_bytes())
        rewrite(
            path,
            {
                SHEET["observations"]: _sheet(rows, dimension),
                "xl/sharedStrings.xml": f"<sst {MAIN.decode()}>{shared}</sst>".encode(),
            },
        )
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
        imports_or_reports(engine, path)


# ------------------------------------------------------------------------------------------------ random cells

_cell_values = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.text(st.sampled_from("\x00\x01\x07\x0b\x1b\x7f\x85\u202e\r\n\t=+-@\"',;"), max_size=6),
    st.sampled_from(["=1+1", '=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "'=x", "\t=1"]),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e20, 1e308, -1e308, 2**31, 2**63, 5e-324]),
    st.booleans(),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2300, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2200, 1, 1)),
)
#: Every (table, column) of the valid dataset that a change may hit: typed columns get typed-looking values half
#: the time, so that many examples are valid but for one value and go on to be written (where 1e20 failed).
_columns = [(table, index) for table, rows in copy_tables().items() for index in range(len(rows[0]))]
_places = st.lists(
    st.tuples(
        st.sampled_from(_columns),
        st.integers(0, 6),  # 0: the header (clamped to the table's last row)
        st.one_of(_cell_values, st.integers(-(10**22), 10**22), st.floats(-1e310, 1e310)),
    ),
    min_size=1,
    max_size=3,
)


def _changed(places: list[tuple[tuple[str, int], int, object]]) -> dict[str, list[list[object]]]:
    tables = copy_tables()
    for (table, column), row, value in places:
        rows = tables[table]
        rows[min(row, len(rows) - 1)][column] = value
    return tables


@FUZZ
@given(places=_places)
def test_random_cell_values_in_csv_files(engine, places):
    tables = _changed(places)
    for rows in tables.values():
        for line in rows:
            line[:] = ["" if v is None else v for v in line]
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = write_csv(Path(folder) / "csv", tables)
        except csv.Error:  # a value the csv module itself will not write
            return
        imports_or_reports(engine, path)


@FUZZ
@given(places=_places)
def test_random_cell_values_in_a_workbook(engine, places):
    from openpyxl.utils.exceptions import IllegalCharacterError

    with tempfile.TemporaryDirectory() as folder:
        try:
            path = write_xlsx(Path(folder) / "book.xlsx", _changed(places))
        except (IllegalCharacterError, ValueError, TypeError, OverflowError):  # what openpyxl will not write
            return
        imports_or_reports(engine, path)
