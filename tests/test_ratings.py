"""The rating rules and the synthesis, on hand-computed cases."""

from __future__ import annotations

import pytest

from mel_core.criteria import synthesis
from mel_core.criteria.ratings import LABELS, RULES, RULES_VERSION, label, level_of, rate
from mel_core.criteria.result import CriterionResult
from mel_core.vocabulary import RATED


def test_every_rated_criterion_has_a_rule_and_four_labels_in_both_languages():
    assert set(RULES) == set(RATED) == set(LABELS)
    for criterion, labels in LABELS.items():
        assert len(labels["en"]) == len(labels["vi"]) == 4, criterion
    assert label("efficiency", 4, "vi") == "hiệu suất rất cao"
    assert label("impact", 1, "en") == "unsatisfactory"
    assert label("overall", None, "vi") == "chưa đủ căn cứ để xếp hạng"
    with pytest.raises(ValueError):
        label("relevance", 5)


@pytest.mark.parametrize(
    ("score", "level"),
    [(1.0, 4), (0.8, 4), (0.7999, 3), (0.6, 3), (0.5, 2), (0.4, 2), (0.39, 1), (0.0, 1)],
    ids=str,
)
def test_thresholds_are_inclusive_lower_bounds(score, level):
    assert level_of(score, (0.8, 0.6, 0.4)) == level


def test_the_score_is_the_weighted_mean_of_the_components_with_evidence():
    result = CriterionResult("relevance", "en", scores={"targeting": 1.0, "choice": 0.5, "framework": 0.7})
    rating = rate(result)
    # (1×1.0 + 1×0.5 + 1×0.7) / 3 = 0.7333 (alignment has no evidence: left out, not counted as 0)
    assert rating.evidence["score"] == pytest.approx(2.2 / 3)
    assert rating.level == 3 and rating.label == "relevant"
    assert "alignment" in rating.justification
    assert rating.rules_version == RULES_VERSION
    assert result.rating is rating


def test_a_missing_required_component_means_not_rated_never_a_guess():
    rating = rate(
        CriterionResult("effectiveness", "vi", scores={"outcomes": None, "outputs": 1.0, "impact": 1.0})
    )
    assert rating.level is None
    assert rating.label == "chưa đủ căn cứ để xếp hạng"
    assert "outcomes" in rating.justification


def test_too_few_components_means_not_rated():
    rating = rate(CriterionResult("efficiency", "en", scores={"disbursement": 0.9}))
    assert rating.level is None and rating.label == "not rated"


def test_a_cap_limits_the_level_whatever_the_score():
    scores = {"outcomes": 0.9, "outputs": 1.0, "impact": 0.9}
    # (2×0.9 + 1.0 + 0.9) / 4 = 0.925 → level 4 without the cap
    assert rate(CriterionResult("effectiveness", "en", scores=dict(scores))).level == 4
    capped = rate(CriterionResult("effectiveness", "en", scores=dict(scores), caps={"broken_chain": True}))
    assert capped.level == 2 and "broken_chain" in capped.justification
    assert capped.evidence["caps"] == {"broken_chain": True}


def test_components_outside_the_rules_or_outside_zero_one_are_bugs():
    with pytest.raises(ValueError, match="no weight"):
        rate(CriterionResult("impact", "en", scores={"effect": 1.0, "happiness": 1.0}))
    with pytest.raises(ValueError, match="outside"):
        rate(CriterionResult("impact", "en", scores={"effect": 1.2}))


def _emitted(level, *recommendations):
    return {"rating": {"level": level}, "recommendations": list(recommendations)}


def test_the_overall_rating_follows_adb_weights_and_cut_offs():
    results = {
        "relevance": _emitted(4),
        "coherence": _emitted(3),
        "effectiveness": _emitted(3),
        "efficiency": _emitted(2, "Giải ngân sớm hơn."),
        "impact": _emitted(4),
        "sustainability": _emitted(3, "Bàn giao cho xã."),
    }
    result = synthesis.assess(results, lang="vi")
    # components (level − 1)/3: 1, 2/3, 2/3, 1/3, 1, 2/3; weights 1, .5, 1, 1, 1, 1
    expected = (1 + 0.5 * 2 / 3 + 2 / 3 + 1 / 3 + 1 + 2 / 3) / 5.5
    assert result.rating.evidence["score"] == pytest.approx(expected)  # 0.727 → successful (≥ 0.533, < 0.9)
    assert result.rating.level == 3 and result.rating.label == "thành công"
    # the weakest criterion's recommendations come first
    assert result.recommendations[0].startswith("[Hiệu suất]")
    assert len(result.findings) == 6


def test_an_overridden_level_counts_in_the_synthesis():
    results = {c: _emitted(4) for c in ("relevance", "coherence", "effectiveness", "efficiency")}
    results["efficiency"] = {"rating": {"level": 4, "final_level": 1}, "recommendations": []}
    result = synthesis.assess(results)
    assert result.scores["efficiency"] == 0.0


def test_the_overall_is_not_rated_with_fewer_than_four_rated_criteria():
    results = {"relevance": _emitted(4), "impact": _emitted(None), "efficiency": _emitted(2)}
    result = synthesis.assess(results)
    assert result.rating.level is None
    assert any("not assessed" in f.statement for f in result.findings)
    figures = synthesis.charts(result)
    assert len(figures) == 1
