"""The words of the coherence assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.coherence` so that the analysis reads as analysis: :func:`findings` words
a :class:`~mel_core.criteria.coherence.CoherenceScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core import geo
from mel_core.criteria.result import CriterionResult, tr

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
        name += tr(lang, f"; {names} merged into it in 2025", f"; {names} đã sáp nhập vào tỉnh này năm 2025")
    return name + ")"


def findings(scored: CoherenceScores, lang: str) -> CriterionResult:
    """The coherence result in ``lang``: ``scored``'s scores and metrics, findings, recommendations and tables
    (not yet rated)."""
    result = scored.result(lang)
    if not scored.compared:
        result.find(
            tr(
                lang,
                "Coherence cannot be judged: no portfolio of other programmes was given to compare with.",
                "Chưa đánh giá được tính nhất quán: không có danh mục các chương trình khác để so sánh.",
            )
        )
        return result
    _overlap(result, scored)
    _measurement(result, scored.twice)
    if scored.scores["linkage"] is not None:
        yes, no = scored.linked, scored.unlinked
        result.find(
            tr(
                lang,
                f"Of the {len(yes) + len(no)} same-sector programmes working in the same provinces at the"
                f" same time, {len(yes)} are formally linked.",
                f"Trong {len(yes) + len(no)} chương trình cùng lĩnh vực hoạt động cùng tỉnh, cùng thời gian,"
                f" {len(yes)} chương trình có liên kết chính thức.",
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
        result.find(
            tr(
                lang,
                "The programme has no start date: overlap cannot be computed.",
                "Chương trình không có ngày bắt đầu: chưa tính được sự chồng lấn.",
            )
        )
    elif same.empty:
        result.find(
            tr(
                lang,
                f"No other programme of the same sector ({scored.sector}) works in the same provinces over the"
                f" same years: compared against {scored.others} other programmes in the store, none overlaps.",
                f"Không có chương trình nào khác cùng lĩnh vực ({scored.sector}) hoạt động ở cùng tỉnh trong cùng"
                f" thời gian: đã so sánh với {scored.others} chương trình khác trong kho, không có chồng lấn.",
            ),
            "high",
            other_programmes=scored.others,
            shared_province_years=0,
            province_years=total,
        )
    else:
        places = "; ".join(
            f"{r['programme']} {tr(lang, 'in', 'tại')} {_where(r, lang)} {_span(r['years'])}"
            for _, r in same.iterrows()
        )
        result.find(
            tr(
                lang,
                f"Possible duplication: {shared} of {total} province-years ({100 * shared / total:.0f}%) are shared"
                f" with unlinked programmes of the same sector: {places}.",
                f"Có thể trùng lặp: {shared}/{total} tỉnh-năm ({100 * shared / total:.0f}%) trùng với các chương"
                f" trình cùng lĩnh vực không có liên kết: {places}.",
            ),
            "medium",
            shared_province_years=shared,
            province_years=total,
            programmes=sorted(set(same["programme"])),
        )
        result.recommend(
            tr(
                lang,
                f"Coordinate with {', '.join(sorted(set(same['programme'])))} on beneficiaries and communes to"
                " avoid supporting the same households twice.",
                f"Phối hợp với {', '.join(sorted(set(same['programme'])))} về hộ hưởng lợi và địa bàn xã để tránh"
                " hỗ trợ trùng lặp.",
            )
        )
    complementary = table[~table["same_sector"]] if not table.empty else table
    if not complementary.empty:
        alongside = "; ".join(
            f"{r['programme']} ({r['sector']}) {tr(lang, 'in', 'tại')} {_where(r, lang)} {_span(r['years'])}"
            for _, r in complementary.iterrows()
        )
        result.find(
            tr(
                lang,
                f"Working alongside (other sectors, complementary rather than duplicating): {alongside}.",
                f"Cùng địa bàn (lĩnh vực khác, bổ trợ chứ không trùng lặp): {alongside}.",
            ),
            "medium",
            programmes=sorted(set(complementary["programme"])),
        )
    if scored.family:
        family = ", ".join(scored.family)
        result.find(
            tr(
                lang,
                f"Linked programmes (parent or replication, not duplicates): {family}.",
                f"Chương trình có liên kết (chương trình mẹ hoặc nhân rộng, không phải trùng lặp): {family}.",
            ),
            "high",
            linked=scored.family,
        )


def _measurement(result: CriterionResult, twice: pd.DataFrame) -> None:
    lang = result.lang
    if twice.empty:
        result.find(
            tr(
                lang,
                "Double measurement cannot be checked: the programme has no observation of an indicator with a"
                " national code.",
                "Chưa kiểm tra được việc đo trùng: chương trình không có số liệu thực hiện của chỉ tiêu có mã"
                " quốc gia.",
            )
        )
        return
    dup = twice[twice["unlinked"].map(bool)]
    shared_linked = twice[twice["linked"].map(bool)]
    which = en_linked = vi_linked = ""
    if len(dup):
        codes = ", ".join(sorted(set(dup["national_code"])))
        who = ", ".join(sorted({w for ws in dup["unlinked"] for w in ws}))
        which = tr(lang, f" ({codes} with {who})", f" ({codes} cùng với {who})")
    if len(shared_linked):
        en_linked = f"; {len(shared_linked)} also measured by linked programmes (not counted)."
        vi_linked = f"; {len(shared_linked)} số liệu cũng được chương trình có liên kết đo (không tính)."
    result.find(
        tr(
            lang,
            f"Indicators measured twice: {len(dup)} of {len(twice)} national-coded observations{which}"
            + (en_linked or "."),
            f"Chỉ tiêu bị đo hai lần: {len(dup)}/{len(twice)} số liệu có mã quốc gia{which}"
            + (vi_linked or "."),
        ),
        "medium",
        observations=len(twice),
        measured_twice=len(dup),
        shared_with_linked=len(shared_linked),
    )
    if len(dup) or len(shared_linked):
        result.recommend(
            tr(
                lang,
                "Use one data collection for indicators two programmes report in the same province"
                " (e.g. the annual poor-household review) instead of measuring them twice.",
                "Dùng chung một nguồn thu thập cho các chỉ tiêu mà hai chương trình cùng báo cáo trên một tỉnh"
                " (ví dụ kết quả rà soát hộ nghèo hằng năm) thay vì đo hai lần.",
            )
        )


def _overlaps_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    return table.assign(
        own_codes=table["own_codes"].map(", ".join),
        other_codes=table["other_codes"].map(", ".join),
        years=table["years"].map(lambda ys: _span(ys) if ys else ""),
    ).rename(
        columns={
            "programme": tr(lang, "programme", "chương trình"),
            "sector": tr(lang, "sector", "lĩnh vực"),
            "same_sector": tr(lang, "same sector", "cùng lĩnh vực"),
            "linked": tr(lang, "linked", "có liên kết"),
            "province": tr(lang, "current province", "tỉnh hiện nay"),
            "own_codes": tr(lang, "own codes", "mã tỉnh (CT này)"),
            "other_codes": tr(lang, "their codes", "mã tỉnh (CT kia)"),
            "merged": tr(lang, "via merger", "do sáp nhập"),
            "years": tr(lang, "years", "các năm"),
            "n_years": tr(lang, "shared years", "số năm trùng"),
        }
    )


def _measurement_table(twice: pd.DataFrame, lang: str) -> pd.DataFrame:
    return twice.assign(
        unlinked=twice["unlinked"].map(", ".join), linked=twice["linked"].map(", ".join)
    ).rename(
        columns={
            "indicator_code": tr(lang, "indicator", "chỉ tiêu"),
            "national_code": tr(lang, "national code", "mã quốc gia"),
            "period": tr(lang, "period", "kỳ"),
            "province": tr(lang, "current province", "tỉnh hiện nay"),
            "unlinked": tr(lang, "also measured by", "cũng được đo bởi"),
            "linked": tr(lang, "also measured by linked", "cũng được đo bởi CT liên kết"),
        }
    )
