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

from collections.abc import Collection, Iterable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, literal, select

from mel_core.indicators import store_queries as q
from mel_core.indicators.achievement import achievement
from mel_core.indicators.derived import OBS_COLUMNS, TARGET_COLUMNS, formulas
from mel_core.indicators.rollup import is_additive
from mel_core.periods import parse_period
from mel_core.store import AdminUnit, Indicator, Observation, Target, read, table_of
from mel_core.store.results import in_force

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


def read_indicators(conn: Connection, pid: int) -> pd.DataFrame:
    """A programme's indicators in the frame :func:`achievement` reads."""
    i = table_of(Indicator)
    columns = [i.c[f] for f in INDICATOR_FIELDS]
    query = select(*columns).where(i.c.programme_id == pid).order_by(i.c.code)
    return read.frame(conn, query, INDICATOR_FIELDS, {"cumulative": bool})


def read_targets(conn: Connection, pid: int) -> pd.DataFrame:
    """Every target of a programme (all admin units), the adjusted plan where there is one."""
    i, t = table_of(Indicator), table_of(Target)
    query = (
        select(i.c.code, t.c.period, t.c.period_start, t.c.period_end, t.c.admin_unit_code, *in_force(t))
        .join(i, i.c.id == t.c.indicator_id)
        .where(i.c.programme_id == pid)
    )  # fmt: skip
    return read.frame(conn, query, TARGET_COLUMNS)


def _raw(conn: Connection, ids: list[int], disaggregation: str) -> pd.DataFrame:
    """Every observation of the given indicators, row by row (the index on indicator_id finds them); the
    indicator's id stands in ``indicator_code``."""
    o = table_of(Observation)
    if not ids:
        return pd.DataFrame(columns=OBS_COLUMNS)
    query = (
        select(o.c.indicator_id, o.c.period, o.c.period_start, o.c.period_end, o.c.admin_unit_code,
               literal(disaggregation), o.c.value)
        .where(o.c.indicator_id.in_(ids), o.c.disaggregation == disaggregation)
    )  # fmt: skip
    return read.frame(conn, query, OBS_COLUMNS)


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
    if partials.empty and weighted.empty:
        return pd.DataFrame(columns=OBS_COLUMNS), {}
    own = partials[partials["child"] == 0]
    rows = [own.assign(value=own["sum"], admin_unit=own["unit"])]
    frame = partials[partials["child"] != 0]
    frame = frame.assign(admin_unit=STAND_IN + frame["unit"].astype(str))
    codes = frame["indicator_code"]
    summed = {c: is_additive(units.get(c)) and c not in pairs for c in codes.unique()}  # once per indicator
    additive = codes.map(summed).astype(bool)
    rows.append(frame[additive].assign(value=frame.loc[additive, "sum"]))
    if not weighted.empty:
        mine = weighted[weighted["child"] == 0]
        rows.append(mine.assign(value=mine["sum"], admin_unit=mine["unit"]))
        theirs = weighted[weighted["child"] != 0]
        vw, weight = theirs["vw"].astype(float).to_numpy(), theirs["w"].astype(float).to_numpy()
        ok = (theirs["unweighted"].fillna(0).to_numpy() == 0) & (weight > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(ok, vw / weight, np.nan)
        rows.append(theirs.assign(value=mean, admin_unit=STAND_IN + theirs["unit"].astype(str)))
    other = frame[~additive & ~frame["indicator_code"].isin(pairs)]
    rows += [
        other.assign(value=other["min"]),
        other.assign(value=other["max"], admin_unit=other["admin_unit"] + "max"),
    ]
    out = pd.concat(rows, ignore_index=True)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype(float)
    children = out.loc[out["child"] != 0, ["admin_unit", "unit"]].drop_duplicates()  # a stand-in per unit
    parents = dict(zip(children["admin_unit"], children["unit"].astype(str), strict=False))
    return out.assign(disaggregation=disaggregation), parents


def row_by_row_codes(indicators: pd.DataFrame, ids: Iterable[str], more: Iterable[str] = ()) -> set[str]:
    """The codes among ``ids`` read row by row rather than as partial aggregates: derived indicators and their
    components (a product of sums is not a sum of products), ``more``, and the weighted means paired with any
    of these (a mean and its weight are read the same way)."""
    plan = formulas(indicators)
    raw = {c for spec, comps in plan.values() if spec.derived for c in comps}
    raw |= {c for c, (spec, _) in plan.items() if spec.derived}
    raw |= set(more)
    pairs = weights_of(indicators)
    raw |= {w for v, w in pairs.items() if v in raw} | {v for v, w in pairs.items() if w in raw}
    return raw & set(ids)


def weights_of(indicators: pd.DataFrame) -> dict[str, str]:
    """Each weighted mean's code → its weight's code."""
    plan = formulas(indicators)
    return {c: comps[0] for c, (spec, comps) in plan.items() if spec.name == "weighted_mean" and comps}


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
    targets and observations with ``parents`` = every district's and commune's parent
    (:func:`mel_core.communes.admin_parents`): a district's own figure wins over its communes', a province's over
    its districts' and communes' (:func:`mel_core.indicators.rollup.tree_rollup`), as in the report forms.

    Args:
        engine: the store.
        code: the programme's code.
        disaggregation: which observations to read (``""`` for totals).
        workers: queries run at once, each on its own connection (default 2: a SQLite query uses one core).

    Raises:
        NotFound: no programme has this code (:func:`mel_core.store.read.programme_id`).
    """
    from mel_core.communes import admin_parents

    with engine.connect() as conn:
        pid = read.programme_id(conn, code)
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
    # the series of indicators with targets at commune level are read row by row: communes are matched too
    row_by_row = set(targets.loc[targets["admin_unit"].isin(child_units), "indicator_code"])
    observations, parents = rolled_up(
        engine, indicators, ids, parents, row_by_row, disaggregation=disaggregation, workers=workers
    )
    return achievement(indicators, targets, observations, disaggregation=disaggregation, parents=parents)


def rolled_up(
    engine: Engine,
    indicators: pd.DataFrame,
    ids: dict[str, int],
    parents: dict[str, str],
    row_by_row: Iterable[str] = (),
    *,
    disaggregation: str = "",
    periods: Collection[str] | Mapping[int, Collection[str]] | None = None,
    tops: dict[str, str] | None = None,
    workers: int | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Observations of a programme's indicators with every child unit's figures rolled up in the database.

    The units' own figures come back as they are, the children's (``parents``: a commune → its district, a
    district → its province) as stand-in children of the unit they roll up into (:func:`stand_in_rows`); the
    indicators that cannot be pre-aggregated (derived indicators and their components, ``row_by_row`` and the
    weighted means paired with any of these) come back row by row, every period. Passed to
    :func:`~mel_core.indicators.achievement.achievement` with the parents returned, they give the same actuals
    as every row with ``parents``.

    Args:
        engine: the store (queries run on connections of their own).
        indicators: the programme's indicators (:func:`read_indicators`).
        ids: indicator code → id, the indicators to read.
        parents: each child unit → the unit it rolls up into (:func:`mel_core.communes.rollup_parents`).
        row_by_row: more indicator codes to read row by row.
        disaggregation: which observations to read (``""`` for totals).
        periods: only these periods of the pre-aggregated indicators (default every period), or indicator id →
            its periods (the database may read the other listed periods of an indicator too).
        tops: a province code (as filed) → the unit its children are reported under (default: the province
            today, its 2025 successor).
        workers: queries run at once, each on its own connection (default 2: a SQLite query uses one core).

    Returns:
        The observations (:data:`OBS_COLUMNS`) and the parents to roll them up by.
    """
    raw_codes = row_by_row_codes(indicators, ids, row_by_row)
    pairs = {v: w for v, w in weights_of(indicators).items() if v not in raw_codes and v in ids and w in ids}
    units = dict(zip(indicators["code"], indicators["unit"], strict=True))
    summed: list[int] = []
    extremes: list[int] = []
    for name, key in ids.items():
        if name not in raw_codes and name not in pairs:
            (summed if is_additive(units.get(name)) else extremes).append(key)
    parts = workers or 2
    by_id = {ids[v]: ids[w] for v, w in pairs.items()}
    each: dict[int, list[str]] | None = None  # periods of each indicator id
    if isinstance(periods, Mapping):
        each = {key: sorted(found) for key, found in periods.items()}
    elif periods is not None:
        each = {key: sorted(periods) for key in ids.values()}
    every = sorted({p for found in each.values() for p in found}) if each is not None else None
    raw_ids = sorted(ids[c] for c in raw_codes)
    if engine.dialect.name == "sqlite":
        split = parts  # slices of indicators on ``parts`` connections
        jobs: list[q.Job] = [
            (q.partials, (chunk, disaggregation, False, each)) for chunk in q.slices(sorted(summed), split)
        ]
        jobs += [
            (q.partials, (chunk, disaggregation, True, each)) for chunk in q.slices(sorted(extremes), split)
        ]
        n_partials = len(jobs)
        jobs += [
            (q.weighted, ({v: by_id[v] for v in chunk}, disaggregation, each))
            for chunk in q.slices(sorted(by_id), split)
        ]
        jobs.append((_raw, (raw_ids, disaggregation)))
        *frames, raw = q.in_parallel(engine, jobs, parts, parents)
        chunks, weighted_parts = frames[:n_partials], frames[n_partials:]
        partial = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=q.PARTIAL_COLUMNS)
        weighted = (
            pd.concat(weighted_parts, ignore_index=True)
            if weighted_parts
            else pd.DataFrame(columns=q.WEIGHTED_COLUMNS)
        )
        partial, weighted = q.to_provinces(partial, weighted, parents, tops)
    else:  # one statement for every child's aggregates; the own figures and raw rows on another connection
        counted = sorted({*summed, *extremes, *by_id})
        jobs = [
            (q.pg_children, (sorted(summed), sorted(extremes), by_id, disaggregation, every)),
            (q.pg_own, (counted, disaggregation, q.middle_units(parents), every)),
            (_raw, (raw_ids, disaggregation)),
        ]
        children, own, raw = q.in_parallel(engine, jobs, parts, parents)
        partial, weighted = q.pg_frames(children, own, set(by_id), parents, tops)
    names = {v: k for k, v in ids.items()}
    partial = partial.assign(indicator_code=partial["indicator_id"].map(names))
    weighted = weighted.assign(indicator_code=weighted["indicator_id"].map(names))
    stand_ins, stand_in_parents = stand_in_rows(indicators, partial, weighted, disaggregation)
    parents = {**parents, **stand_in_parents} if raw_codes else stand_in_parents
    raw = raw.assign(indicator_code=raw["indicator_code"].map(names))  # the codes ``ids`` names them by
    observations = pd.concat([raw, _dates(stand_ins)[OBS_COLUMNS]], ignore_index=True)
    # no raw rows: the empty frame's object columns would make the values objects (rollup's min/max fail)
    observations["value"] = pd.to_numeric(observations["value"], errors="coerce").astype(float)
    return observations, parents
