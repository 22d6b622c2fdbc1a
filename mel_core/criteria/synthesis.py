"""The synthesis: the overall rating from the criteria's ratings, a chart of them all, and the recommendations.

Input is what the criterion notebooks emitted (or what the store holds): per criterion its rating level (the
evaluator's final level where one was overridden), label, findings and recommendations. Component of the overall
rule (``RULES["overall"]``) for each criterion: (level − 1) / 3, so 4 → 1.0 and 1 → 0.0; a criterion not rated is
left out. At least four rated criteria are needed, otherwise the overall rating is "not rated".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, Scored
from mel_core.criteria.synthesis_text import findings, name
from mel_core.i18n import rating as label
from mel_core.i18n import t
from mel_core.vocabulary import CRITERIA

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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


@dataclass(frozen=True, kw_only=True)
class SynthesisScores(Scored):
    """The overall rule's components (one per criterion) and what they rest on.

    Attributes:
        levels: each criterion's level (the final level where overridden), None when not rated.
        assessed: the criteria assessed in this evaluation (rated or not).
        recommendations: (criterion, text) pairs, the weakest criteria's first, each text once.
    """

    criterion: str = "overall"
    levels: dict[str, int | None]
    assessed: frozenset[str]
    recommendations: list[tuple[str, str]] = field(default_factory=list)


def score(results: Mapping[str, Mapping[str, Any]]) -> SynthesisScores:
    """The overall rule's components from the criteria's results (criterion → emitted JSON or stored
    equivalent); no words.

    Each result needs ``rating`` (with ``level``, or ``final_level`` when overridden) and may carry
    ``recommendations``. Criteria absent from ``results`` count as not rated.
    """
    levels = {c: _level(results[c]) if results.get(c) else None for c in CRITERIA}
    scores = {c: component(levels[c]) for c in CRITERIA}
    rated = [c for c in CRITERIA if scores[c] is not None]
    # the weakest criteria come first: their recommendations matter most
    order = sorted(rated, key=lambda c: (levels[c] or 0, CRITERIA.index(c)))
    seen: set[str] = set()
    recommendations = []
    for criterion in order:
        for text in results[criterion].get("recommendations", []):
            if text not in seen:
                seen.add(text)
                recommendations.append((criterion, text))
    return SynthesisScores(
        scores=scores,
        metrics={"rated": len(rated), "levels": {c: levels[c] for c in rated}},
        levels=levels,
        assessed=frozenset(c for c in CRITERIA if results.get(c) is not None),
        recommendations=recommendations,
    )


def assess(results: Mapping[str, Mapping[str, Any]], *, lang: str = "en") -> CriterionResult:
    """The overall assessment from the criteria's results: :func:`score`, worded by
    :func:`mel_core.criteria.synthesis_text.findings`, rated.

    Each result needs ``rating`` (with ``level``, or ``final_level`` when overridden) and may carry
    ``recommendations``. Criteria absent from ``results`` count as not rated.
    """
    out = findings(score(results), lang)
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
    ax.set_xlabel(t("criteria.synthesis.chart.level_4_best_grey", lang))
    overall = result.rating
    ax.set_title(
        f"{name('overall', lang)}: {overall.label if overall else label('overall', None, lang)}", fontsize=10
    )
    fig.tight_layout()
    return [fig]
