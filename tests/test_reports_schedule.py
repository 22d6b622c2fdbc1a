"""Monthly and quarterly reports (the manual's reporting schedule, Table 2.1), checked against the store."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from mel_core.cli import app, main
from mel_core.errors import PeriodError
from mel_core.i18n import render
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.reports import MISSING, NONE, build_report, render_html
from mel_core.reports.table import Number, ReportTable, cell_text

TODAY = date(2026, 11, 23)
XTTM = "XTTM-2013"  # quarterly plans and figures of its activities (OP1) in the sample

# monthly figures and a monthly plan added to the sample: OP1 is a running total of activities held
MONTHLY_TARGETS = "programme_code,indicator_code,period,admin_unit,value\nXTTM-2013,OP1,2015-08,VN,85\n"
MONTHLY_OBSERVATIONS = (
    "programme_code,indicator_code,period,admin_unit,value\n"
    "XTTM-2013,OP1,2015-07,VN,80\nXTTM-2013,OP1,2015-08,VN,86\n"
    "XTTM-2013,OP2,2017-01,VN,2510\nXTTM-2013,OP2,2017-02,VN,2570\n"
)


def _add_monthly(engine, folder) -> None:
    folder.mkdir()
    (folder / "targets.csv").write_text(MONTHLY_TARGETS, encoding="utf-8")
    (folder / "observations.csv").write_text(MONTHLY_OBSERVATIONS, encoding="utf-8")
    import_path(engine, folder)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from tests.criteria_frames_results import sample_engine

    tmp = tmp_path_factory.mktemp("schedule")
    eng = sample_engine(tmp)
    _add_monthly(eng, tmp / "monthly")
    yield eng
    eng.dispose()


def report(engine, kind, **kw) -> ReportTable:
    with Session(engine) as session:
        return build_report(session, kind, today=TODAY, **kw)


def rows(table: ReportTable) -> dict[str, list]:
    """Indicator code → the cells of its row."""
    return {
        cell_text(r.cells[1]).rsplit("(", 1)[1].rstrip(")"): r.cells for r in table.body if r.kind == "item"
    }


def store_value(engine, table: str, code: str, period: str, unit: str = "VN") -> float | None:
    extra = " AND x.disaggregation = ''" if table == "observations" else ""
    sql = text(
        f"SELECT x.value FROM {table} x JOIN indicators i ON i.id = x.indicator_id"
        " JOIN programmes p ON p.id = i.programme_id"
        f" WHERE p.code = :p AND i.code = :c AND x.period = :period AND x.admin_unit_code = :unit{extra}"
    )
    with engine.connect() as conn:
        return conn.execute(sql, {"p": XTTM, "c": code, "period": period, "unit": unit}).scalar()


def value(cell) -> float:
    assert isinstance(cell, Number), cell
    return cell.value


def test_a_quarterly_report_holds_the_quarter_plan_and_figure_and_falls_back_to_the_annual_plan(engine):
    table = report(engine, "quarterly", programme=XTTM, period="2015-Q3")
    assert table.form == "4.2" and table.period == "2015-Q3"
    assert table.title[1].startswith("QUÝ III NĂM 2015 - ")
    assert [h.text for h in table.header if (h.row, h.col) == (0, 6)] == [
        "Kết quả thực hiện chỉ tiêu trong kỳ báo cáo (quý)"
    ]
    got = rows(table)
    # OP1 has its own plan for the quarter (93 activities by the end of September) and a figure for it
    plan, actual = (
        store_value(engine, "targets", "OP1", "2015-Q3"),
        store_value(engine, "observations", "OP1", "2015-Q3"),
    )
    assert plan == 93 and actual is not None
    assert value(got["OP1"][3]) == 93 and value(got["OP1"][7]) == actual
    assert value(got["OP1"][10]) == pytest.approx(actual / 93 * 100)
    assert got["OP1"][11] == ""  # the quarter's own plan and figure: nothing to explain
    # OP2 has no quarterly plan: measured against the year's plan (2049), and its figure is missing
    assert value(got["OP2"][3]) == store_value(engine, "targets", "OP2", "2015") == 2049
    assert got["OP2"][7] == MISSING and got["OP2"][10] == NONE
    assert got["OP2"][11] == "so với kế hoạch năm 2015; số liệu chưa báo cáo"


def test_a_monthly_report_reads_the_month_and_its_plan(engine):
    table = report(engine, "monthly", programme=XTTM, period="2015-08")
    assert table.title[1].startswith("THÁNG 8 NĂM 2015 - ") and table.period == "2015-08"
    got = rows(table)
    assert value(got["OP1"][3]) == 85 and value(got["OP1"][7]) == 86
    assert value(got["OP1"][10]) == pytest.approx(86 / 85 * 100)  # 101.2 %
    # July has a figure (80) but no plan: no plan of its own, none for the year, so no rate
    july = rows(report(engine, "monthly", programme=XTTM, period="2015-07"))
    assert july["OP1"][2] == NONE and value(july["OP1"][7]) == 80 and july["OP1"][10] == NONE
    assert "chưa có kế hoạch cho kỳ này" in july["OP1"][11]


def test_a_quarter_without_its_own_figure_shows_the_latest_month_inside_it(engine):
    got = rows(report(engine, "quarterly", programme=XTTM, period="2017-Q1"))
    # OP2 is a running total: the state at the end of February (2570), not January (2510), never their sum
    assert value(got["OP2"][7]) == 2570
    assert "số liệu kỳ 2017-02" in got["OP2"][11]


def test_the_default_period_is_the_latest_with_a_plan_and_a_figure(engine):
    # 2017-02 has a figure but XTTM has no plan for 2017; 2015-08 has its own plan and a figure
    assert report(engine, "monthly", programme=XTTM).period == "2015-08"
    # 2016-Q4 has a quarterly plan and a figure; 2017-Q1 (February's figure rolled into it) has no plan
    assert report(engine, "quarterly", programme=XTTM).period == "2016-Q4"


def test_without_any_plan_the_default_is_the_latest_period_with_a_figure(tmp_path):
    from tests.criteria_frames_results import sample_engine

    eng = sample_engine(tmp_path)
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM targets"))
    _add_monthly(eng, tmp_path / "monthly")
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM targets"))
    try:
        assert report(eng, "monthly", programme=XTTM).period == "2017-02"
        assert report(eng, "quarterly", programme=XTTM).period == "2017-Q1"  # months roll into their quarter
    finally:
        eng.dispose()


@pytest.mark.parametrize(
    ("kind", "period"),
    [("monthly", "2015-Q3"), ("monthly", "2015"), ("quarterly", "2015-07"), ("quarterly", "2015-H2")],
)
def test_a_period_of_another_kind_is_a_clear_error(engine, kind, period):
    with pytest.raises(PeriodError) as caught:
        report(engine, kind, programme=XTTM, period=period)
    example = "2015-07" if kind == "monthly" else "2015-Q3"
    assert example in caught.value.message and period in caught.value.message


def test_a_monthly_report_of_quarterly_figures_points_to_the_quarterly_report(engine):
    with pytest.raises(PeriodError) as caught:
        report(engine, "monthly", programme="DB-BSS-2011")
    hint = caught.value.hint or ""
    assert "mel report annual" in hint and "an annual report" in hint
    assert "báo cáo năm" in render(hint, "vi")


def test_a_province_quarterly_report_reads_the_province_figures(engine):
    table = report(engine, "quarterly", province="01", period="2015-Q3")
    assert table.title[1] == "QUÝ III NĂM 2015 - TỈNH HÀ NỘI"
    got = rows(table)
    # XTTM works in several provinces: Hà Nội's own figure, no plan for Hà Nội
    assert value(got["OP1"][7]) == store_value(engine, "observations", "OP1", "2015-Q3", "01")
    assert got["OP1"][2] == NONE and got["OP1"][10] == NONE
    assert "QUÝ III NĂM 2015" in render_html(table)


@pytest.mark.parametrize("command", ["monthly", "quarterly"])
def test_each_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, ["report", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and f"Example: mel report {command}" in result.output


def test_the_commands_write_each_format(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url))
    runner = CliRunner()
    for args in (
        ["quarterly", XTTM, "--period", "2015-Q3"],
        ["quarterly", "--province", "01", "--format", "html"],
        ["monthly", XTTM, "--period", "2015-08", "--format", "html"],
    ):
        out = tmp_path / ("-".join(args) + (".html" if "html" in args else ".xlsx"))
        result = runner.invoke(app, ["report", *args, "--out", str(out)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert out.exists() and str(out) in result.output
    assert main(["report", "monthly", XTTM, "--period", "2015-Q3"]) == PeriodError.exit_code
    assert "2015-07" in capsys.readouterr().err


@pytest.mark.postgres
def test_quarterly_and_monthly_reports_read_the_same_on_postgresql(engine, request, tmp_path):
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.store import make_engine
    from tests.conftest import _fresh_pg_database

    pg = make_engine(_fresh_pg_database(request.getfixturevalue("pg_server")))
    init_store(pg)
    import_path(pg, SAMPLE_WORKBOOK)
    _add_monthly(pg, tmp_path / "monthly")
    for kind, kw in (
        ("quarterly", {"programme": XTTM, "period": "2015-Q3"}),
        ("quarterly", {"province": "01"}),
        ("monthly", {"programme": XTTM}),
    ):
        assert [r.cells for r in report(pg, kind, **kw).body] == [
            r.cells for r in report(engine, kind, **kw).body
        ]
    pg.dispose()
