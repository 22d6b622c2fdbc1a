"""The words of the efficiency assessment, in English and Vietnamese: findings and recommendations.

Kept apart from :mod:`mel_core.criteria.efficiency` so that the analysis reads as analysis: :func:`findings`
words an :class:`~mel_core.criteria.efficiency.EfficiencyScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mel_core.criteria.result import CriterionResult, tr

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
        result.recommend(
            tr(
                lang,
                "Plan activities with realistic dates and follow delays up every month.",
                "Lập kế hoạch hoạt động sát thực tế, theo dõi chậm trễ hằng tháng.",
            )
        )
    return result


def _disbursement(result: CriterionResult, scored: EfficiencyScores) -> None:
    lang = result.lang
    planned, disbursed, rate_ = scored.planned, scored.disbursed, scored.disbursement_rate
    if not math.isfinite(rate_):
        result.find(
            tr(
                lang,
                "No planned money is recorded: the disbursement rate cannot be computed.",
                "Không có số liệu vốn kế hoạch: không tính được tỷ lệ giải ngân.",
            ),
            "high",
        )
        return
    last = scored.last_period
    result.find(
        tr(
            lang,
            f"Disbursed {_m(disbursed)} of {_m(planned)} million VND planned ({rate_:.0%}) up to {last}.",
            f"Đã giải ngân {_m(disbursed)}/{_m(planned)} triệu đồng kế hoạch ({rate_:.0%}) đến năm {last}.",
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
            tr(
                lang,
                f"Source {r.source}: only {r.rate:.0%} of the planned money was disbursed.",
                f"Nguồn {r.source}: chỉ giải ngân {r.rate:.0%} kế hoạch.",
            ),
            "high",
            source=r.source,
            rate=r.rate,
        )


def _timeliness(result: CriterionResult, acts: Activities) -> None:
    lang = result.lang
    if acts.table.empty:
        result.find(
            tr(
                lang,
                "No activities due by the reference date: timeliness cannot be measured.",
                "Không có hoạt động đến hạn: không đo được tính kịp thời.",
            ),
            "high",
        )
        return
    due, on_time, days = len(acts.table), acts.on_time, acts.tolerance_days
    median, dropped, overdue = acts.median_delay, acts.dropped, acts.overdue
    result.find(
        tr(
            lang,
            f"Activities on time (within {days} days): {on_time} of {due} ({on_time / due:.0%}); median delay"
            f" {median:.0f} days; {dropped} cancelled or stopped, {overdue} overdue.",
            f"Hoạt động đúng hạn (trễ không quá {days} ngày): {on_time}/{due} ({on_time / due:.0%}); độ trễ"
            f" trung vị {median:.0f} ngày; {dropped} bị huỷ hoặc dừng, {overdue} quá hạn chưa thực hiện.",
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
        result.find(
            tr(lang, "No portfolio given: no sector benchmark.", "Không có danh mục: không so sánh ngành.")
        )
        return
    if bench.status in ("running", "missing"):
        why = (
            tr(lang, "the programme is still running, its cost is not final", "chương trình đang thực hiện")
            if bench.status == "running"
            else tr(
                lang,
                "its households or disbursed money are not recorded",
                "thiếu số hộ hoặc số vốn giải ngân",
            )
        )
        result.find(tr(lang, f"No cost benchmark: {why}.", f"Không so sánh chi phí: {why}."), "high")
        return
    assert bench.own is not None and bench.table is not None
    result.tables["benchmark"] = bench.table
    own, peers = bench.own, bench.peers
    if bench.status == "few_peers":
        result.find(
            tr(
                lang,
                f"Cost per beneficiary household {_m(own)} million VND; only {peers} other finished programme(s)"
                f" of the sector {sector}: no benchmark (two are needed).",
                f"Chi phí bình quân {_m(own)} triệu đồng/hộ hưởng lợi; ngành {sector} chỉ có {peers} chương"
                " trình khác đã kết thúc: không so sánh được (cần ít nhất hai).",
            ),
            "high",
            cost_per_household=own,
            peers=peers,
        )
        return
    median, share = bench.median or 0.0, bench.share_dearer or 0.0
    result.find(
        tr(
            lang,
            f"Cost per beneficiary household {_m(own)} million VND (all money recorded, as for the peers)"
            f" against a median of {_m(median)} for {peers} other programmes of the sector {sector}:"
            f" {share:.0%} of them cost more.",
            f"Chi phí {_m(own)} triệu đồng/hộ hưởng lợi so với trung vị {_m(median)} của {peers} chương trình"
            f" khác cùng ngành {sector}: {share:.0%} số đó tốn kém hơn.",
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
        tr(
            lang,
            f"Community and beneficiaries contributed {share:.0%} of the money disbursed (goal {goal:.0%}).",
            f"Cộng đồng và người hưởng lợi đóng góp {share:.0%} số vốn đã giải ngân (mục tiêu {goal:.0%}).",
        ),
        "high",
        share=share,
        goal=goal,
    )
    if share < goal:
        result.recommend(
            tr(
                lang,
                "Plan a contribution in cash or labour from the community and beneficiaries, agreed at the"
                " village meeting, to build ownership.",
                "Lồng ghép đóng góp bằng tiền hoặc ngày công của cộng đồng và người hưởng lợi, thống nhất tại"
                " họp thôn, để tăng tính làm chủ.",
            )
        )


def _impact_cost(result: CriterionResult, impact: ImpactCost, disbursed: float, running: bool) -> None:
    lang = result.lang
    if impact.status == "no_estimate":
        result.find(
            tr(
                lang,
                "No impact estimate: the cost per unit of impact is not computed.",
                "Chưa có ước lượng tác động: không tính chi phí trên một đơn vị tác động.",
            )
        )
        return
    estimate = impact.estimate or 0.0
    if impact.fragile:
        low, high = impact.ci_low, impact.ci_high
        result.find(
            tr(
                lang,
                f"The impact estimate {estimate:.2f} is not distinguishable from zero (95% CI {low:.2f} to"
                f" {high:.2f}): any cost per unit of impact is fragile.",
                f"Ước lượng tác động {estimate:.2f} chưa khác 0 có ý nghĩa thống kê (khoảng tin cậy 95% {low:.2f}"
                f" đến {high:.2f}): chi phí trên một đơn vị tác động kém tin cậy.",
            ),
            "high",
            effect=impact.estimate,
            ci_low=low,
            ci_high=high,
        )
    if impact.cost is None:
        why = (
            tr(lang, "the effect is not positive", "tác động không dương")
            if estimate <= 0
            else tr(lang, "households or disbursed money are missing", "thiếu số hộ hoặc số vốn giải ngân")
        )
        result.find(
            tr(
                lang,
                f"Cost per unit of impact not computed: {why} (effect {estimate:.2f}).",
                f"Không tính chi phí trên một đơn vị tác động: {why} (tác động {estimate:.2f}).",
            ),
            "high",
            effect=impact.estimate,
        )
        return
    cost, households, variable = impact.cost, impact.households, impact.variable
    on_en, on_vi = (f" on {variable}", f" về {variable}") if variable else ("", "")
    spent_en, spent_vi = (
        ("disbursed to date", "đã giải ngân đến nay") if running else ("disbursed", "đã giải ngân")
    )
    result.find(
        tr(
            lang,
            f"Cost per unit of impact: {cost:.2f} million VND spent per household for each unit of effect"
            f" (effect {estimate:.2f}{on_en} per household; {_m(disbursed)} million VND {spent_en},"
            f" {households:.0f} households).",
            f"Chi phí trên một đơn vị tác động: {cost:.2f} triệu đồng mỗi hộ cho một đơn vị tác động"
            f" (tác động {estimate:.2f}{on_vi} mỗi hộ; {_m(disbursed)} triệu đồng {spent_vi},"
            f" {households:.0f} hộ).",
        ),
        "medium",
        cost_per_unit_of_impact=cost,
        effect=impact.estimate,
        households=households,
    )
