"""Derived indicators: values computed from their components' observations, never typed in.

:func:`derive` takes the observations of a programme and returns, for every indicator that names a computing
method (:data:`~mel_core.indicators.catalogue.METHODS`), its value per period, admin unit and disaggregation
wherever all its components were observed. A missing component gives a missing value (no row), never zero, and
so does an impossible input (a zero base): see :mod:`mel_core.indicators.methods`. Derived indicators may be
computed from other derived indicators; they are computed in dependency order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

import numpy as np
import pandas as pd

from mel_core.indicators.catalogue import METHODS, MethodSpec
from mel_core.periods import PeriodKind, parse_period

KEYS = ["period", "admin_unit", "disaggregation"]
#: The columns of the observations frame that :func:`mel_core.indicators.achievement.achievement` reads.
OBS_COLUMNS = [
    "indicator_code",
    "period",
    "period_start",
    "period_end",
    "admin_unit",
    "disaggregation",
    "value",
]
#: The columns of its targets frame (``value_high``: the top of a target given as a range).
TARGET_COLUMNS = [
    "indicator_code",
    "period",
    "period_start",
    "period_end",
    "admin_unit",
    "value",
    "value_high",
]


def components_of(value: object) -> list[str]:
    """The component codes of an indicator: a ``;``-separated text or a list (empty for none)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    items = value.split(";") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return [str(c).strip() for c in items if str(c).strip()]


def formulas(indicators: pd.DataFrame) -> dict[str, tuple[MethodSpec, list[str]]]:
    """Every indicator of the frame that names a method: its method and component codes."""
    if indicators.empty or "method" not in indicators.columns:
        return {}
    out: dict[str, tuple[MethodSpec, list[str]]] = {}
    comps = indicators["components"] if "components" in indicators.columns else [None] * len(indicators)
    for code, method, components in zip(indicators["code"], indicators["method"], comps, strict=True):
        if isinstance(method, str) and method in METHODS:
            out[str(code)] = (METHODS[method], components_of(components))
    return out


def dependency_order(formulas_: Mapping[str, tuple[MethodSpec, list[str]]]) -> list[str]:
    """Derived codes so that each comes after the derived codes it is computed from (a cycle is left out)."""
    derived = {c for c, (spec, _) in formulas_.items() if spec.derived}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(code: str) -> bool:
        if state.get(code) == 2:
            return True
        if state.get(code) == 1:
            return False  # a cycle: validation reports it at import; here it is simply not computed
        state[code] = 1
        ok = all(visit(c) for c in formulas_[code][1] if c in derived)
        state[code] = 2
        if ok:
            order.append(code)
        return ok

    for code in sorted(derived):
        visit(code)
    return order


@cache
def _dates(label: str) -> tuple[object, object, str]:
    p = parse_period(label)
    return p.start, p.end, p.kind.value


@cache
def previous_period(label: str) -> str | None:
    """The period of the same length just before ``label`` (2014 for 2015, 2011-2015 for 2016-2020)."""
    p = parse_period(label)
    y = p.start.year
    if p.kind == PeriodKind.YEAR:
        return str(y - 1)
    if p.kind == PeriodKind.SPAN:
        n = p.end.year - y + 1
        return f"{y - n}-{p.end.year - n}"
    if p.kind == PeriodKind.HALF:
        return f"{y - 1}-H2" if p.label.endswith("H1") else f"{y}-H1"
    if p.kind == PeriodKind.QUARTER:
        q = int(p.label[-1])
        return f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"
    month = p.start.month
    return f"{y - 1}-12" if month == 1 else f"{y}-{month - 1:02d}"


Values = dict[str, pd.DataFrame]
_EMPTY = pd.DataFrame(columns=[*KEYS, "value"])


def _series(obs: Values, code: str) -> pd.DataFrame:
    """One indicator's values keyed by period, unit and disaggregation (the last row of a duplicate key wins)."""
    return obs.get(code, _EMPTY)


def _rows(code: str, keys: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    out = keys[KEYS].copy()
    out["value"] = np.asarray(values, dtype=float)
    out = out[np.isfinite(out["value"].to_numpy())]
    dates = [_dates(p) for p in out["period"]]
    out.insert(0, "indicator_code", code)
    out.insert(2, "period_start", [d[0] for d in dates])
    out.insert(3, "period_end", [d[1] for d in dates])
    return out[OBS_COLUMNS]


def _same_period(obs: Values, spec: MethodSpec, comps: list[str]) -> pd.DataFrame:
    joined: pd.DataFrame | None = None
    for n, comp in enumerate(comps):
        s = _series(obs, comp).rename(columns={"value": f"v{n}"})
        joined = s if joined is None else joined.merge(s, on=KEYS, how="inner")
    assert joined is not None and spec.function is not None
    args = [joined[f"v{n}"].to_numpy(dtype=float) for n in range(len(comps))]
    return joined.assign(_out=spec.function(*args, strict=False) if len(joined) else np.array([]))


def _at(base: pd.DataFrame, series: pd.DataFrame, label_of: dict[str, str | None], name: str) -> pd.DataFrame:
    """``base`` with the value of ``series`` at the period ``label_of[period]`` as column ``name``."""
    shifted = base.assign(_at=base["period"].map(label_of).astype(object))
    other = series.rename(columns={"period": "_at", "value": name})
    other = other.assign(_at=other["_at"].astype(object))
    return shifted.merge(other, on=["_at", "admin_unit", "disaggregation"], how="inner").drop(columns="_at")


def _previous_period(obs: Values, spec: MethodSpec, comps: list[str]) -> pd.DataFrame:
    if spec.name == "growth_rate":
        now = _series(obs, comps[0])
        before = {p: previous_period(p) for p in now["period"].unique()}
        joined = _at(now, now, before, "prev")
        values = spec.function(joined["value"].to_numpy(float), joined["prev"].to_numpy(float), strict=False)  # type: ignore[misc]
        return joined.assign(_out=values if len(joined) else np.array([]))
    # ICOR: investment over the period, GDP at the end of its last year and of the year before it starts.
    invest, gdp = _series(obs, comps[0]), _series(obs, comps[1])
    labels = invest["period"].unique()
    yearly = [p for p in labels if _dates(p)[2] in (PeriodKind.YEAR.value, PeriodKind.SPAN.value)]
    invest = invest[invest["period"].isin(yearly)]
    end: dict[str, str | None] = {p: str(_dates(p)[1].year) for p in yearly}  # type: ignore[attr-defined]
    start: dict[str, str | None] = {p: str(_dates(p)[0].year - 1) for p in yearly}  # type: ignore[attr-defined]
    joined = _at(_at(invest, gdp, end, "g1"), gdp, start, "g0")
    args = (joined["value"].to_numpy(float), joined["g1"].to_numpy(float), joined["g0"].to_numpy(float))
    return joined.assign(_out=spec.function(*args, strict=False) if len(joined) else np.array([]))  # type: ignore[misc]


def _span(obs: Values, spec: MethodSpec, comps: list[str], periods: Iterable[str]) -> pd.DataFrame:
    series = _series(obs, comps[0])
    spans = sorted({p for p in periods if _dates(p)[2] in (PeriodKind.SPAN.value, PeriodKind.YEAR.value)})
    frames = []
    places = series[["admin_unit", "disaggregation"]].drop_duplicates()
    for label in spans:
        first, last = _dates(label)[0].year, _dates(label)[1].year  # type: ignore[attr-defined]
        base = places.assign(period=label)
        if spec.name == "average_growth":
            joined = _at(_at(base, series, {label: str(last)}, "xn"), series, {label: str(first - 1)}, "x0")
            values = spec.function(  # type: ignore[misc]
                joined["xn"].to_numpy(float),
                joined["x0"].to_numpy(float),
                float(last - first + 1),
                strict=False,
            )
        else:
            years = series[series["period"].isin([str(y) for y in range(first, last + 1)])]
            # every year's rate must be there: a missing year leaves the average missing
            growth = np.log1p(
                years["value"].to_numpy(float) / 100.0,
                where=years["value"].to_numpy(float) > -100,
                out=np.full(len(years), np.nan),
            )
            summed = (
                years.assign(_log=growth)
                .groupby(["admin_unit", "disaggregation"])["_log"]
                .agg(["sum", "count"])
            )
            summed = summed[summed["count"] == last - first + 1]
            joined = base.merge(summed.reset_index(), on=["admin_unit", "disaggregation"], how="inner")
            values = np.expm1(joined["sum"].to_numpy(float) / (last - first + 1)) * 100.0
        frames.append(joined.assign(_out=values if len(joined) else np.array([])))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*KEYS, "_out"])


def derive(indicators: pd.DataFrame, observations: pd.DataFrame, periods: Iterable[str] = ()) -> pd.DataFrame:
    """The values of every derived indicator, computed from its components' observations.

    Args:
        indicators: frame with ``code``, ``method`` and ``components`` (``;``-separated codes or lists).
        observations: frame with the columns of :data:`OBS_COLUMNS` (``disaggregation`` "" for totals).
        periods: extra periods to compute averages over a span for (the periods of the targets, say); the
            spans and years observed are always computed.

    Returns:
        Rows with the columns of :data:`OBS_COLUMNS` for the derived indicators only (no row where a value is
        missing or impossible).
    """
    plan = formulas(indicators)
    order = dependency_order(plan)
    if not order or observations.empty:
        return pd.DataFrame(columns=OBS_COLUMNS)
    obs = (
        observations[OBS_COLUMNS]
        if "disaggregation" in observations.columns
        else observations.assign(disaggregation="")[OBS_COLUMNS]
    )
    needed = {c for code in order for c in plan[code][1]} - set(order)
    obs = obs[obs["indicator_code"].isin(needed) & obs["value"].notna()]
    obs = obs.assign(disaggregation=obs["disaggregation"].fillna(""))
    wanted = set(map(str, periods)) | set(obs["period"].unique())
    values: Values = {
        str(code): frame[[*KEYS, "value"]].drop_duplicates(KEYS, keep="last")
        for code, frame in obs.groupby("indicator_code", sort=False)
    }
    computed: list[pd.DataFrame] = []
    for code in order:
        spec, comps = plan[code]
        if not spec.accepts(len(comps)):
            continue  # the wrong number of components: reported at import
        if spec.reading == "same_period":
            joined = _same_period(values, spec, comps)
        elif spec.reading == "previous_period":
            joined = _previous_period(values, spec, comps)
        else:
            joined = _span(values, spec, comps, wanted)
        rows = _rows(code, joined, joined["_out"].to_numpy(dtype=float))
        computed.append(rows)
        values[code] = rows[[*KEYS, "value"]]  # later derived indicators may use this one
    return pd.concat(computed, ignore_index=True) if computed else pd.DataFrame(columns=OBS_COLUMNS)
