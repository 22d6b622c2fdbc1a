"""Coherence (tính nhất quán): does the programme fit with the others working in the same places?

Provinces are compared by their **current** province (:func:`mel_core.geo.successor`), since on 1 July 2025
63 provinces merged into 34: Yên Bái (15) and Lào Cai (10) are one place today. A match made only through a
merger is named as such. Programmes linked by ``parent_code`` (a replication and its original, or two children
of one parent) are **linked**, never duplicates.

Components (``RULES["coherence"]``), each in [0, 1] with 1 best:

- **overlap** = 1 − shared / own. Own is the set of the programme's (current province, year) pairs, from the
  start year to the end year (the reference year while running); shared are those also covered by another
  programme of the same sector that is not linked to it. With no other programme in the store the score is 1
  (nothing overlaps, said with the size of the portfolio); with no portfolio at all it is None (not rated).
- **measurement** = 1 − twice / measured. Measured are the programme's observations (totals, by province) of
  indicators that carry a national code; twice are those for which an unlinked programme observed the same
  national code in the same current province over an overlapping period. Observations shared with a linked
  programme are reported, not counted. None without a portfolio or without any national-coded observation.
- **linkage** = linked / related, where related are the other programmes of the same sector sharing a current
  province in at least one year with the programme; None when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from mel_core import geo
from mel_core.criteria.coherence_text import findings
from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, Scored
from mel_core.i18n import t


def current_province(code: str) -> str:
    """The current province of a GSO province code; the code itself when it is not a province (e.g. "VN")."""
    try:
        return geo.successor(str(code))
    except KeyError:
        return str(code)


def _year(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    return int(pd.Timestamp(value).year)


def province_years(provinces: list[str], start: Any, end: Any, as_of: date) -> set[tuple[str, int]]:
    """(current province, year) pairs covered from the start year to the end year (``as_of`` when open)."""
    first = _year(start)
    last = _year(end) or as_of.year
    if first is None:
        return set()
    return {(current_province(p), y) for p in provinces for y in range(first, last + 1)}


def linked(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when one programme is the other's parent, or both have the same parent."""
    pa, pb = a.get("parent_code") or None, b.get("parent_code") or None
    if isinstance(pa, float):
        pa = None
    if isinstance(pb, float):
        pb = None
    return pa == b["code"] or pb == a["code"] or (pa is not None and pa == pb)


def overlaps(own: dict[str, Any], others: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Every other programme sharing a current province in at least one year with ``own``.

    ``own`` and each row of ``others`` have code, sector, parent_code, start_date, end_date, provinces.
    Returns one row per (other programme, current province) with the years shared, whether the sector is the
    same, whether the programmes are linked, and which own and other codes met there (to name mergers).
    """
    mine = province_years(own["provinces"], own["start_date"], own["end_date"], as_of)
    rows = []
    for _, other in others.iterrows():
        if other["code"] == own["code"]:
            continue
        theirs = province_years(list(other["provinces"]), other["start_date"], other["end_date"], as_of)
        shared = mine & theirs
        for place in sorted({p for p, _ in shared}):
            years = sorted(y for p, y in shared if p == place)
            own_codes = sorted(c for c in own["provinces"] if current_province(c) == place)
            other_codes = sorted(c for c in other["provinces"] if current_province(c) == place)
            rows.append(
                {
                    "programme": other["code"],
                    "sector": other["sector"],
                    "same_sector": other["sector"] == own["sector"],
                    "linked": linked(own, dict(other)),
                    "province": place,
                    "own_codes": own_codes,
                    "other_codes": other_codes,
                    "merged": own_codes != other_codes,
                    "years": years,
                    "n_years": len(years),
                }
            )
    columns = [
        "programme",
        "sector",
        "same_sector",
        "linked",
        "province",
        "own_codes",
        "other_codes",
        "merged",
        "years",
        "n_years",
    ]
    return pd.DataFrame(rows, columns=columns)


def overlap_score(own: dict[str, Any], others: pd.DataFrame, as_of: date) -> tuple[float | None, int, int]:
    """(1 − shared/own province-years with unlinked same-sector programmes, shared, own)."""
    mine = province_years(own["provinces"], own["start_date"], own["end_date"], as_of)
    if not mine:
        return None, 0, 0
    shared: set[tuple[str, int]] = set()
    for _, other in others.iterrows():
        if other["code"] == own["code"] or other["sector"] != own["sector"] or linked(own, dict(other)):
            continue
        shared |= mine & province_years(
            list(other["provinces"]), other["start_date"], other["end_date"], as_of
        )
    return 1.0 - len(shared) / len(mine), len(shared), len(mine)


def twice_measured(code: str, observations: pd.DataFrame, links: set[str]) -> pd.DataFrame:
    """The programme's national-coded province observations, each with who else measured it.

    Args:
        code: the programme's code.
        observations: :attr:`Portfolio.observations` (programme_code, indicator_code, national_code, period,
            period_start, period_end, admin_unit).
        links: codes of the programmes linked to ``code``.

    Returns:
        One row per own observation: indicator_code, national_code, period, province (current), ``unlinked``
        and ``linked`` (lists of the other programmes that measured the same national code in the same current
        province over an overlapping period).
    """
    columns = ["indicator_code", "national_code", "period", "province", "unlinked", "linked"]
    if observations.empty:
        return pd.DataFrame(columns=columns)
    obs = observations[observations["national_code"].fillna("").astype(str).str.strip() != ""].copy()
    obs = obs[obs["admin_unit"].astype(str).isin(geo.provinces().keys())]
    if obs.empty:
        return pd.DataFrame(columns=columns)
    obs["province"] = obs["admin_unit"].map(current_province)
    own = obs[obs["programme_code"] == code]
    other = obs[obs["programme_code"] != code]
    rows = []
    for _, o in own.iterrows():
        same = other[
            (other["national_code"] == o["national_code"])
            & (other["province"] == o["province"])
            & (other["period_start"] <= o["period_end"])
            & (other["period_end"] >= o["period_start"])
        ]
        who = sorted(set(same["programme_code"]))
        rows.append(
            [
                o["indicator_code"],
                o["national_code"],
                o["period"],
                o["province"],
                [w for w in who if w not in links],
                [w for w in who if w in links],
            ]
        )
    return pd.DataFrame(rows, columns=columns)


def measurement_score(table: pd.DataFrame) -> float | None:
    """1 − share of own observations also measured by an unlinked programme; None when nothing is measured."""
    if table.empty:
        return None
    return 1.0 - float(table["unlinked"].map(bool).mean())


def linkage_score(overlapping: pd.DataFrame) -> tuple[float | None, list[str], list[str]]:
    """(linked / related same-sector programmes sharing a province-year, linked codes, unlinked codes)."""
    same = overlapping[overlapping["same_sector"]] if not overlapping.empty else overlapping
    if same.empty:
        return None, [], []
    codes = same.groupby("programme")["linked"].first()
    yes = sorted(codes[codes].index)
    no = sorted(codes[~codes].index)
    return len(yes) / len(codes), yes, no


def _own(data: ProgrammeData) -> dict[str, Any]:
    p = data.programme
    return {
        "code": data.code,
        "sector": p.get("sector"),
        "parent_code": p.get("parent_code"),
        "start_date": p.get("start_date"),
        "end_date": p.get("end_date"),
        "provinces": list(data.provinces),
    }


@dataclass(frozen=True, kw_only=True)
class CoherenceScores(Scored):
    """Coherence's components (``overlap``, ``measurement``, ``linkage``) and what they rest on.

    Attributes:
        compared: whether a portfolio was given to compare with (nothing else is filled when not).
        sector: the programme's sector.
        others: how many other programmes the portfolio holds.
        overlaps: :func:`overlaps` with the other programmes.
        shared, province_years: shared (current province, year) pairs and all of the programme's.
        family: the linked programmes (parent, replications), sorted.
        twice: :func:`twice_measured`.
        linked, unlinked: the same-sector programmes working in the same provinces at the same time, linked or
            not (:func:`linkage_score`).
    """

    criterion: str = "coherence"
    compared: bool = True
    sector: Any = None
    others: int = 0
    overlaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    shared: int = 0
    province_years: int = 0
    family: list[str] = field(default_factory=list)
    twice: pd.DataFrame = field(default_factory=pd.DataFrame)
    linked: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)


def score(data: ProgrammeData, portfolio: Portfolio | None = None, **options: Any) -> CoherenceScores:
    """Coherence's components against the other programmes of ``portfolio`` (the module's docstring); no words."""
    del options
    if portfolio is None:
        return CoherenceScores(scores={"overlap": None, "measurement": None, "linkage": None}, compared=False)
    own = _own(data)
    others = portfolio.programmes[portfolio.programmes["code"] != data.code]
    table = overlaps(own, others, data.as_of)
    overlap, shared, total = overlap_score(own, others, data.as_of)
    family = sorted(c for c in others["code"] if linked(own, dict(others[others["code"] == c].iloc[0])))
    twice = twice_measured(data.code, portfolio.observations, set(family))
    link, yes, no = linkage_score(table)
    return CoherenceScores(
        scores={"overlap": overlap, "measurement": measurement_score(twice), "linkage": link},
        metrics={
            "other_programmes": len(others),
            "province_years": total,
            "shared_province_years": shared,
            "national_coded_observations": len(twice),
            "measured_twice": int(twice["unlinked"].map(bool).sum()) if len(twice) else 0,
            "linked_programmes": family,
        },
        sector=own["sector"],
        others=len(others),
        overlaps=table,
        shared=shared,
        province_years=total,
        family=family,
        twice=twice,
        linked=yes,
        unlinked=no,
    )


def assess(
    data: ProgrammeData, portfolio: Portfolio | None = None, *, lang: str = "en", **options: Any
) -> CriterionResult:
    """Assess coherence against the other programmes of ``portfolio``: :func:`score`, worded by
    :func:`mel_core.criteria.coherence_text.findings`, rated."""
    result = findings(score(data, portfolio, **options), lang)
    rate(result)
    return result


def charts(result: CriterionResult) -> list[Any]:
    """The years shared with each programme working in the same provinces (same sector or not)."""
    import matplotlib.pyplot as plt

    table = result.tables.get("overlaps")
    if table is None or table.empty:
        return []
    lang = result.lang
    names = table.iloc[:, 0] + " · " + table.iloc[:, 4]
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(table) + 1.5))
    colours = [
        "tab:red" if same and not link else "tab:grey"
        for same, link in zip(table.iloc[:, 2], table.iloc[:, 3], strict=True)
    ]
    ax.barh(names, table.iloc[:, 9], color=colours)
    ax.set_xlabel(t("criteria.coherence.chart.years_shared", lang))
    ax.set_title(t("criteria.coherence.chart.programmes_same_provinces_red", lang))
    fig.tight_layout()
    return [fig]
