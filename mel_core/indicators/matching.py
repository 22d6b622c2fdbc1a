"""Which observation is each target's actual: the same period, else the latest one inside the target's period.

Indicator, admin unit and period become integer keys once (hash passes over the columns, no sorting), so ten
million targets find their observations without comparing texts row against row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from mel_core.periods import parse_period


def _shared_codes(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes of two columns over the values they share, and those values (hash passes, no sort)."""
    ca, ua = pd.factorize(a.to_numpy(dtype=object))
    uniques = pd.Index(ua)
    cb = uniques.get_indexer(b.to_numpy(dtype=object))
    missing = cb < 0
    if missing.any():
        extra, ue = pd.factorize(b.to_numpy(dtype=object)[missing])
        cb[missing] = extra + len(ua)
        ua = np.concatenate([np.asarray(ua, dtype=object), np.asarray(ue, dtype=object)])
    return ca, cb, np.asarray(ua, dtype=object)


def _days(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (days since 1970) of each period label."""
    spans = [_period_days(str(label)) for label in labels]
    return np.array([s[0] for s in spans], dtype=np.int64), np.array([s[1] for s in spans], dtype=np.int64)


@cache
def _period_days(label: str) -> tuple[int, int]:
    p = parse_period(label)
    return (p.start - _EPOCH).days, (p.end - _EPOCH).days


_EPOCH = date(1970, 1, 1)


@dataclass
class Found:
    """Per target: the actual, the period it came from and that period's last day; the target's last day."""

    actual: np.ndarray
    period: np.ndarray
    end: np.ndarray
    target_end: np.ndarray


def match(targets: pd.DataFrame, obs: pd.DataFrame) -> Found:
    """The observation of the same period, else the latest (by end, then start) whose period lies inside.

    Indicator, admin unit and period become integer keys once, so ten million rows match by hashing, not by
    comparing texts row against row.
    """
    n = len(targets)
    found = Found(np.full(n, np.nan), np.full(n, None, dtype=object), np.full(n, np.nan), np.zeros(n))
    if obs.empty:
        found.target_end = _days(targets["period"].astype(str).to_numpy())[1] if n else found.target_end
        return found
    code_t, code_o, _ = _shared_codes(targets["indicator_code"], obs["indicator_code"])
    unit_t, unit_o, units = _shared_codes(targets["admin_unit"], obs["admin_unit"])
    per_t, per_o, periods = _shared_codes(targets["period"], obs["period"])
    first, last = _days(periods)
    n_units, n_periods = len(units) + 1, len(periods) + 1
    group_t, group_o = code_t * n_units + unit_t, code_o * n_units + unit_o
    key_o = pd.Index(group_o * n_periods + per_o)
    keep = ~key_o.duplicated(keep="last")
    values, obs_periods = obs["value"].to_numpy(float)[keep], per_o[keep]
    pos = pd.Index(key_o[keep]).get_indexer(group_t * n_periods + per_t)
    hit = pos >= 0
    found.actual[hit] = values[pos[hit]]
    found.period[hit] = periods[obs_periods[pos[hit]]]
    found.end[hit] = last[obs_periods[pos[hit]]]
    found.target_end = last[per_t].astype(float)
    rest = np.flatnonzero(~hit)
    if rest.size:
        left = pd.DataFrame(
            {"row": rest, "group": group_t[rest], "start": first[per_t[rest]], "end": last[per_t[rest]]}
        )
        wanted = np.isin(group_o, np.unique(left["group"]))
        right = pd.DataFrame(
            {
                "group": group_o[wanted],
                "o_start": first[per_o[wanted]],
                "o_end": last[per_o[wanted]],
                "o_period": per_o[wanted],
                "value": obs["value"].to_numpy(float)[wanted],
            }
        )
        right = right.sort_values(["o_end", "o_start"], kind="stable")
        near = pd.merge_asof(left.sort_values("end"), right, left_on="end", right_on="o_end", by="group")
        near = near[near["o_end"].notna()]
        fits = (near["o_start"] >= near["start"]).to_numpy()
        inside = near[fits]
        # the latest observation starts before the target does (a longer period): look further back
        extra = []
        for row in near[~fits].itertuples(index=False):
            series = right[
                (right["group"] == row.group) & (right["o_start"] >= row.start) & (right["o_end"] <= row.end)
            ]
            if not series.empty:
                extra.append(series.iloc[[-1]].assign(row=row.row))
        inside = pd.concat([inside, *extra], ignore_index=True) if extra else inside
        rows = inside["row"].to_numpy(int)
        found.actual[rows] = inside["value"].to_numpy(float)
        found.period[rows] = periods[inside["o_period"].to_numpy(int)]
        found.end[rows] = inside["o_end"].to_numpy(float)
    return found
