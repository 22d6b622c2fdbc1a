"""``/my-reports`` and ``/my-reports/{code}``: a centre's or association's trade-promotion reports (seed 000,
"Báo cáo của tôi"), for signed-in users; a contributor sees those of the programmes of their scope
(:func:`mel_core.access.trade_report_scope`) and sends figures through ``/submit/workbook``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlmodel import Session

from mel_core.access import Viewer
from mel_core.errors import PeriodError
from mel_core.i18n import render, t
from mel_core.trade import portal as trade
from mel_core.trade.report_files import html_body
from mel_core.trade.reports import TradeReportError
from mel_core.web.deps import db, lang_of, require
from mel_core.web.render import page, twin

router = APIRouter(tags=["trade promotion"])


def _listing(session: Session, viewer: Viewer) -> dict[str, Any]:
    return trade.my_reports(session.connection(), viewer)


def _report(session: Session, viewer: Viewer, code: str, kind: str, period: str | None, lang: str) -> Any:
    conn = session.connection()
    listed = trade.my_reports(conn, viewer)["programmes"]
    entry = next((p for p in listed if p["code"] == code), None)
    if entry is None:  # not a trade programme, or not one of the viewer's
        raise HTTPException(status_code=404 if code not in trade.visible(conn, _everyone()) else 403)
    if kind not in entry["kinds"]:
        raise HTTPException(status_code=400, detail=f"{kind!r}: one of {', '.join(entry['kinds'])}")
    chosen = period or _default(entry, kind)
    if chosen is None:
        raise HTTPException(status_code=404, detail="no activity recorded yet")
    try:
        return trade.report(conn, code, kind, chosen, lang)
    except (TradeReportError, PeriodError) as exc:
        raise HTTPException(status_code=400, detail=render(str(exc), lang)) from None


def _everyone() -> Viewer:
    return Viewer(role="admin")


def _default(entry: dict[str, Any], kind: str) -> str | None:
    quarters = [p for p in entry["periods"] if "-Q" in p]
    years = [p for p in entry["periods"] if "-" not in p]
    pool = quarters if kind == "quarterly" else years
    return pool[0] if pool else None


@router.get("/my-reports", response_class=HTMLResponse, include_in_schema=False)
def my_reports_page(
    request: Request, viewer: Viewer = Depends(require("see_trade_reports")), session: Session = Depends(db)
) -> HTMLResponse:
    """The trade-promotion programmes of the viewer's scope, with their reports by period."""
    return page(
        request,
        "my_reports.html",
        {**_listing(session, viewer), "title": t("web.my_reports", lang_of(request))},
    )


@router.get("/api/my-reports")
def my_reports_api(
    viewer: Viewer = Depends(require("see_trade_reports")), session: Session = Depends(db)
) -> JSONResponse:
    """The trade-promotion programmes of the viewer's scope, with the reports and periods each offers."""
    return twin(_listing(session, viewer))


@router.get("/my-reports/{code}", response_class=HTMLResponse, include_in_schema=False)
def my_report_page(
    code: str,
    request: Request,
    kind: str = Query("quarterly"),
    period: str | None = Query(None),
    viewer: Viewer = Depends(require("see_trade_reports")),
    session: Session = Depends(db),
) -> HTMLResponse:
    """One report of a programme (quarterly, annual, the indicator sheet, by province, region or sector)."""
    lang = lang_of(request)
    made = _report(session, viewer, code, kind, period, lang)
    body = Markup(html_body(made, lang))  # html_body escapes every text it writes
    return page(request, "my_report.html", {"code": code, "body": body, "title": render(made.title, lang)})


@router.get("/api/my-reports/{code}")
def my_report_api(
    code: str,
    request: Request,
    kind: str = Query("quarterly"),
    period: str | None = Query(None),
    viewer: Viewer = Depends(require("see_trade_reports")),
    session: Session = Depends(db),
) -> JSONResponse:
    """One report as JSON: its sections with their cells as shown (enterprise figures over too few enterprises
    suppressed)."""
    lang = lang_of(request)
    return twin(trade.as_json(_report(session, viewer, code, kind, period, lang), lang))
