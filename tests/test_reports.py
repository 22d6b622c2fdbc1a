"""`mel report`: Tables 4.2, 4.5 and 4.1 for a sample programme and a sample province, checked against the store."""

from __future__ import annotations

import math
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from mel_core.cli import app
from mel_core.errors import NotFound, PeriodError
from mel_core.i18n import render
from mel_core.reports import (
    MISSING,
    NONE,
    ReportRequestError,
    ReportScopeError,
    build_report,
    render_html,
    write_report,
)
from mel_core.reports.table import Number, ReportTable, cell_text
from tests.criteria_frames_results import sample_engine

TODAY = date(2026, 11, 23)
PROGRAMME = "DB-BSS-2011"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = sample_engine(tmp_path_factory.mktemp("reports"))
    yield eng
    eng.dispose()


def report(engine, kind, **kw) -> ReportTable:
    with Session(engine) as session:
        return build_report(session, kind, today=TODAY, **kw)


def store_values(engine, table: str, programme: str, period: str, unit: str) -> dict[str, float]:
    """indicator code → value straight from the store (totals only for observations; for targets the plan in
    force: the adjusted value where the plan was adjusted)."""
    extra = " AND x.disaggregation = ''" if table == "observations" else ""
    value = "COALESCE(x.adjusted_value, x.value)" if table == "targets" else "x.value"
    sql = text(
        f"SELECT i.code, {value} FROM {table} x JOIN indicators i ON i.id = x.indicator_id"
        " JOIN programmes p ON p.id = i.programme_id"
        f" WHERE p.code = :p AND x.period = :period AND x.admin_unit_code = :unit{extra}"
    )
    with engine.connect() as conn:
        return dict(conn.execute(sql, {"p": programme, "period": period, "unit": unit}).all())


def items(table: ReportTable, after: str | None = None) -> dict[str, list]:
    """Indicator code → the cells of its row (the rows after the programme row whose label contains ``after``)."""
    out, inside = {}, after is None
    for row in table.body:
        label = cell_text(row.cells[1])
        if row.kind == "programme":
            inside = after is None or after in label
        elif row.kind == "item" and inside:
            code = label.rsplit("(", 1)[1].split(")")[0].split(",")[0]
            out[code] = row.cells
    return out


def value(cell) -> float:
    assert isinstance(cell, Number), cell
    return cell.value


DIRECTION = {"IM1": "decrease"}


def test_annual_table_4_2_for_a_programme_holds_the_store_values(engine):
    table = report(engine, "annual", programme=PROGRAMME)
    assert table.form == "4.2" and table.period == "2015"  # the latest year with plan and figures
    planned = store_values(engine, "targets", PROGRAMME, "2015", "VN")
    actual = store_values(
        engine, "observations", PROGRAMME, "2015", "11"
    )  # one province stands for the whole
    rows = items(table)
    assert set(rows) == {"OP1", "OP2", "OC1", "OC2", "OC3", "IM1"}  # outputs and outcomes/impacts, no inputs
    for code, cells in rows.items():
        at = 2 if code.startswith("OP") else 4  # output columns (3)-(4), outcome/impact (5)-(6)
        plan_cell, actual_cell = cells[at + 1], cells[at + 5]
        if code == "OC1":  # a range target 85–92
            assert plan_cell == "85–92"
        else:
            assert value(plan_cell) == pytest.approx(planned[code])
        assert value(actual_cell) == pytest.approx(actual[code])
        ratio = (
            actual[code] / planned[code]
            if DIRECTION.get(code) != "decrease"
            else planned[code] / actual[code]
        )
        assert value(cells[10]) == pytest.approx(ratio * 100)
        other = 4 if at == 2 else 2
        assert cells[other + 1] is None and cells[other + 5] is None
    assert table.issuer == ["SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN ĐIỆN BIÊN"]
    assert table.place_date == "Điện Biên, ngày 23 tháng 11 năm 2026"
    assert [r.cells[1] for r in table.body[:2]] == [
        "PHÁT TRIỂN KINH TẾ",
        "Nông nghiệp và phát triển nông thôn",
    ]


def test_five_year_table_4_5_target_annual_plans_actual_and_rate(engine):
    table = report(engine, "five-year", programme=PROGRAMME)
    assert table.form == "4.5" and table.period == "2011-2015"
    assert [h.text for h in table.header if h.row == 1] == [f"Năm {y}" for y in range(2011, 2016)]
    rows = items(table)
    assert set(rows) == {"IN1", "OP1", "OP2", "OC1", "OC2", "OC3", "IM1"}
    span = store_values(engine, "targets", PROGRAMME, "2011-2015", "VN")
    final = store_values(engine, "observations", PROGRAMME, "2015", "11")
    for code, cells in rows.items():
        years = [
            store_values(engine, "targets", PROGRAMME, str(y), "VN").get(code) for y in range(2011, 2016)
        ]
        goal = span.get(code, years[-1])  # the span's own target, else the last year's plan
        if code == "OC1":
            assert cells[3] == "85–92" and cells[4:9] == ["85–92"] * 5
            continue
        assert value(cells[3]) == pytest.approx(goal)
        assert [value(c) for c in cells[4:9]] == pytest.approx(years)
        assert value(cells[9]) == pytest.approx(final[code])
        ratio = final[code] / goal if code != "IM1" else goal / final[code]
        assert value(cells[10]) == pytest.approx(ratio * 100)
        assert ("mục tiêu theo kế hoạch năm 2015" in cells[11]) == (code not in span)


def test_framework_table_4_1_lists_every_indicator_in_the_column_of_its_level(engine):
    table = report(engine, "annual", programme=PROGRAMME, period="2013", form="4.1")
    assert table.form == "4.1" and [h.text for h in table.header if h.row == 1][:3] == [
        "Đầu vào",
        "Đầu ra",
        "Kết quả/Tác động",
    ]
    planned = store_values(engine, "targets", PROGRAMME, "2013", "VN")
    column = {"IN": 3, "OP": 4, "OC": 5, "IM": 5}
    seen = {}
    for row in table.body:
        for k in (3, 4, 5):
            if row.kind == "item" and row.cells[k]:
                seen[str(row.cells[k]).split("):")[0].rsplit("(", 1)[1]] = (k, row)
    assert set(seen) == set(planned)
    for code, (k, row) in seen.items():
        assert k == column[code[:2]]
        if code != "OC1":
            shown = cell_text(Number(planned[code], 0 if planned[code].is_integer() else 1))
            assert f"({code}): {shown} " in row.cells[k]
    assert seen["IM1"][1].cells[6] == "Phòng Lao động - Thương binh và Xã hội huyện"
    # the input, output and outcome of a solution share a line; their agencies differ, so each is named
    assert seen["OC1"][1].cells[7] == "IN1: Kho bạc Nhà nước; OP1: UBND xã; OC1: Trạm thú y huyện"


def test_a_province_report_gathers_its_programmes_and_reads_the_province_rows(engine):
    table = report(engine, "annual", province="11", period="2013")
    programmes = [cell_text(r.cells[1]) for r in table.body if r.kind == "programme"]
    assert any("(DB-BSS-2011)" in p for p in programmes) and any("(GOPA)" in p for p in programmes)
    assert not any("(DB-BSS-NR-2016)" in p for p in programmes)  # it started in 2016
    assert table.title[1].endswith("TỈNH ĐIỆN BIÊN") and table.issuer[0] == "UBND TỈNH ĐIỆN BIÊN"
    # GOPA works in five provinces: its plan is for the whole programme, not for Điện Biên
    gopa = items(table, after="(GOPA)")
    observed = store_values(engine, "observations", "GOPA", "2013", "11")
    assert gopa, "GOPA's indicators are listed"
    for code, cells in gopa.items():
        at = 2 if cells[2] is not None else 4
        assert cells[at] == NONE and cells[at + 1] == NONE and cells[10] == NONE
        assert "chưa có kế hoạch" in cells[11]
        if code in observed:
            assert value(cells[at + 5]) == pytest.approx(observed[code])
    # a single-province programme reports for the province as a whole
    dbbss = items(table, after="(DB-BSS-2011)")
    assert value(dbbss["OP1"][3]) == store_values(engine, "targets", PROGRAMME, "2013", "VN")["OP1"]


def test_a_pre_2025_province_code_and_its_successor_give_the_same_report(engine):
    old, new = report(engine, "annual", province="44"), report(engine, "annual", province="45")
    assert [r.cells for r in old.body] == [r.cells for r in new.body]
    assert any("(QB-DE-2012)" in cell_text(r.cells[1]) for r in new.body)
    assert new.title[1].endswith("TỈNH QUẢNG TRỊ")


def test_missing_figures_are_shown_as_missing_never_as_zero(engine, tmp_path):
    # a half-year with only annual figures: every actual is missing, measured against the annual plan
    table = report(engine, "six-month", programme=PROGRAMME, period="2013-H1")
    assert table.title[1].startswith("6 THÁNG ĐẦU NĂM 2013")
    for code, cells in items(table).items():
        at = 2 if code.startswith("OP") else 4
        assert cells[at + 5] == MISSING and cells[10] == NONE
        assert "so với kế hoạch năm 2013" in cells[11] and "số liệu chưa báo cáo" in cells[11]
    xlsx = write_report(table, tmp_path / "h1.xlsx")
    sheet = load_workbook(xlsx).active
    texts = [c.value for row in sheet.iter_rows() for c in row]
    assert texts.count(MISSING) == 6 and 0 not in texts and 0.0 not in texts
    assert render_html(table).count(f">{MISSING}<") == 6


def test_a_figure_removed_from_the_store_becomes_missing(tmp_path):
    eng = sample_engine(tmp_path)
    with eng.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM observations WHERE period = '2015' AND indicator_id IN (SELECT i.id FROM indicators i"
                " JOIN programmes p ON p.id = i.programme_id WHERE p.code = :p AND i.code = 'OP1')"
            ),
            {"p": PROGRAMME},
        )
    rows = items(report(eng, "annual", programme=PROGRAMME, period="2015"))
    eng.dispose()
    assert rows["OP1"][7] == MISSING and rows["OP1"][10] == NONE  # not 0, not 0 %
    assert value(rows["OP2"][7]) == 964  # the others are untouched


@pytest.mark.parametrize(
    ("kind", "kw", "error"),
    [
        ("annual", {"programme": PROGRAMME, "period": "2015-H1"}, PeriodError),
        ("six-month", {"programme": PROGRAMME, "period": "2015"}, PeriodError),
        ("five-year", {"programme": PROGRAMME, "period": "2011-2013"}, PeriodError),
        ("annual", {"programme": PROGRAMME, "period": "20155"}, PeriodError),
        ("five-year", {"programme": PROGRAMME, "form": "4.1"}, ReportRequestError),
        ("annual", {}, ReportRequestError),
        ("annual", {"programme": PROGRAMME, "province": "11"}, ReportRequestError),
        ("annual", {"programme": "NOPE"}, NotFound),
        ("annual", {"province": "99"}, ReportScopeError),
        ("annual", {"province": "01", "period": "2013"}, None),  # Hà Nội: XTTM-2013 works there
    ],
    ids=["year-not-half", "half-not-year", "span-not-5-years", "not-a-period", "4.1-five-year", "no-scope",
         "both-scopes", "unknown-programme", "unknown-province", "valid"],
)  # fmt: skip
def test_bad_requests_are_clear_errors(engine, kind, kw, error):
    if error is None:
        assert report(engine, kind, **kw).body
        return
    with pytest.raises(error) as caught:
        report(engine, kind, **kw)
    assert str(caught.value) and caught.value.message


def test_the_workbook_is_formatted_as_the_manual_form(engine, tmp_path):
    table = report(engine, "annual", programme=PROGRAMME)
    sheet = load_workbook(write_report(table, tmp_path / "f.xlsx")).active
    assert sheet.title == "Biểu 4.2"
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"} <= set(cells)
    assert "KHUNG TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾ HOẠCH" in cells
    numbers = [f"({k})" for k in range(1, 13)]
    assert [cells[n].column for n in numbers] == list(range(1, 13))
    top = cells["STT"].row
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"A{top}:A{top + 2}" in merged and f"C{top}:F{top}" in merged and f"G{top}:J{top}" in merged
    assert f"C{top + 1}:D{top + 1}" in merged
    assert cells["(1)"].row == top + 3 and cells["STT"].border.left.style == "thin"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == f"${top}:${top + 3}"
    assert sheet.column_dimensions["B"].width == 44
    op1 = next(r for r in sheet.iter_rows(min_row=top + 4) if r[1].value and "(OP1)" in r[1].value)
    assert op1[3].value == 320 and op1[3].number_format == "#,##0" and op1[10].number_format == "0.0"


def test_the_html_page_has_the_same_cells_in_utf8(engine, tmp_path):
    table = report(engine, "five-year", province="11", period="2011-2015")
    page = write_report(table, tmp_path / "f.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page and "@page { size: A4 landscape" in page
    assert '<th rowspan="2">STT</th>' in page and '<th colspan="5">Chỉ tiêu kế hoạch hằng năm</th>' in page
    for row in table.body:
        for cell in row.cells:
            assert f">{cell_text(cell).replace('&', '&amp;')}<" in page
    assert "9.600" in page  # thousands with a dot, the Vietnamese way


def test_the_command_writes_each_form_and_format(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url))
    runner = CliRunner()
    for args in (
        ["annual", PROGRAMME],
        ["annual", PROGRAMME, "--form", "4.1", "--format", "html"],
        ["five-year", "--province", "11", "--format", "html"],
        ["six-month", "TH-SK-2022", "--period", "2024-H2"],
    ):
        out = tmp_path / ("-".join(args) + (".html" if "html" in args else ".xlsx"))
        result = runner.invoke(app, ["report", *args, "--out", str(out)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert out.exists() and str(out) in result.output
    result = runner.invoke(app, ["report", "annual", PROGRAMME, "--format", "pdf"])
    assert result.exit_code == 2


@pytest.mark.parametrize("command", ["six-month", "annual", "five-year"])
def test_each_report_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, ["report", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and f"Example: mel report {command}" in result.output


def test_the_default_six_month_period_is_the_latest_half_year_with_figures(engine):
    table = report(engine, "six-month", programme="TH-SK-2022")
    assert table.period == "2026-H1"
    planned = [c for row in items(table).values() for c in (row[3], row[5]) if isinstance(c, Number)]
    assert planned and all(math.isfinite(c.value) for c in planned)


@pytest.mark.postgres
def test_reports_read_the_same_on_postgresql(engine, request):
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine
    from tests.conftest import _fresh_pg_database

    pg = make_engine(_fresh_pg_database(request.getfixturevalue("pg_server")))
    init_store(pg)
    import_path(pg, SAMPLE_WORKBOOK)
    for kind, kw in (("annual", {"province": "11"}), ("five-year", {"programme": PROGRAMME})):
        assert [r.cells for r in report(pg, kind, **kw).body] == [
            r.cells for r in report(engine, kind, **kw).body
        ]
    pg.dispose()


def test_communes_of_a_multi_province_programme_roll_up_to_the_province(tmp_path):
    from mel_core.communes import load_communes
    from mel_core.ingest import import_path

    eng = sample_engine(tmp_path)
    (tmp_path / "communes.csv").write_text(
        "code,name,province_code\nX11-1,Xã Một,11\nX11-2,Xã Hai,11\nX12-1,Xã Ba,12\n", encoding="utf-8"
    )
    load_communes(eng, tmp_path / "communes.csv")
    folder = tmp_path / "obs"
    folder.mkdir()
    (folder / "observations.csv").write_text(
        "programme_code,indicator_code,period,admin_unit,value\n"
        "GOPA,OP1,2018,X11-1,120\nGOPA,OP1,2018,X11-2,80\nGOPA,OP1,2018,X12-1,999\n"  # a count: summed
        "GOPA,OC1,2018,X11-1,60\nGOPA,OC1,2018,X11-2,70\n",  # a rate without a weight: not averaged
        encoding="utf-8",
    )
    import_path(eng, folder)
    gopa = items(report(eng, "annual", province="11", period="2018"), after="(GOPA)")
    eng.dispose()
    assert value(gopa["OP1"][7]) == 200  # 120 + 80, not the other province's commune
    assert gopa["OC1"][9] == MISSING  # 60 and 70 disagree: missing, never their mean


def test_rows_under_two_province_codes_are_an_error_not_a_sum():
    import pandas as pd

    from mel_core.reports.scope import _one_unit

    frame = pd.DataFrame({"admin_unit": ["44", "45", "C1"]})
    assert _one_unit(frame.iloc[[1, 2]], frame.iloc[[2]], "45", {"C1"}) == "45"
    with pytest.raises(ReportScopeError):
        _one_unit(frame, frame, "45", {"C1"})


def test_a_six_month_report_of_annual_figures_says_which_periods_and_report_have_them(engine):
    with pytest.raises(PeriodError) as info:
        report(engine, "six-month", programme=PROGRAMME)
    hint = info.value.hint or ""
    assert "2011…2017" in hint and "an annual report" in hint and "mel report annual" in hint
    assert "--period" in hint  # the way to name a half-year anyway
    assert "báo cáo năm" in render(hint, "vi") and "mel report annual" in render(hint, "vi")
