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

A parent's own figure, when one was reported, wins over the rollup. Through several levels (commune →
district → province) a figure counts for each unit above it up to the first that reported its own figure
(:func:`tree_rollup`): a district's own figure wins over its communes', and a district without one passes
its communes' figures on. The report forms (:mod:`mel_core.reports`) and the database rollup of whole
programmes (:mod:`mel_core.indicators.from_store`) follow this one rule.
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
            (commune → district → province) rolls up by :func:`tree_rollup`: a figure counts for every unit
            above it up to the first one that reported its own figure (a district's own figure wins over its
            communes', the province's over its districts' and communes').
        periods: periods to compute span averages over for recomputed derived indicators.

    Returns:
        The parents' rows, with :data:`OBS_COLUMNS` (a parent's own reported figure is not repeated); for a
        tree, the rows of every level (the districts' and the provinces').
    """
    if observations.empty:
        return pd.DataFrame(columns=OBS_COLUMNS)
    mapping = parents if isinstance(parents, pd.Series) else pd.Series(dict(parents), dtype=object)
    tree = _chains(mapping)
    if any(len(chain) > 1 for chain in tree.values()):
        return tree_rollup(indicators, observations, tree, periods)
    return _one_level(indicators, observations, mapping, periods)


def tree_rollup(
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    chains: Mapping[str, Sequence[str]],
    periods: Sequence[str] = (),
) -> pd.DataFrame:
    """Every parent's combined values through several levels (commune → district → province), own figures first.

    The rule: a figure counts for each unit above it up to the first that reported its own figure of the same
    indicator, period and disaggregation. So a district's own figure wins over its communes' (they count for
    the district's rollup, which its own figure replaces, and never for the province), a district without one
    passes its communes' figures on, and a province's own figure wins over everything below it (:func:`_finish`).

    Each figure is turned into partial aggregates where it is filed (a count's value; a rate's value as its
    minimum and maximum; a weighted mean's ``value·weight`` and ``weight`` paired with the unit's own weight,
    or a mark that the weight is missing), which add up the tree: a unit's partials are its children's rows'
    and, for each child unit without its own figure, that child's partials. A rate the communes of a district
    disagree on therefore leaves the district and the province missing; a plain average is never taken.
    :mod:`mel_core.indicators.store_queries` computes the same partials in the database.

    Args:
        indicators: frame with ``code``, ``unit``, and optionally ``method`` and ``components``.
        observations: rows with :data:`OBS_COLUMNS` (the units' own figures included).
        chains: unit → the units above it, nearest first.
        periods: periods to compute span averages over for recomputed derived indicators.

    Returns:
        Rows with :data:`OBS_COLUMNS` for every unit above another (a parent's own figure wins; derived rates
        computed again from the parent's components).
    """
    summed, weighted, agreed, _ = _rules(indicators)
    obs = observations[observations["value"].notna()]
    obs = obs.assign(disaggregation=obs["disaggregation"].fillna(""))
    key = ["indicator_code", "period", "disaggregation"]
    codes, uniques = pd.factorize(obs["admin_unit"].to_numpy(dtype=object))
    up = np.array([chains[u][0] if u in chains else None for u in uniques], dtype=object)[codes]
    has = pd.notna(up)
    kids = obs[has].assign(parent=up[has])
    kinds: list[tuple[pd.DataFrame, dict[str, str]]] = []
    part = kids[kids["indicator_code"].isin(summed)]
    kinds.append((part[[*key, "parent"]].assign(s=part["value"]), {"s": "sum"}))
    part = kids[kids["indicator_code"].isin(agreed)]
    kinds.append(
        (part[[*key, "parent"]].assign(lo=part["value"], hi=part["value"]), {"lo": "min", "hi": "max"})
    )
    part = kids[kids["indicator_code"].isin(weighted)]
    if not part.empty:
        weights = obs[obs["indicator_code"].isin(set(weighted.values()))]
        pairs = part.assign(_w=part["indicator_code"].map(weighted)).merge(
            weights[["indicator_code", "period", "admin_unit", "disaggregation", "value"]].rename(
                columns={"indicator_code": "_w", "value": "weight"}
            ),
            on=["_w", "period", "admin_unit", "disaggregation"],
            how="left",
        )
        part = pairs[[*key, "parent"]].assign(
            vw=pairs["value"] * pairs["weight"], w=pairs["weight"], miss=pairs["weight"].isna().astype(int)
        )
    else:
        part = part[[*key, "parent"]].assign(vw=0.0, w=0.0, miss=0)
    kinds.append((part, {"vw": "sum", "w": "sum", "miss": "sum"}))
    # a unit above others that is itself below one: its partials go on up unless it has its own figure
    middle = {u for u in chains if u in {p for chain in chains.values() for p in chain}}
    own = obs.loc[obs["admin_unit"].isin(middle), [*key, "admin_unit"]].drop_duplicates()
    own = own.rename(columns={"admin_unit": "parent"}).assign(_own=True)
    heights = sorted({len(chains[u]) for u in middle}, reverse=True)
    out: list[pd.DataFrame] = []
    for frame, how in kinds:
        groups = frame.groupby([*key, "parent"], sort=False, observed=True).agg(how).reset_index()
        for height in heights:  # the deepest units in between first
            level = {u for u in middle if len(chains[u]) == height}
            carry = groups[groups["parent"].isin(level)]
            carry = carry.merge(own, on=[*key, "parent"], how="left")
            carry = carry[carry["_own"].isna()].drop(columns="_own")
            if carry.empty:
                continue
            carry = carry.assign(parent=carry["parent"].map(lambda u: chains[u][0]))
            both = pd.concat([groups, carry], ignore_index=True)
            groups = both.groupby([*key, "parent"], sort=False, observed=True).agg(how).reset_index()
        if "s" in how:
            groups = groups.assign(value=groups["s"])
        elif "lo" in how:
            groups = groups[np.isclose(groups["lo"].astype(float), groups["hi"].astype(float))]
            groups = groups.assign(value=groups["lo"])
        else:
            groups = groups[(groups["miss"] == 0) & (groups["w"] > 0)]
            groups = groups.assign(value=groups["vw"] / groups["w"])
        out.append(groups[[*key, "parent", "value"]])
    rolled = pd.concat(out, ignore_index=True).rename(columns={"parent": "admin_unit"})
    dates = obs.drop_duplicates("period").set_index("period")[["period_start", "period_end"]]
    rolled = rolled.join(dates, on="period")[OBS_COLUMNS]
    rolled["value"] = rolled["value"].astype(float)
    return _finish(indicators, observations, rolled, periods)


def _chains(mapping: pd.Series) -> dict[str, list[str]]:
    """Unit → the units above it, nearest first, following ``mapping`` (a unit caught in a loop: left out)."""
    parent_of = {str(k): str(v) for k, v in mapping.items() if pd.notna(v)}
    out: dict[str, list[str]] = {}
    for start, first in parent_of.items():
        chain = [first]
        while chain[-1] in parent_of and chain[-1] != start and len(chain) <= len(parent_of):
            chain.append(parent_of[chain[-1]])
        if start not in chain and chain[-1] not in parent_of:
            out[start] = chain
    return out


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
