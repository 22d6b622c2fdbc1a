"""`mel report commune-plan`: the commune's plan and collection form in Excel, and back through `mel import`."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from mel_core.cli import app
from mel_core.errors import ImportValidationError, NotFound
from mel_core.ingest import import_path
from mel_core.reports.commune_plan import commune_plan, periods_of_year, write_commune_plan

TODAY = date(2017, 1, 10)  # the year 2016 has ended: every period of it is on the collection form


def setup_store(engine, folder) -> None:
    """A commune X01 in Hà Nội where XTTM-2013 works, with a plan and two figures of OP1 (quarterly)."""
    folder.mkdir()
    (folder / "admin_units.csv").write_text(
        "code,name,level,parent_code\nX01,Xã Một,commune,01\nX02,Xã Hai,commune,01\n", encoding="utf-8"
    )
    (folder / "targets.csv").write_text(
        "programme_code,indicator_code,period,admin_unit,value\nXTTM-2013,OP1,2016,X01,20\n", encoding="utf-8"
    )
    (folder / "observations.csv").write_text(
        "programme_code,indicator_code,period,admin_unit,value\n"
        "XTTM-2013,OP1,2015-Q4,X01,15\nXTTM-2013,OP1,2016-Q1,X01,5\n",
        encoding="utf-8",
    )
    import_path(engine, folder)


@pytest.fixture
def engine(db_url, tmp_path):
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    eng = make_engine(db_url)
    init_store(eng)
    import_path(eng, SAMPLE_WORKBOOK)
    setup_store(eng, tmp_path / "setup")
    yield eng
    eng.dispose()


def workbook(engine, path, code="X01"):
    with Session(engine) as session:
        plan = commune_plan(session, code, 2016, today=TODAY)
    return write_commune_plan(plan, path)


def sheet_rows(path, name) -> list[dict]:
    sheet = load_workbook(path)[name]
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def snapshot(engine) -> list[tuple]:
    sql = text(
        "SELECT 't', i.code, x.period, x.admin_unit_code, x.value FROM targets x JOIN indicators i"
        " ON i.id = x.indicator_id WHERE x.admin_unit_code = 'X01' UNION ALL "
        "SELECT 'o', i.code, x.period, x.admin_unit_code, x.value FROM observations x JOIN indicators i"
        " ON i.id = x.indicator_id WHERE x.admin_unit_code = 'X01' ORDER BY 1, 2, 3"
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sql)]


def test_periods_follow_the_frequency_and_the_date():
    assert [p.label for p in periods_of_year(2016, "quarterly", TODAY)] == [f"2016-Q{q}" for q in range(1, 5)]
    assert [p.label for p in periods_of_year(2016, "monthly", date(2016, 3, 1))] == ["2016-01", "2016-02"]
    assert [p.label for p in periods_of_year(2016, "annual", date(2016, 12, 31))] == []
    assert [p.label for p in periods_of_year(2016, None, TODAY)] == ["2016"]


def test_the_workbook_holds_the_plan_and_the_collection_form_prefilled(engine, tmp_path):
    path = workbook(engine, tmp_path / "plan.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["_huong_dan", "targets", "observations"]
    assert (
        book["_huong_dan"]["A1"].value
        == "KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI NĂM 2016 - XÃ MỘT, TỈNH HÀ NỘI"
    )
    plan = {r["indicator_code"]: r for r in sheet_rows(path, "targets")}
    assert set(plan) == {"IN1", "OP1", "OP2", "OC1", "OC2", "IM1"}  # XTTM's indicators, none computed
    assert all(r["programme_code"] == "XTTM-2013" and r["admin_unit"] == "X01" for r in plan.values())
    assert all(r["period"] == "2016" for r in plan.values())
    op1 = plan["OP1"]
    assert op1["value"] == 20 and op1["_Thực hiện năm 2015"] == 15  # the state at the end of 2015 (Q4)
    assert op1["_Chỉ tiêu"].startswith("Số hoạt động xúc tiến") and op1["_Đơn vị tính"] == "hoạt động"
    assert plan["OP2"]["value"] is None and plan["OP2"]["_Kế hoạch năm 2015"] is None
    form = sheet_rows(path, "observations")
    assert sorted((r["indicator_code"], r["period"]) for r in form) == sorted(
        [("OP1", f"2016-Q{q}") for q in range(1, 5)]
        + [(c, "2016") for c in ("IN1", "OP2", "OC1", "OC2", "IM1")]
    )  # OP1 is collected every quarter, the others once a year
    assert {(r["period"], r["value"]) for r in form if r["indicator_code"] == "OP1"} == {
        ("2016-Q1", 5), ("2016-Q2", None), ("2016-Q3", None), ("2016-Q4", None)
    }  # fmt: skip


def test_filled_in_it_imports_and_again_changes_nothing(engine, tmp_path):
    path = workbook(engine, tmp_path / "plan.xlsx")
    book = load_workbook(path)
    filled = {}
    for name, start in (("targets", 100), ("observations", 10)):
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        at = header.index("value") + 1
        for k, row in enumerate(sheet.iter_rows(min_row=2), start=start):
            if row[at - 1].value is None:
                row[at - 1].value = k
            filled[(name[0], row[1].value, row[header.index("period")].value)] = row[at - 1].value
    book.save(path)
    report = import_path(engine, path)
    assert {t.name: (t.rows, t.new) for t in report.tables} == {"targets": (6, 5), "observations": (9, 8)}
    after = snapshot(engine)
    assert {(kind, code, period): value for kind, code, period, _, value in after} == {
        **filled,
        ("o", "OP1", "2015-Q4"): 15,
    }
    again = import_path(engine, path)
    assert {t.name: t.new for t in again.tables} == {"targets": 0, "observations": 0}
    assert snapshot(engine) == after


def test_every_problem_is_listed_and_nothing_is_written(engine, tmp_path):
    path = workbook(engine, tmp_path / "plan.xlsx")
    book = load_workbook(path)
    targets = book["targets"]
    header = [c.value for c in targets[1]]
    value = header.index("value") + 1
    for row in range(2, targets.max_row + 1):
        targets.cell(row=row, column=value).value = 1
    targets.cell(row=3, column=value).value = "nhiều"  # not a number
    targets.cell(row=4, column=header.index("indicator_code") + 1).value = "OP9"  # not an indicator
    book.save(path)  # the collection form keeps its empty rows
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as caught:
        import_path(engine, path)
    where = {(p.source.rsplit(":", 1)[-1].strip(), p.row, p.column) for p in caught.value.problems}
    empty = [r for r in sheet_rows(path, "observations") if r["value"] is None]
    assert ("targets", 3, "value") in {(s[-7:], r, c) for s, r, c in where}
    assert any(r == 4 and c == "indicator_code" for _, r, c in where)
    assert sum(1 for _, _, c in where if c == "value") == 1 + len(empty)  # each empty figure, listed
    assert all(p.reason for p in caught.value.problems)
    assert snapshot(engine) == before


def test_a_commune_without_figures_gets_its_provinces_programmes_and_unknown_is_an_error(engine, tmp_path):
    path = workbook(engine, tmp_path / "x02.xlsx", "X02")
    plan = sheet_rows(path, "targets")
    assert {r["programme_code"] for r in plan} == {"XTTM-2013"}  # works in Hà Nội in 2016
    assert all(r["value"] is None for r in plan)
    with Session(engine) as session, pytest.raises(NotFound) as caught:
        commune_plan(session, "01", 2016)  # a province, not a commune
    assert (caught.value.entity, caught.value.key) == ("commune", "01")


def test_the_command_writes_the_workbook_and_has_help(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url.render_as_string(hide_password=False)))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["report", "commune-plan", "--commune", "X01", "--year", "2016"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ke-hoach-xa_X01_2016.xlsx").exists()
    help_text = runner.invoke(app, ["report", "commune-plan", "--help"], env={"COLUMNS": "200"}).output
    assert "Example: mel report commune-plan --commune" in help_text
