"""The trade-promotion reports of seed 000 ("Xem báo cáo", "Lập báo cáo Trung tâm, Hiệp hội"), from the records.

- :func:`centre_report`: the quarterly or annual report of a centre or association (its programme): the plan
  and what became of it, the activities with their participants counted, the indicators counted from the
  records beside the figures typed in and the targets, and the enterprises' results as aggregates;
- :func:`breakdown_report`: a programme report by province, region or product sector (one column each);
- :func:`indicator_sheet`: the fourteen provincial indicators of the seed for one programme and period.

Every figure that adds up enterprises' own data passes :mod:`mel_core.trade.disclosure`: a cell over fewer
enterprises than the threshold reads "suppressed", never its value. No enterprise is named.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Connection, select

from mel_core import geo
from mel_core.errors import MelError
from mel_core.i18n import Text, message, t
from mel_core.periods import Period, PeriodKind, parse_period
from mel_core.reference import taxonomy
from mel_core.store import Indicator, Programme, Target, table_of
from mel_core.trade import disclosure
from mel_core.trade.checks import disagreements
from mel_core.trade.indicators import COMPUTED, PROVINCIAL_SHEET, Figure, Scope, activities_in, compute
from mel_core.trade.records import TradeRecords, load_records
from mel_core.vocabulary import NATIONAL, PRODUCT_SECTORS

Breakdown = Literal["province", "region", "sector"]
BREAKDOWNS: tuple[Breakdown, ...] = ("province", "region", "sector")
#: What an empty cell reads: no record to count, or no report for the period.
NO_DATA = message("trade.reports.no_data")
#: The rows of a programme report by province, region or sector, in this order.
BREAKDOWN_ROWS = (
    "HD_CT",
    "HD_TU",
    "CB_TG",
    "LUOT_CB",
    "DN_TG",
    "LUOT_DN",
    "DN_TU",
    "TT_MOI",
    "KH_MOI",
    "DS_GT",
    "DN_SPXK",
    "TL_DN_SPXK",
    "XK_DT",
    "DS",
    "XK_TT",
    "DS_TT",
)


class TradeReportError(MelError):
    """The report asked for cannot be made (an unknown programme, a period of the wrong kind …)."""

    exit_code = 64  # EX_USAGE


@dataclass
class Section:
    """One table of a report: a heading, column headings, rows of cells, and notes under it."""

    title: str
    header: list[str]
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class TradeReport:
    """A report ready to be written (:mod:`mel_core.trade.report_files`) or shown in the portal."""

    kind: str
    programme: str
    title: str
    period: Period
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def cells(self) -> list[object]:
        """Every cell of every section (what a test reads to be sure nothing private is shown)."""
        return [c for s in self.sections for row in s.rows for c in row] + [*self.warnings]


def _programme(conn: Connection, code: str) -> dict:
    p = table_of(Programme)
    row = conn.execute(select(p).where(p.c.code == code)).mappings().first()
    if row is None:
        raise TradeReportError(
            message("trade.reports.no_programme_store", code=code),
            hint=message("trade.reports.list_hint"),
        )
    if row["sector"] != "trade_promotion":
        raise TradeReportError(
            message("trade.reports.not_trade_promotion_programme", code=code, sector=row["sector"]),
            hint=message("trade.reports.use_mel_report_other"),
        )
    return dict(row)


def _period(text: str | Period, kinds: tuple[PeriodKind, ...], what: str) -> Period:
    period = parse_period(text)
    if period.kind not in kinds:
        raise TradeReportError(
            message("trade.reports.not_period_report", period=period, what=what),
            hint=message("trade.reports.period_hint"),
        )
    return period


def _names(conn: Connection, programme: str) -> dict[str, tuple[str, str | None, str]]:
    i, p = table_of(Indicator), table_of(Programme)
    query = select(i.c.code, i.c.name, i.c.name_en, i.c.unit).join(p, p.c.id == i.c.programme_id)
    return {c: (n, e, u) for c, n, e, u in conn.execute(query.where(p.c.code == programme).order_by(i.c.id))}


def _targets(conn: Connection, programme: str, period: Period) -> dict[str, float]:
    i, p, t = table_of(Indicator), table_of(Programme), table_of(Target)
    query = (
        select(i.c.code, t.c.period, t.c.value)
        .join(i, i.c.id == t.c.indicator_id)
        .join(p, p.c.id == i.c.programme_id)
        .where(p.c.code == programme, t.c.period.in_([period.label, str(period.start.year)]))
    )
    out: dict[str, float] = {}
    for code, label, value in conn.execute(query):
        if label == period.label or code not in out:  # the period's own target before the year's
            out[code] = value
    return out


def _shown(figure: Figure | None, least: int) -> object:
    if figure is None or figure.value is None:
        return (
            NO_DATA if figure is None or not disclosure.is_suppressed(figure, least) else _suppressed(least)
        )
    if disclosure.is_suppressed(figure, least):
        return _suppressed(least)
    value = figure.value
    return round(value, 1) if isinstance(value, float) and not float(value).is_integer() else int(value)


def _suppressed(least: int) -> str:
    return disclosure.suppressed_text(least)


def _typed(records: TradeRecords, programme: str, code: str, period: Period) -> float | None:
    for f in records.typed.values():
        if (
            f.programme == programme
            and f.indicator == code
            and f.period.label == period.label
            and not f.disaggregation
        ):
            return f.value
    return None


def _label(name: tuple[str, str | None, str] | None, code: str) -> str:
    if name is None:
        return code
    return Text(name[1] or name[0], name[0])


def centre_report(
    conn: Connection, programme: str, period: str | Period, *, least: int | None = None
) -> TradeReport:
    """The quarterly (a quarter) or annual (a year) report of the centre or association running ``programme``.

    Raises:
        TradeReportError: no such trade-promotion programme, or a period that is neither a quarter nor a year.
    """
    least = disclosure.minimum() if least is None else least
    row = _programme(conn, programme)
    chosen = _period(period, (PeriodKind.QUARTER, PeriodKind.YEAR), "quarterly or annual")
    kind = "quarterly" if chosen.kind == PeriodKind.QUARTER else "annual"
    records = load_records(conn)
    scope = Scope(tuple(records.children(programme)), chosen)
    figures = compute(records, scope)
    labels = taxonomy()
    key = "trade.reports.quarterly_title" if kind == "quarterly" else "trade.reports.annual_title"
    title = Text(
        t(key, "en", chosen=chosen, title=row["title_en"] or row["title"], programme=programme),
        t(key, "vi", chosen=chosen, title=row["title"], programme=programme),
    )
    report = TradeReport(kind, programme, title, chosen)
    report.sections.append(_plan_section(records, scope, labels))
    report.sections.append(_activity_section(records, scope, labels))
    report.sections.append(_indicator_section(conn, records, programme, chosen, figures, least, None))
    report.sections.append(_results_section(records, scope, least))
    report.warnings = _warnings(records, set(scope.programmes), chosen)
    return report


def _warnings(records: TradeRecords, programmes: set[str], period: Period) -> list[str]:
    """The disagreements of the period, each in both languages."""
    return [
        Text(w.render("en"), w.render("vi"))
        for w in disagreements(records, programmes=programmes, period=period)
    ]


def _plan_section(records: TradeRecords, scope: Scope, labels: dict) -> Section:
    wanted = set(scope.programmes)
    planned = [
        a
        for a in records.activities.values()
        if a.programme in wanted and a.planned_date is not None and scope.period.contains(a.planned_date)
    ]
    by_status = Counter(a.status for a in planned)
    done = len(activities_in(records, scope, outside=None))
    return Section(
        message("trade.reports.plan_section"),
        [
            message("trade.reports.planned_period"),
            message("trade.reports.done"),
            message("trade.reports.cancelled"),
            message("trade.reports.stopped"),
            message("trade.reports.not_yet_done"),
            message("trade.reports.done_period_any_plan"),
        ],
        [
            [
                len(planned),
                by_status["done"],
                by_status["cancelled"],
                by_status["stopped"],
                by_status["planned"],
                done,
            ]
        ],
    )


def _activity_section(records: TradeRecords, scope: Scope, labels: dict) -> Section:
    section = Section(
        message("trade.reports.activities_section"),
        [
            message("trade.reports.code"),
            message("trade.reports.type"),
            message("trade.reports.date"),
            message("trade.reports.province"),
            message("trade.reports.outside_programme"),
            message("trade.reports.officials"),
            message("trade.reports.enterprises"),
            message("trade.reports.households"),
        ],
    )
    types = labels.get("activity_types", {})
    for a in activities_in(records, scope, outside=None):
        people = records.participants.get(a.key, {})
        kind = types.get(a.type, {})
        section.rows.append(
            [
                a.code,
                Text(kind.get("en", a.type), kind.get("vi", a.type)),
                a.actual_date.isoformat() if a.actual_date else "",
                records.province_of(a) or "",
                message("trade.reports.yes") if a.outside_programme else "",
                len(people.get("official", ())),
                len(people.get("enterprise", ())),
                len(people.get("household", ())),
            ]
        )
    section.notes.append(message("trade.reports.participants_counted_participant_records"))
    return section


def _indicator_section(
    conn: Connection,
    records: TradeRecords,
    programme: str,
    period: Period,
    figures: dict[str, Figure],
    least: int,
    only: tuple[str, ...] | None,
) -> Section:
    names = _names(conn, programme)
    targets = _targets(conn, programme, period)
    section = Section(
        message("trade.reports.indicators_section"),
        [
            message("trade.reports.code"),
            message("trade.reports.indicator"),
            message("trade.reports.unit"),
            message("trade.reports.target"),
            message("trade.reports.from_records"),
            message("trade.reports.typed"),
            message("trade.reports.note"),
        ],
    )
    codes = list(only) if only is not None else list(names)
    for code in codes:
        name = names.get(code)
        typed = _typed(records, programme, code, period)
        if code in COMPUTED:
            figure = figures.get(code)
            value = _shown(figure, least)
            agrees = figure is not None and figure.value is not None and typed is not None
            differs = agrees and figure is not None and abs((figure.value or 0) - (typed or 0)) > 1e-9
            note = message("trade.reports.typed_figure_differs") if differs and code in figures else ""
            shown_typed: object = (
                typed
                if typed is not None and not disclosure.is_suppressed(figure or Figure(code, None), least)
                else ""
            )
        else:
            value, note = (
                message("trade.reports.typed_by_hand"),
                message("trade.reports.assessment_reports"),
            )
            shown_typed = typed if typed is not None else NO_DATA
        section.rows.append(
            [
                code,
                _label(name, code),
                name[2] if name else "",
                targets.get(code, ""),
                value,
                shown_typed,
                note,
            ]
        )
    section.notes.append(message("trade.reports.values_add_up_figures", least=least))
    return section


def _results_section(records: TradeRecords, scope: Scope, least: int) -> Section:
    keys = {a.key for a in activities_in(records, scope)}
    chosen = [r for (p, a, _t), r in records.results.items() if (p, a) in keys]
    firms = {r.tax_code for r in chosen}
    section = Section(
        message("trade.reports.results_section"),
        [
            message("trade.reports.enterprises_reporting"),
            message("trade.reports.contracts"),
            message("trade.reports.contract_value_million_vnd"),
            message("trade.reports.new_markets"),
            message("trade.reports.new_customers"),
            message("trade.reports.additional_sales_million_vnd"),
        ],
    )
    row: list[object] = [len(firms)]
    for name in ("contracts", "contract_value", "new_markets", "new_customers", "additional_sales"):
        values = [getattr(r, name) for r in chosen if getattr(r, name) is not None]
        figure = Figure(
            name,
            sum(values) if values else None,
            enterprises=len({r.tax_code for r in chosen if getattr(r, name) is not None}),
        )
        row.append(_shown(figure, least))
    section.rows.append(row)
    return section


def indicator_sheet(
    conn: Connection, programme: str, period: str | Period, *, least: int | None = None
) -> TradeReport:
    """The fourteen provincial indicators of seed 000 for ``programme`` (a centre's), counted from the records."""
    least = disclosure.minimum() if least is None else least
    row = _programme(conn, programme)
    chosen = parse_period(period)
    records = load_records(conn)
    figures = compute(records, Scope(tuple(records.children(programme)), chosen))
    title = Text(
        t(
            "trade.reports.indicators_title",
            "en",
            chosen=chosen,
            title=row["title_en"] or row["title"],
            programme=programme,
        ),
        t("trade.reports.indicators_title", "vi", chosen=chosen, title=row["title"], programme=programme),
    )
    report = TradeReport("indicators", programme, title, chosen)
    section = _indicator_section(conn, records, programme, chosen, figures, least, PROVINCIAL_SHEET)
    section.title = message("trade.reports.provincial_sheet")
    report.sections.append(section)
    report.warnings = _warnings(records, set(records.children(programme)), chosen)
    return report


def _groups(records: TradeRecords, by: Breakdown, programmes: list[str]) -> list[tuple[str, str]]:
    """(key, label) of each column of a breakdown: every product sector, or the provinces (regions) where the
    programmes' activities took place."""
    labels = taxonomy()
    if by == "sector":
        sectors = labels["product_sectors"]
        present = {e.product_sector for e in records.enterprises.values()}
        return [(k, Text(sectors[k]["en"], sectors[k]["vi"])) for k in PRODUCT_SECTORS if k in present]
    provinces = {
        where
        for a in records.activities.values()
        if a.programme in programmes and (where := records.province_of(a)) and where != NATIONAL
    }
    known = geo.provinces()
    if by == "province":
        return [(c, f"{c} {known[c].name}" if c in known else c) for c in sorted(provinces)]
    names = labels.get("regions", {})
    regions = sorted({known[c].region for c in provinces if c in known})
    return [(r, Text(names.get(r, {}).get("en", r), names.get(r, {}).get("vi", r))) for r in regions]


def secondary_suppression(cells: list[Figure | None], total: Figure | None, least: int) -> set[int]:
    """Which cells of a row must be suppressed so that none can be worked out from the others and the total.

    A cell over fewer than ``least`` enterprises is suppressed (primary); when the total is shown and exactly one
    cell of the row is suppressed, it would equal the total minus the others, so the shown cell over the fewest
    enterprises is suppressed too (secondary). Rows of counts (no enterprise figures) suppress nothing.
    """
    primary = {n for n, c in enumerate(cells) if c is not None and disclosure.is_suppressed(c, least)}
    if len(primary) != 1 or total is None or total.value is None or disclosure.is_suppressed(total, least):
        return primary
    shown = [
        (c.enterprises or 0, n)
        for n, c in enumerate(cells)
        if n not in primary and c is not None and c.value is not None and (c.enterprises or 0) > 0
    ]
    return primary | ({min(shown)[1]} if shown else set())


def breakdown_report(
    conn: Connection, programme: str, period: str | Period, by: Breakdown, *, least: int | None = None
) -> TradeReport:
    """A programme report with one column per province, region or product sector, and the programme's total.

    A column whose enterprise figures rest on fewer enterprises than the threshold shows them as suppressed.
    """
    least = disclosure.minimum() if least is None else least
    if by not in BREAKDOWNS:
        raise TradeReportError(message("trade.reports.unknown_breakdown", by=by))
    row = _programme(conn, programme)
    chosen = parse_period(period)
    records = load_records(conn)
    programmes = records.children(programme)
    columns = _groups(records, by, programmes)
    scopes = [
        Scope(
            tuple(programmes),
            chosen,
            province=k if by == "province" else None,
            region=k if by == "region" else None,
            sector=k if by == "sector" else None,
        )
        for k, _label in columns
    ]
    values = [compute(records, s) for s in scopes]
    total = compute(records, Scope(tuple(programmes), chosen))
    by_en, by_vi = t(f"trade.reports.by.{by}", "en"), t(f"trade.reports.by.{by}", "vi")
    title = Text(
        t(
            "trade.reports.breakdown_title",
            "en",
            chosen=chosen,
            by=by_en,
            title=row["title_en"] or row["title"],
            programme=programme,
        ),
        t(
            "trade.reports.breakdown_title",
            "vi",
            chosen=chosen,
            by=by_vi,
            title=row["title"],
            programme=programme,
        ),
    )
    report = TradeReport(f"by-{by}", programme, title, chosen)
    names = _names(conn, programme)
    for child in programmes:
        for code, name in _names(conn, child).items():
            names.setdefault(code, name)
    section = Section(
        Text(
            t("trade.reports.indicators_by", "en", by=by_en), t("trade.reports.indicators_by", "vi", by=by_vi)
        ),
        [
            message("trade.reports.code"),
            message("trade.reports.indicator"),
            *[label for _k, label in columns],
            message("trade.reports.total"),
        ],
    )
    for code in BREAKDOWN_ROWS:
        cells = [v.get(code) for v in values]
        hidden = secondary_suppression(cells, total.get(code), least)
        section.rows.append(
            [
                code,
                _label(names.get(code), code),
                *[_suppressed(least) if n in hidden else _shown(c, least) for n, c in enumerate(cells)],
                _shown(total.get(code), least),
            ]
        )
    section.notes.append(message("trade.reports.cell_adds_up_figures", least=least))
    report.sections.append(section)
    return report
