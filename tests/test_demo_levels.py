"""The sample province's districts, communes and quarterly figures (mel_core.demo.levels), checked by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from mel_core.demo import levels
from mel_core.ingest import import_path
from mel_core.reports import build_report
from mel_core.reports.table import Number, cell_text

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from tests.criteria_frames_results import sample_engine

    tmp = tmp_path_factory.mktemp("demo-levels")
    eng = sample_engine(tmp)
    report = import_path(eng, levels.write(eng, tmp / "levels.xlsx"))
    assert {t.name: t.new for t in report.tables} == {"admin_units": 10, "targets": 29, "observations": 214}
    yield eng
    eng.dispose()


def value_at(engine, programme, code, period, unit):
    sql = text(
        "SELECT o.value FROM observations o JOIN indicators i ON i.id = o.indicator_id JOIN programmes p"
        " ON p.id = i.programme_id WHERE p.code = :p AND i.code = :c AND o.period = :period"
        " AND o.admin_unit_code = :u AND o.disaggregation = ''"
    )
    with engine.connect() as conn:
        return conn.execute(sql, {"p": programme, "c": code, "period": period, "u": unit}).scalar()


def item(table, code):
    return next(
        r.cells for r in table.body if r.kind == "item" and cell_text(r.cells[1]).endswith(f"({code})")
    )


def test_the_split_adds_up_exactly():
    assert levels.split(331, {"a": 0.35, "b": 0.25, "c": 0.22, "d": 0.18}) == {
        "a": 116,
        "b": 83,
        "c": 73,
        "d": 59,
    }
    assert levels.split(10.5, {"a": 0.5, "b": 0.5}) == {"a": 5.3, "b": 5.2}  # tenths: 105 = 53 + 52
    assert sum(levels.split(9326, {"a": 0.35, "b": 0.25, "c": 0.22, "d": 0.18}).values()) == 9326


def test_communes_add_up_to_the_province_and_the_district_report_shows_it(engine):
    province = value_at(engine, "DB-BSS-2011", "OP1", "2015", "11")
    communes = [value_at(engine, "DB-BSS-2011", "OP1", "2015", f"101-0{k}") for k in range(1, 5)]
    assert province == 331 and communes == [116, 83, 73, 59]
    with Session(engine) as session:
        district = build_report(session, "annual", district="101", period="2015", today=TODAY)
        merged = build_report(session, "annual", commune="11-NS", period="2015", today=TODAY)
    op1 = item(district, "OP1")
    assert op1[3] == Number(320) and op1[7] == Number(331)  # the programme's plan is the district's
    assert item(merged, "OP1")[7] == Number(116 + 83)  # Na Son and Phì Nhừ, merged into the new Na Son


def test_quarterly_figures_climb_from_last_year_to_this_years(engine):
    # DB-BSS-NR-2016, households given cattle (a running total): 28 at the end of 2016, 98 at the end of 2017
    got = [value_at(engine, "DB-BSS-NR-2016", "OP1", f"2017-Q{q}", "11") for q in range(1, 5)]
    assert got == [46, 63, 81, 98]  # 28 + 70 × q/4 = 45.5, 63, 80.5, 98, rounded half up
    with Session(engine) as session:
        table = build_report(session, "quarterly", province="11", period="2017-Q3", today=TODAY)
    op1 = item(table, "OP1")
    # against the year's plan in force: 112 households, adjusted to 100 on 30 June 2017 (the sample's adjustment)
    assert op1[7] == Number(81) and op1[3] == Number(100)
    assert op1[10].value == pytest.approx(81 / 100 * 100)


def test_mel_demo_loads_the_levels_and_writes_a_quarterly_and_a_district_report(tmp_path):
    from openpyxl import load_workbook

    from mel_core.config import load_settings
    from mel_core.demo.run import run_demo

    for _ in range(2):  # again from scratch, the same result
        result = run_demo(load_settings({"MEL_HOME": str(tmp_path)}))
        assert result.levels is not None
        assert {t.name: t.new for t in result.levels.tables} == {
            "admin_units": 10,
            "targets": 29,
            "observations": 214,
        }
        names = [p.name for p in result.reports]
        assert names == ["bieu-4.2_tinh-11_2017-Q3.xlsx", "bieu-4.2_huyen-101_2015.xlsx"]
        titles = [
            load_workbook(p).active.cell(row=r, column=1).value for p in result.reports for r in range(1, 12)
        ]
        assert "QUÝ III NĂM 2017 - TỈNH ĐIỆN BIÊN" in titles
        assert "NĂM 2015 - HUYỆN ĐIỆN BIÊN ĐÔNG, TỈNH ĐIỆN BIÊN" in titles
