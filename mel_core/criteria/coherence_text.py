"""The words of the coherence assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.coherence` so that the analysis reads as analysis: :func:`findings` words
a :class:`~mel_core.criteria.coherence.CoherenceScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core import geo
from mel_core.criteria.result import CriterionResult
from mel_core.i18n import t

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.coherence import CoherenceScores


def province_name(code: str) -> str:
    """A province's name by code ("Lào Cai"); the code when unknown."""
    province = geo.provinces().get(code)
    return province.name if province else code


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if years[0] != years[-1] else str(years[0])


def _where(row: pd.Series, lang: str) -> str:
    """ "Lào Cai (10)", and the merger when the codes differ: "Lào Cai (10; 15 Yên Bái merged into it)"."""
    name = f"{province_name(row['province'])} ({row['province']}"
    old = sorted((set(row["own_codes"]) | set(row["other_codes"])) - {row["province"]})
    if row["merged"] and old:
        names = ", ".join(f"{c} {province_name(c)}" for c in old)
        name += t("criteria.coherence.merged_into_2025", lang, names=names)
    return name + ")"


def findings(scored: CoherenceScores, lang: str) -> CriterionResult:
    """The coherence result in ``lang``: ``scored``'s scores and metrics, findings, recommendations and tables
    (not yet rated)."""
    result = scored.result(lang)
    if not scored.compared:
        result.find(t("criteria.coherence.coherence_cannot_judged_no", lang))
        return result
    _overlap(result, scored)
    _measurement(result, scored.twice)
    if scored.scores["linkage"] is not None:
        yes, no = scored.linked, scored.unlinked
        result.find(
            t(
                "criteria.coherence.same_sector_programmes_working",
                lang,
                n=len(yes) + len(no),
                n_yes=len(yes),
            ),
            "high",
            linked=yes,
            unlinked=no,
        )
    result.tables["overlaps"] = _overlaps_table(scored.overlaps, lang)
    result.tables["measurement"] = _measurement_table(scored.twice, lang)
    return result


def _overlap(result: CriterionResult, scored: CoherenceScores) -> None:
    lang, table = result.lang, scored.overlaps
    shared, total = scored.shared, scored.province_years
    same = table[table["same_sector"] & ~table["linked"]] if not table.empty else table
    if scored.scores["overlap"] is None:
        result.find(t("criteria.coherence.programme_no_start_date", lang))
    elif same.empty:
        result.find(
            t("criteria.coherence.no_other_programme_same", lang, sector=scored.sector, others=scored.others),
            "high",
            other_programmes=scored.others,
            shared_province_years=0,
            province_years=total,
        )
    else:
        places = "; ".join(
            f"{r['programme']} {t('criteria.coherence.in', lang)} {_where(r, lang)} {_span(r['years'])}"
            for _, r in same.iterrows()
        )
        result.find(
            t(
                "criteria.coherence.possible_duplication_province_years",
                lang,
                shared=shared,
                total=total,
                percent=100 * shared / total,
                places=places,
            ),
            "medium",
            shared_province_years=shared,
            province_years=total,
            programmes=sorted(set(same["programme"])),
        )
        result.recommend(
            t(
                "criteria.coherence.coordinate_beneficiaries_communes_avoid",
                lang,
                programmes=", ".join(sorted(set(same["programme"]))),
            )
        )
    complementary = table[~table["same_sector"]] if not table.empty else table
    if not complementary.empty:
        alongside = "; ".join(
            f"{r['programme']} ({r['sector']}) {t('criteria.coherence.in', lang)} {_where(r, lang)} {_span(r['years'])}"
            for _, r in complementary.iterrows()
        )
        result.find(
            t("criteria.coherence.working_alongside_other_sectors", lang, alongside=alongside),
            "medium",
            programmes=sorted(set(complementary["programme"])),
        )
    if scored.family:
        family = ", ".join(scored.family)
        result.find(
            t("criteria.coherence.linked_programmes_parent_replication", lang, family=family),
            "high",
            linked=scored.family,
        )


def _measurement(result: CriterionResult, twice: pd.DataFrame) -> None:
    lang = result.lang
    if twice.empty:
        result.find(t("criteria.coherence.double_measurement_cannot_checked", lang))
        return
    dup = twice[twice["unlinked"].map(bool)]
    shared_linked = twice[twice["linked"].map(bool)]
    which, linked = "", "."
    if len(dup):
        codes = ", ".join(sorted(set(dup["national_code"])))
        who = ", ".join(sorted({w for ws in dup["unlinked"] for w in ws}))
        which = t("criteria.coherence.with", lang, codes=codes, who=who)
    if len(shared_linked):
        linked = t("criteria.coherence.also_linked", lang, n=len(shared_linked))
    result.find(
        t(
            "criteria.coherence.measured_twice",
            lang,
            n_dup=len(dup),
            n_twice=len(twice),
            which=which,
            linked=linked,
        ),
        "medium",
        observations=len(twice),
        measured_twice=len(dup),
        shared_with_linked=len(shared_linked),
    )
    if len(dup) or len(shared_linked):
        result.recommend(t("criteria.coherence.use_one_data_collection", lang))


def _overlaps_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    return table.assign(
        own_codes=table["own_codes"].map(", ".join),
        other_codes=table["other_codes"].map(", ".join),
        years=table["years"].map(lambda ys: _span(ys) if ys else ""),
    ).rename(
        columns={
            "programme": t("criteria.coherence.programme", lang),
            "sector": t("criteria.coherence.sector", lang),
            "same_sector": t("criteria.coherence.same_sector", lang),
            "linked": t("criteria.coherence.linked", lang),
            "province": t("criteria.coherence.current_province", lang),
            "own_codes": t("criteria.coherence.own_codes", lang),
            "other_codes": t("criteria.coherence.their_codes", lang),
            "merged": t("criteria.coherence.via_merger", lang),
            "years": t("criteria.coherence.years", lang),
            "n_years": t("criteria.coherence.shared_years", lang),
        }
    )


def _measurement_table(twice: pd.DataFrame, lang: str) -> pd.DataFrame:
    return twice.assign(
        unlinked=twice["unlinked"].map(", ".join), linked=twice["linked"].map(", ".join)
    ).rename(
        columns={
            "indicator_code": t("criteria.coherence.indicator", lang),
            "national_code": t("criteria.coherence.national_code", lang),
            "period": t("criteria.coherence.period", lang),
            "province": t("criteria.coherence.current_province", lang),
            "unlinked": t("criteria.coherence.also_measured", lang),
            "linked": t("criteria.coherence.also_measured_linked", lang),
        }
    )
