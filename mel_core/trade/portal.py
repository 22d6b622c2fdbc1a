"""What the portal's "my reports" shows (seed 000: "Báo cáo của tôi"): the trade-promotion programmes a viewer
may see the reports of (:func:`mel_core.access.trade_report_scope`), the periods they have records for, and one
report as data for a page and its JSON twin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from mel_core.access import ProgrammeScope, Viewer, trade_report_scope
from mel_core.i18n import message, render
from mel_core.periods import Period, PeriodKind, parse_period
from mel_core.store import Organisation, Programme, ProgrammeProvince, table_of
from mel_core.trade.records import TradeRecords, load_records
from mel_core.trade.reports import (
    BREAKDOWNS,
    TradeReport,
    TradeReportError,
    breakdown_report,
    centre_report,
    indicator_sheet,
)

#: The reports a programme offers: a centre's or association's quarterly and annual reports, the indicator
#: sheet, and (for a programme with projects below it) the reports by province, region and sector.
KINDS = ("quarterly", "annual", "indicators", *BREAKDOWNS)


def _scopes(conn: Connection) -> dict[str, tuple[ProgrammeScope, str, str | None]]:
    p, pp, o = table_of(Programme), table_of(ProgrammeProvince), table_of(Organisation)
    places: dict[int, set[str]] = {}
    for pid, code in conn.execute(select(pp.c.programme_id, pp.c.admin_unit_code)):
        places.setdefault(pid, set()).add(code)
    query = (
        select(p.c.id, p.c.code, p.c.title, o.c.name, p.c.parent_id)
        .select_from(p.outerjoin(o, o.c.id == p.c.implementer_id))
        .where(p.c.sector == "trade_promotion")
        .order_by(p.c.code)
    )
    codes = dict(conn.execute(select(p.c.id, p.c.code)).all())
    return {
        code: (ProgrammeScope(code, frozenset(places.get(pid, ())), name or ""), title, codes.get(parent))
        for pid, code, title, name, parent in conn.execute(query)
    }


def periods(records: TradeRecords, programme: str) -> list[str]:
    """The quarters and years in which the programme (or one below it) did an activity, the latest first."""
    wanted = set(records.children(programme))
    days = [a.actual_date for a in records.activities.values() if a.programme in wanted and a.actual_date]
    quarters = {f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in days}
    years = {str(d.year) for d in days}
    return sorted(quarters, reverse=True) + sorted(years, reverse=True)


def visible(conn: Connection, viewer: Viewer) -> list[str]:
    """The codes of the trade-promotion programmes whose reports ``viewer`` may see."""
    return [code for code, (scope, _t, _p) in _scopes(conn).items() if trade_report_scope(viewer, scope)]


def my_reports(conn: Connection, viewer: Viewer) -> dict[str, Any]:
    """The programmes of ``viewer``'s scope, each with the reports and periods it offers."""
    scopes = _scopes(conn)
    records = load_records(conn, list(scopes))
    out = []
    for code, (scope, title, parent) in scopes.items():
        if not trade_report_scope(viewer, scope):
            continue
        has_children = len(records.children(code)) > 1
        kinds = [k for k in KINDS if has_children or k not in BREAKDOWNS]
        out.append(
            {
                "code": code,
                "title": title,
                "parent": parent,
                "provinces": sorted(scope.provinces),
                "implementer": scope.implementer,
                "kinds": kinds,
                "periods": periods(records, code),
            }
        )
    return {"programmes": out}


def report(conn: Connection, programme: str, kind: str, period: str | Period, lang: str) -> TradeReport:
    """One report of :data:`KINDS` (raises :class:`mel_core.trade.reports.TradeReportError` when it cannot be
    made, :class:`mel_core.errors.PeriodError` for a period that is not one)."""
    if kind in ("quarterly", "annual"):
        wanted = PeriodKind.QUARTER if kind == "quarterly" else PeriodKind.YEAR
        if parse_period(period).kind != wanted:
            raise TradeReportError(
                message("trade.portal.not_period_quarterly_report", period=period)
                if kind == "quarterly"
                else message("trade.portal.not_period_annual_report", period=period),
                hint=message("trade.portal.period_hint"),
            )
        return centre_report(conn, programme, period)
    if kind == "indicators":
        return indicator_sheet(conn, programme, period)
    return breakdown_report(conn, programme, period, kind)  # type: ignore[arg-type]


def as_json(report_: TradeReport, lang: str) -> dict[str, Any]:
    """A report as JSON: its title, period and sections with their cells as shown (text in ``lang``)."""

    def cell(value: object) -> object:
        if isinstance(value, str):
            return render(value, lang)
        return value

    return {
        "programme": report_.programme,
        "kind": report_.kind,
        "period": report_.period.label,
        "title": render(report_.title, lang),
        "sections": [
            {
                "title": render(s.title, lang),
                "header": [render(h, lang) for h in s.header],
                "rows": [[cell(c) for c in row] for row in s.rows],
                "notes": [render(n, lang) for n in s.notes],
            }
            for s in report_.sections
        ],
        "warnings": [render(w, lang) for w in report_.warnings],
    }
