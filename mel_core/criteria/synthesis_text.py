"""The words of the synthesis, in English and Vietnamese: the criteria's names, findings, the ratings table.

Kept apart from :mod:`mel_core.criteria.synthesis` as every criterion's words are: :func:`findings` words a
:class:`~mel_core.criteria.synthesis.SynthesisScores`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core.criteria.result import CriterionResult, tr
from mel_core.i18n import rating as label
from mel_core.i18n import term
from mel_core.vocabulary import CRITERIA

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.synthesis import SynthesisScores


def name(criterion: str, lang: str) -> str:
    """The criterion's name in ``lang`` (kb/taxonomy.yml)."""
    return term("criteria", criterion, lang)


def findings(scored: SynthesisScores, lang: str) -> CriterionResult:
    """The overall result in ``lang``: a finding per criterion, the ratings table, the recommendations with
    their criterion's name (not yet rated)."""
    out = scored.result(lang)
    rows = []
    for criterion in CRITERIA:
        level = scored.levels[criterion]
        rows.append(
            {
                tr(lang, "criterion", "tiêu chí"): name(criterion, lang),
                tr(lang, "level", "mức"): level,
                tr(lang, "rating", "xếp hạng"): label(criterion, level, lang),
            }
        )
        if criterion not in scored.assessed:
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
    out.tables[tr(lang, "Ratings by criterion", "Xếp hạng theo tiêu chí")] = pd.DataFrame(rows)
    for criterion, text in scored.recommendations:
        out.recommend(f"[{name(criterion, lang)}] {text}")
    return out
