"""District and commune reports, and the rollup commune → district → province, checked by hand.

The units (codes made up for the test, in Điện Biên, 11):

- district D01 (before 2025) with communes C01, C02 and C03;
- C01 and C02 merged on 1 July 2025 into the new commune C10, directly under the province.

GOPA works in five provinces, so a province report of Điện Biên reads its figures below the province.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from mel_core.cli import app
from mel_core.errors import NotFound
from mel_core.ingest import import_path
from mel_core.reports import MISSING, NONE, ReportRequestError, ReportScopeError, build_report
from mel_core.reports.table import Number, ReportTable, cell_text

TODAY = date(2026, 11, 23)

UNITS = (
    "code,name,level,parent_code,successor_code\n"
    "D01,Huyện Điện Biên Đông,district,11,\n"
    "C01,Xã Na Son,commune,D01,C10\n"
    "C02,Xã Phì Nhừ,commune,D01,C10\n"
    "C03,Xã Keo Lôm,commune,D01,\n"
    "C10,Xã Na Son,commune,11,\n"
    "C04,Xã Mường Luân,commune,D01,\n"
)
OBSERVATIONS = (
    "programme_code,indicator_code,period,admin_unit,value\n"
    # OP1, a count (people trained): summed up the tree
    "GOPA,OP1,2018,C01,120\nGOPA,OP1,2018,C02,80\nGOPA,OP1,2018,C03,30\n"
    # OP2: the district reported its own figure, which wins over its communes'
    "GOPA,OP2,2018,D01,9\nGOPA,OP2,2018,C01,4\n"
    # after the reform: the new commune
    "GOPA,OP1,2026,C10,300\n"
    # OC1, a rate without a weight: the communes disagree, so the district's figure is missing
    "GOPA,OC1,2018,C01,60\nGOPA,OC1,2018,C02,70\n"
)
TARGETS = (
    "programme_code,indicator_code,period,admin_unit,value\nGOPA,OP1,2018,D01,250\nGOPA,OP1,2026,C10,280\n"
)


def load_units(engine, folder) -> None:
    """The units of the test as the admin_units table of an import."""
    folder.mkdir()
    (folder / "admin_units.csv").write_text(UNITS, encoding="utf-8")
    import_path(engine, folder)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from tests.criteria_frames_results import sample_engine

    tmp = tmp_path_factory.mktemp("levels")
    eng = sample_engine(tmp)
    load_units(eng, tmp / "units")
    figures = tmp / "figures"
    figures.mkdir()
    (figures / "observations.csv").write_text(OBSERVATIONS, encoding="utf-8")
    (figures / "targets.csv").write_text(TARGETS, encoding="utf-8")
    import_path(eng, figures)
    yield eng
    eng.dispose()


def report(engine, kind, **kw) -> ReportTable:
    with Session(engine) as session:
        return build_report(session, kind, today=TODAY, **kw)


def rows(table: ReportTable, after: str = "(GOPA)") -> dict[str, list]:
    out, inside = {}, False
    for row in table.body:
        label = cell_text(row.cells[1])
        if row.kind == "programme":
            inside = after in label
        elif row.kind == "item" and inside:
            out[label.rsplit("(", 1)[1].rstrip(")")] = row.cells
    return out


def value(cell) -> float:
    assert isinstance(cell, Number), cell
    return cell.value


def test_a_district_report_rolls_its_communes_up_and_its_own_figure_wins(engine):
    table = report(engine, "annual", district="D01", period="2018")
    assert table.title[1] == "NĂM 2018 - HUYỆN ĐIỆN BIÊN ĐÔNG, TỈNH ĐIỆN BIÊN"
    assert table.issuer == ["UBND HUYỆN ĐIỆN BIÊN ĐÔNG"] and table.place_date.startswith("Điện Biên, ngày")
    got = rows(table)
    assert value(got["OP1"][3]) == 250  # the district's own plan
    assert value(got["OP1"][7]) == 120 + 80 + 30  # its three communes
    assert value(got["OP1"][10]) == pytest.approx(230 / 250 * 100)  # 92.0 %
    assert value(got["OP2"][7]) == 9  # the district's own figure, not 9 + 4
    assert got["OC1"][9] == MISSING  # 60 % and 70 % are not averaged without a weight
    assert got["OP2"][2] == NONE and got["OP2"][10] == NONE  # no plan for the district


def test_the_province_report_goes_through_the_district(engine):
    got = rows(report(engine, "annual", province="11", period="2018"))
    assert value(got["OP1"][7]) == 230  # C01 + C02 + C03 through D01
    assert value(got["OP2"][7]) == 9  # the district's own figure, once
    after = rows(report(engine, "annual", province="11", period="2026"))
    assert value(after["OP1"][7]) == 300  # the new commune, directly under the province


def test_a_new_commune_reads_the_communes_merged_into_it_before_the_reform(engine):
    before = rows(report(engine, "annual", commune="C10", period="2018"))
    assert value(before["OP1"][7]) == 120 + 80  # C01 and C02, not C03
    assert before["OP1"][2] == NONE  # no plan for C10 in 2018
    table = report(engine, "annual", commune="C10", period="2026")
    assert table.title[1] == "NĂM 2026 - XÃ NA SON, TỈNH ĐIỆN BIÊN" and table.issuer == ["UBND XÃ NA SON"]
    got = rows(table)
    assert value(got["OP1"][3]) == 280 and value(got["OP1"][7]) == 300
    assert value(got["OP1"][10]) == pytest.approx(300 / 280 * 100)


def test_an_old_commune_reports_its_own_figures(engine):
    got = rows(report(engine, "annual", commune="C02", period="2018"))
    assert value(got["OP1"][7]) == 80 and value(got["OC1"][9]) == 70


@pytest.mark.parametrize(
    ("kw", "error", "words"),
    [
        ({"district": "D01", "period": "2026"}, ReportScopeError, ("30 June 2025", "--province")),
        ({"commune": "C01", "period": "2026"}, ReportScopeError, ("30 June 2025", "--commune C10")),
        ({"district": "C01"}, NotFound, ("not a district",)),
        ({"commune": "D01"}, NotFound, ("not a commune",)),
        ({"commune": "NOPE"}, NotFound, ("not a commune",)),
    ],
    ids=["district-after-reform", "merged-commune-after-reform", "commune-as-district", "district-as-commune",
         "unknown"],
)  # fmt: skip
def test_units_that_did_not_exist_or_are_unknown_are_clear_errors(engine, kw, error, words):
    with pytest.raises(error) as caught:
        report(engine, "annual", **kw)
    assert type(caught.value) is error  # a unit the store does not have is its NotFound, not a scope error
    text = caught.value.message + " " + (caught.value.hint or "")
    from mel_core.i18n import render

    for word in words:
        assert word in render(text, "en")


def test_a_unit_without_figures_or_two_units_are_clear_errors(engine):
    with pytest.raises(ReportScopeError) as caught:
        report(engine, "annual", commune="C04", period="2018")
    assert "no programme" in caught.value.message and "C04" in caught.value.message
    with pytest.raises(ReportRequestError):
        report(engine, "annual", district="D01", commune="C10")


def test_the_commands_take_district_and_commune(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url))
    runner = CliRunner()
    for args, name in (
        (["annual", "--district", "D01", "--period", "2018"], "bieu-4.2_huyen-D01_2018.xlsx"),
        (
            ["quarterly", "--commune", "C10", "--period", "2026-Q1", "--format", "html"],
            "bieu-4.2_xa-C10_2026-Q1.html",
        ),
    ):
        monkeypatch.chdir(tmp_path)
        result = runner.invoke(app, ["report", *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).exists() and name in result.output


@pytest.mark.postgres
def test_district_commune_and_province_reports_read_the_same_on_postgresql(engine, request, tmp_path):
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.reference import init_store
    from mel_core.store import make_engine
    from tests.conftest import _fresh_pg_database

    pg = make_engine(_fresh_pg_database(request.getfixturevalue("pg_server")))
    init_store(pg)
    import_path(pg, SAMPLE_WORKBOOK)
    load_units(pg, tmp_path / "units")
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "observations.csv").write_text(OBSERVATIONS, encoding="utf-8")
    (figures / "targets.csv").write_text(TARGETS, encoding="utf-8")
    import_path(pg, figures)
    try:
        for kw in (
            {"district": "D01", "period": "2018"},
            {"commune": "C10", "period": "2018"},
            {"commune": "C10", "period": "2026"},
            {"province": "11", "period": "2018"},
        ):
            assert [r.cells for r in report(pg, "annual", **kw).body] == [
                r.cells for r in report(engine, "annual", **kw).body
            ]
    finally:
        pg.dispose()
