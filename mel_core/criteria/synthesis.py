"""The synthesis: the overall rating from the criteria's ratings, a chart of them all, and the recommendations.

Input is what the criterion notebooks emitted (or what the store holds): per criterion its rating level (the
evaluator's final level where one was overridden), label, findings and recommendations. Component of the overall
rule (``RULES["overall"]``) for each criterion: (level − 1) / 3, so 4 → 1.0 and 1 → 0.0; a criterion not rated is
left out. At least four rated criteria are needed, otherwise the overall rating is "not rated".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from mel_core.criteria.ratings import label, rate
from mel_core.criteria.result import CriterionResult, tr
from mel_core.vocabulary import CRITERIA

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NAMES = {
    "relevance": ("Relevance", "Tính phù hợp"),
    "coherence": ("Coherence", "Tính nhất quán"),
    "effectiveness": ("Effectiveness", "Tính hiệu quả"),
    "efficiency": ("Efficiency", "Hiệu suất"),
    "impact": ("Impact", "Tác động"),
    "sustainability": ("Sustainability", "Tính bền vững"),
    "overall": ("Overall", "Tổng thể"),
}


def name(criterion: str, lang: str) -> str:
    """The criterion's name in ``lang``."""
    en, vi = NAMES[criterion]
    return tr(lang, en, vi)


def component(level: int | None) -> float | None:
    """A criterion's level 1–4 as the overall rule's component in [0, 1]; None stays None."""
    if level is None:
        return None
    if level not in (1, 2, 3, 4):
        raise ValueError(f"a rating level is 1 to 4, not {level!r}")
    return (level - 1) / 3


def _level(result: Mapping[str, Any]) -> int | None:
    rating = result.get("rating") or {}
    final = rating.get("final_level", rating.get("level"))
    return int(final) if final is not None else None


def assess(results: Mapping[str, Mapping[str, Any]], *, lang: str = "en") -> CriterionResult:
    """The overall assessment from the criteria's results (criterion → emitted JSON or stored equivalent).

    Each result needs ``rating`` (with ``level``, or ``final_level`` when overridden) and may carry
    ``recommendations``. Criteria absent from ``results`` count as not rated.
    """
    out = CriterionResult("overall", lang)
    rows = []
    for criterion in CRITERIA:
        result = results.get(criterion)
        level = _level(result) if result else None
        out.scores[criterion] = component(level)
        rows.append(
            {
                tr(lang, "criterion", "tiêu chí"): name(criterion, lang),
                tr(lang, "level", "mức"): level,
                tr(lang, "rating", "xếp hạng"): label(criterion, level, lang),
            }
        )
        if result is None:
            out.find(
                tr(
                    lang,
                    f"{name(criterion, 'en')} was not assessed in this evaluation.",
                    f"{name(criterion, 'vi')} chưa được đánh giá trong lần đánh giá này.",
                ),
                "high",
                criterion=criterion,
            )
        else:
            out.find(
                tr(
                    lang,
                    f"{name(criterion, 'en')}: {label(criterion, level, 'en')}"
                    + (f" (level {level} of 4)." if level else "."),
                    f"{name(criterion, 'vi')}: {label(criterion, level, 'vi')}"
                    + (f" (mức {level}/4)." if level else "."),
                ),
                None,
                criterion=criterion,
                level=level,
            )
    table = pd.DataFrame(rows)
    out.tables[tr(lang, "Ratings by criterion", "Xếp hạng theo tiêu chí")] = table
    rated = [c for c in CRITERIA if out.scores[c] is not None]
    out.metrics = {"rated": len(rated), "levels": {c: _level(results[c]) for c in rated}}
    # the weakest criteria come first: their recommendations matter most
    order = sorted(rated, key=lambda c: (_level(results[c]) or 0, CRITERIA.index(c)))
    seen: set[str] = set()
    for criterion in order:
        for text in results[criterion].get("recommendations", []):
            if text not in seen:
                seen.add(text)
                out.recommend(f"[{name(criterion, lang)}] {text}")
    rate(out)
    return out


def charts(result: CriterionResult) -> list[Figure]:
    """One horizontal bar per criterion (level 1–4) and the overall rating, labelled in the result's language."""
    import matplotlib.pyplot as plt

    lang = result.lang
    names = [name(c, lang) for c in CRITERIA]
    levels = [
        (score * 3 + 1) if score is not None else 0 for score in (result.scores.get(c) for c in CRITERIA)
    ]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    colours = ["#b0b0b0" if lvl == 0 else ("#2e7d32" if lvl >= 3 else "#c62828") for lvl in levels]
    ax.barh(names[::-1], levels[::-1], color=colours[::-1])
    for y, (criterion, lvl) in enumerate(zip(CRITERIA[::-1], levels[::-1], strict=True)):
        text = label(criterion, round(lvl) if lvl else None, lang)
        ax.text(max(lvl, 0) + 0.05, y, text, va="center", fontsize=8)
    ax.set_xlim(0, 5.6)
    ax.set_xticks([1, 2, 3, 4])
    ax.set_xlabel(tr(lang, "level (4 = best; grey = not rated)", "mức (4 = cao nhất; xám = chưa xếp hạng)"))
    overall = result.rating
    ax.set_title(
        f"{name('overall', lang)}: {overall.label if overall else label('overall', None, lang)}", fontsize=10
    )
    fig.tight_layout()
    return [fig]
