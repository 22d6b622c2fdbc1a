"""Achievement: each indicator's actual value against its target, per period and administrative unit.

One function, :func:`achievement`, serves the effectiveness evaluation and the MPI report forms alike. Its rules:

- **Rows.** One row per target (indicator, period, admin unit); with ``how="outer"`` also one per observed value
  that has no target (reported but not planned).
- **Actual.** The observation of the same indicator, admin unit and period (totals only: ``disaggregation`` is
  ``""`` unless asked otherwise). When there is none and the target's period is longer (a year against half-year
  figures, the whole span ``2011-2015`` against annual ones), the actual is the **latest** observation whose
  period lies inside the target's: the state at the end of the period for a level (a rate, an average), the
  running total to date for a cumulative indicator. Per-period flows are never summed: an indicator whose values
  add up over time is declared ``cumulative`` and reported as a running total. ``actual_period`` says which
  period the actual came from.
- **Whole programme.** Targets for the whole programme have admin unit ``"VN"``. A programme in one province
  often reports only that province's figures: pass ``single_unit`` (its code) and they stand for ``"VN"`` when no
  ``"VN"`` figure exists.
- **Missing is missing.** A target without an observation has ``actual`` NaN and ``met`` <NA>, never zero.
- **Direction, ranges.** ``met``, ``ratio`` and ``distance`` come from
  :class:`~mel_core.indicators.values.TargetValue`: a falling indicator meets its target by coming down to it
  (the top of a range), a rising one by reaching the bottom of the range. ``within`` says whether the actual
  lies inside a range target. ``complete`` is True when the actual reaches the end of the target's period (False
  for a mid-way reading, such as 2025 against a 2022-2028 target; <NA> without an actual).
- **Progress**, a score in [0, 1]: the distance travelled from the baseline to the target, capped to [0, 1]; when
  the indicator has no baseline (a survival rate held every period), the ratio capped to [0, 1].
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd

from mel_core.indicators.values import Direction, TargetValue

#: Admin unit of the figures and targets for the whole programme.
WHOLE = "VN"

ACHIEVEMENT_COLUMNS = [
    "indicator_code", "level", "direction", "cumulative", "unit", "period", "period_start", "period_end",
    "admin_unit", "baseline", "target", "target_high", "actual", "actual_period", "complete", "met", "within", "ratio",
    "distance", "progress",
]  # fmt: skip


def _direction(value: object) -> Direction:
    return "decrease" if str(value).strip().lower() == "decrease" else "increase"


def _finite(value: object) -> bool:
    try:
        return value is not None and math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def score_target(
    target: float, target_high: float | None, actual: float, direction: Direction, baseline: float | None
) -> dict[str, float | bool | None]:
    """Met, within, ratio, distance travelled and progress of one actual against one target.

    Args:
        target: the planned value (the bottom of a range).
        target_high: the top of a range, or None for a point target.
        actual: the value reached; NaN when not reported.
        direction: ``"increase"`` or ``"decrease"``.
        baseline: the value before the programme, or None when there is none.

    Returns:
        ``met`` (None when the actual is missing), ``within`` (None unless a range), ``ratio``, ``distance``
        and ``progress`` (NaN when undefined).
    """
    nan = math.nan
    if not _finite(actual):
        return {"met": None, "within": None, "ratio": nan, "distance": nan, "progress": nan}
    high = float(target_high) if target_high is not None and _finite(target_high) else None
    goal = TargetValue(float(target), high)
    ratio = goal.ratio(float(actual), direction)
    distance = (
        goal.distance_travelled(float(baseline), float(actual), direction)
        if baseline is not None and _finite(baseline)
        else nan
    )
    basis = distance if _finite(distance) else ratio
    progress = min(max(basis, 0.0), 1.0) if _finite(basis) else nan
    return {
        "met": goal.met_by(float(actual), direction),
        "within": goal.within(float(actual)) if goal.is_range else None,
        "ratio": ratio,
        "distance": distance,
        "progress": progress,
    }


def _actual_for(
    obs: pd.DataFrame, start: object, end: object, period: str
) -> tuple[float, str | None, object]:
    """The observed value for a period, its period and its end: the same period, else the latest inside it."""
    same = obs[obs["period"] == period]
    if not same.empty:
        return float(same["value"].iloc[-1]), period, end
    inside = obs[(obs["period_start"] >= start) & (obs["period_end"] <= end)]
    if inside.empty:
        return math.nan, None, None
    last = inside.sort_values(["period_end", "period_start"]).iloc[-1]
    return float(last["value"]), str(last["period"]), last["period_end"]


def achievement(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    observations: pd.DataFrame,
    *,
    disaggregation: str = "",
    single_unit: str | None = None,
    how: Literal["targets", "outer"] = "targets",
) -> pd.DataFrame:
    """Actual against target for every target (and, with ``how="outer"``, every unplanned observation).

    Args:
        indicators: frame with ``code``, ``level``, ``direction``, ``cumulative``, ``unit``, ``baseline_value``.
        targets: frame with ``indicator_code``, ``period``, ``period_start``, ``period_end``, ``admin_unit``,
            ``value``, ``value_high``.
        observations: frame with ``indicator_code``, ``period``, ``period_start``, ``period_end``,
            ``admin_unit``, ``disaggregation``, ``value``.
        disaggregation: which observations to read (``""`` for totals, ``"sex=female"`` for women …).
        single_unit: the one province whose figures stand for the whole programme (``"VN"``) when no
            ``"VN"`` figure exists.
        how: ``"targets"`` (one row per target) or ``"outer"`` (also observations without a target).

    Returns:
        One row per indicator, period and admin unit with the columns of :data:`ACHIEVEMENT_COLUMNS`, sorted by
        indicator, period and admin unit.
    """
    info = indicators.set_index("code") if not indicators.empty else pd.DataFrame()
    obs = observations
    if not obs.empty and "disaggregation" in obs.columns:
        obs = obs[obs["disaggregation"].fillna("") == disaggregation]
    obs = obs[obs["value"].notna()] if not obs.empty else obs
    if single_unit is not None and not obs.empty:
        # A one-province programme's figures stand for the whole programme where no "VN" figure exists.
        stand_in = obs[obs["admin_unit"] == single_unit].copy()
        whole = obs[obs["admin_unit"] == WHOLE]
        have = set(zip(whole["indicator_code"], whole["period"], strict=True))
        keys = zip(stand_in["indicator_code"], stand_in["period"], strict=True)
        stand_in = stand_in[[key not in have for key in keys]]
        stand_in["admin_unit"] = WHOLE
        obs = pd.concat([obs, stand_in], ignore_index=True)
    groups = (
        {key: frame for key, frame in obs.groupby(["indicator_code", "admin_unit"])} if not obs.empty else {}
    )
    rows: list[dict[str, object]] = []
    used: set[tuple[str, str, str]] = set()

    def describe(code: str) -> dict[str, object]:
        if code in info.index:
            row = info.loc[code]
            return {
                "level": row.get("level"),
                "direction": _direction(row.get("direction")),
                "cumulative": bool(row.get("cumulative")) if pd.notna(row.get("cumulative")) else False,
                "unit": row.get("unit"),
                "baseline": float(row["baseline_value"]) if _finite(row.get("baseline_value")) else math.nan,
            }
        return {
            "level": None,
            "direction": "increase",
            "cumulative": False,
            "unit": None,
            "baseline": math.nan,
        }

    for t in targets.itertuples(index=False):
        code, unit = str(t.indicator_code), str(t.admin_unit)
        meta = describe(code)
        series = groups.get((code, unit))
        actual, actual_period, actual_end = (
            _actual_for(series, t.period_start, t.period_end, str(t.period))
            if series is not None
            else (math.nan, None, None)
        )
        if actual_period is not None:
            used.add((code, unit, actual_period))
        high = float(t.value_high) if _finite(t.value_high) else math.nan
        scored = score_target(
            float(t.value),
            high if _finite(high) else None,
            actual,
            meta["direction"],  # type: ignore[arg-type]
            meta["baseline"] if _finite(meta["baseline"]) else None,  # type: ignore[arg-type]
        )
        rows.append(
            {"indicator_code": code, **meta, "period": str(t.period), "period_start": t.period_start,
             "period_end": t.period_end, "admin_unit": unit, "target": float(t.value), "target_high": high,
             "actual": actual, "actual_period": actual_period,
             "complete": None if actual_period is None else actual_end == t.period_end, **scored}
        )  # fmt: skip
    if how == "outer" and not obs.empty:
        for o in obs.itertuples(index=False):
            key = (str(o.indicator_code), str(o.admin_unit), str(o.period))
            if key in used:
                continue
            used.add(key)
            rows.append(
                {"indicator_code": key[0], **describe(key[0]), "period": key[2], "period_start": o.period_start,
                 "period_end": o.period_end, "admin_unit": key[1], "target": math.nan, "target_high": math.nan,
                 "actual": float(o.value), "actual_period": key[2], "complete": True, "met": None, "within": None,
                 "ratio": math.nan, "distance": math.nan, "progress": math.nan}
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=ACHIEVEMENT_COLUMNS)
    if out.empty:
        return out
    for column in ("met", "within", "complete"):
        out[column] = out[column].astype("boolean")
    for column in ("baseline", "target", "target_high", "actual", "ratio", "distance", "progress"):
        out[column] = out[column].astype(float)
    out = out.sort_values(["indicator_code", "period_start", "period_end", "admin_unit"], kind="stable")
    return out.reset_index(drop=True)


def latest_assessed(table: pd.DataFrame, admin_unit: str = WHOLE) -> pd.DataFrame:
    """Per indicator, the target with the latest end whose actual is complete (the longer period on a tie).

    A mid-way reading of a longer target (2025 against 2022-2028) is not an assessment of that target. A span
    target for the whole programme (``2011-2015``) and the final year's target (``2015``) end together; the span
    is preferred because it is the programme's own commitment.

    Args:
        table: the output of :func:`achievement`.
        admin_unit: which unit's rows to read (default the whole programme).

    Returns:
        One row per indicator that has at least one assessed target; empty when none has.
    """
    rows = table[
        (table["admin_unit"] == admin_unit)
        & table["actual"].notna()
        & table["target"].notna()
        & table["complete"].fillna(False).astype(bool)
    ]
    if rows.empty:
        return rows.copy()
    rows = rows.sort_values(["indicator_code", "period_end", "period_start"], ascending=[True, True, False])
    return rows.groupby("indicator_code", sort=True).tail(1).reset_index(drop=True)


def final_targets(table: pd.DataFrame, admin_unit: str = WHOLE) -> pd.DataFrame:
    """Per indicator, the target with the latest end (the end-of-programme commitment), assessed or not."""
    rows = table[(table["admin_unit"] == admin_unit) & table["target"].notna()]
    if rows.empty:
        return rows.copy()
    rows = rows.sort_values(["indicator_code", "period_end", "period_start"], ascending=[True, True, False])
    return rows.groupby("indicator_code", sort=True).tail(1).reset_index(drop=True)


GAP_COLUMNS = [
    "indicator_code", "period", "dimension", "group", "value", "reference", "kind", "gap", "relative_gap", "share",
]  # fmt: skip
#: The disaggregations compared: the group of concern against the reference group.
GAP_PAIRS = (("sex", "female", "male"), ("ethnicity", "minority", "kinh"))


def gaps(
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    single_unit: str | None = None,
    admin_unit: str = WHOLE,
) -> pd.DataFrame:
    """Women against men and ethnic minorities against Kinh, per indicator at its last disaggregated period.

    Two kinds of figures are told apart by the data: when the two groups' values add up to the total (within
    1 %), they are **counts** (households reached) and the group's ``share`` of the total is reported; otherwise
    they are **levels** (a rate, an average income) and the ``gap`` is direction-aware: group − reference for a
    rising indicator, reference − group for a falling one, so a negative gap is always against the group.
    ``relative_gap`` is the gap over the reference's absolute value.

    Args:
        indicators: frame with ``code`` and ``direction``.
        observations: frame with ``indicator_code``, ``period``, ``period_end``, ``admin_unit``,
            ``disaggregation``, ``value``.
        single_unit: the one province whose figures stand for the whole programme when no ``"VN"`` row exists.
        admin_unit: the unit compared (default the whole programme).
    """
    if observations.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    obs = observations[observations["value"].notna()]
    units = [admin_unit] + ([single_unit] if single_unit and admin_unit == WHOLE else [])
    directions = (
        dict(zip(indicators["code"], indicators["direction"], strict=True)) if not indicators.empty else {}
    )
    rows = []
    for code, frame in obs.groupby("indicator_code", sort=True):
        for unit in units:
            here = frame[frame["admin_unit"] == unit]
            split = here[here["disaggregation"].fillna("") != ""]
            if not split.empty:
                break
        if split.empty:
            continue
        last_end = split["period_end"].max()
        at = here[here["period_end"] == last_end]
        period = str(at["period"].iloc[0])
        value_of = dict(zip(at["disaggregation"].fillna(""), at["value"].astype(float), strict=True))
        total = value_of.get("")
        direction = _direction(directions.get(code))
        for dimension, group, reference in GAP_PAIRS:
            mine, other = value_of.get(f"{dimension}={group}"), value_of.get(f"{dimension}={reference}")
            if mine is None or other is None:
                continue
            count = total is not None and abs(mine + other - total) <= max(1.0, 0.01 * abs(total))
            if count:
                share = mine / (mine + other) if (mine + other) else math.nan
                gap = relative = math.nan
            else:
                share = math.nan
                gap = mine - other if direction == "increase" else other - mine
                relative = gap / abs(other) if other else math.nan
            rows.append(
                {"indicator_code": code, "period": period, "dimension": dimension, "group": group, "value": mine,
                 "reference": other, "kind": "share" if count else "level", "gap": gap, "relative_gap": relative,
                 "share": share}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=GAP_COLUMNS)
