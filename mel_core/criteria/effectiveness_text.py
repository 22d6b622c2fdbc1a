"""The words of the effectiveness assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.effectiveness` so that the analysis reads as analysis: :func:`findings`
words an :class:`~mel_core.criteria.effectiveness.EffectivenessScores`; every sentence carries the figures it
rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core.criteria.result import CriterionResult, tr
from mel_core.i18n import term
from mel_core.vocabulary import INDICATOR_LEVELS

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.effectiveness import EffectivenessScores


def _level_vi(level: str) -> str:
    """An indicator level in Vietnamese (kb/taxonomy.yml), lower case as in a sentence; another value as it is."""
    return term("indicator_levels", level, "vi").lower() if level in INDICATOR_LEVELS else level


def name_of(indicators: pd.DataFrame, code: str, lang: str) -> str:
    """``code name`` of an indicator in ``lang`` (the English name when there is one, for ``en``)."""
    row = indicators[indicators["code"] == code]
    if row.empty:
        return code
    name = row["name"].iloc[0] if lang == "vi" or pd.isna(row["name_en"].iloc[0]) else row["name_en"].iloc[0]
    return f"{code} {name}"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:,.1f}"


def readable(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The achievement table with headings and levels in ``lang``."""
    cols = {
        "indicator_code": tr(lang, "indicator", "chỉ số"),
        "level": tr(lang, "level", "cấp"),
        "period": tr(lang, "period", "kỳ"),
        "target": tr(lang, "target", "kế hoạch"),
        "target_high": tr(lang, "target (top of range)", "kế hoạch (cận trên)"),
        "actual": tr(lang, "actual", "thực hiện"),
        "met": tr(lang, "met", "đạt"),
        "ratio": tr(lang, "actual/target", "so sánh (TH/KH)"),
        "progress": tr(lang, "progress", "mức tiến triển"),
    }
    out = table[list(cols)].copy()
    if lang == "vi":
        out["level"] = out["level"].map(_level_vi)
    return out.rename(columns=cols).reset_index(drop=True)


def findings(scored: EffectivenessScores, lang: str) -> CriterionResult:
    """The effectiveness result in ``lang``: ``scored``'s scores, caps and metrics, findings, recommendations and
    tables (not yet rated)."""
    result = scored.result(lang)
    result.tables["achievement"] = readable(scored.whole, lang)
    result.tables["levels"] = scored.summary
    if not scored.measurable:
        why = (
            tr(lang, "The results framework has no targets", "Khung kết quả không có chỉ tiêu kế hoạch")
            if not scored.targets_recorded
            else tr(
                lang,
                "No target has a reported actual value for the whole programme",
                "Chưa có chỉ tiêu nào có số liệu thực hiện cho toàn chương trình",
            )
        )
        result.find(
            tr(lang, f"{why}: achievement cannot be measured.", f"{why}: không đo được mức đạt."), "high"
        )
        result.recommend(
            tr(
                lang,
                "Set baselines and targets for the outcome indicators and report actuals against them.",
                "Xác định giá trị cơ sở và chỉ tiêu cho các chỉ số kết quả và báo cáo số thực hiện so với chỉ tiêu.",
            )
        )
        return result
    if scored.projecting:
        result.tables["projection"] = scored.projected
    _achievement(result, scored)
    result.tables["gaps"] = scored.gaps
    gap_findings(result, scored.indicators, scored.gaps, scored.gap_threshold)
    return result


def _achievement(result: CriterionResult, scored: EffectivenessScores) -> None:
    assessed, summary, projected = scored.assessed, scored.summary, scored.projected
    indicators, broken = scored.indicators, scored.broken
    lang = result.lang
    names = {
        "output": ("Output", "đầu ra"),
        "outcome": ("Outcome", "kết quả"),
        "impact": ("Impact", "tác động"),
    }
    for row in summary.itertuples(index=False):
        if row.level not in names:
            continue
        en, vi = names[row.level]
        part = assessed[assessed["level"] == row.level]
        last = max(part["period_end"])
        result.find(
            tr(
                lang,
                f"{en} targets met: {row.met} of {row.indicators} ({row.share_met:.0%}) at the last period with"
                f" a target and a figure (up to {last.year}); mean progress {row.progress:.2f}.",
                f"Chỉ tiêu {vi} đạt: {row.met}/{row.indicators} ({row.share_met:.0%}) tại kỳ cuối có kế hoạch và"
                f" số liệu (đến năm {last.year}); mức tiến triển bình quân {row.progress:.2f}.",
            ),
            "high",
            level=row.level,
            met=row.met,
            indicators=row.indicators,
            progress=row.progress,
        )
    missed = assessed[(assessed["level"] == "outcome") & ~assessed["met"].fillna(False).astype(bool)]
    for r in missed.itertuples(index=False):
        name = name_of(indicators, r.indicator_code, lang)
        result.find(
            tr(
                lang,
                f"{name}: {_fmt(r.actual)} against a target of {_fmt(r.target)}"
                f" in {r.period} (progress {r.progress:.2f}).",
                f"{name}: thực hiện {_fmt(r.actual)} so với kế hoạch"
                f" {_fmt(r.target)} năm {r.period} (mức tiến triển {r.progress:.2f}).",
            ),
            "high",
            indicator=r.indicator_code,
            actual=r.actual,
            target=r.target,
            period=r.period,
        )
    if broken:
        result.find(
            tr(
                lang,
                "Broken results chain: the outputs were delivered but the outcomes did not follow.",
                "Chuỗi kết quả bị đứt: đầu ra đã hoàn thành nhưng kết quả không đạt.",
            ),
            "high",
        )
        result.recommend(
            tr(
                lang,
                "Find out why delivered outputs did not lead to the outcomes (field visits, interviews with"
                " households) before replicating the model; report results, not only outputs.",
                "Tìm hiểu vì sao đầu ra đã hoàn thành mà không dẫn tới kết quả (khảo sát thực địa, phỏng vấn hộ)"
                " trước khi nhân rộng mô hình; báo cáo kết quả chứ không chỉ đầu ra.",
            )
        )
    end = scored.end_date
    if scored.running and end is not None:
        on_track = (
            int(projected["projected_met"].fillna(False).astype(bool).sum()) if not projected.empty else 0
        )
        result.find(
            tr(
                lang,
                f"The programme is still running (it ends on {end.isoformat()}): outcomes are judged on their"
                f" trend projected to the end date ({on_track} of {len(projected)} projected to meet the final"
                " target), outputs and impact on the latest phased targets.",
                f"Chương trình đang thực hiện (kết thúc ngày {end.isoformat()}): kết quả được đánh giá theo xu"
                f" hướng dự báo đến ngày kết thúc ({on_track}/{len(projected)} chỉ số dự báo đạt chỉ tiêu cuối"
                " kỳ), đầu ra và tác động theo chỉ tiêu phân kỳ gần nhất.",
            ),
            "medium",
            end_date=end,
            projected_on_track=on_track,
            projected=len(projected),
        )
    for r in projected.itertuples(index=False):
        name = name_of(indicators, r.indicator_code, lang)
        result.find(
            tr(
                lang,
                f"{name}: the trend projects {_fmt(r.predicted)} at the end date"
                f" ({end.isoformat()}), 95% prediction interval {_fmt(r.lower)}–{_fmt(r.upper)}; the final target"
                f" {_fmt(r.target)} lies {r.target_position} the interval.",
                f"{name}: theo xu hướng, đến ngày kết thúc ({end.isoformat()}) dự"
                f" báo đạt {_fmt(r.predicted)}, khoảng dự báo 95% {_fmt(r.lower)}–{_fmt(r.upper)}; chỉ tiêu cuối"
                f" kỳ {_fmt(r.target)} nằm {_POSITION_VI[r.target_position]} khoảng này.",
            ),
            "medium",
            indicator=r.indicator_code,
            predicted=r.predicted,
            lower=r.lower,
            upper=r.upper,
            target=r.target,
            points=r.points,
        )
        behind = (r.direction == "increase" and r.target_position == "above") or (
            r.direction == "decrease" and r.target_position == "below"
        )
        if behind:
            result.recommend(
                tr(
                    lang,
                    f"{r.indicator_code} is off track for its end target: revise the work plan for the remaining"
                    " years or the target, with a written reason.",
                    f"{r.indicator_code} khó đạt chỉ tiêu cuối kỳ: điều chỉnh kế hoạch các năm còn lại hoặc chỉ"
                    " tiêu, có giải trình bằng văn bản.",
                )
            )


_POSITION_VI = {"below": "dưới", "inside": "trong", "above": "trên"}


def gap_findings(
    result: CriterionResult, indicators: pd.DataFrame, table: pd.DataFrame, threshold: float
) -> None:
    """The gaps by sex and ethnicity (:func:`~mel_core.indicators.achievement.gaps`) larger than ``threshold``."""
    lang = result.lang
    if table.empty:
        result.find(
            tr(
                lang,
                "No figures by sex or ethnicity: gaps cannot be measured.",
                "Không có số liệu phân tổ theo giới tính hoặc dân tộc: không đo được chênh lệch.",
            ),
            "high",
        )
        return
    group_en = {"female": "women", "minority": "ethnic minorities"}
    group_vi = {"female": "phụ nữ", "minority": "người dân tộc thiểu số"}
    for r in table.itertuples(index=False):
        name = name_of(indicators, r.indicator_code, lang)
        if r.kind == "share":
            result.find(
                tr(
                    lang,
                    f"{name} ({r.period}): {group_en[r.group]} are {r.share:.0%}"
                    f" of the total ({_fmt(r.value)} of {_fmt(r.value + r.reference)}).",
                    f"{name} ({r.period}): {group_vi[r.group]} chiếm {r.share:.0%}"
                    f" ({_fmt(r.value)}/{_fmt(r.value + r.reference)}).",
                ),
                "high",
                indicator=r.indicator_code,
                group=r.group,
                share=r.share,
            )
        elif pd.notna(r.relative_gap) and r.relative_gap < -threshold:
            result.find(
                tr(
                    lang,
                    f"{name} ({r.period}): a gap against {group_en[r.group]}"
                    f" ({_fmt(r.value)} against {_fmt(r.reference)}, {abs(r.relative_gap):.0%} worse).",
                    f"{name} ({r.period}): {group_vi[r.group]} còn chênh lệch bất"
                    f" lợi ({_fmt(r.value)} so với {_fmt(r.reference)}, kém {abs(r.relative_gap):.0%}).",
                ),
                "high",
                indicator=r.indicator_code,
                group=r.group,
                value=r.value,
                reference=r.reference,
                relative_gap=r.relative_gap,
            )
            result.recommend(
                tr(
                    lang,
                    f"Look into why {group_en[r.group]} lag on {r.indicator_code} and target support to them.",
                    f"Tìm hiểu nguyên nhân {group_vi[r.group]} còn chênh lệch ở chỉ số {r.indicator_code} và có hỗ"
                    " trợ riêng.",
                )
            )
