"""The activity and enterprise records of the store as plain rows, with what an import is about to change.

:func:`load_records` reads them; :meth:`TradeRecords.overlay` lays the rows of a checked import batch over them
(a row replaces the stored one with the same natural key), so the indicators an import would give can be counted,
and compared with the figures typed in, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from mel_core.periods import Period, parse_period
from mel_core.store import (
    Activity,
    ActivityParticipant,
    ActivityResult,
    Enterprise,
    EnterpriseReport,
    Indicator,
    Observation,
    Programme,
    ProgrammeProvince,
    table_of,
)


@dataclass(frozen=True)
class ActivityRecord:
    """An activity of the plan and its report. ``typed``: the participant counts as typed in, by kind."""

    programme: str
    code: str
    type: str
    status: str
    planned_date: date | None
    actual_date: date | None
    province: str | None
    outside_programme: bool
    typed: tuple[tuple[str, int | None], ...] = ()
    row: int = 0  # the row of the import it came from; 0 = the store

    @property
    def key(self) -> tuple[str, str]:
        return (self.programme, self.code)

    def done_in(self, period: Period) -> bool:
        """Carried out (status done) on a day of ``period``."""
        return self.status == "done" and self.actual_date is not None and period.contains(self.actual_date)

    def typed_count(self, kind: str) -> int | None:
        return dict(self.typed).get(kind)


@dataclass(frozen=True)
class EnterpriseRecord:
    """An enterprise of the register."""

    tax_code: str
    name: str
    province: str
    product_sector: str
    size: str
    exporter: bool


@dataclass(frozen=True)
class EnterpriseFigures:
    """An enterprise's report for one period."""

    tax_code: str
    period: Period
    turnover: float | None = None
    export_turnover: float | None = None
    export_markets: int | None = None
    new_markets: int | None = None
    new_customers: int | None = None
    new_export_product: bool | None = None
    employees: int | None = None


@dataclass(frozen=True)
class ResultRecord:
    """What an enterprise gained from an activity it joined."""

    programme: str
    activity: str
    tax_code: str
    contracts: int | None = None
    contract_value: float | None = None
    new_markets: int | None = None
    new_customers: int | None = None
    additional_sales: float | None = None


@dataclass(frozen=True)
class TypedFigure:
    """A figure typed in for an indicator (an observation), to set beside what the records give."""

    programme: str
    indicator: str
    period: Period
    admin_unit: str
    disaggregation: str
    value: float
    row: int = 0


@dataclass
class TradeRecords:
    """Everything the trade-promotion indicators are counted from."""

    programmes: dict[str, tuple[str | None, tuple[str, ...], str]] = field(default_factory=dict)
    activities: dict[tuple[str, str], ActivityRecord] = field(default_factory=dict)
    # (programme, activity) → kind → participants (tax codes of enterprises, ids of people)
    participants: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)
    enterprises: dict[str, EnterpriseRecord] = field(default_factory=dict)
    reports: dict[tuple[str, str], EnterpriseFigures] = field(
        default_factory=dict
    )  # (tax code, period label)
    results: dict[tuple[str, str, str], ResultRecord] = field(default_factory=dict)
    typed: dict[tuple[str, str, str, str, str], TypedFigure] = field(default_factory=dict)
    indicators: dict[str, set[str]] = field(default_factory=dict)  # programme → its indicator codes

    def children(self, code: str) -> list[str]:
        """``code`` and every programme below it, in code order."""
        out, todo = [], [code]
        while todo:
            current = todo.pop()
            out.append(current)
            todo += [c for c, (parent, _p, _s) in self.programmes.items() if parent == current]
        return sorted(out)

    def province_of(self, activity: ActivityRecord) -> str | None:
        """Where an activity took place: its own province, else its programme's only province."""
        if activity.province:
            return activity.province
        provinces = self.programmes.get(activity.programme, (None, (), ""))[1]
        return provinces[0] if len(provinces) == 1 else None

    def overlay(self, batch: Any) -> TradeRecords:
        """These records with the rows of a checked import batch laid over them (the batch wins)."""
        out = TradeRecords(
            programmes=dict(self.programmes),
            activities=dict(self.activities),
            participants={k: {kind: set(v) for kind, v in d.items()} for k, d in self.participants.items()},
            enterprises=dict(self.enterprises),
            reports=dict(self.reports),
            results=dict(self.results),
            typed=dict(self.typed),
            indicators={k: set(v) for k, v in self.indicators.items()},
        )
        for r in batch.rows("programmes"):
            out.programmes[r["code"]] = (r.get("parent_code"), tuple(r.get("provinces") or ()), r["sector"])
        for r in batch.rows("indicators"):
            out.indicators.setdefault(r["programme_code"], set()).add(r["code"])
        for r in batch.rows("activities"):
            record = _activity(r, row=r["_row"])
            out.activities[record.key] = record
        for r in batch.rows("activity_participants"):
            key = (r["programme_code"], r["activity_code"])
            out.participants.setdefault(key, {}).setdefault(r["kind"], set()).add(r["participant"])
        for r in batch.rows("enterprises"):
            out.enterprises[r["tax_code"]] = EnterpriseRecord(
                r["tax_code"], r["name"], r["province"], r["product_sector"], r["size"], bool(r["exporter"])
            )
        for r in batch.rows("enterprise_reports"):
            figures = _figures(r["tax_code"], r["period"], r)
            out.reports[(figures.tax_code, figures.period.label)] = figures
        for r in batch.rows("activity_results"):
            result = _result(r["programme_code"], r["activity_code"], r["tax_code"], r)
            out.results[(result.programme, result.activity, result.tax_code)] = result
        for r in batch.rows("observations"):
            figure = TypedFigure(
                r["programme_code"],
                r["indicator_code"],
                r["period"],
                r["admin_unit"],
                r["disaggregation"] or "",
                r["value"],
                r["_row"],
            )
            out.typed[_typed_key(figure)] = figure
        return out


def _typed_key(f: TypedFigure) -> tuple[str, str, str, str, str]:
    return (f.programme, f.indicator, f.period.label, f.admin_unit, f.disaggregation)


def _activity(r: Any, row: int = 0) -> ActivityRecord:
    return ActivityRecord(
        programme=r["programme_code"],
        code=r["code"],
        type=r["type"],
        status=r["status"],
        planned_date=r["planned_date"],
        actual_date=r["actual_date"],
        province=r["province"],
        outside_programme=bool(r["outside_programme"]),
        typed=(
            ("official", r["participants_officials"]),
            ("enterprise", r["participants_enterprises"]),
            ("household", r["participants_households"]),
        ),
        row=row,
    )


_REPORT_FIELDS = {
    "turnover": "turnover_million_vnd",
    "export_turnover": "export_turnover_million_vnd",
    "export_markets": "export_markets",
    "new_markets": "new_markets",
    "new_customers": "new_customers",
    "new_export_product": "new_export_product",
    "employees": "employees",
}
_RESULT_FIELDS = {
    "contracts": "contracts",
    "contract_value": "contract_value_million_vnd",
    "new_markets": "new_markets",
    "new_customers": "new_customers",
    "additional_sales": "additional_sales_million_vnd",
}


def _figures(tax_code: str, period: Period | str, r: Any) -> EnterpriseFigures:
    return EnterpriseFigures(tax_code, parse_period(period), **{k: r[v] for k, v in _REPORT_FIELDS.items()})


def _result(programme: str, activity: str, tax_code: str, r: Any) -> ResultRecord:
    return ResultRecord(programme, activity, tax_code, **{k: r[v] for k, v in _RESULT_FIELDS.items()})


def load_records(conn: Connection, programmes: Iterable[str] | None = None) -> TradeRecords:
    """The records of the store (of ``programmes`` and every enterprise, or of everything)."""
    p, pp = table_of(Programme), table_of(ProgrammeProvince)
    codes = {pid: code for pid, code in conn.execute(select(p.c.id, p.c.code))}
    places: dict[int, list[str]] = {}
    for pid, unit in conn.execute(select(pp.c.programme_id, pp.c.admin_unit_code).order_by(pp.c.position)):
        places.setdefault(pid, []).append(unit)
    records = TradeRecords()
    for pid, code, parent, sector in conn.execute(select(p.c.id, p.c.code, p.c.parent_id, p.c.sector)):
        records.programmes[code] = (codes.get(parent) if parent else None, tuple(places.get(pid, [])), sector)
    wanted = set(programmes) if programmes is not None else set(records.programmes)
    ids = [pid for pid, code in codes.items() if code in wanted]
    i = table_of(Indicator)
    for pid, code in conn.execute(select(i.c.programme_id, i.c.code).where(i.c.programme_id.in_(ids))):
        records.indicators.setdefault(codes[pid], set()).add(code)
    a = table_of(Activity)
    keys: dict[int, tuple[str, str]] = {}
    for r in conn.execute(select(a).where(a.c.programme_id.in_(ids))).mappings():
        row = {**r, "programme_code": codes[r["programme_id"]], "province": r["admin_unit_code"]}
        record = _activity(row)
        records.activities[record.key] = record
        keys[r["id"]] = record.key
    ap = table_of(ActivityParticipant)
    for aid, kind, participant in conn.execute(
        select(ap.c.activity_id, ap.c.kind, ap.c.participant).where(ap.c.activity_id.in_(list(keys)))
    ):
        records.participants.setdefault(keys[aid], {}).setdefault(kind, set()).add(participant)
    e = table_of(Enterprise)
    tax = {}
    for r in conn.execute(select(e)).mappings():
        tax[r["id"]] = r["tax_code"]
        records.enterprises[r["tax_code"]] = EnterpriseRecord(
            r["tax_code"], r["name"], r["admin_unit_code"], r["product_sector"], r["size"], r["exporter"]
        )
    er = table_of(EnterpriseReport)
    for r in conn.execute(select(er)).mappings():
        figures = _figures(tax[r["enterprise_id"]], r["period"], r)
        records.reports[(figures.tax_code, figures.period.label)] = figures
    ar = table_of(ActivityResult)
    for r in conn.execute(select(ar).where(ar.c.activity_id.in_(list(keys)))).mappings():
        programme, activity = keys[r["activity_id"]]
        result = _result(programme, activity, tax[r["enterprise_id"]], r)
        records.results[(programme, activity, result.tax_code)] = result
    o = table_of(Observation)
    query = (
        select(o, i.c.code.label("indicator"), i.c.programme_id)
        .join(i, i.c.id == o.c.indicator_id)
        .where(i.c.programme_id.in_(ids))
    )
    for r in conn.execute(query).mappings():
        figure = TypedFigure(
            codes[r["programme_id"]],
            r["indicator"],
            parse_period(r["period"]),
            r["admin_unit_code"],
            r["disaggregation"] or "",
            r["value"],
        )
        records.typed[_typed_key(figure)] = figure
    return records


__all__ = [
    "ActivityRecord",
    "EnterpriseFigures",
    "EnterpriseRecord",
    "ResultRecord",
    "TradeRecords",
    "TypedFigure",
    "load_records",
]
