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

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from mel_core.errors import MelError
from mel_core.i18n import say
from mel_core.indicators.achievement import achievement
from mel_core.indicators.derived import OBS_COLUMNS, formulas
from mel_core.indicators.rollup import is_additive
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


def _parent_columns() -> tuple[Any, Any, Any]:
    """The admin-unit join that gives a child's province today (its parent's 2025 successor)."""
    unit, parent = table_of(AdminUnit), aliased(table_of(AdminUnit))
    province = func.coalesce(parent.c.successor_code, unit.c.parent_code)
    return unit, parent, province


def _raw(conn: Connection, pid: int, disaggregation: str, child_codes: Iterable[str] | None) -> pd.DataFrame:
    """Observations read row by row: every non-child row, plus the child rows of ``child_codes``."""
    i, o = table_of(Indicator), table_of(Observation)
    unit = table_of(AdminUnit)
    is_child = unit.c.level.in_(CHILD_LEVELS) & unit.c.parent_code.is_not(None)
    codes = list(child_codes or [])
    keep = ~func.coalesce(is_child, False)
    if codes:
        keep = or_(keep, i.c.code.in_(codes))
    query = (
        select(i.c.code, o.c.period, o.c.period_start, o.c.period_end, o.c.admin_unit_code,
               literal(disaggregation), o.c.value)
        .join(i, i.c.id == o.c.indicator_id)
        .outerjoin(unit, unit.c.code == o.c.admin_unit_code)
        .where(i.c.programme_id == pid, o.c.disaggregation == disaggregation, keep)
    )  # fmt: skip
    return _frame(conn, query, OBS_COLUMNS)


def _partials(conn: Connection, pid: int, disaggregation: str, skip: set[str]) -> pd.DataFrame:
    """Per indicator, period and province: count, sum, min and max of the children's values (in the database)."""
    i, o = table_of(Indicator), table_of(Observation)
    unit, parent, province = _parent_columns()
    query = (
        select(i.c.code, o.c.period, o.c.period_start, o.c.period_end, province, func.sum(o.c.value),
               func.min(o.c.value), func.max(o.c.value))
        .join(i, i.c.id == o.c.indicator_id)
        .join(unit, unit.c.code == o.c.admin_unit_code)
        .outerjoin(parent, parent.c.code == unit.c.parent_code)
        .where(i.c.programme_id == pid, o.c.disaggregation == disaggregation, unit.c.level.in_(CHILD_LEVELS),
               unit.c.parent_code.is_not(None), i.c.code.not_in(skip) if skip else true())
        .group_by(i.c.code, o.c.period, o.c.period_start, o.c.period_end, province)
    )  # fmt: skip
    columns = ["indicator_code", "period", "period_start", "period_end", "parent", "sum", "min", "max"]
    return _frame(conn, query, columns)


def _weighted(conn: Connection, pid: int, disaggregation: str, pairs: dict[str, str]) -> pd.DataFrame:
    """Per weighted indicator, period and province: Σ value·weight, Σ weight, and values without a weight."""
    if not pairs:
        return pd.DataFrame(columns=["indicator_code", "period", "parent", "vw", "w", "unweighted"])
    i, o = table_of(Indicator), table_of(Observation)
    wi, w = aliased(table_of(Indicator)), aliased(table_of(Observation))
    unit, parent, province = _parent_columns()
    weight_of = case(*[(i.c.code == value, weight) for value, weight in pairs.items()], else_=None)
    query = (
        select(i.c.code, o.c.period, province, func.sum(o.c.value * w.c.value), func.sum(w.c.value),
               func.sum(case((w.c.value.is_(None), 1), else_=0)))
        .join(i, i.c.id == o.c.indicator_id)
        .join(unit, unit.c.code == o.c.admin_unit_code)
        .outerjoin(parent, parent.c.code == unit.c.parent_code)
        .outerjoin(wi, and_(wi.c.programme_id == pid, wi.c.code == weight_of))
        .outerjoin(w, and_(w.c.indicator_id == wi.c.id, w.c.period == o.c.period,
                           w.c.admin_unit_code == o.c.admin_unit_code, w.c.disaggregation == o.c.disaggregation))
        .where(i.c.programme_id == pid, o.c.disaggregation == disaggregation, i.c.code.in_(list(pairs)),
               unit.c.level.in_(CHILD_LEVELS), unit.c.parent_code.is_not(None))
        .group_by(i.c.code, o.c.period, province)
    )  # fmt: skip
    return _frame(conn, query, ["indicator_code", "period", "parent", "vw", "w", "unweighted"])


def stand_in_rows(
    indicators: pd.DataFrame, partials: pd.DataFrame, weighted: pd.DataFrame, disaggregation: str = ""
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The partial aggregates as observations of stand-in children, and each stand-in's province.

    A summed indicator gives its sum; a weighted mean gives ``Σ value·weight / Σ weight`` (missing when a
    commune had a value without a weight); any other indicator gives its minimum and, as a second stand-in,
    its maximum.
    """
    plan = formulas(indicators)
    pairs = {code: comps[0] for code, (spec, comps) in plan.items() if spec.name == "weighted_mean" and comps}
    units = dict(zip(indicators["code"], indicators["unit"], strict=True))
    if partials.empty:
        return pd.DataFrame(columns=OBS_COLUMNS), {}
    frame = partials.assign(child=STAND_IN + partials["parent"].astype(str))
    additive = frame["indicator_code"].map(lambda c: is_additive(units.get(c)) and c not in pairs)
    rows = [frame[additive].assign(value=frame.loc[additive, "sum"])]
    if pairs:
        w = weighted.set_index(["indicator_code", "period", "parent"])
        part = frame[frame["indicator_code"].isin(pairs)]
        got = w.reindex(pd.MultiIndex.from_frame(part[["indicator_code", "period", "parent"]]))
        mean = (got["vw"].astype(float) / got["w"].astype(float)).to_numpy()
        ok = (got["unweighted"].fillna(0).to_numpy() == 0) & (got["w"].astype(float).to_numpy() > 0)
        rows.append(part.assign(value=[v if good else math.nan for v, good in zip(mean, ok, strict=True)]))
    other = frame[~additive & ~frame["indicator_code"].isin(pairs)]
    rows += [other.assign(value=other["min"]), other.assign(value=other["max"], child=other["child"] + "max")]
    out = pd.concat(rows, ignore_index=True)
    out = out.assign(admin_unit=out["child"], disaggregation=disaggregation)
    parents = dict(zip(out["child"], out["parent"].astype(str), strict=False))
    return out[OBS_COLUMNS], parents


def programme_achievement(conn: Connection, code: str, *, disaggregation: str = "") -> pd.DataFrame:
    """Every target of a programme against its actual, with communes rolled up to provinces in the database.

    The same rows as :func:`~mel_core.indicators.achievement.achievement` over the programme's indicators,
    targets and observations with ``parents`` = every commune's province (:func:`mel_core.communes.admin_parents`).

    Raises:
        UnknownProgramme: no programme has this code.
    """
    pid = programme_id(conn, code)
    indicators = read_indicators(conn, pid)
    targets = read_targets(conn, pid)
    plan = formulas(indicators)
    raw_codes = {c for spec, comps in plan.values() if spec.derived for c in comps}
    raw_codes |= {c for c, (spec, _) in plan.items() if spec.derived}
    unit = table_of(AdminUnit)
    child_units = set(
        conn.scalars(
            select(unit.c.code).where(
                unit.c.level.in_(CHILD_LEVELS), unit.c.code.in_(set(targets["admin_unit"]))
            )
        )
    )
    raw_codes |= set(targets.loc[targets["admin_unit"].isin(child_units), "indicator_code"])
    pairs = {c: comps[0] for c, (spec, comps) in plan.items() if spec.name == "weighted_mean" and comps}
    # a weighted mean pairs each commune's value with its weight: both are read the same way
    raw_codes |= {w for v, w in pairs.items() if v in raw_codes} | {
        v for v, w in pairs.items() if w in raw_codes
    }
    pairs = {v: w for v, w in pairs.items() if v not in raw_codes}
    raw = _raw(conn, pid, disaggregation, raw_codes)
    partials = _partials(conn, pid, disaggregation, raw_codes)
    stand_ins, parents = stand_in_rows(indicators, partials, _weighted(conn, pid, disaggregation, pairs),
                                       disaggregation)  # fmt: skip
    if raw_codes:
        from mel_core.communes import admin_parents

        parents.update(admin_parents(conn))
    observations = pd.concat([raw, stand_ins], ignore_index=True) if not stand_ins.empty else raw
    return achievement(indicators, targets, observations, disaggregation=disaggregation, parents=parents)
