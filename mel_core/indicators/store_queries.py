"""The database side of :mod:`mel_core.indicators.from_store`: partial aggregates per indicator, period and unit.

Two frames come back, whatever the database:

- **partials** (``indicator_id, period, unit, child, sum, min, max``): per indicator, period and unit, where the
  unit is a child's province today (``child`` 1) or the row's own admin unit (``child`` 0, a unit's own figure);
- **weighted** (``indicator_id, period, unit, child, sum, vw, w, unweighted``): the same for a weighted mean,
  with ``Σ value·weight`` and ``Σ weight`` over the children that have both, and how many children have a value
  without a weight.

SQLite aggregates by sorting, which costs about a microsecond a row; one query per indicator and period sorts
small groups (the index on indicator and period finds them), which is a quarter cheaper (:func:`partials`,
:func:`weighted`). Queries run on two connections at once; each connection first gets a temporary table of
every child unit's parent (:func:`mel_core.communes.admin_parents`: a commune's district, a district's
province).

Levels follow :func:`mel_core.indicators.rollup.tree_rollup`: a district's own figure wins over its communes'.
The database groups each child's rows by its parent (a commune's by its district), and the own figures of the
units in between (districts) come back too (SQLite: as groups of their own, ``child`` 2; PostgreSQL: with the
provinces' own figures); a commune group whose district has its own figure of the indicator and period is
dropped, the others are merged into their province (:func:`to_provinces`). Districts have provinces as
parents, so one step in between is all there is.

PostgreSQL gets the whole programme in one statement (:func:`pg_children`, then :func:`pg_frames`): per range
of periods, a branch for the summed and min/max indicators and a branch that pairs each weighted mean's values
with its weights (a full join, so the weights' own sums come with the pairs and the weights are not read
again). The branches are independent, so PostgreSQL shares them among its parallel workers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)

from mel_core import geo
from mel_core.store import AdminUnit, Observation, table_of

CHILD_LEVELS = ("commune", "district")
#: The periods to read of each indicator id (None: every period with observations).
Periods = dict[int, list[str]] | None
PARTIAL_COLUMNS = ["indicator_id", "period", "unit", "child", "sum", "min", "max"]
WEIGHTED_COLUMNS = ["indicator_id", "period", "unit", "child", "sum", "vw", "w", "unweighted"]

#: The temporary table, made on each reading connection, that maps every child unit to its parent (a commune
#: under a district to the district, else to the province today); ``middle`` marks a child that is a parent too.
CHILD_MAP = Table(
    "mel_child_province",
    MetaData(),
    Column("code", String(16), primary_key=True),
    Column("province", String(16), nullable=False),
    Column("middle", Integer, nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)

#: The group of a row: a district's own figure its own group (child 2), a child's by its parent (child 1), any
#: other unit's own figure (child 0).
_GROUP = """CASE WHEN cp.middle THEN o.admin_unit_code ELSE coalesce(cp.province, o.admin_unit_code) END,
       CASE WHEN cp.middle THEN 2 ELSE cp.province IS NOT NULL END"""
_SQLITE_PARTIAL = f"""
SELECT {_GROUP}, sum(o.value), {{low}}, {{high}}
FROM observations o LEFT JOIN mel_child_province cp ON cp.code = o.admin_unit_code
WHERE o.indicator_id = ? AND o.period = ? AND o.disaggregation = ?
GROUP BY 1, 2
"""
_SQLITE_WEIGHTED = f"""
SELECT {_GROUP}, sum(o.value), sum(o.value * w.value),
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


def wanted(conn: Connection, ids: list[int], periods: Periods) -> list[tuple[int, str]]:
    """The (indicator id, period) groups to read: every one with observations, or each id with its
    ``periods`` (a group without observations gives no rows)."""
    if periods is None:
        return periods_of(conn, ids)
    return [(key, period) for key in ids for period in periods.get(key, ())]


def partials(
    conn: Connection, ids: list[int], disaggregation: str, extremes: bool, periods: Periods = None
) -> pd.DataFrame:
    """SQLite: the partials frame of ``ids``; minimum and maximum only when ``extremes`` (else the sum stands in);
    only ``periods`` when given."""
    if not ids:
        return pd.DataFrame(columns=PARTIAL_COLUMNS)
    sql = _SQLITE_PARTIAL.format(
        low="min(o.value)" if extremes else "NULL", high="max(o.value)" if extremes else "NULL"
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    rows = []
    for key, period in wanted(conn, ids, periods):
        rows += [(key, period, *row) for row in cursor.execute(sql, (key, period, disaggregation))]
    frame = pd.DataFrame(rows, columns=PARTIAL_COLUMNS)
    if not extremes:
        frame["min"] = frame["max"] = frame["sum"]
    return frame


def _is_child(u: Any) -> Any:
    return u.c.level.in_(CHILD_LEVELS) & u.c.parent_code.is_not(None)


def _own(conn: Connection, ids: list[int], disaggregation: str, middle: list[str]) -> Any:
    """The units' own figures: rows filed under a unit that rolls up nowhere (a province, the country), or under
    a unit in between (``middle``: the districts, whose own figures stop their communes').

    The codes are listed, so PostgreSQL finds the rows in the index (skipping over the periods).
    """
    o, u = table_of(Observation), table_of(AdminUnit)
    codes = [*conn.scalars(select(u.c.code).where(~_is_child(u))), *middle]
    return select(o.c.indicator_id, o.c.period, o.c.admin_unit_code, o.c.value).where(
        o.c.indicator_id.in_(ids), o.c.disaggregation == disaggregation, o.c.admin_unit_code.in_(codes)
    )


def _by_province(
    children: pd.DataFrame,
    how: dict[str, str],
    own: pd.DataFrame,
    parents: dict[str, str] | None = None,
    stops: pd.DataFrame | None = None,
    tops: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Children's aggregates by their parent, combined by the parent's province today (its 2025 successor).

    PostgreSQL is asked to group by a plain column (the parent's code), whose statistics it has, so that it
    plans a parallel aggregation; old provinces are then merged into their successor here, and a parent that is
    a district (a commune's) into the district's province (``parents``: unit → its parent). A group under a
    district that reported its own figure of the indicator and period (``stops``: ``indicator_id, period,
    unit``) is left out: the district's own figure wins (it is among the province's children already).
    ``tops`` (a province code → the unit its children are reported under) replaces the 2025 successor.
    """
    if not children.empty and stops is not None and not stops.empty:
        mark = stops[["indicator_id", "period", "unit"]].drop_duplicates().assign(_stop=True)
        children = children.merge(mark, on=["indicator_id", "period", "unit"], how="left")
        children = children[children["_stop"].isna()].drop(columns="_stop")
    if children.empty:
        return own.reset_index(drop=True)
    known = geo.provinces()
    up = parents or {}
    above = tops if tops is not None else {c: p.successor_code for c, p in known.items()}
    today = {c: above[c] if c in above else up.get(c, c) for c in children["unit"].unique()}
    keyed = children.assign(unit=children["unit"].map(today))
    combined = keyed.groupby(["indicator_id", "period", "unit", "child"], sort=False).agg(how).reset_index()
    return pd.concat([combined[own.columns], own], ignore_index=True)


def weighted(
    conn: Connection, pairs: dict[int, int], disaggregation: str, periods: Periods = None
) -> pd.DataFrame:
    """SQLite: the weighted frame of ``pairs`` (weighted indicator id → its weight's id); only ``periods`` when
    given."""
    if not pairs:
        return pd.DataFrame(columns=WEIGHTED_COLUMNS)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    rows = []
    for key, period in wanted(conn, sorted(pairs), periods):
        args = (pairs[key], key, period, disaggregation)
        rows += [(key, period, *row) for row in cursor.execute(_SQLITE_WEIGHTED, args)]
    return pd.DataFrame(rows, columns=WEIGHTED_COLUMNS)


#: Every period an indicator has observations for, by seeks in the index (one statement, a few milliseconds).
_PG_PERIODS = text("""
SELECT DISTINCT s.period FROM unnest(CAST(:ids AS integer[])) AS i (id) CROSS JOIN LATERAL (
    WITH RECURSIVE r (period) AS (
        SELECT min(o.period) FROM observations o WHERE o.indicator_id = i.id
        UNION ALL
        SELECT (SELECT min(o.period) FROM observations o WHERE o.indicator_id = i.id AND o.period > r.period)
        FROM r WHERE r.period IS NOT NULL
    )
    SELECT r.period FROM r WHERE r.period IS NOT NULL
) AS s ORDER BY 1
""")
#: At most this many groups of periods for the pairing of weighted means (one branch of the statement each).
PERIOD_GROUPS = 24
#: The columns of :func:`pg_children`: a child's aggregates by its parent, for a partials or a weighted row.
PG_CHILD_COLUMNS = ["indicator_id", "period", "unit", "weighted", "sum", "min", "max", "vw", "w",
                    "unweighted"]  # fmt: skip
_PG_RAW = ["kind", "indicator_id", "period", "unit", "sum", "min", "max", "vw", "w", "unweighted", "wsum", "wmin",
           "wmax"]  # fmt: skip


def period_ranges(periods: list[str], most: int = PERIOD_GROUPS) -> list[tuple[str | None, str | None]]:
    """Consecutive runs of the sorted ``periods`` as ranges ``[start, next start)``, at most ``most`` of them.

    The first range is open below and the last open above, so every row falls in exactly one range, whichever
    periods the table holds when the statement runs.
    """
    size = -(-len(periods) // most) if periods else 1
    bounds: list[str | None] = [None, *periods[::size][1:], None]
    return list(pairwise(bounds))


def _in_range(column: Any, start: str | None, stop: str | None) -> list[Any]:
    return [c for c in ((column >= start) if start is not None else None,
                        (column < stop) if stop is not None else None) if c is not None]  # fmt: skip


def pg_children(
    conn: Connection,
    summed: list[int],
    extremes: list[int],
    pairs: dict[int, int],
    disaggregation: str,
    periods: list[str] | None = None,
) -> pd.DataFrame:
    """PostgreSQL: every child unit's aggregates by its parent, for the whole programme, in one statement.

    Counts branches group the summed and min/max indicators by indicator, period and parent (a plain column,
    whose statistics PostgreSQL has). For the weighted means (``pairs``: indicator id → its weight's id), pairs
    branches join each child's value to its weight, a range of periods at a time (small hash tables). The join
    is a full join, so it also sums the weight's own rows; a weight that weights a single mean is therefore
    left out of the counts branches (its rows are read once). With weighted means, there is a counts branch and
    a pairs branch per range of periods (at most :data:`PERIOD_GROUPS`), which PostgreSQL's parallel workers
    share; the index finds each range's rows. ``periods``: only these periods (default every one).

    Returns:
        :data:`PG_CHILD_COLUMNS`, ``weighted`` telling a weighted mean's row from a partials row; ``min`` and
        ``max`` are the sum where only sums are needed. Old provinces are merged later (:func:`pg_frames`).
    """
    o, u = table_of(Observation), table_of(AdminUnit)
    users: dict[int, list[int]] = {}
    for mean, weight in sorted(pairs.items()):
        users.setdefault(weight, []).append(mean)
    counted = set(summed) | set(extremes)
    carried = {weight: means[0] for weight, means in users.items() if len(means) == 1 and weight in counted}
    rest = sorted(counted - set(carried))
    low_high = bool(set(extremes) - set(carried))  # extremes needed in the counts branches
    weight_extremes = bool(set(extremes) & set(carried))  # and for a carried weight
    no_float, no_int = cast(null(), Float), cast(null(), BigInteger)
    branches: list[Any] = []
    # without weighted means, one aggregation, which PostgreSQL spreads over its workers itself; with them, a
    # counts branch and a pairs branch per range of periods: small pieces that the workers share evenly
    ranges: list[tuple[str | None, str | None]] = [(None, None)]
    if pairs:
        found = (
            sorted(periods)
            if periods is not None
            else list(conn.scalars(_PG_PERIODS, {"ids": sorted(counted | set(pairs))}))
        )
        ranges = period_ranges(found, PERIOD_GROUPS)
    only = [o.c.period.in_(periods)] if periods is not None else []
    for start, stop in ranges:

        def rows(ids: list[int], name: str, start: str | None = start, stop: str | None = stop) -> Any:
            return (
                select(o.c.indicator_id, o.c.period, o.c.admin_unit_code, o.c.value)
                .where(o.c.indicator_id.in_(ids), o.c.disaggregation == disaggregation,
                       *_in_range(o.c.period, start, stop), *only)
                .subquery(name)
            )  # fmt: skip

        if rest:
            c = rows(rest, "c")
            branches.append(
                select(literal(0), c.c.indicator_id, c.c.period, u.c.parent_code, func.sum(c.c.value),
                       func.min(c.c.value) if low_high else no_float, func.max(c.c.value) if low_high else no_float,
                       no_float, no_float, no_int, no_float, no_float, no_float)
                .join(u, u.c.code == c.c.admin_unit_code)
                .where(_is_child(u))
                .group_by(text("2, 3, 4"))
            )  # fmt: skip
        if pairs:
            v, w = rows(sorted(pairs), "v"), rows(sorted(users), "w")
            weight_of = case(pairs, value=v.c.indicator_id)
            user_of = case({weight: means[0] for weight, means in users.items()}, value=w.c.indicator_id)
            joined = v.outerjoin(
                w,
                and_(w.c.indicator_id == weight_of, w.c.period == v.c.period,
                     w.c.admin_unit_code == v.c.admin_unit_code),
                full=True,
            ).join(u, u.c.code == func.coalesce(v.c.admin_unit_code, w.c.admin_unit_code))  # fmt: skip
            branches.append(
                select(literal(1), func.coalesce(v.c.indicator_id, user_of), func.coalesce(v.c.period, w.c.period),
                       u.c.parent_code, func.sum(v.c.value), no_float, no_float,
                       func.sum(v.c.value * w.c.value),
                       func.sum(w.c.value).filter(v.c.indicator_id.is_not(None)),
                       func.count().filter(w.c.indicator_id.is_(None)),
                       func.sum(w.c.value), func.min(w.c.value) if weight_extremes else no_float,
                       func.max(w.c.value) if weight_extremes else no_float)
                .select_from(joined)
                .where(_is_child(u))
                .group_by(text("2, 3, 4"))
            )  # fmt: skip
    if not branches:
        return pd.DataFrame(columns=PG_CHILD_COLUMNS)
    query: Any = branches[0] if len(branches) == 1 else union_all(*branches)
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(str(compiled), compiled.params)  # the driver's tuples (SQLAlchemy's rows: 0.1 s more)
    frame = pd.DataFrame(cursor.fetchall(), columns=_PG_RAW)
    for column in ["sum", "min", "max", "vw", "w", "wsum", "wmin", "wmax"]:
        frame[column] = frame[column].astype(float)
    counts = frame[frame["kind"] == 0]
    paired = frame[frame["kind"] == 1]
    # values are numbers (never NULL or NaN), so a sum is missing only where the group has none: a group with only
    # weights is no mean's, and one with only the mean's values has no sum of weights
    means = paired[paired["sum"].notna()].astype({"unweighted": "int64"})
    carrier = {mean: weight for weight, mean in carried.items()}
    weights = paired[paired["wsum"].notna() & paired["indicator_id"].isin(carrier)]
    weights = weights.assign(indicator_id=weights["indicator_id"].map(carrier), sum=weights["wsum"],
                             min=weights["wmin"], max=weights["wmax"])  # fmt: skip
    parts = [counts.assign(weighted=False), weights.assign(weighted=False), means.assign(weighted=True)]
    out = pd.concat([part[PG_CHILD_COLUMNS] for part in parts], ignore_index=True)
    out = out.astype({"indicator_id": "int64", "weighted": bool})
    sums_only = out["indicator_id"].isin(summed) & ~out["weighted"]  # the sum stands in for the extremes
    return out.assign(
        min=out["min"].where(~sums_only, out["sum"]), max=out["max"].where(~sums_only, out["sum"])
    )


def pg_own(
    conn: Connection, ids: list[int], disaggregation: str, middle: list[str], periods: list[str] | None = None
) -> pd.DataFrame:
    """PostgreSQL: the units' own figures of ``ids`` (``indicator_id, period, unit, sum``), the districts' too.

    Read through the index (skipping over the periods): with every indicator of a programme listed, PostgreSQL
    expects a unit's share of the rows (tens of thousands for 10 million) and would rather scan the whole table
    (1-2 s) than seek (50 ms), so sequential scans are switched off for this one transaction.
    """
    columns = ["indicator_id", "period", "unit", "sum"]
    if not ids:
        return pd.DataFrame(columns=columns)
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    query = _own(conn, ids, disaggregation, middle)
    if periods is not None:
        query = query.where(table_of(Observation).c.period.in_(periods))
    rows = [tuple(row) for row in conn.execute(query)]
    return pd.DataFrame(rows, columns=columns)


def middle_units(parents: dict[str, str]) -> list[str]:
    """The units in between (districts): children that are parents of other children."""
    return sorted(set(parents) & set(parents.values()))


def pg_frames(
    children: pd.DataFrame,
    own: pd.DataFrame,
    means: set[int],
    parents: dict[str, str] | None = None,
    tops: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partials and weighted frames from :func:`pg_children` and :func:`pg_own` (``means``: weighted ids;
    ``parents``: each unit's parent, for the communes grouped under their district).

    The districts' own figures in ``own`` are already among their province's children: here they only stop
    their communes' groups.
    """
    middle = set(middle_units(parents or {}))
    at_middle = own["unit"].isin(middle)
    stops = own[at_middle]
    own = own[~at_middle].assign(child=0)
    mine = own["indicator_id"].isin(means)
    own_partials = own[~mine].assign(min=own["sum"], max=own["sum"])[PARTIAL_COLUMNS]
    own_means = own[mine].assign(vw=np.nan, w=np.nan, unweighted=0)[WEIGHTED_COLUMNS]
    kids = children.assign(child=1)
    weighted = kids["weighted"].astype(bool)
    partials = _by_province(kids[~weighted][PARTIAL_COLUMNS], PARTIAL_HOW, own_partials, parents, stops, tops)
    return partials, _by_province(
        kids[weighted][WEIGHTED_COLUMNS], WEIGHTED_HOW, own_means, parents, stops, tops
    )


PARTIAL_HOW = {"sum": "sum", "min": "min", "max": "max"}
WEIGHTED_HOW = {"sum": "sum", "vw": "sum", "w": "sum", "unweighted": "sum"}


def to_provinces(
    partial: pd.DataFrame,
    weighted_frame: pd.DataFrame,
    parents: dict[str, str],
    tops: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SQLite: the frames of :func:`partials` and :func:`weighted` with every child group under its province.

    A district's own figure (``child`` 2) stops its communes' group (``child`` 1 under the district) and is a
    child of its province itself.
    """

    def one(frame: pd.DataFrame, how: dict[str, str]) -> pd.DataFrame:
        mine = frame[frame["child"] == 2]
        stops = mine[["indicator_id", "period", "unit"]]
        up = mine.assign(unit=mine["unit"].map(parents).fillna(mine["unit"]), child=1)
        kids = (
            pd.concat([frame[frame["child"] == 1], up], ignore_index=True)
            if not mine.empty
            else frame[frame["child"] == 1]
        )
        return _by_province(kids, how, frame[frame["child"] == 0], parents, stops, tops)

    return one(partial, PARTIAL_HOW), one(weighted_frame, WEIGHTED_HOW)


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
                    middle = set(middle_units(parents))
                    conn.execute(
                        CHILD_MAP.insert(),
                        [{"code": c, "province": p, "middle": int(c in middle)} for c, p in parents.items()],
                    )
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
