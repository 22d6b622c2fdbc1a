"""Gaps between groups: women against men, ethnic minorities against Kinh (used by the effectiveness evaluation)."""

from __future__ import annotations

import math

import pandas as pd

from mel_core.indicators.values import WHOLE, direction_of

GAP_COLUMNS = [
    "indicator_code",
    "period",
    "dimension",
    "group",
    "value",
    "reference",
    "kind",
    "gap",
    "relative_gap",
    "share",
]
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
        direction = direction_of(directions.get(code))
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
                {
                    "indicator_code": code,
                    "period": period,
                    "dimension": dimension,
                    "group": group,
                    "value": mine,
                    "reference": other,
                    "kind": "share" if count else "level",
                    "gap": gap,
                    "relative_gap": relative,
                    "share": share,
                }
            )
    return pd.DataFrame(rows, columns=GAP_COLUMNS)
