"""`mel import` of districts and communes (the admin_units table), with the 2025 reform, on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from mel_core.errors import ImportValidationError
from mel_core.i18n import render
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import make_engine

UNITS = (
    "code,name,level,parent_code,successor_code\n"
    "D01,Huyện Điện Biên Đông,district,11,\n"
    "C01,Xã Na Son,commune,D01,C10\n"
    "C02,Xã Phì Nhừ,commune,D01,C10\n"
    "C10,Xã Na Son,commune,11,\n"
)


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    init_store(eng)
    yield eng
    eng.dispose()


def units(engine) -> dict[str, tuple]:
    sql = text(
        "SELECT code, name, name_ascii, level, parent_code, successor_code FROM admin_units"
        " WHERE level IN ('district', 'commune') ORDER BY code"
    )
    with engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(sql)}


def write(folder, content: str):
    folder.mkdir(exist_ok=True)
    (folder / "admin_units.csv").write_text(content, encoding="utf-8")
    return folder


def test_districts_and_communes_import_with_their_successors_and_again_change_nothing(engine, tmp_path):
    report = import_path(engine, write(tmp_path / "a", UNITS))
    assert [(t.name, t.rows, t.new) for t in report.tables] == [("admin_units", 4, 4)]
    got = units(engine)
    assert got["D01"] == ("Huyện Điện Biên Đông", "huyen dien bien dong", "district", "11", None)
    assert got["C01"][3:] == ("D01", "C10") and got["C10"][3:] == ("11", None)
    again = import_path(engine, write(tmp_path / "a", UNITS))
    assert [(t.rows, t.new) for t in again.tables] == [(4, 0)] and units(engine) == got


def test_names_are_nfc_and_a_renamed_unit_is_updated(engine, tmp_path):
    decomposed = unicodedata.normalize("NFD", "Xã Mường Luân")
    import_path(engine, write(tmp_path / "a", UNITS + f"C04,{decomposed},commune,D01,\n"))
    assert units(engine)["C04"][0] == unicodedata.normalize("NFC", "Xã Mường Luân")
    import_path(engine, write(tmp_path / "b", "code,name,level,parent_code\nC04,Xã Luân Giói,commune,D01\n"))
    assert units(engine)["C04"][:2] == ("Xã Luân Giói", "xa luan gioi")


def test_every_problem_is_listed_and_nothing_is_written(engine, tmp_path):
    bad = (
        "code,name,level,parent_code,successor_code\n"
        "D01,Huyện Điện Biên Đông,district,11,C10\n"  # 2: a district has no successor
        "C01,Xã Na Son,commune,D99,\n"  # 3: unknown parent
        "C02,Xã Phì Nhừ,commune,C10,\n"  # 4: a commune in a commune
        "C03,Xã Keo Lôm,commune,D01,C05\n"  # 5: successor under a district
        "C05,Xã Luân Giói,commune,D01,\n"
        "11,Điện Biên,district,11,\n"  # 7: a province's code
        "C06,Xã A,village,11,\n"  # 8: not a level
        "C07,Xã B,commune,11,C08\nC08,Xã C,commune,11,C07\n"  # 9, 10: a cycle
        "C10,Xã Na Son,commune,11,\n"
        "D02,Huyện Mường Nhé,district,D01,\n"  # 12: a district in a district
        "C11,Xã D,commune,11,C11\n"  # 13: merged into itself
    )
    with pytest.raises(ImportValidationError) as caught:
        import_path(engine, write(tmp_path / "bad", bad))
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (2, "successor_code"), (3, "parent_code"), (4, "parent_code"), (5, "successor_code"), (7, "code"),
        (8, "level"), (9, "successor_code"), (10, "successor_code"), (12, "parent_code"), (13, "successor_code"),
    }  # fmt: skip
    assert all(p.source.endswith("admin_units.csv") and p.reason for p in caught.value.problems)
    # a level in each language (catalogue/ingest.yml), not an English word inside the Vietnamese
    reasons = {(p.row, p.column): p.reason for p in caught.value.problems}
    assert reasons[4, "parent_code"] == "a commune lies in province or a district, not in a commune"
    assert render(reasons[4, "parent_code"], "vi") == "xã thuộc tỉnh hoặc huyện, không thuộc xã"
    assert reasons[12, "parent_code"] == "a district lies in province, not in a district"
    assert render(reasons[12, "parent_code"], "vi") == "huyện thuộc tỉnh, không thuộc huyện"
    assert units(engine) == {}


def test_one_workbook_brings_the_units_and_the_figures_that_name_them(engine, tmp_path):
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    import_path(engine, SAMPLE_WORKBOOK)
    book = Workbook()
    sheet = book.active
    sheet.title = "admin_units"
    for line in UNITS.splitlines():
        sheet.append([cell or None for cell in line.split(",")])
    obs = book.create_sheet("observations")
    obs.append(["programme_code", "indicator_code", "period", "admin_unit", "value"])
    obs.append(["GOPA", "OP1", "2018", "C01", 12])
    obs.append(["GOPA", "OP1", "2018", "C99", 5])  # not a unit anywhere
    path = tmp_path / "units.xlsx"
    book.save(path)
    with pytest.raises(ImportValidationError) as caught:
        import_path(engine, path)
    (problem,) = caught.value.problems  # C01 is known: the sheet before brings it
    assert "observations" in problem.source and (problem.row, problem.column, problem.value) == (
        3,
        "admin_unit",
        "C99",
    )
    assert units(engine) == {}  # nothing written: the units neither
    obs.delete_rows(3)
    book.save(path)
    report = import_path(engine, path)
    assert {t.name: t.new for t in report.tables} == {"admin_units": 4, "observations": 1}


def test_the_units_export_and_import_again_unchanged(engine, tmp_path):
    from mel_core.ingest import export_path

    import_path(engine, write(tmp_path / "a", UNITS))
    before = units(engine)
    out = tmp_path / "export.xlsx"
    export_path(engine, out)
    report = import_path(engine, out)
    assert {t.name: (t.rows, t.new) for t in report.tables}["admin_units"] == (4, 0)
    assert units(engine) == before


def test_a_contributor_adds_units_of_their_own_provinces_only(engine, tmp_path):
    from mel_core.access import Viewer
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.ingest import check_path
    from mel_core.submissions.scope import out_of_scope

    import_path(engine, SAMPLE_WORKBOOK)
    folder = write(
        tmp_path / "units", UNITS + "D12,Huyện Mường Tè,district,12,\nC12,Xã Ka Lăng,commune,D12,\n"
    )
    (folder / "observations.csv").write_text(
        "programme_code,indicator_code,period,admin_unit,value\nGOPA,OP1,2018,C01,5\nGOPA,OP1,2018,C12,5\n",
        encoding="utf-8",
    )
    batch, sources = check_path(engine, folder)
    dien_bien = Viewer(role="contributor", email="c@x", provinces=("11",))
    with engine.connect() as conn:
        problems = out_of_scope(conn, dien_bien, batch, sources)
    # Lai Châu's district and commune (rows 6 and 7), and the figure filed under Lai Châu's commune (row 3)
    assert sorted((p.source.rsplit("/", 1)[-1], p.row, p.column) for p in problems) == [
        ("admin_units.csv", 6, "parent_code"), ("admin_units.csv", 7, "parent_code"),
        ("observations.csv", 3, "admin_unit"),
    ]  # fmt: skip
