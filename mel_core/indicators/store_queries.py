"""The database side of :mod:`mel_core.indicators.from_store`: partial aggregates per indicator, period and unit.

Two frames come back, whatever the database:

- **partials** (``indicator_id, period, unit, child, sum, min, max``): per indicator, period and unit, where the
  unit is a child's province today (``child`` 1) or the row's own admin unit (``child`` 0, a unit's own figure);
- **weighted** (``indicator_id, period, unit, child, sum, vw, w, unweighted``): the same for a weighted mean,
  with ``Σ value·weight`` and ``Σ weight`` over the children that have both, and how many children have a value
  without a weight.

PostgreSQL aggregates a whole slice of indicators in one query (hash aggregation on several cores). SQLite
aggregates by sorting, which costs about a microsecond a row; one query per indicator and period sorts small
groups (the index on indicator and period finds them), which is a quarter cheaper. Queries run on two
connections at once; each connection first gets a temporary table of every child unit's province.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from mel_core import geo
from mel_core.store import AdminUnit, Observation, table_of

CHILD_LEVELS = ("commune", "district")
PARTIAL_COLUMNS = ["indicator_id", "period", "unit", "child", "sum", "min", "max"]
WEIGHTED_COLUMNS = ["indicator_id", "period", "unit", "child", "sum", "vw", "w", "unweighted"]

#: The temporary table, made on each reading connection, that maps every child unit to its province today.
CHILD_MAP = Table(
    "mel_child_province",
    MetaData(),
    Column("code", String(16), primary_key=True),
    Column("province", String(16), nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)

_SQLITE_PARTIAL = """
SELECT coalesce(cp.province, o.admin_unit_code), cp.province IS NOT NULL, sum(o.value), {low}, {high}
FROM observations o LEFT JOIN mel_child_province cp ON cp.code = o.admin_unit_code
WHERE o.indicator_id = ? AND o.period = ? AND o.disaggregation = ?
GROUP BY 1, 2
"""
_SQLITE_WEIGHTED = """
SELECT coalesce(cp.province, o.admin_unit_code), cp.province IS NOT NULL, sum(o.value), sum(o.value * w.value),
       sum(w.value), sum(w.value IS NULL)
FROM observations o LEFT JOIN mel_child_province cp ON cp.code = o.admin_unit_code
LEFT JOIN observations w ON w.indicator_id = ? AND w.period = o.period AND w.admin_unit_code = o.admin_unit_code
     AND w.disaggregation = o.disaggregation
WHERE o.indicator_id = ? AND o.period = ? AND o.disaggregation = ?
GROUP BY 1, 2
"""


def periods_of(conn: Connection, ids: list[int]) -> list[tuple[int, str]]:
    """Every (indicator id, period) with observations, by seeks in the index rather than a scan of it."""
    o = table_of(Observation)
    found: list[tuple[int, str]] = []
    for key in ids:
        period = conn.scalar(select(func.min(o.c.period)).where(o.c.indicator_id == key))
        while period is not None:
            found.append((key, period))
            period = conn.scalar(
                select(func.min(o.c.period)).where(o.c.indicator_id == key, o.c.period > period)
            )
    return found


def partials(conn: Connection, ids: list[int], disaggregation: str, extremes: bool) -> pd.DataFrame:
    """The partials frame of ``ids``; minimum and maximum only when ``extremes`` (else the sum stands in)."""
    if not ids:
        return pd.DataFrame(columns=PARTIAL_COLUMNS)
    if conn.dialect.name == "sqlite":
        sql = _SQLITE_PARTIAL.format(
            low="min(o.value)" if extremes else "NULL", high="max(o.value)" if extremes else "NULL"
        )
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        rows = []
        for key, period in periods_of(conn, ids):
            rows += [(key, period, *row) for row in cursor.execute(sql, (key, period, disaggregation))]
        frame = pd.DataFrame(rows, columns=PARTIAL_COLUMNS)
        if not extremes:
            frame["min"] = frame["max"] = frame["sum"]
        return frame
    o, u = table_of(Observation), table_of(AdminUnit)
    total = func.sum(o.c.value)
    low = func.min(o.c.value) if extremes else total
    high = func.max(o.c.value) if extremes else total
    query = (
        select(o.c.indicator_id, o.c.period, u.c.parent_code, literal(1), total, low, high)
        .join(u, u.c.code == o.c.admin_unit_code)
        .where(o.c.indicator_id.in_(ids), o.c.disaggregation == disaggregation, _is_child(u))
        .group_by(o.c.indicator_id, o.c.period, u.c.parent_code)
    )
    children = pd.DataFrame(conn.execute(query).all(), columns=PARTIAL_COLUMNS)
    own = pd.DataFrame(conn.execute(_own(conn, ids, disaggregation)).all(), columns=["indicator_id", "period",
                                                                                      "unit", "sum"])  # fmt: skip
    own = own.assign(child=0, min=own["sum"], max=own["sum"])
    return _by_province(children, {"sum": "sum", "min": "min", "max": "max"}, own[PARTIAL_COLUMNS])


def _is_child(u: Any) -> Any:
    return u.c.level.in_(CHILD_LEVELS) & u.c.parent_code.is_not(None)


def _own(conn: Connection, ids: list[int], disaggregation: str) -> Any:
    """The units' own figures: rows filed under a unit that rolls up nowhere (a province, the country).

    The codes are listed, so PostgreSQL finds the rows in the index (skipping over the periods).
    """
    o, u = table_of(Observation), table_of(AdminUnit)
    codes = list(conn.scalars(select(u.c.code).where(~_is_child(u))))
    return select(o.c.indicator_id, o.c.period, o.c.admin_unit_code, o.c.value).where(
        o.c.indicator_id.in_(ids), o.c.disaggregation == disaggregation, o.c.admin_unit_code.in_(codes)
    )


def _by_province(children: pd.DataFrame, how: dict[str, str], own: pd.DataFrame) -> pd.DataFrame:
    """Children's aggregates by their parent, combined by the parent's province today (its 2025 successor).

    PostgreSQL is asked to group by a plain column (the parent's code), whose statistics it has, so that it
    plans a parallel aggregation; old provinces are then merged into their successor here.
    """
    if children.empty:
        return own.reset_index(drop=True)
    known = geo.provinces()
    today = {c: known[c].successor_code if c in known else c for c in children["unit"].unique()}
    keyed = children.assign(unit=children["unit"].map(today))
    combined = keyed.groupby(["indicator_id", "period", "unit", "child"], sort=False).agg(how).reset_index()
    return pd.concat([combined[own.columns], own], ignore_index=True)


def weighted(conn: Connection, pairs: dict[int, int], disaggregation: str) -> pd.DataFrame:
    """The weighted frame of ``pairs`` (weighted indicator id → its weight's id)."""
    if not pairs:
        return pd.DataFrame(columns=WEIGHTED_COLUMNS)
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        rows = []
        for key, period in periods_of(conn, sorted(pairs)):
            args = (pairs[key], key, period, disaggregation)
            rows += [(key, period, *row) for row in cursor.execute(_SQLITE_WEIGHTED, args)]
        return pd.DataFrame(rows, columns=WEIGHTED_COLUMNS)
    o, w, u = table_of(Observation), aliased(table_of(Observation)), table_of(AdminUnit)
    weight_id = case(*[(o.c.indicator_id == v, k) for v, k in pairs.items()], else_=None)
    query = (
        select(o.c.indicator_id, o.c.period, u.c.parent_code, literal(1), func.sum(o.c.value),
               func.sum(o.c.value * w.c.value), func.sum(w.c.value), func.count() - func.count(w.c.value))
        .join(u, u.c.code == o.c.admin_unit_code)
        .outerjoin(w, and_(w.c.indicator_id == weight_id, w.c.indicator_id.in_(set(pairs.values())),
                           w.c.period == o.c.period, w.c.admin_unit_code == o.c.admin_unit_code,
                           w.c.disaggregation == o.c.disaggregation))
        .where(o.c.indicator_id.in_(list(pairs)), o.c.disaggregation == disaggregation, _is_child(u))
        .group_by(o.c.indicator_id, o.c.period, u.c.parent_code)
    )  # fmt: skip
    children = pd.DataFrame(conn.execute(query).all(), columns=WEIGHTED_COLUMNS)
    own = pd.DataFrame(conn.execute(_own(conn, list(pairs), disaggregation)).all(),
                       columns=["indicator_id", "period", "unit", "sum"])  # fmt: skip
    own = own.assign(child=0, vw=np.nan, w=np.nan, unweighted=0)[WEIGHTED_COLUMNS]
    how = {"sum": "sum", "vw": "sum", "w": "sum", "unweighted": "sum"}
    return _by_province(children, how, own)


Job = tuple[Callable[..., pd.DataFrame], tuple[Any, ...]]


def in_parallel(engine: Engine, jobs: list[Job], workers: int, parents: dict[str, str]) -> list[pd.DataFrame]:
    """Run ``fn(conn, *args)`` for each job, each on its own connection, ``workers`` at a time.

    The database does the work (the drivers release the GIL while a query runs), so threads suffice. Each
    connection first gets :data:`CHILD_MAP` filled from ``parents`` (child unit → province), dropped after.
    """

    def run(job: Job) -> pd.DataFrame:
        fn, args = job
        with engine.connect() as conn:
            if conn.dialect.name != "sqlite":
                conn.exec_driver_sql("SET work_mem = '256MB'")  # hash aggregation and joins in memory
                try:
                    return fn(conn, *args)
                finally:
                    conn.exec_driver_sql("RESET work_mem")
                    conn.commit()
            CHILD_MAP.create(conn)
            try:
                if parents:
                    conn.execute(CHILD_MAP.insert(), [{"code": c, "province": p} for c, p in parents.items()])
                return fn(conn, *args)
            finally:
                CHILD_MAP.drop(conn)
                conn.commit()

    if workers <= 1 or len(jobs) <= 1:
        return [run(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def slices(ids: list[int], parts: int) -> list[list[int]]:
    """``ids`` dealt into at most ``parts`` non-empty slices."""
    return [chunk for chunk in (ids[k::parts] for k in range(parts)) if chunk]
