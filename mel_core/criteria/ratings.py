"""The rules that turn evidence into a rating: one documented, versioned place.

Every criterion is rated on four levels (4 best … 1 worst) with the labels of ADB's evaluation guidelines and
their Vietnamese equivalents (DOMAIN.md). A criterion's assessment (``mel_core.criteria.<criterion>``) computes
**components**, each a score in [0, 1] where 1 is best, with its formula documented in that module. The rule of
the criterion here says:

- which components count and with what weight: the score is the weighted mean of the components that have
  evidence (a missing component is left out, never counted as zero);
- which components are **required** and how many must be present; otherwise the rating is *not rated*
  ("chưa đủ căn cứ để xếp hạng"), never a guess;
- the **thresholds**: score ≥ t4 → level 4, ≥ t3 → 3, ≥ t2 → 2, else 1;
- **caps**: named conditions that limit the level whatever the score (outputs delivered but outcomes not — a
  broken results chain — cannot be *effective*; a before/after comparison without a comparison group cannot give
  *highly satisfactory* impact).

The overall rating follows ADB's validation guidelines: each rated criterion counts (level − 1) / 3, the
weighted mean is mapped with ADB's cut-offs (2.7, 1.6 and 0.8 on its 0–3 scale, so 0.9, 0.533 and 0.267 here).

Change a rule only together with :data:`RULES_VERSION`; every stored rating records the version that made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mel_core.criteria.result import CriterionResult, Rating
from mel_core.i18n import rating, t
from mel_core.vocabulary import RATED

#: The version of the rules below; stored with every rating.
RULES_VERSION = "2026.11-1"

#: Labels of the four levels, best first, per criterion: ADB's, with their Vietnamese (DOMAIN.md), as
#: ``rating_levels`` of kb/taxonomy.yml holds them (:func:`mel_core.i18n.rating`).
LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    criterion: {lang: tuple(rating(criterion, n, lang) for n in (4, 3, 2, 1)) for lang in ("en", "vi")}
    for criterion in RATED
}


def label(criterion: str, level: int | None, lang: str = "en") -> str:
    """The label of ``level`` (4 … 1) of ``criterion`` in ``lang``; "not rated" for None (kb/taxonomy.yml)."""
    return rating(criterion, level, lang)


@dataclass(frozen=True)
class Rule:
    """How the components of one criterion become a level (see the module's docstring)."""

    weights: dict[str, float]
    thresholds: tuple[float, float, float]
    required: tuple[str, ...] = ()
    min_components: int = 1
    caps: dict[str, int] = field(default_factory=dict)


#: The rules, per criterion. The components' formulas are documented in each criterion's module.
RULES: dict[str, Rule] = {
    "relevance": Rule(
        # targeting: poor share among beneficiaries at baseline against the area poverty rate;
        # choice: who chose the model; framework: SMART completeness with outcomes and impacts present;
        # alignment: outcome and impact indicators carrying a national indicator code.
        weights={"targeting": 1.0, "choice": 1.0, "framework": 1.0, "alignment": 0.5},
        thresholds=(0.8, 0.6, 0.4),
        min_components=2,
    ),
    "coherence": Rule(
        # overlap: province-years not shared with unlinked programmes of the same sector;
        # measurement: indicators not measured twice; linkage: overlapping programmes formally linked.
        weights={"overlap": 1.0, "measurement": 1.0, "linkage": 0.5},
        thresholds=(0.85, 0.6, 0.35),
        required=("overlap",),
    ),
    "effectiveness": Rule(
        # outcomes: mean progress from baseline to the outcome targets, capped to [0, 1] (projected to the end date
        # while running); outputs: the same for output targets; impact: impact-level indicators' progress.
        weights={"outcomes": 2.0, "outputs": 1.0, "impact": 1.0},
        thresholds=(0.85, 0.65, 0.4),
        required=("outcomes",),
        caps={"broken_chain": 2},
    ),
    "efficiency": Rule(
        # disbursement: disbursed against planned; timeliness: activities on time; cost_benchmark: cost per
        # beneficiary household against the sector (cheaper is better); cofinancing: community and beneficiaries.
        weights={"disbursement": 1.0, "timeliness": 1.0, "cost_benchmark": 1.0, "cofinancing": 0.5},
        thresholds=(0.8, 0.6, 0.4),
        min_components=2,
    ),
    "impact": Rule(
        # effect: difference-in-differences on the main outcome; poverty: poverty exit; equity: effects for
        # ethnic-minority and female-headed households not behind the others.
        weights={"effect": 2.0, "poverty": 1.0, "equity": 0.5},
        thresholds=(0.75, 0.5, 0.25),
        required=("effect",),
        caps={"no_comparison_group": 3, "pre_trend_violated": 2},
    ),
    "sustainability": Rule(
        # continuation: treated households still practising at the post round; replication: non-beneficiaries
        # who copied; post_trend: outcomes held after support ended; local_funding: recurrent costs carried by
        # local budget or community after the end; handover: recorded as done.
        weights={
            "continuation": 2.0,
            "replication": 1.0,
            "post_trend": 1.0,
            "local_funding": 1.0,
            "handover": 1.0,
        },
        thresholds=(0.75, 0.55, 0.35),
        min_components=2,
    ),
    "overall": Rule(
        weights={
            "relevance": 1.0,
            "coherence": 0.5,
            "effectiveness": 1.0,
            "efficiency": 1.0,
            "impact": 1.0,
            "sustainability": 1.0,
        },
        thresholds=(0.9, 1.6 / 3, 0.8 / 3),
        min_components=4,
    ),
}


def level_of(score: float, thresholds: tuple[float, float, float]) -> int:
    """4, 3, 2 or 1: the first threshold ``score`` reaches (a tiny tolerance absorbs float noise)."""
    for level, threshold in zip((4, 3, 2), thresholds, strict=True):
        if score >= threshold - 1e-9:
            return level
    return 1


def _pct(value: float) -> str:
    return f"{value:.2f}"


def rate(result: CriterionResult) -> Rating:
    """Rate ``result`` by its criterion's rule, store the rating on it and return it."""
    rule = RULES[result.criterion]
    lang = result.lang
    unknown = set(result.scores) - set(rule.weights)
    if unknown:
        raise ValueError(f"{result.criterion}: components {sorted(unknown)} have no weight in the rules")
    present = {k: float(v) for k, v in result.scores.items() if v is not None}
    for name, value in present.items():
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{result.criterion}: component {name} = {value} is outside [0, 1]")
    missing = [k for k in rule.weights if k not in present]
    evidence = {
        "components": {k: present.get(k) for k in rule.weights},
        "weights": dict(rule.weights),
        "thresholds": list(rule.thresholds),
        "caps": {k: bool(result.caps.get(k)) for k in rule.caps},
    }
    lacking = [k for k in rule.required if k not in present]
    if lacking or len(present) < rule.min_components:
        why = t(
            "criteria.ratings.not_rated_evidence_missing",
            lang,
            lacking=", ".join(lacking or missing),
            n_present=len(present),
            n_weights=len(rule.weights),
            min_components=rule.min_components,
        )
        rating = Rating(
            result.criterion, None, label(result.criterion, None, lang), why, RULES_VERSION, evidence
        )
        result.rating = rating
        return rating
    total = sum(rule.weights[k] for k in present)
    score = sum(rule.weights[k] * v for k, v in present.items()) / total
    level = level_of(score, rule.thresholds)
    parts = ", ".join(f"{k} {_pct(v)} (×{rule.weights[k]:g})" for k, v in present.items())
    lines = [
        t(
            "criteria.ratings.weighted_score_thresholds_give",
            lang,
            score=score,
            parts=parts,
            thresholds=", ".join(_pct(t) for t in rule.thresholds),
            level=level,
            criterion=label(result.criterion, level, lang),
        )
    ]
    for cap, highest in rule.caps.items():
        if result.caps.get(cap) and level > highest:
            level = highest
            lines.append(
                t(
                    "criteria.ratings.capped_level_because",
                    lang,
                    highest=highest,
                    criterion=label(result.criterion, highest, lang),
                    cap=cap,
                )
            )
    if missing:
        lines.append(t("criteria.ratings.without_evidence_left_out", lang, missing=", ".join(missing)))
    evidence["score"] = score
    rating = Rating(
        result.criterion,
        level,
        label(result.criterion, level, lang),
        " ".join(lines),
        RULES_VERSION,
        evidence,
    )
    result.rating = rating
    return rating
