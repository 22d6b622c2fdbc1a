"""Achievement of a whole programme straight from the store, with communes rolled up in the database.

Ten million commune figures cannot cross from the database into Python row by row in seconds (SQLite's driver
alone spends about half a microsecond per value). They do not need to: the province rollup only needs, per
indicator, period and province, a few **partial aggregates**, and the database computes those where the rows
are (``GROUP BY``):

- the sum of the values (for counts, which are summed);
- their minimum and maximum (for rates without a weight, kept only when every commune agrees);
- for a weighted mean, ``Σ value·weight`` and ``Σ weight`` over the communes that have both, and how many
  communes have a value without a weight (which makes the province's value missing).

Each group becomes one or two rows of a stand-in child of the province, whose value is the group's partial
result; :func:`mel_core.indicators.achievement.achievement` then rolls them up with
:func:`mel_core.indicators.rollup.admin_rollup` and scores them as it scores everything else. Summing sums,
taking the extremes of extremes and weighting one child by its own weight give exactly what the rules give on
the communes' rows, so the rules stay in one place. What cannot be pre-aggregated is read row by row: the
components of derived indicators (a product of sums is not a sum of products) and the series of indicators
that have targets at commune level.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from mel_core.errors import MelError
from mel_core.i18n import say
from mel_core.indicators.achievement import achievement
from mel_core.indicators.derived import OBS_COLUMNS, formulas
from mel_core.indicators.rollup import is_additive
from mel_core.periods import parse_period
from mel_core.store import AdminUnit, Indicator, Observation, Programme, Target, table_of

#: Admin-unit levels that roll up into their province.
CHILD_LEVELS = ("commune", "district")
#: Marks the stand-in children built from partial aggregates (never a real admin-unit code).
STAND_IN = "\x1f"

INDICATOR_FIELDS = [
    "code",
    "level",
    "unit",
    "direction",
    "cumulative",
    "baseline_value",
    "method",
    "components",
]
TARGET_FIELDS = [
    "indicator_code",
    "period",
    "period_start",
    "period_end",
    "admin_unit",
    "value",
    "value_high",
]


class UnknownProgramme(MelError):
    """The programme code is not in the store."""

    exit_code = 65


def _frame(conn: Connection, query: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(query).all(), columns=columns)


def programme_id(conn: Connection, code: str) -> int:
    """The id of a programme by its code.

    Raises:
        UnknownProgramme: no programme has this code.
    """
    p = table_of(Programme)
    found = conn.scalar(select(p.c.id).where(p.c.code == code))
    if found is None:
        raise UnknownProgramme(
            say(
                f"programme {code!r} is not in the store", f"không có chương trình {code!r} trong kho dữ liệu"
            )
        )
    return int(found)


def read_indicators(conn: Connection, pid: int) -> pd.DataFrame:
    """A programme's indicators in the frame :func:`achievement` reads."""
    i = table_of(Indicator)
    columns = [i.c[f] for f in INDICATOR_FIELDS]
    frame = _frame(conn, select(*columns).where(i.c.programme_id == pid).order_by(i.c.code), INDICATOR_FIELDS)
    frame["cumulative"] = frame["cumulative"].astype(bool)
    return frame


def read_targets(conn: Connection, pid: int) -> pd.DataFrame:
    """Every target of a programme (all admin units)."""
    i, t = table_of(Indicator), table_of(Target)
    query = (
        select(i.c.code, t.c.period, t.c.period_start, t.c.period_end, t.c.admin_unit_code, t.c.value,
               t.c.value_high)
        .join(i, i.c.id == t.c.indicator_id)
        .where(i.c.programme_id == pid)
    )  # fmt: skip
    return _frame(conn, query, TARGET_FIELDS)


#: The temporary table, made on each reading connection, that maps every child unit to its province today.
_MAP = Table(
    "mel_child_province",
    MetaData(),
    Column("code", String(16), primary_key=True),
    Column("province", String(16), nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)


def _indicator_in(column: Any, ids: list[int], dialect: str) -> Any:
    """``indicator_id IN ids``; on SQLite as an expression, so that a whole programme is read by one scan of
    the table rather than by index lookups followed by a visit of the table for every row."""
    return (column + 0).in_(ids) if dialect == "sqlite" else column.in_(ids)


def _raw(conn: Connection, ids: list[int], disaggregation: str) -> pd.DataFrame:
    """Every observation of the given indicators, row by row (the index on indicator_id finds them)."""
    i, o = table_of(Indicator), table_of(Observation)
    if not ids:
        return pd.DataFrame(columns=OBS_COLUMNS)
    query = (
        select(i.c.code, o.c.period, o.c.period_start, o.c.period_end, o.c.admin_unit_code,
               literal(disaggregation), o.c.value)
        .join(i, i.c.id == o.c.indicator_id)
        .where(o.c.indicator_id.in_(ids), o.c.disaggregation == disaggregation)
    )  # fmt: skip
    return _frame(conn, query, OBS_COLUMNS)


def _partials(conn: Connection, ids: list[int], disaggregation: str) -> pd.DataFrame:
    """One pass over the observations of ``ids``: a row's own figure, or its province's partial aggregates.

    Grouped by indicator, period, the unit the figures are for (the province of a child, else the row's own
    unit) and whether they come from children: count, sum, minimum and maximum.
    """
    o, cp = table_of(Observation), _MAP
    target = func.coalesce(cp.c.province, o.c.admin_unit_code)
    child = case((cp.c.province.is_(None), 0), else_=1)
    query = (
        select(o.c.indicator_id, o.c.period, target, child, func.count(), func.sum(o.c.value),
               func.min(o.c.value), func.max(o.c.value))
        .select_from(o)
        .outerjoin(cp, cp.c.code == o.c.admin_unit_code)
        .where(_indicator_in(o.c.indicator_id, ids, conn.dialect.name), o.c.disaggregation == disaggregation)
        .group_by(o.c.indicator_id, o.c.period, target, child)
    )  # fmt: skip
    return _frame(conn, query, ["indicator_id", "period", "unit", "child", "n", "sum", "min", "max"])


def _weighted(conn: Connection, pairs: dict[int, int], disaggregation: str) -> pd.DataFrame:
    """Per weighted indicator, period and province: Σ value·weight, Σ weight, and values without a weight."""
    columns = ["indicator_id", "period", "unit", "vw", "w", "unweighted"]
    if not pairs:
        return pd.DataFrame(columns=columns)
    o, w, cp = table_of(Observation), aliased(table_of(Observation)), _MAP
    weight_id = case(*[(o.c.indicator_id == v, k) for v, k in pairs.items()], else_=None)
    query = (
        select(o.c.indicator_id, o.c.period, cp.c.province, func.sum(o.c.value * w.c.value),
               func.sum(w.c.value), func.sum(case((w.c.value.is_(None), 1), else_=0)))
        .select_from(o)
        .join(cp, cp.c.code == o.c.admin_unit_code)
        .outerjoin(w, and_(w.c.indicator_id == weight_id, w.c.period == o.c.period,
                           w.c.admin_unit_code == o.c.admin_unit_code, w.c.disaggregation == o.c.disaggregation))
        .where(_indicator_in(o.c.indicator_id, list(pairs), conn.dialect.name),
               o.c.disaggregation == disaggregation)
        .group_by(o.c.indicator_id, o.c.period, cp.c.province)
    )  # fmt: skip
    return _frame(conn, query, columns)


def _slices(ids: list[int], parts: int) -> list[list[int]]:
    return [chunk for chunk in (ids[k::parts] for k in range(parts)) if chunk]


def _in_parallel(
    engine: Engine, jobs: list[tuple[Any, tuple[Any, ...]]], workers: int, parents: dict[str, str]
) -> list[pd.DataFrame]:
    """Run ``fn(conn, *args)`` for each job, each on its own connection, ``workers`` at a time.

    Each connection first gets the temporary table of every child unit's province (``parents``).

    The database does the work (the driver releases the GIL while a query runs), so threads suffice.
    """

    def run(job: tuple[Any, tuple[Any, ...]]) -> pd.DataFrame:
        fn, args = job
        with engine.connect() as conn:
            _MAP.create(conn)
            try:
                if parents:
                    conn.execute(_MAP.insert(), [{"code": c, "province": p} for c, p in parents.items()])
                return fn(conn, *args)
            finally:
                _MAP.drop(conn)
                conn.commit()

    if workers <= 1 or len(jobs) <= 1:
        return [run(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def stand_in_rows(
    indicators: pd.DataFrame, partials: pd.DataFrame, weighted: pd.DataFrame, disaggregation: str = ""
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rows of partial aggregates as observations, and each stand-in child's province.

    A row that is a unit's own figure (``child`` 0) is that figure. A province's partial aggregates become a
    stand-in child of the province: a summed indicator gives its sum; a weighted mean gives
    ``Σ value·weight / Σ weight`` (missing when a commune had a value without a weight); any other indicator
    gives its minimum and, as a second stand-in, its maximum. ``partials`` and ``weighted`` carry indicator
    codes in ``indicator_code`` and the unit in ``unit``.
    """
    plan = formulas(indicators)
    pairs = {code for code, (spec, comps) in plan.items() if spec.name == "weighted_mean" and comps}
    units = dict(zip(indicators["code"], indicators["unit"], strict=True))
    if partials.empty:
        return pd.DataFrame(columns=OBS_COLUMNS), {}
    own = partials[partials["child"] == 0]
    rows = [own.assign(value=own["sum"], admin_unit=own["unit"])]
    frame = partials[partials["child"] != 0]
    frame = frame.assign(admin_unit=STAND_IN + frame["unit"].astype(str))
    additive = (
        frame["indicator_code"].map(lambda c: is_additive(units.get(c)) and c not in pairs).astype(bool)
    )
    rows.append(frame[additive].assign(value=frame.loc[additive, "sum"]))
    if pairs:
        w = weighted.set_index(["indicator_code", "period", "unit"])
        part = frame[frame["indicator_code"].isin(pairs)]
        got = w.reindex(pd.MultiIndex.from_frame(part[["indicator_code", "period", "unit"]]))
        vw, weight = got["vw"].astype(float).to_numpy(), got["w"].astype(float).to_numpy()
        ok = (got["unweighted"].fillna(0).to_numpy() == 0) & (weight > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append(part.assign(value=np.where(ok, vw / weight, np.nan)))
    other = frame[~additive & ~frame["indicator_code"].isin(pairs)]
    rows += [
        other.assign(value=other["min"]),
        other.assign(value=other["max"], admin_unit=other["admin_unit"] + "max"),
    ]
    out = pd.concat(rows, ignore_index=True)
    children = out[out["child"] != 0]
    parents = dict(zip(children["admin_unit"], children["unit"].astype(str), strict=False))
    return out.assign(disaggregation=disaggregation), parents


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """``period_start`` and ``period_end`` from the period labels (each distinct label parsed once)."""
    spans = {label: parse_period(label) for label in frame["period"].unique()}
    return frame.assign(period_start=frame["period"].map({k: v.start for k, v in spans.items()}),
                        period_end=frame["period"].map({k: v.end for k, v in spans.items()}))  # fmt: skip


def programme_achievement(
    engine: Engine, code: str, *, disaggregation: str = "", workers: int | None = None
) -> pd.DataFrame:
    """Every target of a programme against its actual, with communes rolled up to provinces in the database.

    The same rows as :func:`~mel_core.indicators.achievement.achievement` over the programme's indicators,
    targets and observations with ``parents`` = every commune's province (:func:`mel_core.communes.admin_parents`).

    Args:
        engine: the store.
        code: the programme's code.
        disaggregation: which observations to read (``""`` for totals).
        workers: queries run at once, each on its own connection (default 2: a SQLite query uses one core).

    Raises:
        UnknownProgramme: no programme has this code.
    """
    from mel_core.communes import admin_parents

    with engine.connect() as conn:
        pid = programme_id(conn, code)
        parents = admin_parents(conn)
        indicators = read_indicators(conn, pid)
        targets = read_targets(conn, pid)
        i, unit = table_of(Indicator), table_of(AdminUnit)
        ids = dict(conn.execute(select(i.c.code, i.c.id).where(i.c.programme_id == pid)).all())
        child_units = set(
            conn.scalars(
                select(unit.c.code).where(
                    unit.c.level.in_(CHILD_LEVELS), unit.c.code.in_(set(targets["admin_unit"]))
                )
            )
        )
    plan = formulas(indicators)
    raw_codes = {c for spec, comps in plan.values() if spec.derived for c in comps}
    raw_codes |= {c for c, (spec, _) in plan.items() if spec.derived}
    raw_codes |= set(targets.loc[targets["admin_unit"].isin(child_units), "indicator_code"])
    pairs = {c: comps[0] for c, (spec, comps) in plan.items() if spec.name == "weighted_mean" and comps}
    # a weighted mean pairs each commune's value with its weight: both are read the same way
    raw_codes |= {w for v, w in pairs.items() if v in raw_codes} | {
        v for v, w in pairs.items() if w in raw_codes
    }
    raw_codes &= set(ids)
    pairs = {v: w for v, w in pairs.items() if v not in raw_codes and v in ids and w in ids}
    grouped = sorted(ids[c] for c in ids if c not in raw_codes)
    parts = workers or 2
    weighted_pairs = {ids[v]: ids[w] for v, w in pairs.items()}
    jobs: list[tuple[Any, tuple[Any, ...]]] = [
        (_partials, (chunk, disaggregation)) for chunk in _slices(grouped, parts)
    ]
    n_partials = len(jobs)
    jobs += [(_weighted, ({v: weighted_pairs[v] for v in chunk}, disaggregation))
             for chunk in _slices(sorted(weighted_pairs), parts)]  # fmt: skip
    jobs.append((_raw, (sorted(ids[c] for c in raw_codes), disaggregation)))
    *frames, raw = _in_parallel(engine, jobs, parts, parents)
    chunks, weighted_parts = frames[:n_partials], frames[n_partials:]
    weighted = (
        pd.concat(weighted_parts, ignore_index=True)
        if weighted_parts
        else _weighted(None, {}, disaggregation)  # type: ignore[arg-type]
    )
    names = {v: k for k, v in ids.items()}
    partials = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=["indicator_id"])
    partials = partials.assign(indicator_code=partials["indicator_id"].map(names))
    weighted = weighted.assign(indicator_code=weighted["indicator_id"].map(names))
    stand_ins, stand_in_parents = stand_in_rows(indicators, partials, weighted, disaggregation)
    parents = {**parents, **stand_in_parents} if raw_codes else stand_in_parents
    observations = pd.concat([raw, _dates(stand_ins)[OBS_COLUMNS]], ignore_index=True)
    return achievement(indicators, targets, observations, disaggregation=disaggregation, parents=parents)
