"""Rollup: communes to their province, child programmes to their parent, weighted where the unit requires it.

How the children's values of one indicator combine into the parent's, for one period and disaggregation:

- a **count** (households, enterprises, million VND, ha: any unit that is not a rate) is **summed**;
- an indicator with method ``weighted_mean`` is averaged **weighted by its weight component**
  (``Σ value·weight / Σ weight``); every child with a value must have its weight, else the parent's value is
  missing;
- a **derived rate** (method ``ratio``, ``share``, ``per_capita`` … with a rate unit) is not combined at all: it
  is computed again at the parent from the parent's components (``Σ numerator / Σ denominator``), which is the
  rate weighted by its denominator; a derived count (``production_value``) is summed;
- any other rate or level (%, ‰, a per-unit figure, an index) has no weight to combine with: the parent's value
  is the children's when they all agree (an exchange rate) and **missing** otherwise. A plain average of rates
  is never taken.

A parent's own figure, when one was reported, wins over the rollup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mel_core.indicators.derived import KEYS, OBS_COLUMNS, derive, formulas

#: Units that are rates or levels, not counts: they never add up.
_RATE_UNIT = re.compile(
    r"%|‰|%o|/|\bper\b|\brate\b|\bratio\b|\bindex\b|tỷ lệ|tỉ lệ|chỉ số|hệ số|bình quân|trung bình|\blần\b|điểm|"
    r"\bscore\b|\bpoints?\b|\bhdi\b|\bicor\b|năm\s*tuổi|tuổi thọ",
    re.IGNORECASE,
)


def is_additive(unit: object) -> bool:
    """True for a unit whose values add up across places (hộ, người, doanh nghiệp, triệu đồng, ha …)."""
    return isinstance(unit, str) and bool(unit.strip()) and not _RATE_UNIT.search(unit)


def _rules(indicators: pd.DataFrame) -> tuple[set[str], dict[str, str], set[str], set[str]]:
    """(summed codes, weighted code → weight code, codes kept when the children agree, recomputed codes)."""
    plan = formulas(indicators)
    summed, weighted, agreed, recomputed = set(), {}, set(), set()
    units = (
        dict(zip(indicators["code"].astype(str), indicators["unit"], strict=True))
        if not indicators.empty
        else {}
    )
    for code, unit in units.items():
        spec, comps = plan.get(code, (None, []))
        if spec is not None and spec.name == "weighted_mean" and len(comps) == 1:
            weighted[code] = comps[0]
        elif spec is not None and spec.derived and not is_additive(unit):
            recomputed.add(code)
        elif is_additive(unit):
            summed.add(code)
        else:
            agreed.add(code)
    return summed, weighted, agreed, recomputed


def combine(indicators: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Combine children's values into their parents' by the rules of the module.

    Args:
        indicators: frame with ``code``, ``unit``, and optionally ``method`` and ``components``.
        frame: the children's observations with the columns of :data:`OBS_COLUMNS` plus ``parent`` (the admin
            unit the combined value is for) and ``child`` (who contributed it: a commune, a programme …).

    Returns:
        Rows with the columns of :data:`OBS_COLUMNS` (``admin_unit`` the parent) for every indicator that
        combines; derived rates are left out (recompute them with :func:`~mel_core.indicators.derived.derive`).
    """
    summed, weighted, agreed, _ = _rules(indicators)
    keys = ["indicator_code", "period", "parent", "disaggregation"]
    frame = frame[frame["value"].notna()]
    out: list[pd.DataFrame] = []
    part = frame[frame["indicator_code"].isin(summed)]
    if not part.empty:
        out.append(part.groupby(keys, sort=False, observed=True)["value"].sum().reset_index())
    part = frame[frame["indicator_code"].isin(agreed)]
    if not part.empty:
        g = part.groupby(keys, sort=False, observed=True)["value"].agg(["min", "max"]).reset_index()
        g = g[np.isclose(g["min"], g["max"])]
        out.append(g.rename(columns={"min": "value"}).drop(columns="max"))
    if weighted:
        values = frame[frame["indicator_code"].isin(weighted)]
        weights = frame[frame["indicator_code"].isin(set(weighted.values()))]
        values = values.assign(_w=values["indicator_code"].map(weighted))
        pairs = values.merge(
            weights[["indicator_code", "period", "parent", "child", "disaggregation", "value"]].rename(
                columns={"indicator_code": "_w", "value": "weight"}
            ),
            on=["_w", "period", "parent", "child", "disaggregation"],
            how="left",
        )
        pairs = pairs.assign(_vw=pairs["value"] * pairs["weight"], _missing=pairs["weight"].isna())
        g = pairs.groupby(keys, sort=False, observed=True).agg(
            vw=("_vw", "sum"), w=("weight", "sum"), missing=("_missing", "sum")
        )
        g = g[(g["missing"] == 0) & (g["w"] > 0)].reset_index()
        out.append(g.assign(value=g["vw"] / g["w"])[[*keys, "value"]])
    if not out:
        return pd.DataFrame(columns=OBS_COLUMNS)
    result = pd.concat(out, ignore_index=True).rename(columns={"parent": "admin_unit"})
    dates = frame.drop_duplicates("period").set_index("period")[["period_start", "period_end"]]
    result = result.join(dates, on="period")
    return result[OBS_COLUMNS]


def _with_own_first(own: pd.DataFrame, rolled: pd.DataFrame) -> pd.DataFrame:
    """The rolled-up rows whose key the parent did not report itself."""
    if rolled.empty or own.empty:
        return rolled
    own = own[own["admin_unit"].isin(pd.unique(rolled["admin_unit"]))]  # few rows: the parents' own figures
    if own.empty:
        return rolled
    key = ["indicator_code", *KEYS]
    mark = own[key].drop_duplicates().assign(_own=True)
    merged = rolled.merge(mark, on=key, how="left")
    return merged[merged["_own"].isna()].drop(columns="_own")


def _finish(
    indicators: pd.DataFrame, own: pd.DataFrame, rolled: pd.DataFrame, periods: Sequence[str]
) -> pd.DataFrame:
    rolled = _with_own_first(own, rolled)
    _, _, _, recomputed = _rules(indicators)
    if recomputed and not rolled.empty:
        # derived rates at the parent: from the parent's components, never from the children's rates
        parents = set(rolled["admin_unit"].unique())
        base = pd.concat([own[own["admin_unit"].isin(parents)], rolled], ignore_index=True)
        again = derive(indicators, base, periods)
        again = again[again["indicator_code"].isin(recomputed)]
        rolled = pd.concat([rolled, _with_own_first(own, again)], ignore_index=True)
    return rolled[OBS_COLUMNS].reset_index(drop=True)


def admin_rollup(
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    parents: Mapping[str, str] | pd.Series,
    periods: Sequence[str] = (),
) -> pd.DataFrame:
    """Province figures from their communes' (or any child unit's), for the provinces that have children here.

    Args:
        indicators: frame with ``code``, ``unit``, ``method``, ``components``.
        observations: the observations (with derived values already added) with :data:`OBS_COLUMNS`.
        parents: child admin unit → parent admin unit (a commune's province, its 2025 successor). A tree
            (commune → district → province) rolls up level by level, the deepest first: a district's own
            figure wins over its communes', and the district's figure (its own or theirs) goes to the province.
        periods: periods to compute span averages over for recomputed derived indicators.

    Returns:
        The parents' rows, with :data:`OBS_COLUMNS` (a parent's own reported figure is not repeated); for a
        tree, the rows of every level (the districts' and the provinces').
    """
    if observations.empty:
        return pd.DataFrame(columns=OBS_COLUMNS)
    mapping = parents if isinstance(parents, pd.Series) else pd.Series(dict(parents), dtype=object)
    steps = _levels(mapping)
    if len(steps) > 1:
        # a tree (commune → district → province): the deepest units first, each parent's own figure winning
        out, seen = [], observations
        for step in steps:
            rolled = _one_level(indicators, seen, step, periods)
            if not rolled.empty:
                out.append(rolled)
                seen = pd.concat([seen[OBS_COLUMNS], rolled], ignore_index=True)
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=OBS_COLUMNS)
    return _one_level(indicators, observations, mapping, periods)


def _levels(mapping: pd.Series) -> list[pd.Series]:
    """``mapping`` split by depth, deepest first: a unit whose parent is itself a child rolls up first.

    A flat mapping (every parent a top unit) is one step. A unit caught in a loop of parents rolls up nowhere.
    """
    parent_of = {str(k): str(v) for k, v in mapping.items() if pd.notna(v)}
    if not any(v in parent_of for v in parent_of.values()):
        return [mapping]
    depth: dict[
        str, int
    ] = {}  # 1: its parent rolls up nowhere; 2: its parent's parent does not …; -1: a loop
    for start in parent_of:
        chain: list[str] = []
        cursor = start
        while cursor in parent_of and cursor not in depth and cursor not in chain:
            chain.append(cursor)
            cursor = parent_of[cursor]
        below = -1 if cursor in chain else depth.get(cursor, 0)
        for unit in reversed(chain):
            below = -1 if below < 0 else below + 1
            depth[unit] = below
    deepest = max(depth.values(), default=0)
    return [
        pd.Series({u: parent_of[u] for u, d in depth.items() if d == level}, dtype=object)
        for level in range(deepest, 0, -1)
    ]


def _one_level(
    indicators: pd.DataFrame, observations: pd.DataFrame, mapping: pd.Series, periods: Sequence[str]
) -> pd.DataFrame:
    codes, uniques = pd.factorize(observations["admin_unit"].to_numpy(dtype=object))
    parent = mapping.reindex(pd.Index(uniques)).to_numpy(dtype=object)[codes]  # one lookup per distinct unit
    has = pd.notna(parent)
    children = observations[has]
    frame = children.assign(parent=parent[has], child=children["admin_unit"])
    if "disaggregation" in frame.columns:
        frame = frame.assign(disaggregation=frame["disaggregation"].fillna(""))
    rolled = combine(indicators, frame)
    return _finish(indicators, observations, rolled, periods)


def programme_rollup(
    indicators: pd.DataFrame,
    children: Sequence[tuple[str, pd.DataFrame]],
    own: pd.DataFrame | None = None,
    periods: Sequence[str] = (),
) -> pd.DataFrame:
    """A parent programme's figures from its children's, indicator by indicator (matched by code).

    Children count different beneficiaries: a household reached by two children is counted twice.

    Args:
        indicators: the **parent's** indicators (their units and methods decide how values combine).
        children: (child programme code, its observations with :data:`OBS_COLUMNS`, derived values included).
        own: the parent's own observations, which win over the rollup.
        periods: periods to compute span averages over for recomputed derived indicators.

    Returns:
        Rows with :data:`OBS_COLUMNS` per admin unit (each child's province figures add up per province, its
        whole-programme ``VN`` figures into the parent's ``VN``).
    """
    own = own if own is not None else pd.DataFrame(columns=OBS_COLUMNS)
    codes = set(indicators["code"].astype(str))
    frames = [
        obs[obs["indicator_code"].isin(codes)].assign(child=code, parent=obs["admin_unit"])
        for code, obs in children
        if not obs.empty
    ]
    if not frames:
        return pd.DataFrame(columns=OBS_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.assign(disaggregation=frame["disaggregation"].fillna(""))
    return _finish(indicators, own, combine(indicators, frame), periods)
