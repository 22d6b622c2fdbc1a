"""Bad input: every problem is reported with file or sheet, row, column, value and reason; nothing is written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mel_core.errors import ImportValidationError, Problem
from mel_core.i18n import Text
from mel_core.ingest import cells, import_path
from mel_core.ingest.formats import TABLES
from mel_core.ingest.sources import Source, Table
from mel_core.ingest.validate import Known, validate
from tests.datasets import copy_tables, write_csv, write_xlsx
from tests.test_import import snapshot

Tables = dict[str, list[list[object]]]


def _set(table: str, row: int, column: str, value: object) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        header = tables[table][0]
        tables[table][row - 1][header.index(column)] = value

    return change


def _drop_column(table: str, column: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        index = tables[table][0].index(column)
        for row in tables[table]:
            del row[index]

    return change


def _rename_column(table: str, old: str, new: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        header = tables[table][0]
        header[header.index(old)] = new

    return change


def _append(table: str, row: list[object]) -> Callable[[Tables], None]:
    return lambda tables: tables[table].append(row)


def _duplicate(table: str, row: int) -> Callable[[Tables], None]:
    return lambda tables: tables[table].append(list(tables[table][row - 1]))


CASES = [
    (
        "missing-header",
        _drop_column("programmes", "sector"),
        ("programmes.csv", 1, "sector", "missing from the header"),
    ),
    (
        "misspelt-header",
        _rename_column("indicators", "unit", "units"),
        ("indicators.csv", 1, "units", "unknown column"),
    ),
    (
        "unknown-column",
        _rename_column("activities", "title", "colour"),
        ("activities.csv", 1, "colour", "unknown column"),
    ),
    (
        "not-a-number",
        _set("observations", 2, "value", "ba mươi"),
        ("observations.csv", 2, "value", "expected a number"),
    ),
    (
        "thousands",
        _set("expenditures", 2, "planned_million_vnd", "1.234,5"),
        ("expenditures.csv", 2, "planned_million_vnd", "thousands separators"),
    ),
    (
        "negative-money",
        _set("expenditures", 3, "disbursed_million_vnd", "-55"),
        ("expenditures.csv", 3, "disbursed_million_vnd", "must not be negative"),
    ),
    (
        "negative-count",
        _set("activities", 2, "participants_households", "-1"),
        ("activities.csv", 2, "participants_households", "must not be negative"),
    ),
    (
        "unknown-programme",
        _set("targets", 3, "programme_code", "NO-SUCH"),
        ("targets.csv", 3, "programme_code", "unknown programme"),
    ),
    (
        "unknown-indicator",
        _set("observations", 4, "indicator_code", "GHOST"),
        ("observations.csv", 4, "indicator_code", "unknown indicator of programme DB-BSS"),
    ),
    (
        "duplicate-key",
        _duplicate("observations", 3),
        (
            "observations.csv",
            7,
            "programme_code, indicator_code, period, admin_unit, disaggregation",
            "duplicate of row 3",
        ),
    ),
    ("duplicate-programme", _duplicate("programmes", 2), ("programmes.csv", 4, "code", "duplicate of row 2")),
    (
        "bad-period",
        _set("observations", 2, "period", "2013-Q5"),
        ("observations.csv", 2, "period", "is not a period"),
    ),
    (
        "backwards-span",
        _set("targets", 3, "period", "2015-2011"),
        ("targets.csv", 3, "period", "must end after"),
    ),
    (
        "bad-date",
        _set("programmes", 3, "start_date", "01/01/2011"),
        ("programmes.csv", 3, "start_date", "YYYY-MM-DD"),
    ),
    (
        "no-such-day",
        _set("activities", 2, "planned_date", "2012-02-30"),
        ("activities.csv", 2, "planned_date", "no such day"),
    ),
    (
        "ends-before-start",
        _set("programmes", 3, "end_date", "2010-12-31"),
        ("programmes.csv", 3, "end_date", "ends before start_date"),
    ),
    (
        "unknown-province",
        _set("programmes", 3, "provinces", "11;99"),
        ("programmes.csv", 3, "provinces", "unknown province code(s) 99"),
    ),
    (
        "unknown-admin-unit",
        _set("observations", 4, "admin_unit", "63"),
        ("observations.csv", 4, "admin_unit", "unknown admin-unit code '63'"),
    ),
    (
        "unknown-sector",
        _set("programmes", 3, "sector", "livestok"),
        ("programmes.csv", 3, "sector", "must be one of"),
    ),
    (
        "bad-boolean",
        _set("indicators", 2, "cumulative", "maybe"),
        ("indicators.csv", 2, "cumulative", "true, false"),
    ),
    (
        "required-empty",
        _set("indicators", 3, "name", " "),
        ("indicators.csv", 3, "name", "required value is empty"),
    ),
    (
        "range-upside-down",
        _set("targets", 4, "value_high", "10"),
        ("targets.csv", 4, "value_high", "top of a range"),
    ),
    (
        "unknown-parent",
        _set("programmes", 3, "parent_code", "NOPE"),
        ("programmes.csv", 3, "parent_code", "unknown programme"),
    ),
    (
        "own-parent",
        _set("programmes", 3, "parent_code", "DB-BSS"),
        ("programmes.csv", 3, "parent_code", "its own parent"),
    ),
    (
        "unknown-objective",
        _set("indicators", 2, "objective", "7"),
        ("indicators.csv", 2, "objective", "no such objective"),
    ),
    (
        "group-switch",
        _set("survey", 3, "group", "comparison"),
        ("survey.csv", 3, "group", "respondent H001 is in group"),
    ),
    (
        "survey-not-number",
        _set("survey", 2, "income_million_vnd", "mười"),
        ("survey.csv", 2, "income_million_vnd", "expected a number"),
    ),
    (
        "survey-variable-name",
        _rename_column("survey", "poor", "Poor Household"),
        ("survey.csv", 1, "Poor Household", "survey variable name"),
    ),
    (
        "bad-disaggregation",
        _set("observations", 3, "disaggregation", "female"),
        ("observations.csv", 3, "disaggregation", "key=value"),
    ),
    (
        "value-without-header",
        _append("expenditures", ["DB-BSS", "2013", "donor", "1", "1", "extra"]),
        ("expenditures.csv", 4, "column 6", "without a header"),
    ),
    ("bad-code", _set("activities", 3, "code", "A 2"), ("activities.csv", 3, "code", "without spaces")),
    # numbers beyond what the store holds (#19: OverflowError writing SQLite INTEGER was exit 70)
    (
        "count-1e20",
        _set("programmes", 3, "households", "1e20"),
        ("programmes.csv", 3, "households", "2,147,483,647"),
    ),
    (
        "count-1e308",
        _set("activities", 2, "participants_officials", "1e308"),
        ("activities.csv", 2, "participants_officials", "2,147,483,647"),
    ),
    (
        "count-over-32-bits",
        _set("programmes", 3, "villages", "2147483648"),
        ("programmes.csv", 3, "villages", "2,147,483,647"),
    ),
    (
        "money-1e308",
        _set("expenditures", 2, "planned_million_vnd", "1e308"),
        ("expenditures.csv", 2, "planned_million_vnd", "larger than 1,000,000,000,000"),
    ),
    (
        "area-1e13",
        _set("programmes", 3, "area_ha", "1e13"),
        ("programmes.csv", 3, "area_ha", "check the unit"),
    ),
    # control characters in text (#19: a NUL byte was stored)
    (
        "nul-in-text",
        _set("programmes", 3, "title", "Nuôi\x00bò"),
        ("programmes.csv", 3, "title", "control character (U+0000)"),
    ),
    (
        "escape-in-a-list",
        _set("programmes", 2, "donors", "DANIDA;\x1b[2J"),
        ("programmes.csv", 2, "donors", "U+001B"),
    ),
    (
        "bidi-in-a-note",
        _set("observations", 4, "note", "\u202eabc"),
        ("observations.csv", 4, "note", "U+202E"),
    ),
    (
        "lone-carriage-return",
        _set("activities", 3, "title", "Hội\rthảo"),
        ("activities.csv", 3, "title", "U+000D"),
    ),
]


@pytest.fixture
def loaded(sqlite_engine, tmp_path):
    """A store that already holds the valid dataset: a failed import must leave it exactly so."""
    import_path(sqlite_engine, write_csv(tmp_path / "good"))
    return sqlite_engine


def _problems(engine, path: Path) -> list[Problem]:
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as info:
        import_path(engine, path)
    assert snapshot(engine) == before, "a failed import changed the store"
    problems = info.value.problems
    untranslated = [p for p in problems if not (isinstance(p.reason, Text) and p.reason.vi != str(p.reason))]
    assert not untranslated, "every reason is written in Vietnamese too:\n" + "\n".join(
        map(str, untranslated)
    )
    return problems


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_is_reported_precisely_and_nothing_is_written(loaded, tmp_path, change, expected):
    tables = copy_tables()
    change(tables)
    problems = _problems(loaded, write_csv(tmp_path / "bad", tables))
    source, row, column, reason = expected
    matching = [
        p for p in problems if (p.source, p.row, p.column) == (source, row, column) and reason in p.reason
    ]
    assert matching, f"expected {expected}, got:\n" + "\n".join(map(str, problems))


def test_every_problem_in_every_file_is_listed_at_once(engine, tmp_path):
    """On SQLite and PostgreSQL: three files with problems, all reported, nothing written."""
    import_path(engine, write_csv(tmp_path / "good"))
    tables = copy_tables()
    _set("observations", 2, "value", "x")(tables)
    _set("expenditures", 2, "planned_million_vnd", "-1")(tables)
    _set("programmes", 3, "sector", "fishing")(tables)
    _set("survey", 5, "year", "20155")(tables)
    problems = _problems(engine, write_csv(tmp_path / "bad", tables))
    where = {(p.source, p.row, p.column) for p in problems}
    assert where == {
        ("programmes.csv", 3, "sector"),
        ("observations.csv", 2, "value"),
        ("expenditures.csv", 2, "planned_million_vnd"),
        ("survey.csv", 5, "year"),
    }
    assert str(problems[0]).startswith("programmes.csv, row 3, column 'sector': must be one of")


def test_a_file_that_is_not_utf8(loaded, tmp_path):
    import csv
    import io
    import unicodedata

    buffer = io.StringIO()
    csv.writer(buffer).writerows(copy_tables()["programmes"])
    folder = tmp_path / "bad"
    folder.mkdir()
    # Windows-1258 writes Vietnamese with combining tone marks: what an old Excel saves as "CSV"
    data = unicodedata.normalize("NFD", buffer.getvalue()).encode("cp1258", errors="replace")
    (folder / "programmes.csv").write_bytes(data)
    problems = _problems(loaded, folder)
    assert [(p.source, p.row) for p in problems] == [("programmes.csv", 2)]
    assert "not UTF-8" in problems[0].reason and "CSV UTF-8" in problems[0].reason


def test_an_empty_file_and_an_unknown_file(loaded, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "observations.csv").write_bytes(b"")
    (folder / "budget.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    problems = _problems(loaded, folder)
    reasons = {p.source: p.reason for p in problems}
    assert "the file is empty" in reasons["observations.csv"]
    assert "unknown table file" in reasons["budget.csv"]


def test_a_workbook_with_formulas_and_merged_cells(loaded, tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "bad.xlsx")
    workbook = load_workbook(path)
    workbook["expenditures"]["E3"] = "=D3*1.1"
    workbook["activities"].merge_cells("D2:D3")
    workbook.create_sheet("_notes")["A1"] = "ghi chú: bảng này bị bỏ qua"
    workbook.create_sheet("Sheet1")["A1"] = "not ours"
    workbook.save(path)
    problems = _problems(loaded, path)
    found = {(p.source, p.row, p.column): p.reason for p in problems}
    assert "formula" in found[("bad.xlsx › expenditures", 3, "disbursed_million_vnd")]
    assert "merged cells D2:D3" in found[("bad.xlsx › activities", 2, "title")]
    assert "unknown sheet" in found[("bad.xlsx › Sheet1", 0, "")]
    assert len(problems) == 3


def test_an_empty_workbook_sheet_and_a_workbook_that_is_not_one(loaded, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "empty.xlsx"
    workbook = Workbook()
    workbook.active.title = "targets"
    workbook.save(path)
    assert "the sheet is empty" in _problems(loaded, path)[0].reason
    fake = tmp_path / "fake.xlsx"
    fake.write_text("this is not a zip", encoding="utf-8")
    assert "not a readable .xlsx" in _problems(loaded, fake)[0].reason


# --------------------------------------------------------------------------- properties of row validation

known = Known(admin_units={"VN", "11", "44"}, programmes={"P"}, indicators={("P", "I")})
cell_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell_values, min_size=0, max_size=9), max_size=6))
def test_any_rows_give_records_or_located_problems_never_a_crash(rows):
    fmt = TABLES[3]  # observations: numbers, periods, admin units, disaggregation
    table = Table(
        "observations", "observations.csv", fmt.names, [(n, list(r)) for n, r in enumerate(rows, 2)]
    )
    batch = validate(Source(Path("."), {"observations": table}), known)
    for problem in batch.problems:
        assert problem.source == "observations.csv"
        assert problem.row == 0 or 1 <= problem.row <= len(rows) + 1
        assert problem.reason
    if not batch.problems:
        for record in batch.rows("observations"):
            assert isinstance(record["value"], float)
            assert record["admin_unit"] in known.admin_units


@given(st.text(max_size=20))
def test_a_number_cell_is_a_finite_float_or_a_reason(text):
    try:
        value = cells.number(text)
    except cells.CellError as exc:
        assert exc.reason
    else:
        assert value == value and abs(value) != float("inf")
        assert value == float(text.strip())


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_survive_the_csv_round_trip(value):
    from mel_core.ingest.export import cell_text

    assert cells.number(cell_text(value)) == value


def test_a_csv_field_over_the_limit_is_a_problem_of_its_row_not_a_failure_of_mel(tmp_path, monkeypatch):
    """The csv module's own limit (131,072 characters) raised an error that mel reported as its own bug (#19)."""
    from mel_core.errors import ImportValidationError
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine
    from tests.datasets import copy_tables, write_csv
    from tests.test_cli import run_mel

    tables = copy_tables()
    title = tables["programmes"][0].index("title")
    tables["programmes"][2][title] = "Mô hình " + "x" * 200_000  # over the csv module's default, within ours
    folder = write_csv(tmp_path / "long", tables)
    engine = make_engine(f"sqlite:///{tmp_path / 'mel.db'}")
    init_store(engine)
    import_path(engine, folder)  # read and stored
    monkeypatch.setenv("MEL_LIMIT_CSV_FIELD_CHARS", "100000")
    with pytest.raises(ImportValidationError) as refused:
        import_path(engine, folder)
    [problem] = [p for p in refused.value.problems if p.source == "programmes.csv"]
    assert problem.row == 3 and "field larger than field limit (100000)" in problem.render("en")
    engine.dispose()
    cli = run_mel("import", str(folder), "--dry-run", home=tmp_path, MEL_LIMIT_CSV_FIELD_CHARS="100000")
    assert cli.returncode == 65 and "programmes.csv, row 3" in cli.stderr, cli.stderr


# --------------------------------------------------------------------------- files and sheets given twice (#19)


def test_two_files_for_one_table_are_an_error_naming_both(loaded, tmp_path):
    """programmes.csv and PROGRAMMES.csv (or a name with a space before .csv) were one table read twice: the
    rows of one were lost without a word."""
    import shutil

    folder = write_csv(tmp_path / "bad")
    shutil.copy(folder / "programmes.csv", folder / "PROGRAMMES.csv")
    shutil.copy(folder / "targets.csv", folder / "Targets .csv")
    problems = _problems(loaded, folder)
    found = {p.source: p for p in problems}
    assert "PROGRAMMES.csv holds the table programmes already" in found["programmes.csv"].reason
    assert "Targets .csv holds the table targets already" in found["targets.csv"].reason
    assert len(problems) == 2


def test_two_sheets_for_one_table_are_an_error_naming_both(loaded, tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "bad.xlsx")
    workbook = load_workbook(path)
    workbook.copy_worksheet(workbook["targets"]).title = "Targets "
    workbook.save(path)
    [problem] = _problems(loaded, path)
    assert problem.source == "bad.xlsx › Targets " and problem.value == "Targets "
    assert "bad.xlsx › targets holds the table targets already" in problem.reason


def test_a_sheet_is_read_to_its_last_row_whatever_its_dimension_says(sqlite_engine, tmp_path):
    """A stale <dimension> (written by some programs) cut the rows beyond it off without a word (#19)."""
    from tests.hostile_inputs import SHEET, rewrite

    path = write_xlsx(tmp_path / "stale.xlsx")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(SHEET["observations"])
    assert b'<dimension ref="A1:H6"/>' in xml
    rewrite(path, {SHEET["observations"]: xml.replace(b'ref="A1:H6"', b'ref="A1:H2"')})
    report = import_path(sqlite_engine, path)
    assert {t.name: t.rows for t in report.tables}["observations"] == 5


# --------------------------------------------------------------------------- quotes in CSV (#19)


def test_a_note_over_several_lines_is_still_read(sqlite_engine, tmp_path):
    """A line break in a quoted text cell is what spreadsheet programs write for Alt+Enter: accepted."""
    tables = copy_tables()
    _set("observations", 4, "note", "đợt 1,\nđợt 2, 3, 4")(tables)
    _set("programmes", 2, "title", 'Chương trình "Quản trị"\r\nnhà nước')(tables)
    report = import_path(sqlite_engine, write_csv(tmp_path / "multiline", tables))
    assert {t.name: t.rows for t in report.tables}["observations"] == 5


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("DB-BSS,Nuôi", 'DB-BSS,"Nuôi', 1), (3, "", "never closed")),
        (lambda t: t.replace(",3,12,200,", ',"3\n",12,200,', 1), (3, "communes", "line break")),
        (
            lambda t: t.replace(",Nâng cao", ',"Nâng cao', 1).replace("Giảm tỷ lệ hộ nghèo", 'Giảm"', 1),
            (2, "objectives", "read as 1 row(s)"),
        ),
        (lambda t: t.replace("GOPA,Chương trình", 'GOPA,"Chương" trình', 1), (2, "", "more text follows")),
    ],
    ids=["open-to-the-end", "line-break-in-a-count", "closed-by-chance", "text-after-the-quote"],
)
def test_a_quote_left_open_is_a_problem_of_the_row_where_it_opens(loaded, tmp_path, edit, expected):
    folder = write_csv(tmp_path / "bad")
    file = folder / "programmes.csv"
    file.write_text(edit(file.read_text(encoding="utf-8")), encoding="utf-8")
    problems = [p for p in _problems(loaded, folder) if p.source == "programmes.csv"]
    row, column, words = expected
    assert [(p.row, p.column) for p in problems][:1] == [(row, column)], problems
    assert words in problems[0].reason
