"""The words of the synthesis, in English and Vietnamese: the criteria's names, findings, the ratings table.

Kept apart from :mod:`mel_core.criteria.synthesis` as every criterion's words are: :func:`findings` words a
:class:`~mel_core.criteria.synthesis.SynthesisScores`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core.criteria.result import CriterionResult
from mel_core.i18n import rating as label
from mel_core.i18n import t, term
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
                t("criteria.synthesis.criterion", lang): name(criterion, lang),
                t("criteria.synthesis.level", lang): level,
                t("criteria.synthesis.rating", lang): label(criterion, level, lang),
            }
        )
        if criterion not in scored.assessed:
            out.find(
                t("criteria.synthesis.not_assessed", lang, criterion=name(criterion, lang)),
                "high",
                criterion=criterion,
            )
        else:
            shown, rated = name(criterion, lang), label(criterion, level, lang)
            out.find(
                t("criteria.synthesis.rated", lang, criterion=shown, rating=rated, level=level)
                if level
                else t("criteria.synthesis.not_rated", lang, criterion=shown, rating=rated),
                None,
                criterion=criterion,
                level=level,
            )
    out.tables[t("criteria.synthesis.ratings_criterion", lang)] = pd.DataFrame(rows)
    for criterion, text in scored.recommendations:
        out.recommend(f"[{name(criterion, lang)}] {text}")
    return out
