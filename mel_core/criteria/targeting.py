"""Targeting: who a programme reached at baseline, against the area it works in (part of relevance).

The formulas are those of the **targeting** component in :mod:`mel_core.criteria.relevance`: the poor share
among beneficiaries against the area poverty rate (random selection 0.5, only poor households 1, none 0), and
the representation of ethnic-minority and female-headed households against the comparison group.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mel_core.text import fold

POVERTY_CODE = "VN.GN.01"


def _share(values: pd.Series) -> float | None:
    """Mean of a 0/1 column, None when it holds no value."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.mean()) if len(values) else None


def poor_targeting_score(poor_share: float, area_rate: float) -> float:
    """0.5 for random selection, 1 when only poor households benefit, 0 when none does.

    Args:
        poor_share: share of poor households among beneficiaries (0–1).
        area_rate: the area's poverty rate (0–1).
    """
    if area_rate >= 1.0:
        return 1.0 if poor_share >= 1.0 else 0.5 * poor_share
    if area_rate <= 0.0:
        return 1.0 if poor_share > 0 else 0.5
    if poor_share >= area_rate:
        return 0.5 + 0.5 * (poor_share - area_rate) / (1.0 - area_rate)
    return 0.5 * poor_share / area_rate


def representation_score(group_share: float, area_share: float | None) -> float | None:
    """min(1, share among beneficiaries / share in the area); None when the area share is unknown or zero."""
    if area_share is None or area_share <= 0:
        return None
    return min(1.0, group_share / area_share)


def poverty_indicator(indicators: pd.DataFrame) -> pd.Series | None:
    """The programme's poverty-rate indicator: national code VN.GN.01, else unit % with poverty in its name."""
    if indicators.empty:
        return None
    coded = indicators[indicators["national_code"] == POVERTY_CODE]
    if len(coded):
        return coded.iloc[0]
    for _, row in indicators.iterrows():
        name = fold(f"{row.get('name') or ''} {row.get('name_en') or ''}")
        if str(row.get("unit") or "").strip() == "%" and ("ngheo" in name or "poverty" in name):
            return row
    return None


def targeting_evidence(
    survey: pd.DataFrame, indicators: pd.DataFrame, area_poverty_rate: float | None = None
) -> dict[str, Any]:
    """Shares of poor, ethnic-minority and female-headed households at baseline, and the area rates.

    Returns a dict with ``poor``, ``minority``, ``female`` (beneficiaries), ``area_poor``, ``area_source``
    (``"option"``, ``"comparison"``, ``"indicator"`` or None), ``area_minority``, ``area_female``, ``n`` and
    ``n_comparison``.
    """
    out: dict[str, Any] = dict.fromkeys(
        ("poor", "minority", "female", "area_poor", "area_source", "area_minority", "area_female"), None
    )
    out["n"] = out["n_comparison"] = 0
    if not survey.empty and "round" in survey:
        base = survey[survey["round"] == "baseline"]
        treated = base[base["group"] == "treatment"]
        comparison = base[base["group"] == "comparison"]
        out["n"], out["n_comparison"] = len(treated), len(comparison)
        for key, column in (("poor", "poor"), ("minority", "ethnic_minority"), ("female", "female_head")):
            if column in base:
                out[key] = _share(treated[column])
                out[f"area_{key}"] = _share(comparison[column])
        if out["area_poor"] is not None:
            out["area_source"] = "comparison"
    if area_poverty_rate is not None:
        out["area_poor"], out["area_source"] = area_poverty_rate / 100.0, "option"
    elif out["area_poor"] is None:
        row = poverty_indicator(indicators)
        if row is not None and row["baseline_value"] is not None and not pd.isna(row["baseline_value"]):
            out["area_poor"], out["area_source"] = float(row["baseline_value"]) / 100.0, "indicator"
    return out


def targeting_score(evidence: dict[str, Any]) -> float | None:
    """(2·poor + minority + female) / weights present, from :func:`targeting_evidence`; None with no part."""
    parts: list[tuple[float, float]] = []
    if evidence["poor"] is not None and evidence["area_poor"] is not None:
        parts.append((2.0, poor_targeting_score(evidence["poor"], evidence["area_poor"])))
    for key in ("minority", "female"):
        if evidence[key] is not None:
            score = representation_score(evidence[key], evidence[f"area_{key}"])
            if score is not None:
                parts.append((1.0, score))
    if not parts:
        return None
    return sum(w * s for w, s in parts) / sum(w for w, _ in parts)
