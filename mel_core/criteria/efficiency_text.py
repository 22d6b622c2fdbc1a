"""The words of the efficiency assessment, in English and Vietnamese: findings and recommendations.

Kept apart from :mod:`mel_core.criteria.efficiency` so that the analysis reads as analysis: :func:`findings`
words an :class:`~mel_core.criteria.efficiency.EfficiencyScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mel_core.criteria.result import CriterionResult
from mel_core.i18n import t

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.efficiency import Activities, Benchmark, EfficiencyScores, ImpactCost


def _m(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def findings(scored: EfficiencyScores, lang: str) -> CriterionResult:
    """The efficiency result in ``lang``: ``scored``'s scores and metrics, findings, recommendations and tables
    (not yet rated)."""
    result = scored.result(lang)
    result.tables["disbursement"] = scored.disbursement
    _disbursement(result, scored)
    result.tables["activities"] = scored.activities.table
    _timeliness(result, scored.activities)
    _benchmark(result, scored.benchmark, scored.sector)
    _cofinancing(result, scored.cofinancing_share, scored.cofinancing_goal)
    result.tables["cost_per_output"] = scored.cost_per_output
    _impact_cost(result, scored.impact_cost, scored.disbursed, scored.running)
    timely = scored.scores["timeliness"]
    if timely is not None and timely < 0.6:
        result.recommend(t("criteria.efficiency.plan_activities_realistic_dates", lang))
    return result


def _disbursement(result: CriterionResult, scored: EfficiencyScores) -> None:
    lang = result.lang
    planned, disbursed, rate_ = scored.planned, scored.disbursed, scored.disbursement_rate
    if not math.isfinite(rate_):
        result.find(
            t("criteria.efficiency.no_planned_money_recorded", lang),
            "high",
        )
        return
    last = scored.last_period
    result.find(
        t(
            "criteria.efficiency.disbursed_million_vnd_planned",
            lang,
            disbursed=_m(disbursed),
            planned=_m(planned),
            rate=rate_,
            last=last,
        ),
        "high",
        planned=planned,
        disbursed=disbursed,
        rate=rate_,
        up_to=last,
    )
    table = scored.disbursement
    low = table[(table["period"] == "total") & (table["source"] != "total") & (table["rate"] < 0.8)]
    for r in low.itertuples(index=False):
        result.find(
            t("criteria.efficiency.source_only_planned_money", lang, source=r.source, rate=r.rate),
            "high",
            source=r.source,
            rate=r.rate,
        )


def _timeliness(result: CriterionResult, acts: Activities) -> None:
    lang = result.lang
    if acts.table.empty:
        result.find(
            t("criteria.efficiency.no_activities_due_reference", lang),
            "high",
        )
        return
    due, on_time, days = len(acts.table), acts.on_time, acts.tolerance_days
    median, dropped, overdue = acts.median_delay, acts.dropped, acts.overdue
    result.find(
        t(
            "criteria.efficiency.activities_time_within_days",
            lang,
            days=days,
            on_time=on_time,
            due=due,
            share=on_time / due,
            median=median,
            dropped=dropped,
            overdue=overdue,
        ),
        "high",
        on_time=on_time,
        due=due,
        median_delay_days=median,
        cancelled_or_stopped=dropped,
    )


def _benchmark(result: CriterionResult, bench: Benchmark, sector: object) -> None:
    lang = result.lang
    if bench.status == "no_portfolio":
        result.find(t("criteria.efficiency.no_portfolio_given_no", lang))
        return
    if bench.status in ("running", "missing"):
        why = (
            t("criteria.efficiency.programme_still_running_cost", lang)
            if bench.status == "running"
            else t("criteria.efficiency.households_disbursed_money_not", lang)
        )
        result.find(t("criteria.efficiency.no_cost_benchmark", lang, why=why), "high")
        return
    assert bench.own is not None and bench.table is not None
    result.tables["benchmark"] = bench.table
    own, peers = bench.own, bench.peers
    if bench.status == "few_peers":
        result.find(
            t(
                "criteria.efficiency.cost_per_household_no_benchmark",
                lang,
                own=_m(own),
                peers=peers,
                sector=sector,
            ),
            "high",
            cost_per_household=own,
            peers=peers,
        )
        return
    median, share = bench.median or 0.0, bench.share_dearer or 0.0
    result.find(
        t(
            "criteria.efficiency.cost_per_household_benchmark",
            lang,
            own=_m(own),
            median=_m(median),
            peers=peers,
            sector=sector,
            share=share,
        ),
        "medium",
        cost_per_household=own,
        peer_median=bench.median,
        peers=peers,
        share_dearer=bench.share_dearer,
    )


def _cofinancing(result: CriterionResult, share: float | None, goal: float) -> None:
    lang = result.lang
    if share is None:
        return
    result.find(
        t("criteria.efficiency.cofinancing", lang, share=share, goal=goal),
        "high",
        share=share,
        goal=goal,
    )
    if share < goal:
        result.recommend(t("criteria.efficiency.plan_contribution_cash_labour", lang))


def _impact_cost(result: CriterionResult, impact: ImpactCost, disbursed: float, running: bool) -> None:
    lang = result.lang
    if impact.status == "no_estimate":
        result.find(t("criteria.efficiency.no_impact_estimate_cost", lang))
        return
    estimate = impact.estimate or 0.0
    if impact.fragile:
        low, high = impact.ci_low, impact.ci_high
        result.find(
            t(
                "criteria.efficiency.impact_estimate_not_distinguishable",
                lang,
                estimate=estimate,
                low=low,
                high=high,
            ),
            "high",
            effect=impact.estimate,
            ci_low=low,
            ci_high=high,
        )
    if impact.cost is None:
        why = (
            t("criteria.efficiency.effect_not_positive", lang)
            if estimate <= 0
            else t("criteria.efficiency.households_disbursed_money_missing", lang)
        )
        result.find(
            t("criteria.efficiency.cost_per_unit_impact", lang, why=why, estimate=estimate),
            "high",
            effect=impact.estimate,
        )
        return
    cost, households, variable = impact.cost, impact.households, impact.variable
    on = t("criteria.efficiency.impact_on", lang, variable=variable) if variable else ""
    spent = t("criteria.efficiency.spent_to_date" if running else "criteria.efficiency.spent", lang)
    result.find(
        t(
            "criteria.efficiency.cost_per_unit",
            lang,
            cost=cost,
            estimate=estimate,
            on=on,
            disbursed=_m(disbursed),
            spent=spent,
            households=households,
        ),
        "medium",
        cost_per_unit_of_impact=cost,
        effect=impact.estimate,
        households=households,
    )
