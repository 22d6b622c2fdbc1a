"""Write a validated batch into the store in one transaction: upserts by natural key, never duplicates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert

from mel_core.ingest.admin_units import load_admin_units, store_units
from mel_core.ingest.sources import Progress, gc_paused
from mel_core.ingest.validate import Batch, Known, Record
from mel_core.store import (
    Activity,
    ActivityIndicator,
    ActivityParticipant,
    ActivityResult,
    AdminUnit,
    Enterprise,
    EnterpriseReport,
    Expenditure,
    Indicator,
    Objective,
    Observation,
    Organisation,
    Programme,
    ProgrammeDonor,
    ProgrammeProvince,
    SurveyRecord,
    SurveyValue,
    Target,
    table_of,
)
from mel_core.store.programmes import Solution

CHUNK = 20_000


@dataclass(frozen=True)
class Provenance:
    """Who the figures of an import come from (the columns of :class:`mel_core.store.Provenance`): the
    contributor who submitted them, the reviewer who approved them and the portal submission, where there is
    one. Observations, targets and expenditures carry them; a row whose values an import does not change keeps
    those it had."""

    submitted_by: str | None = None
    approved_by: str | None = None
    submission_id: int | None = None

    def columns(self) -> dict[str, Any]:
        return {
            "submission_id": self.submission_id,
            "submitted_by": self.submitted_by,
            "approved_by": self.approved_by,
        }


#: The columns of each table of figures whose values decide whether an import changes a stored row.
VALUES = {
    "targets": (
        "period_start",
        "period_end",
        "value",
        "value_high",
        "adjusted_value",
        "adjusted_value_high",
        "adjusted_on",
        "adjustment_reason",
    ),
    "observations": ("period_start", "period_end", "value", "source", "note"),
    "expenditures": ("period_start", "period_end", "planned_million_vnd", "disbursed_million_vnd"),
}


def upsert(
    conn: Connection,
    model: Any,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    progress: Progress | None = None,
    label: str = "",
    *,
    unless_same: Sequence[str] = (),
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, in chunks, on SQLite or PostgreSQL.

    ``unless_same``: columns whose values decide whether a stored row changes at all; a row that holds the same
    values in each of them is left as it is, its other columns too (where a figure came from stays the
    submission that set its value).
    """
    if not rows:
        return
    table = table_of(model)
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(table)
    columns = [c for c in rows[0] if c not in key]
    changed = (
        or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in unless_same)) if unless_same else None
    )
    stmt = (
        stmt.on_conflict_do_update(
            index_elements=list(key), set_={c: stmt.excluded[c] for c in columns}, where=changed
        )
        if columns
        else stmt.on_conflict_do_nothing(index_elements=list(key))
    )
    direct = _direct(conn, stmt, list(rows[0]))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if direct:
            direct(chunk)
        else:
            conn.execute(stmt, list(chunk))
        if progress:
            progress(label, min(start + CHUNK, len(rows)), len(rows))


def _direct(
    conn: Connection, stmt: Insert, names: list[str]
) -> Callable[[Sequence[dict[str, Any]]], None] | None:
    """On SQLite, a function that hands chunks of rows to the driver's ``executemany`` itself.

    It sends the statement SQLAlchemy compiles and the values SQLAlchemy would send (each column through the
    type's own bind processor, as :meth:`Connection.execute` does), without SQLAlchemy's per-row work, which
    otherwise costs more than SQLite's. None where that shortcut does not apply: other databases, or a
    statement that binds anything but the rows' own values (a column default, say).
    """
    if conn.dialect.name != "sqlite":
        return None
    compiled = stmt.compile(dialect=conn.dialect, column_keys=names, for_executemany=True)
    order = compiled.positiontup if isinstance(compiled, SQLCompiler) else None
    if not order or sorted(order) != sorted(names):
        return None
    sql = str(compiled)
    pick = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
    processors = [
        (position, process)
        for position, name in enumerate(order)
        if (process := compiled.binds[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
    ]

    def execute(chunk: Sequence[dict[str, Any]]) -> None:
        params: list[tuple[Any, ...]] = list(map(pick, chunk))
        if processors:
            columns = list(zip(*params, strict=True))
            for position, process in processors:
                columns[position] = _processed(columns[position], process)
            params = list(zip(*columns, strict=True))
        conn.exec_driver_sql(sql, params)

    return execute


def _processed(values: Iterable[Any], process: Callable[[Any], Any]) -> tuple[Any, ...]:
    """``process`` applied to every value; a date (periods repeat from row to row) is converted once."""
    memo: dict[date, Any] = {}
    out = []
    for value in values:
        if value.__class__ is date:
            if value not in memo:
                memo[value] = process(value)
            out.append(memo[value])
        else:
            out.append(process(value))
    return tuple(out)


def _chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def known_from_store(conn: Connection) -> Known:
    """What imported rows may refer to: admin units, programmes, indicators and objectives in the store."""
    known = Known(admin_units=set(conn.scalars(select(table_of(AdminUnit).c.code))), units=store_units(conn))
    p = table_of(Programme)
    codes = {pid: code for pid, code in conn.execute(select(p.c.id, p.c.code))}
    known.programmes = set(codes.values())
    known.parents = {
        code: codes.get(parent) for code, parent in conn.execute(select(p.c.code, p.c.parent_id))
    }
    i = table_of(Indicator)
    known.indicators = set()
    for pid, code, method, components in conn.execute(
        select(i.c.programme_id, i.c.code, i.c.method, i.c.components)
    ):
        known.indicators.add((codes[pid], code))
        if method:
            known.formulas[(codes[pid], code)] = (method, [c for c in (components or "").split(";") if c])
    o = table_of(Objective)
    for pid, _number, statement in conn.execute(
        select(o.c.programme_id, o.c.number, o.c.statement).order_by(o.c.programme_id, o.c.number)
    ):
        known.objectives.setdefault(codes[pid], []).append(statement)
    a = table_of(Activity)
    activity_keys = {
        aid: (codes[pid], code) for aid, pid, code in conn.execute(select(a.c.id, a.c.programme_id, a.c.code))
    }
    known.activities = set(activity_keys.values())
    known.enterprises = set(conn.scalars(select(table_of(Enterprise).c.tax_code)))
    ap = table_of(ActivityParticipant)
    known.participants = {
        (*activity_keys[aid], participant)
        for aid, participant in conn.execute(
            select(ap.c.activity_id, ap.c.participant).where(ap.c.kind == "enterprise")
        )
    }
    s = table_of(Solution)
    known.solutions = {
        (codes[pid], number, solution)
        for pid, number, solution in conn.execute(
            select(o.c.programme_id, o.c.number, s.c.number).join(o, o.c.id == s.c.objective_id)
        )
    }
    return known


def _programme_ids(conn: Connection) -> dict[str, int]:
    p = table_of(Programme)
    return {code: pid for pid, code in conn.execute(select(p.c.id, p.c.code))}


def _indicator_ids(conn: Connection, programme_ids: dict[str, int]) -> dict[tuple[str, str], int]:
    codes = {pid: code for code, pid in programme_ids.items()}
    i = table_of(Indicator)
    return {
        (codes[pid], code): iid for iid, pid, code in conn.execute(select(i.c.id, i.c.programme_id, i.c.code))
    }


def _organisations(conn: Connection, names: set[str]) -> dict[str, int]:
    upsert(conn, Organisation, [{"name": n} for n in sorted(names)], ["name"])
    o = table_of(Organisation)
    return {name: oid for oid, name in conn.execute(select(o.c.id, o.c.name))}


def _load_programmes(conn: Connection, rows: list[Record]) -> None:
    if not rows:
        return
    names = {r["implementer"] for r in rows if r.get("implementer")}
    names |= {d for r in rows for d in (r.get("donors") or [])}
    orgs = _organisations(conn, names)
    fields = [
        "title",
        "title_en",
        "kind",
        "sector",
        "funding",
        "start_date",
        "end_date",
        "communes",
        "villages",
        "households",
        "area_ha",
        "budget_million_vnd",
        "model_chosen_by",
        "general_objective",
        "key_issues",
    ]
    upsert(
        conn,
        Programme,
        [
            {
                "code": r["code"],
                **{f: r[f] for f in fields},
                "implementer_id": orgs.get(r.get("implementer") or ""),
            }
            for r in rows
        ],
        ["code"],
    )
    ids = _programme_ids(conn)
    p = table_of(Programme)
    conn.execute(
        update(p).where(p.c.code == bindparam("b_code")).values(parent_id=bindparam("b_parent")),
        [{"b_code": r["code"], "b_parent": ids.get(r.get("parent_code") or "")} for r in rows],
    )
    imported = [ids[r["code"]] for r in rows]
    for model in (ProgrammeProvince, ProgrammeDonor):
        for chunk in _chunks(imported):
            conn.execute(delete(table_of(model)).where(table_of(model).c.programme_id.in_(chunk)))
    upsert(
        conn,
        ProgrammeProvince,
        [
            {"programme_id": ids[r["code"]], "admin_unit_code": code, "position": n}
            for r in rows
            for n, code in enumerate(r["provinces"])
        ],
        ["programme_id", "admin_unit_code"],
    )
    upsert(
        conn,
        ProgrammeDonor,
        [
            {"programme_id": ids[r["code"]], "organisation_id": orgs[name], "position": n}
            for r in rows
            for n, name in enumerate(r.get("donors") or [])
        ],
        ["programme_id", "organisation_id"],
    )
    # Objectives are numbered as listed; numbers beyond the new list go (indicators pointing there lose the link).
    o, i = table_of(Objective), table_of(Indicator)
    upsert(
        conn,
        Objective,
        [
            {"programme_id": ids[r["code"]], "number": n, "statement": s}
            for r in rows
            for n, s in enumerate(r.get("objectives") or [], start=1)
        ],
        ["programme_id", "number"],
    )
    for r in rows:
        pid, keep = ids[r["code"]], len(r.get("objectives") or [])
        stale = select(o.c.id).where(o.c.programme_id == pid, o.c.number > keep)
        conn.execute(update(i).where(i.c.objective_id.in_(stale)).values(objective_id=None))
        conn.execute(delete(o).where(o.c.programme_id == pid, o.c.number > keep))


def _load_solutions(conn: Connection, rows: list[Record], programmes: dict[str, int]) -> None:
    """Solutions of objectives, by (objective, number): importing one again updates its statement."""
    if not rows:
        return
    o = table_of(Objective)
    objective_ids = {
        (pid, n): oid for oid, pid, n in conn.execute(select(o.c.id, o.c.programme_id, o.c.number))
    }
    upsert(
        conn,
        Solution,
        [
            {
                "objective_id": objective_ids[(programmes[r["programme_code"]], r["objective"])],
                "number": r["solution"],
                "statement": r["statement"],
            }
            for r in rows
        ],
        ["objective_id", "number"],
    )


def _solution_ids(conn: Connection) -> dict[tuple[int, int, int], int]:
    """(programme id, objective number, solution number) → solution id."""
    o, s = table_of(Objective), table_of(Solution)
    query = select(s.c.id, o.c.programme_id, o.c.number, s.c.number).join(o, o.c.id == s.c.objective_id)
    return {(pid, objective, number): sid for sid, pid, objective, number in conn.execute(query)}


def _load_indicators(conn: Connection, rows: list[Record], programmes: dict[str, int]) -> None:
    if not rows:
        return
    o = table_of(Objective)
    objective_ids = {
        (pid, n): oid for oid, pid, n in conn.execute(select(o.c.id, o.c.programme_id, o.c.number))
    }
    solution_ids = _solution_ids(conn) if any(r.get("solution") for r in rows) else {}
    fields = [
        "name",
        "name_en",
        "level",
        "unit",
        "direction",
        "cumulative",
        "frequency",
        "baseline_value",
        "data_source",
        "compiling_agency",
        "providing_agency",
        "national_code",
        "method",
        "sector",
        "timing",
        "collection_method",
    ]
    upsert(
        conn,
        Indicator,
        [
            {
                "programme_id": programmes[r["programme_code"]],
                "code": r["code"],
                **{f: r[f] for f in fields},
                "baseline_period": r["baseline_period"].label if r.get("baseline_period") else None,
                "objective_id": objective_ids.get((programmes[r["programme_code"]], r.get("objective"))),
                "components": ";".join(r["components"]) if r.get("components") else None,
                "solution_id": solution_ids.get(
                    (programmes[r["programme_code"]], r.get("objective") or 0, r.get("solution") or 0)
                ),
            }
            for r in rows
        ],
        ["programme_id", "code"],
    )


def _period(r: Record) -> dict[str, Any]:
    p = r["period"]
    return {"period": p.label, "period_start": p.start, "period_end": p.end}


def load(
    conn: Connection, batch: Batch, progress: Progress | None = None, provenance: Provenance | None = None
) -> None:
    """Load every table of ``batch`` (already validated) through ``conn``; the caller owns the transaction.

    ``provenance`` is written into the observations, targets and expenditures whose values the batch adds or
    changes (default: none named).
    """
    with gc_paused():
        _load(conn, batch, progress, (provenance or Provenance()).columns())


def _load(conn: Connection, batch: Batch, progress: Progress | None, origin: dict[str, Any]) -> None:
    load_admin_units(conn, batch.rows("admin_units"))
    _load_programmes(conn, batch.rows("programmes"))
    programmes = _programme_ids(conn)
    _load_solutions(conn, batch.rows("solutions"), programmes)
    _load_indicators(conn, batch.rows("indicators"), programmes)
    indicators = (
        _indicator_ids(conn, programmes) if batch.rows("targets") or batch.rows("observations") else {}
    )
    upsert(
        conn,
        Target,
        [
            {
                "indicator_id": indicators[(r["programme_code"], r["indicator_code"])],
                **_period(r),
                "admin_unit_code": r["admin_unit"],
                "value": r["value"],
                "value_high": r["value_high"],
                "adjusted_value": r["adjusted_value"],
                "adjusted_value_high": r["adjusted_value_high"],
                "adjusted_on": r["adjusted_on"],
                "adjustment_reason": r["adjustment_reason"],
                **origin,
            }
            for r in batch.rows("targets")
        ],
        ["indicator_id", "period", "admin_unit_code"],
        progress,
        "targets",
        unless_same=VALUES["targets"],
    )
    upsert(
        conn,
        Observation,
        [
            {
                "indicator_id": indicators[(r["programme_code"], r["indicator_code"])],
                "period": p.label,
                "period_start": p.start,
                "period_end": p.end,
                "admin_unit_code": r["admin_unit"],
                "disaggregation": r["disaggregation"],
                "value": r["value"],
                "source": r["source"],
                "note": r["note"],
                **origin,
            }
            for r in batch.rows("observations")
            for p in (r["period"],)  # the same columns as _period(r), without a call and a dict per row
        ],
        ["indicator_id", "period", "admin_unit_code", "disaggregation"],
        progress,
        "observations",
        unless_same=VALUES["observations"],
    )
    upsert(
        conn,
        Expenditure,
        [
            {
                "programme_id": programmes[r["programme_code"]],
                **_period(r),
                "source": r["source"],
                "planned_million_vnd": r["planned_million_vnd"],
                "disbursed_million_vnd": r["disbursed_million_vnd"],
                **origin,
            }
            for r in batch.rows("expenditures")
        ],
        ["programme_id", "period", "source"],
        progress,
        "expenditures",
        unless_same=VALUES["expenditures"],
    )
    activity_fields = [
        "type",
        "title",
        "planned_date",
        "actual_date",
        "status",
        "participants_officials",
        "participants_enterprises",
        "participants_households",
        "cost_planned_million_vnd",
        "cost_actual_million_vnd",
        "outside_programme",
    ]
    activities = batch.rows("activities")
    objective_ids = _objective_ids(conn) if activities else {}
    upsert(
        conn,
        Activity,
        [
            {
                "programme_id": programmes[r["programme_code"]],
                "code": r["code"],
                **{f: r[f] for f in activity_fields},
                "admin_unit_code": r["province"],
                "objective_id": objective_ids.get((programmes[r["programme_code"]], r["outcome"])),
            }
            for r in activities
        ],
        ["programme_id", "code"],
        progress,
        "activities",
    )
    _load_survey(conn, batch.rows("survey"), programmes, progress)
    _load_trade(conn, batch, programmes, progress)


def _objective_ids(conn: Connection) -> dict[tuple[int, int], int]:
    o = table_of(Objective)
    return {(pid, n): oid for oid, pid, n in conn.execute(select(o.c.id, o.c.programme_id, o.c.number))}


def _activity_ids(conn: Connection, programmes: dict[str, int]) -> dict[tuple[str, str], int]:
    codes = {pid: code for code, pid in programmes.items()}
    a = table_of(Activity)
    return {
        (codes[pid], code): aid for aid, pid, code in conn.execute(select(a.c.id, a.c.programme_id, a.c.code))
    }


def _load_trade(
    conn: Connection, batch: Batch, programmes: dict[str, int], progress: Progress | None
) -> None:
    """The enterprise register and reports, and each activity's indicators, participants and results."""
    upsert(
        conn,
        Enterprise,
        [
            {
                "tax_code": r["tax_code"],
                "name": r["name"],
                "admin_unit_code": r["province"],
                "product_sector": r["product_sector"],
                "size": r["size"],
                "exporter": r["exporter"],
            }
            for r in batch.rows("enterprises")
        ],
        ["tax_code"],
        progress,
        "enterprises",
    )
    needed = ("enterprise_reports", "activity_participants", "activity_results", "activities")
    if not any(batch.rows(name) for name in needed):
        return
    e = table_of(Enterprise)
    enterprises = {code: eid for eid, code in conn.execute(select(e.c.id, e.c.tax_code))}
    upsert(
        conn,
        EnterpriseReport,
        [
            {
                "enterprise_id": enterprises[r["tax_code"]],
                **_period(r),
                **{f: r[f] for f in ENTERPRISE_REPORT_FIELDS},
            }
            for r in batch.rows("enterprise_reports")
        ],
        ["enterprise_id", "period"],
        progress,
        "enterprise reports",
    )
    activities = _activity_ids(conn, programmes)
    imported = [activities[(r["programme_code"], r["code"])] for r in batch.rows("activities")]
    if imported:  # an activity row lists every indicator it serves: the links are replaced
        ai = table_of(ActivityIndicator)
        for chunk in _chunks(imported):
            conn.execute(delete(ai).where(ai.c.activity_id.in_(chunk)))
        indicators = _indicator_ids(conn, programmes)
        upsert(
            conn,
            ActivityIndicator,
            [
                {"activity_id": aid, "indicator_id": indicators[(r["programme_code"], code)]}
                for aid, r in zip(imported, batch.rows("activities"), strict=True)
                for code in dict.fromkeys(r.get("indicators") or [])
            ],
            ["activity_id", "indicator_id"],
        )
    upsert(
        conn,
        ActivityParticipant,
        [
            {
                "activity_id": activities[(r["programme_code"], r["activity_code"])],
                "kind": r["kind"],
                "participant": r["participant"],
                "enterprise_id": enterprises.get(r["participant"]) if r["kind"] == "enterprise" else None,
            }
            for r in batch.rows("activity_participants")
        ],
        ["activity_id", "kind", "participant"],
        progress,
        "activity participants",
    )
    upsert(
        conn,
        ActivityResult,
        [
            {
                "activity_id": activities[(r["programme_code"], r["activity_code"])],
                "enterprise_id": enterprises[r["tax_code"]],
                **{f: r[f] for f in ACTIVITY_RESULT_FIELDS},
            }
            for r in batch.rows("activity_results")
        ],
        ["activity_id", "enterprise_id"],
        progress,
        "activity results",
    )


ENTERPRISE_REPORT_FIELDS = (
    "turnover_million_vnd",
    "export_turnover_million_vnd",
    "export_markets",
    "new_markets",
    "new_customers",
    "new_export_product",
    "employees",
)
ACTIVITY_RESULT_FIELDS = (
    "contracts",
    "contract_value_million_vnd",
    "new_markets",
    "new_customers",
    "additional_sales_million_vnd",
)


def _load_survey(
    conn: Connection, rows: list[Record], programmes: dict[str, int], progress: Progress | None
) -> None:
    if not rows:
        return
    upsert(
        conn,
        SurveyRecord,
        [
            {
                "programme_id": programmes[r["programme_code"]],
                "respondent_id": r["respondent_id"],
                "round": r["round"],
                "year": r["year"],
                "study_group": r["group"],
                "admin_unit_code": r["admin_unit"],
                "cluster": r["cluster"],
            }
            for r in rows
        ],
        ["programme_id", "respondent_id", "round"],
        progress,
        "survey",
    )
    s = table_of(SurveyRecord)
    pids = sorted({programmes[r["programme_code"]] for r in rows})
    ids = {
        (pid, resp, rnd): rid
        for rid, pid, resp, rnd in conn.execute(
            select(s.c.id, s.c.programme_id, s.c.respondent_id, s.c.round).where(s.c.programme_id.in_(pids))
        )
    }
    record_ids = [ids[(programmes[r["programme_code"]], r["respondent_id"], r["round"])] for r in rows]
    v = table_of(SurveyValue)
    for chunk in _chunks(record_ids):
        conn.execute(delete(v).where(v.c.record_id.in_(chunk)))
    values = [
        {"record_id": rid, "variable": name, "value": value}
        for rid, r in zip(record_ids, rows, strict=True)
        for name, value in r.get("_values", {}).items()
    ]
    upsert(conn, SurveyValue, values, ["record_id", "variable"], progress, "survey values")
