"""Import and export on SQLite and PostgreSQL: all or nothing, idempotent, round trip, NFC, pre-2025 codes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sqlalchemy import Engine, select, text

from mel_core import geo
from mel_core.ingest import export_path, import_path
from mel_core.store import metadata
from tests.datasets import copy_tables, write_csv, write_xlsx


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key: two equal snapshots mean an identical store.

    The audit trail is left out: it records every import, even one that changes no data (tests/test_audit.py
    checks that an import that fails records nothing)."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name == "audit_events":
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(text(f"SELECT count(*) FROM {table}"))


def test_csv_folder_imports_every_table(engine, tmp_path):
    report = import_path(engine, write_csv(tmp_path / "csv"))
    assert {t.name: (t.rows, t.new) for t in report.tables} == {
        "programmes": (2, 2),
        "indicators": (4, 4),
        "targets": (3, 3),
        "observations": (5, 5),
        "expenditures": (2, 2),
        "activities": (2, 2),
        "survey": (4, 4),
    }
    with engine.connect() as conn:
        cows = conn.execute(
            text(
                "SELECT value, period_start, period_end, admin_unit_code FROM observations o "
                "JOIN indicators i ON i.id = o.indicator_id WHERE i.code = 'COWS' AND o.admin_unit_code = '44'"
            )
        ).one()
        assert cows[0] == 20 and str(cows[1]) == "2012-01-01" and str(cows[2]) == "2012-06-30"
        assert isinstance(cows[0], float)
        assert (
            conn.scalar(text("SELECT disaggregation FROM observations WHERE value = 44"))
            == "ethnicity=minority;sex=female"
        )
        assert conn.scalar(text("SELECT count(*) FROM survey_values")) == 9
        assert (
            conn.scalar(text("SELECT p.code FROM programmes p JOIN programmes c ON c.parent_id = p.id"))
            == "GOPA"
        )
        assert (
            conn.scalar(
                text(
                    "SELECT o.number FROM indicators i JOIN objectives o ON o.id = i.objective_id "
                    "WHERE i.code = 'INC'"
                )
            )
            == 1
        )
        assert conn.scalar(text("SELECT direction FROM indicators WHERE code = 'INC'")) == "increase"
        assert conn.scalar(text("SELECT admin_unit_code FROM targets WHERE value = 30")) == "VN"
        assert conn.scalar(text("SELECT value_high FROM targets WHERE value = 18")) == 20


def test_reimport_updates_and_never_duplicates(engine, tmp_path):
    folder = write_csv(tmp_path / "csv")
    import_path(engine, folder)
    first = snapshot(engine)
    report = import_path(engine, folder)
    assert all(t.new == 0 and t.updated == t.rows for t in report.tables)
    assert snapshot(engine) == first

    tables = copy_tables()
    tables["observations"][1][4] = "36.5"  # a corrected value
    import_path(engine, write_csv(tmp_path / "fixed", tables))
    assert count(engine, "observations") == 5
    with engine.connect() as conn:
        assert (
            conn.scalar(
                text(
                    "SELECT value FROM observations WHERE disaggregation = '' AND period = '2013' "
                    "AND admin_unit_code = 'VN'"
                )
            )
            == 36.5
        )


def test_import_export_import_leaves_the_store_identical(engine, tmp_path):
    import_path(engine, write_csv(tmp_path / "csv"))
    before = snapshot(engine)
    for target in (tmp_path / "out", tmp_path / "out.xlsx"):
        export_path(engine, target)
        import_path(engine, target)
        assert snapshot(engine) == before, target.name


def test_workbook_and_csv_give_the_same_store(tmp_path, sqlite_engine):
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    import_path(sqlite_engine, write_xlsx(tmp_path / "data.xlsx"))
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    init_store(other)
    import_path(other, write_csv(tmp_path / "csv"))
    assert snapshot(sqlite_engine) == snapshot(other)


def test_text_is_nfc_normalised_on_the_way_in(sqlite_engine, tmp_path):
    tables = copy_tables()
    decomposed = unicodedata.normalize("NFD", "Nuôi bò sinh sản ở Điện Biên Đông")
    tables["programmes"][2][1] = decomposed
    import_path(sqlite_engine, write_csv(tmp_path / "csv", tables))
    with sqlite_engine.connect() as conn:
        title = conn.scalar(text("SELECT title FROM programmes WHERE code = 'DB-BSS'"))
    assert title == unicodedata.normalize("NFC", decomposed) != decomposed


def test_pre_2025_province_codes_are_kept_and_resolve_to_their_successor(sqlite_engine, tmp_path):
    import_path(sqlite_engine, write_csv(tmp_path / "csv"))
    with sqlite_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT pp.admin_unit_code, a.successor_code FROM programme_provinces pp JOIN programmes p ON p.id ="
                " pp.programme_id JOIN admin_units a ON a.code = pp.admin_unit_code WHERE p.code = 'DB-BSS'"
                " ORDER BY pp.position"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("11", "11"), ("44", "45")]
    assert geo.provinces()["44"].successor_name == "Quảng Trị"


def test_semicolon_separated_csv_with_bom_is_read(sqlite_engine, tmp_path):
    folder = tmp_path / "csv"
    tables = copy_tables()
    tables["programmes"] = [[c for c in row] for row in tables["programmes"]]
    write_csv(folder, {"programmes": tables["programmes"]}, encoding="utf-8-sig", delimiter=";")
    # ';' also separates list items inside a cell, so the writer quoted those cells
    report = import_path(sqlite_engine, folder)
    assert report.tables[0].rows == 2
    with sqlite_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM programme_provinces")) == 7


def test_dry_run_writes_nothing(engine, tmp_path):
    before = snapshot(engine)
    report = import_path(engine, write_csv(tmp_path / "csv"), dry_run=True)
    assert report.dry_run and report.tables[0].new is None
    assert snapshot(engine) == before


def test_export_writes_the_import_formats(engine, tmp_path):
    import_path(engine, write_csv(tmp_path / "csv"))
    export_path(engine, tmp_path / "out")
    header = (tmp_path / "out" / "survey.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith("continues_model,income_million_vnd,poor")
    observations = (tmp_path / "out" / "observations.csv").read_text(encoding="utf-8")
    assert "DB-BSS,COWS,2012-H1,11,80,,,đợt 1" in observations
    assert "DB-BSS,POOR,2013,,38,,Điều tra," in observations


def test_a_file_path_that_does_not_exist_is_a_clear_error(sqlite_engine, tmp_path):
    import pytest

    from mel_core.errors import MelError

    with pytest.raises(MelError, match="does not exist"):
        import_path(sqlite_engine, Path(tmp_path / "missing.xlsx"))


def test_a_long_import_says_how_it_goes(sqlite_engine):
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    seen: list[tuple[str, int, int]] = []
    import_path(
        sqlite_engine, SAMPLE_WORKBOOK, progress=lambda label, done, total: seen.append((label, done, total))
    )
    labels = list(dict.fromkeys(label for label, _, _ in seen))
    reading = [label for label in labels if label.startswith("reading ")]
    from openpyxl import load_workbook

    # each sheet of a table (not the notes: '_about', '_truth') is read with its progress
    sheets = [
        name for name in load_workbook(SAMPLE_WORKBOOK, read_only=True).sheetnames if not name.startswith("_")
    ]
    assert sorted(reading) == sorted(f"reading sample_workbook.xlsx › {name}" for name in sheets)
    assert labels.index("checking every cell") > labels.index(reading[-1])
    survey = [
        (done, total) for label, done, total in seen if label == "reading sample_workbook.xlsx › survey"
    ]
    assert len(survey) > 1 and survey[-1][0] == survey[-1][1] > 7000  # reported along the way, then complete
    assert "observations" in labels[labels.index("checking every cell") :]  # then the writing, table by table


FORMULA_LIKE = {
    "title": '=HYPERLINK("http://example.org","xem")',
    "title_en": "+84 cattle",
    "implementer": "@SUM(A1:A9) Hội Nông dân",
    "donors": "-Quỹ giảm nghèo; '=already quoted",
}


def test_formula_like_text_is_exported_as_text_and_restored_on_import(engine, tmp_path):
    """CSV/formula injection (#19): a spreadsheet opening an export sees text, and re-import restores it."""
    from openpyxl import load_workbook

    tables = copy_tables()
    header = tables["programmes"][0]
    for column, value in FORMULA_LIKE.items():
        tables["programmes"][2][header.index(column)] = value
    import_path(engine, write_csv(tmp_path / "csv", tables))
    before = snapshot(engine)
    export_path(engine, tmp_path / "out")
    exported = (tmp_path / "out" / "programmes.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in exported and "'+84 cattle" in exported and "'@SUM" in exported
    assert "''=already" not in exported  # not at the start of the field: left as it is
    export_path(engine, tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx")["programmes"]
    cells = {
        c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)
    }
    for value in ("+84 cattle", '=HYPERLINK("http://example.org","xem")'):
        assert cells[value] == "s"  # a string cell, not a formula
    for target in (tmp_path / "out", tmp_path / "out.xlsx"):
        import_path(engine, target)
        assert snapshot(engine) == before, target.name


def test_csv_escapes_round_trip_for_any_text():
    from hypothesis import given
    from hypothesis import strategies as st

    from mel_core.ingest.spreadsheet_text import formula_like, from_csv, to_csv

    @given(st.text(alphabet=st.sampled_from(list("'=+-@\tab \r")), max_size=8) | st.text(max_size=20))
    def round_trip(text: str) -> None:
        written = to_csv(text)
        assert from_csv(written) == text
        assert not formula_like(written) or written.startswith("'")
        assert written[:1] not in ("=", "+", "-", "@", "\t", "\r")

    round_trip()
