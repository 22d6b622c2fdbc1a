"""Issue #17's 'done when', on the store `mel demo` made: the trade-promotion programme's reports come from its
activity and enterprise records, an activity-count indicator equals the count of its activity records, and no
public output (the book, the public search index, the portal's pages for anonymous visitors) shows an individual
enterprise's figures, name or tax code."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import text

from mel_core.periods import parse_period
from mel_core.store import make_engine
from mel_core.trade.indicators import PROVINCIAL_SHEET, Scope, compute
from mel_core.trade.records import load_records
from tests.test_cli import run_mel


def _cells(path: Path) -> list[object]:
    return [c for row in load_workbook(path).active.iter_rows(values_only=True) for c in row if c is not None]


def test_the_reports_come_from_the_records(demo_run, tmp_path):
    assert demo_run.result.returncode == 0, demo_run.result.stderr
    assert "XTTM" in demo_run.result.stdout
    commands = {
        "quarterly": ("trade", "report", "quarterly", "XTTM-T11", "--period", "2026-Q3"),
        "province": ("trade", "report", "province", "XTTM", "--period", "2026"),
        "sector": ("trade", "report", "sector", "XTTM", "--period", "2026"),
        "indicators": ("trade", "indicators", "XTTM-T11", "--period", "2026"),
    }
    made = {}
    for name, args in commands.items():
        out = tmp_path / f"{name}.xlsx"
        done = run_mel(*args, "--out", str(out), home=demo_run.home)
        assert done.returncode == 0, done.stderr
        made[name] = _cells(out)
    assert all(code in made["indicators"] for code in PROVINCIAL_SHEET)
    assert "11 Điện Biên" in made["province"] and "Coffee" in made["sector"]  # English: no MEL_LANG
    engine = make_engine(f"sqlite:///{demo_run.home / 'mel.db'}")
    try:
        with engine.connect() as conn:
            records = load_records(conn)
            # HD_CT of the centre in 2026-Q3, counted straight from the activity records
            counted = conn.scalar(
                text(
                    "SELECT count(*) FROM activities a JOIN programmes p ON p.id = a.programme_id"
                    " WHERE p.code = 'XTTM-T11' AND a.status = 'done' AND NOT a.outside_programme"
                    " AND a.actual_date BETWEEN '2026-07-01' AND '2026-09-30'"
                )
            )
    finally:
        engine.dispose()
    figures = compute(records, Scope(("XTTM-T11",), parse_period("2026-Q3")))
    assert counted > 0 and figures["HD_CT"].value == counted
    quarterly = made["quarterly"]
    assert quarterly[quarterly.index("HD_CT") + 4] == counted  # code, name, unit, target, from the records


def _private(demo_home: Path) -> tuple[list[str], list[str]]:
    """Every enterprise's name and tax code; and its own yearly turnover and export figures as a page would
    print them (1234.5, 1,234.5, 1.234,5)."""
    engine = make_engine(f"sqlite:///{demo_home / 'mel.db'}")
    try:
        with engine.connect() as conn:
            firms = conn.execute(text("SELECT name, tax_code FROM enterprises")).all()
            figures = conn.scalars(
                text(
                    "SELECT turnover_million_vnd FROM enterprise_reports WHERE period IN ('2025', '2026')"
                    " UNION SELECT export_turnover_million_vnd FROM enterprise_reports"
                    " WHERE period IN ('2025', '2026') AND export_turnover_million_vnd > 100"
                )
            ).all()
    finally:
        engine.dispose()
    assert len(firms) == 40 and len(figures) > 100
    numbers = []
    for value in figures:
        shown = f"{value:,.1f}"
        numbers += [f"{value:.1f}", shown, shown.replace(",", "_").replace(".", ",").replace("_", ".")]
    return [s for firm in firms for s in firm], numbers


def test_no_public_output_shows_an_enterprise(demo_run):
    from fastapi.testclient import TestClient

    from mel_core.config import load_settings
    from mel_core.kb.documents import store_documents
    from mel_core.web.app import create_app

    names, numbers = _private(demo_run.home)
    pages = [p for p in (demo_run.book / "html").rglob("*") if p.suffix in (".html", ".js", ".json", ".txt")]
    assert pages
    texts = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in pages}
    engine = make_engine(f"sqlite:///{demo_run.home / 'mel.db'}")
    try:
        with engine.connect() as conn:
            for doc in store_documents(conn, "public"):
                texts[f"index {doc.key}"] = f"{doc.title}\n{doc.body}\n{doc.meta}"
            evaluation = conn.scalar(
                text(
                    "SELECT e.code FROM evaluations e JOIN programmes p ON p.id = e.programme_id WHERE p.code = 'XTTM'"
                )
            )
    finally:
        engine.dispose()
    assert evaluation is not None and any("XTTM" in t for t in texts.values())
    client = TestClient(
        create_app(load_settings({"MEL_HOME": str(demo_run.home)})), raise_server_exceptions=False
    )
    for path in ("/programmes/XTTM", "/api/programmes/XTTM", "/programmes/XTTM-T11", "/api/programmes/XTTM-T11",
                 f"/evaluations/{evaluation}", f"/api/evaluations/{evaluation}",
                 f"/evaluations/{evaluation}/notebooks/impact.html", "/search?q=minh+ho%E1%BA%A1",
                 "/my-reports/XTTM-T11?period=2026-Q3"):  # fmt: skip
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (200, 303), (path, response.status_code)
        texts[path] = response.text
    found = [(where, s) for where, body in texts.items() for s in names if s in body]
    # an enterprise's own figure, standing alone as a number, on a page or document about the trade programmes
    # (elsewhere a number of another programme may equal one by chance)
    alone = [re.compile(rf"(?<![\d.,]){re.escape(n)}(?![\d])") for n in numbers]
    about_trade = {where: body for where, body in texts.items() if "xttm" in where.lower()}
    assert len(about_trade) >= 5
    found += [(where, p.pattern) for where, body in about_trade.items() for p in alone if p.search(body)]
    assert found == []
