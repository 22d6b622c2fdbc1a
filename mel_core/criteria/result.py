"""What an assessment of one criterion gives: scores, findings, recommendations, tables, and its rating.

Every criterion assesses in two steps: its ``score`` function computes a :class:`Scored` (the rating's
components, its caps and the figures they rest on, no words), and the ``findings`` function of its ``*_text``
module words that in English or Vietnamese as a :class:`CriterionResult`; ``assess`` composes the two and rates.

The result is machine-readable (:meth:`CriterionResult.to_json`) so the runner can store it; the tables are for
people (the notebook shows them) and are not stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Confidence = Literal["high", "medium", "low"]


def clean(value: Any) -> Any:
    """A value as JSON can hold it: NaN and infinities become None, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class Finding:
    """One finding: a statement in the evaluation's language, how sure it is, and the figures it rests on."""

    statement: str
    confidence: Confidence | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"statement": self.statement, "confidence": self.confidence, "evidence": clean(self.evidence)}


@dataclass
class Rating:
    """A computed rating: level 4 (best) … 1, or None when the evidence does not allow one ("not rated")."""

    criterion: str
    level: int | None
    label: str
    justification: str
    rules_version: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "level": self.level,
            "label": self.label,
            "justification": self.justification,
            "rules_version": self.rules_version,
            "evidence": clean(self.evidence),
        }


@dataclass
class CriterionResult:
    """The assessment of one criterion for one programme.

    Attributes:
        criterion: a key of :data:`mel_core.vocabulary.RATED`.
        scores: the rating components in [0, 1] (1 best), None where the evidence is missing.
        caps: named conditions that cap the rating (``broken_chain``, ``no_comparison_group`` …), True when met.
        findings: statements with their evidence.
        recommendations: what should be done, in the evaluation's language.
        metrics: the headline figures (stored with the rating's evidence).
        tables: frames for people to read in the notebook (not stored).
        rating: filled by :func:`mel_core.criteria.ratings.rate`.
    """

    criterion: str
    lang: str = "en"
    scores: dict[str, float | None] = field(default_factory=dict)
    caps: dict[str, bool] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rating: Rating | None = None

    def find(self, statement: str, confidence: Confidence | None = None, **evidence: Any) -> Finding:
        """Add a finding and return it."""
        finding = Finding(statement, confidence, evidence)
        self.findings.append(finding)
        return finding

    def recommend(self, text: str) -> None:
        self.recommendations.append(text)

    def to_json(self) -> dict[str, Any]:
        """The machine-readable result the runner stores (tables left out)."""
        return {
            "criterion": self.criterion,
            "lang": self.lang,
            "scores": clean(self.scores),
            "caps": dict(self.caps),
            "metrics": clean(self.metrics),
            "findings": [f.to_json() for f in self.findings],
            "recommendations": list(self.recommendations),
            "rating": self.rating.to_json() if self.rating else None,
        }


@dataclass(frozen=True, kw_only=True)
class Scored:
    """What a criterion's score function gives: the rating's components and the figures they rest on, no words.

    Each criterion's own class adds the figures its findings are worded from.

    Attributes:
        criterion: a key of :data:`mel_core.vocabulary.RATED`.
        scores: the rating components in [0, 1] (1 best), None where the evidence is missing.
        caps: named conditions that cap the rating, True when met.
        metrics: the headline figures (stored with the rating's evidence).
    """

    criterion: str
    scores: dict[str, float | None] = field(default_factory=dict)
    caps: dict[str, bool] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def result(self, lang: str) -> CriterionResult:
        """A result in ``lang`` holding these scores, caps and metrics, ready for findings (copies: the result
        may be changed without changing the scores)."""
        return CriterionResult(
            self.criterion, lang, scores=dict(self.scores), caps=dict(self.caps), metrics=dict(self.metrics)
        )
