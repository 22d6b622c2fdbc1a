"""Trade-promotion reports (seed 000): a centre's quarterly report, programme reports by province, region and
product sector, the provincial indicator sheet; counted from the records of tests/trade_data.py by hand."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from mel_core.cli import app
from mel_core.i18n import render
from mel_core.ingest import import_path
from mel_core.trade.indicators import PROVINCIAL_SHEET, Figure
from mel_core.trade.report_files import render_html, write_report
from mel_core.trade.reports import (
    NO_DATA,
    TradeReportError,
    breakdown_report,
    centre_report,
    indicator_sheet,
    secondary_suppression,
)
from tests import trade_data
from tests.trade_data import E


@pytest.fixture
def store(engine, tmp_path):
    from mel_core.reference import init_store

    init_store(engine)
    import_path(engine, trade_data.write(tmp_path / "xttm.xlsx"))
    return engine


def _row(section, code):
    return next(r for r in section.rows if r[0] == code)


def _private(report) -> list[str]:
    """Names and tax codes of enterprises found in any cell of the report or its HTML."""
    names = [r[1] for r in trade_data.tables()["enterprises"][1:]]
    page = render_html(report, "vi") + render_html(report, "en")
    return [t for t in [*E.values(), *names] if t in page]


def test_a_centres_quarterly_report_counts_the_records(store):
    with store.connect() as conn:
        report = centre_report(conn, "XT-T11", "2026-Q3", least=3)
    plan, activities, indicators, results = report.sections
    assert plan.rows == [[3, 3, 0, 0, 0, 3]]  # A1 A2 A3 planned in Q3 and done (A4 in Q4, A5 in Q2)
    assert [r[0] for r in activities.rows] == ["A1", "A2", "A3"]
    assert [r[5:] for r in activities.rows] == [[2, 3, 0], [1, 2, 0], [1, 1, 0]]
    assert _row(indicators, "HD_CT")[4:6] == [2, 3]  # counted 2, typed 3: noted, and a warning
    assert len(report.warnings) == 2
    assert _row(indicators, "XK_DT")[4] == 1130 and _row(indicators, "KH_MOI")[4] == 5
    assert "suppressed" in str(_row(indicators, "TT_MOI")[4])  # new markets of two enterprises only
    assert "suppressed" in str(_row(indicators, "DS_GT")[4])
    assert results.rows[0][0] == 3 and results.rows[0][4] == 5  # three enterprises reported; 5 new customers
    assert _private(report) == []


def test_the_provincial_sheet_has_the_fourteen_indicators_in_the_seeds_order(store):
    with store.connect() as conn:
        sheet = indicator_sheet(conn, "XT-T11", "2026-Q3", least=3)
    rows = sheet.sections[0].rows
    assert [r[0] for r in rows] == list(PROVINCIAL_SHEET) and len(rows) == 14
    assert _row(sheet.sections[0], "XK_TT")[4] == pytest.approx(32.9, abs=0.05)
    assert _row(sheet.sections[0], "CB_KT")[5] == NO_DATA  # the assessment's figure is for the year


def test_by_sector_a_cell_of_one_enterprise_is_suppressed(store):
    with store.connect() as conn:
        report = breakdown_report(conn, "XT", "2026-Q3", "sector", least=3)
    section = report.sections[0]
    columns = [str(h) for h in section.header]
    coffee, tea, total = columns.index("Coffee"), columns.index("Tea"), len(columns) - 1
    xk = _row(section, "XK_DT")
    assert "suppressed" in str(xk[tea])  # E4 alone: its own export turnover
    # coffee (E1 E2 E3: 800) would give tea away as the total minus coffee: suppressed too (secondary)
    assert "suppressed" in str(xk[coffee]) and xk[total] == 1130
    with store.connect() as conn:  # with a threshold of 1 nothing is held back
        open_report = breakdown_report(conn, "XT", "2026-Q3", "sector", least=1)
    assert _row(open_report.sections[0], "XK_DT")[coffee] == 500 + 100 + 200
    hd = _row(section, "HD_CT")
    assert (hd[coffee], hd[tea], hd[total]) == (2, 1, 2)  # counts are always shown
    assert _private(report) == []
    with store.connect() as conn:
        by_province = breakdown_report(conn, "XT", "2026-Q3", "province", least=3)
        by_region = breakdown_report(conn, "XT", "2026-Q3", "region", least=3)
    assert [str(h) for h in by_province.sections[0].header][2] == "11 Điện Biên"
    assert "Northern Midlands and Mountains" in [str(h) for h in by_region.sections[0].header]
    assert _row(by_region.sections[0], "DN_TG")[2] == 4


def test_the_titles_name_the_period_and_the_breakdown_in_each_language(store):
    with store.connect() as conn:
        quarterly = centre_report(conn, "XT-T11", "2026-Q3", least=3)
        annual = centre_report(conn, "XT-T11", "2026", least=3)
        sheet = indicator_sheet(conn, "XT-T11", "2026-Q3", least=3)
        by_sector = breakdown_report(conn, "XT", "2026-Q3", "sector", least=3)
    shown = [(render(r.title, "en"), render(r.title, "vi")) for r in (quarterly, annual, sheet, by_sector)]
    assert shown == [
        (
            "Quarterly report 2026-Q3: XTTM tỉnh 11 (thử) (XT-T11)",
            "Báo cáo quý 2026-Q3: XTTM tỉnh 11 (thử) (XT-T11)",
        ),
        ("Annual report 2026: XTTM tỉnh 11 (thử) (XT-T11)", "Báo cáo năm 2026: XTTM tỉnh 11 (thử) (XT-T11)"),
        (
            "Provincial indicators 2026-Q3: XTTM tỉnh 11 (thử) (XT-T11)",
            "Chỉ tiêu cấp tỉnh 2026-Q3: XTTM tỉnh 11 (thử) (XT-T11)",
        ),
        (
            "Programme report 2026-Q3 by product sector: Chương trình XTTM (thử) (XT)",
            "Báo cáo Chương trình 2026-Q3 theo ngành hàng: Chương trình XTTM (thử) (XT)",
        ),
    ]
    section = by_sector.sections[0].title
    assert (render(section, "en"), render(section, "vi")) == (
        "Indicators by product sector",
        "Chỉ tiêu theo ngành hàng",
    )


def test_secondary_suppression_hides_a_second_cell_only_when_one_would_give_the_other_away():
    def cell(value, firms):
        return Figure("XK_DT", value, enterprises=firms)

    total = cell(100, 9)
    assert secondary_suppression([cell(10, 1), cell(50, 5), cell(40, 3)], total, 3) == {
        0,
        2,
    }  # the fewest next
    assert secondary_suppression([cell(10, 1), cell(20, 2), cell(70, 6)], total, 3) == {0, 1}  # two already
    assert secondary_suppression([cell(40, 4), cell(60, 5)], total, 3) == set()
    counts = [Figure("HD_CT", 2), Figure("HD_CT", 3)]
    assert secondary_suppression(counts, Figure("HD_CT", 5), 3) == set()


def test_a_lower_threshold_shows_more_and_the_setting_is_read(store, monkeypatch):
    with store.connect() as conn:
        assert _row(centre_report(conn, "XT-T11", "2026-Q3", least=2).sections[2], "TT_MOI")[4] == 3
        monkeypatch.setenv("MEL_ENTERPRISE_MIN_COUNT", "5")
        assert "suppressed" in str(_row(centre_report(conn, "XT-T11", "2026-Q3").sections[2], "XK_DT")[4])


def test_reports_refuse_what_they_cannot_be(store):
    with store.connect() as conn, pytest.raises(TradeReportError):
        centre_report(conn, "XT-T11", "2026-H2")
    with store.connect() as conn, pytest.raises(TradeReportError):
        centre_report(conn, "NOPE", "2026-Q3")


def test_files_and_the_command_line(store, tmp_path, monkeypatch):
    with store.connect() as conn:
        report = centre_report(conn, "XT-T11", "2026-Q3")
    written = write_report(report, tmp_path / "q3.xlsx", "xlsx", "vi")
    cells = [
        c for row in load_workbook(written).active.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "Báo cáo quý 2026-Q3: XTTM tỉnh 11 (thử) (XT-T11)" in cells and 1130 in cells
    monkeypatch.setenv("MEL_DB_URL", store.url.render_as_string(hide_password=False))
    out = tmp_path / "q3.html"
    result = CliRunner().invoke(
        app,
        [
            "trade",
            "report",
            "quarterly",
            "XT-T11",
            "--period",
            "2026-Q3",
            "--format",
            "html",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "HD_CT" in out.read_text(encoding="utf-8")
    refused = CliRunner().invoke(app, ["trade", "report", "annual", "XT-T11", "--period", "2026-Q3"])
    assert refused.exit_code != 0
    for by in ("province", "region", "sector"):
        done = CliRunner().invoke(
            app, ["trade", "report", by, "XT", "--period", "2026", "--out", str(tmp_path / f"{by}.xlsx")]
        )
        assert done.exit_code == 0, done.output
    help_text = CliRunner().invoke(app, ["trade", "report", "quarterly", "--help"]).output
    assert "Example: mel trade report quarterly" in help_text
