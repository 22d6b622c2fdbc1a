"""The words of the sustainability assessment, in English and Vietnamese: findings, recommendations, headings.

Kept apart from :mod:`mel_core.criteria.sustainability` so that the analysis reads as analysis: :func:`findings`
words a :class:`~mel_core.criteria.sustainability.SustainabilityScores`; every sentence carries the figures it
rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core.criteria.result import CriterionResult
from mel_core.i18n import t
from mel_core.vocabulary import ACTIVITY_STATUSES, SURVEY_ROUNDS

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.sustainability import SustainabilityScores


def _round(name: str, lang: str) -> str:
    """A survey round as the sentences name it (criteria.sustainability.rounds); another value as it is."""
    return t(f"criteria.sustainability.rounds.{name}", lang) if name in SURVEY_ROUNDS else name


def _status(status: str, lang: str) -> str:
    """An activity's status as the sentences name it (criteria.sustainability.statuses); another as it is."""
    return t(f"criteria.sustainability.statuses.{status}", lang) if status in ACTIVITY_STATUSES else status


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def findings(scored: SustainabilityScores, lang: str) -> CriterionResult:
    """The sustainability result in ``lang``: ``scored``'s scores and metrics, findings, recommendations and
    tables (not yet rated)."""
    result = scored.result(lang)
    if scored.running:
        end = scored.end_date
        result.find(
            t("criteria.sustainability.programme_still_running_until", lang, end=end),
            "high",
            end_date=end,
            as_of=scored.as_of,
        )
    else:
        _continuation(result, scored)
        _replication(result, scored)
        _post_trend(result, scored.post_trend)
        _local_funding(result, scored.scores["local_funding"], scored.after_end_funding)
    _handover(result, scored)
    result.tables["post_trend"] = scored.post_trend.rename(
        columns={
            "indicator": t("criteria.sustainability.indicator", lang),
            "level": t("criteria.sustainability.level", lang),
            "direction": t("criteria.sustainability.direction", lang),
            "baseline": t("criteria.sustainability.baseline", lang),
            "end": t("criteria.sustainability.end", lang),
            "after": t("criteria.sustainability.after_end", lang),
            "post_years": t("criteria.sustainability.post_end_years", lang),
            "slope": t("criteria.sustainability.slope_per_year", lang),
            "gain": t("criteria.sustainability.gain", lang),
            "held": t("criteria.sustainability.share_held", lang),
        }
    )
    result.tables["after_end_funding"] = scored.after_end_funding.rename(
        columns={
            "source": t("criteria.sustainability.source", lang),
            "amount": t("criteria.sustainability.million_vnd", lang),
        }
    )
    return result


def _continuation(result: CriterionResult, scored: SustainabilityScores) -> None:
    lang, post_round = result.lang, scored.post_round
    shown = _round(post_round, lang)
    cont = scored.continues
    if cont is None:
        result.find(
            t("criteria.sustainability.no_continuation_round", lang, round=shown),
        )
        return
    result.find(
        t(
            "criteria.sustainability.continues",
            lang,
            share=_pct(cont),
            households=scored.continued_by,
            round=shown,
        ),
        "high",
        continues=cont,
        households=scored.continued_by,
    )
    if cont < 0.5:
        result.recommend(
            t("criteria.sustainability.find_out_households_why", lang),
        )


def _replication(result: CriterionResult, scored: SustainabilityScores) -> None:
    lang, post_round = result.lang, scored.post_round
    repl = scored.replicated
    if repl is None:
        result.find(
            t("criteria.sustainability.no_replication_round", lang, round=_round(post_round, lang)),
        )
        return
    result.find(
        t(
            "criteria.sustainability.non_beneficiary_households_copied",
            lang,
            repl=_pct(repl),
            replicated_by=scored.replicated_by,
        ),
        "high",
        replicated=repl,
        households=scored.replicated_by,
        replication_full=scored.replication_full,
    )


def _post_trend(result: CriterionResult, table: pd.DataFrame) -> None:
    lang = result.lang
    if table.empty:
        result.find(
            t("criteria.sustainability.no_outcome_observation_after", lang),
        )
        return
    parts = []
    for _, r in table.iterrows():
        held = _pct(r["held"]) if r["held"] is not None and not pd.isna(r["held"]) else "—"
        if r["slope"] is not None and not pd.isna(r["slope"]):
            slope = f" ({round(r['slope'], 2) + 0.0:+.2f}/{t('criteria.sustainability.year', lang)} {r['post_years']})"
        else:
            slope = f" ({r['post_years']})"
        parts.append(f"{r['indicator']} {held}{slope}")
    result.find(
        t("criteria.sustainability.held", lang, parts="; ".join(parts)),
        "medium",
        held={r["indicator"]: r["held"] for _, r in table.iterrows()},
    )


def _local_funding(result: CriterionResult, share: float | None, money: pd.DataFrame) -> None:
    lang = result.lang
    if share is None:
        result.find(
            t("criteria.sustainability.no_expenditure_recorded_after", lang),
        )
        result.recommend(
            t("criteria.sustainability.agree_who_pays_recurrent", lang),
        )
        return
    total = float(money["amount"].sum())
    result.find(
        t("criteria.sustainability.after_end_million_vnd", lang, total=total, share=_pct(share)),
        "high",
        after_end_million_vnd=total,
        local_share=share,
    )


def _handover(result: CriterionResult, scored: SustainabilityScores) -> None:
    lang, status, hand = result.lang, scored.handover, scored.scores["handover"]
    if hand is None and status is None and not scored.activities_recorded:
        result.find(t("criteria.sustainability.no_activities_recorded_handover", lang))
    elif status is None:
        result.find(
            t("criteria.sustainability.no_handover_locality_recorded", lang),
            "medium",
            handover=None,
        )
    else:
        result.find(
            t("criteria.sustainability.handover", lang, status=_status(status, lang)),
            "high",
            handover=status,
        )
    if not hand and not scored.running:
        result.recommend(
            t("criteria.sustainability.hand_model_over_formally", lang),
        )
