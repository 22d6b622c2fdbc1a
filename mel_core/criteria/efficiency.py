"""Efficiency (hiệu suất): were the resources turned into results economically and on time?

Money comes from the expenditures table (the input indicator, e.g. ``IN1`` disbursed cumulative, repeats it).
The programme's money is that of the periods **inside the programme** (starting by its end date; recurrent local
money after the end belongs to sustainability) that have **ended by the reference date** (a year half-way has
no complete disbursement yet).

Components (``RULES["efficiency"]``), each in [0, 1]:

- ``disbursement`` = 1 − |1 − r| (floored at 0), r = total disbursed / total planned: under-spending (delays)
  and over-spending against the plan both lose. None without planned money.
- ``timeliness`` = share of the activities due by the reference date that were held on time: status ``done``
  with ``actual_date − planned_date ≤ tolerance_days`` (default 30). Cancelled, stopped and overdue
  (still ``planned`` after their date) activities count as not on time. None without due activities.
- ``cost_benchmark`` = share of the peers that cost more per beneficiary household (a tie counts half): the
  peers are the other **finished** programmes of the same sector in the portfolio with households and
  disbursed money; cost per household = disbursed / households, from the portfolio for every programme alike.
  None when the programme is still running (its cost is not final), has no households, or has fewer than two
  peers.
- ``cofinancing`` = min(1, s / goal), s = share of the disbursed money from the ``community`` and
  ``beneficiary`` sources, goal = ``cofinancing_goal`` (default 0.2). Credit is a loan, not a contribution.
  None without disbursed money.

Reported but not scored: cost per unit of each output indicator (disbursed / the output's last whole-programme
figure) and the cost per unit of impact: disbursed / (households × effect per household), the effect from the
``impact_estimate`` option or :func:`mel_core.criteria.impact.headline_effect`; not computed when the effect is
not positive.
"""

from __future__ import annotations

import importlib
import math
from datetime import date
from typing import Any

import pandas as pd

from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, tr
from mel_core.indicators.achievement import WHOLE

CONTRIBUTION_SOURCES = ("community", "beneficiary")


def programme_money(
    expenditures: pd.DataFrame, start: date | None, end: date | None, as_of: date
) -> pd.DataFrame:
    """The expenditure rows of the programme's own periods that have ended by ``as_of``."""
    if expenditures.empty:
        return expenditures
    keep = expenditures["period_end"] <= as_of
    if end is not None:
        keep &= expenditures["period_start"] <= end
    if start is not None:
        keep &= expenditures["period_end"] >= start
    return expenditures[keep].reset_index(drop=True)


def disbursement_table(money: pd.DataFrame) -> pd.DataFrame:
    """Planned, disbursed and rate by year and source, with a total row per year and a grand total.

    Returns:
        Columns ``period``, ``source``, ``planned``, ``disbursed``, ``rate`` (NaN where nothing was planned);
        ``source`` is ``"total"`` on the totals, ``period`` is ``"total"`` on the grand totals.
    """
    columns = ["period", "source", "planned", "disbursed", "rate"]
    if money.empty:
        return pd.DataFrame(columns=columns)
    by = (
        money.groupby(["period", "source"], sort=True)[["planned", "disbursed"]]
        .sum(min_count=1)
        .reset_index()
    )
    year = money.groupby("period", sort=True)[["planned", "disbursed"]].sum(min_count=1).reset_index()
    year["source"] = "total"
    source = money.groupby("source", sort=True)[["planned", "disbursed"]].sum(min_count=1).reset_index()
    source["period"] = "total"
    grand = pd.DataFrame(
        [
            {
                "period": "total",
                "source": "total",
                "planned": money["planned"].sum(),
                "disbursed": money["disbursed"].sum(),
            }
        ]
    )
    out = pd.concat([by, year, source, grand], ignore_index=True)
    out["rate"] = [
        d / p if p and p > 0 and pd.notna(d) else math.nan
        for p, d in zip(out["planned"], out["disbursed"], strict=True)
    ]
    return out[columns]


def disbursement_score(rate_: float) -> float | None:
    """1 − |1 − rate|, floored at 0; None for an undefined rate (0.97 → 0.97, 1.10 → 0.90)."""
    if not math.isfinite(rate_):
        return None
    return max(0.0, 1.0 - abs(1.0 - rate_))


def timeliness(activities: pd.DataFrame, as_of: date, tolerance_days: int = 30) -> pd.DataFrame:
    """Each activity due by ``as_of``: its delay in days (held ones) and whether it was on time.

    Returns:
        The due activities with ``delay_days`` (NaN when not held) and ``on_time`` (bool).
    """
    if activities.empty:
        return activities.assign(delay_days=pd.Series(dtype=float), on_time=pd.Series(dtype=bool))
    due = activities[activities["planned_date"].notna() & (activities["planned_date"] <= as_of)].copy()
    delays = []
    for planned, actual, status in zip(due["planned_date"], due["actual_date"], due["status"], strict=True):
        held = status in ("done", "stopped") and actual is not None and not pd.isna(actual)
        delays.append(float((actual - planned).days) if held else math.nan)
    due["delay_days"] = delays
    due["on_time"] = (due["status"] == "done") & (due["delay_days"] <= tolerance_days)
    return due.reset_index(drop=True)


def cost_per_household(portfolio: Portfolio) -> pd.DataFrame:
    """Cost per beneficiary household of every programme with households and disbursed money."""
    p = portfolio.programmes
    cols = ["code", "sector", "end_date", "households", "disbursed", "cost_per_household"]
    if p.empty:
        return pd.DataFrame(columns=cols)
    ok = p[(p["households"].fillna(0) > 0) & (p["disbursed_million_vnd"].fillna(0) > 0)]
    out = ok[["code", "sector", "end_date", "households"]].copy()
    out["disbursed"] = ok["disbursed_million_vnd"].astype(float)
    out["cost_per_household"] = out["disbursed"] / out["households"].astype(float)
    return out[cols].reset_index(drop=True)


def percentile_cheaper(own: float, peers: list[float]) -> float | None:
    """Share of ``peers`` dearer than ``own`` (a tie counts half); None with fewer than two peers."""
    if len(peers) < 2:
        return None
    dearer = sum(1 for c in peers if c > own) + 0.5 * sum(1 for c in peers if c == own)
    return dearer / len(peers)


def cofinancing_share(money: pd.DataFrame) -> float | None:
    """Share of the disbursed money from the community and beneficiaries; None when nothing was disbursed."""
    total = money["disbursed"].sum() if not money.empty else 0.0
    if not total or total <= 0:
        return None
    return float(money.loc[money["source"].isin(CONTRIBUTION_SOURCES), "disbursed"].sum() / total)


def cost_per_output(data: ProgrammeData, disbursed: float) -> pd.DataFrame:
    """Disbursed money per unit of each output indicator's last whole-programme figure."""
    cols = ["indicator_code", "unit", "period", "value", "cost_per_unit"]
    obs = data.observations
    outputs = data.indicators[data.indicators["level"] == "output"]
    if obs.empty or outputs.empty or disbursed <= 0:
        return pd.DataFrame(columns=cols)
    units = [WHOLE] + (data.provinces[:1] if len(data.provinces) == 1 else [])
    rows = []
    for ind in outputs.itertuples(index=False):
        for unit in units:
            s = obs[
                (obs["indicator_code"] == ind.code)
                & (obs["admin_unit"] == unit)
                & (obs["disaggregation"] == "")
            ]
            s = s[s["value"].notna() & (s["period_end"] <= data.as_of)]
            if not s.empty:
                break
        if s.empty:
            continue
        last = s.sort_values("period_end").iloc[-1]
        if last["value"] > 0:
            rows.append(
                [ind.code, ind.unit, last["period"], float(last["value"]), disbursed / float(last["value"])]
            )
    return pd.DataFrame(rows, columns=cols)


def cost_per_impact(disbursed: float, households: float, effect: float) -> float | None:
    """Money per unit of effect: disbursed / (households × effect per household); None unless all positive."""
    if not (disbursed > 0 and households > 0 and effect > 0):
        return None
    return disbursed / (households * effect)


def _headline(data: ProgrammeData) -> Any:
    try:
        module = importlib.import_module("mel_core.criteria.impact")
    except ImportError:
        return None
    function = getattr(module, "headline_effect", None)
    return function(data) if function is not None else None


def _m(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def assess(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    lang: str = "en",
    tolerance_days: int = 30,
    cofinancing_goal: float = 0.2,
    impact_estimate: float | None = None,
    **options: Any,
) -> CriterionResult:
    """Assess efficiency (components and formulas: the module's docstring).

    Args:
        data: the programme's records.
        portfolio: every programme, for the sector benchmark (None: no benchmark).
        lang: ``"en"`` or ``"vi"``.
        tolerance_days: an activity held up to this many days after its planned date is on time.
        cofinancing_goal: the share of community and beneficiary money that scores 1.
        impact_estimate: the effect per household on the main outcome (None: ask the impact module).
        options: unknown options are an error.
    """
    if options:
        raise TypeError(f"efficiency.assess: unknown options {sorted(options)}")
    if tolerance_days < 0 or not 0 < cofinancing_goal <= 1:
        raise ValueError("tolerance_days must be ≥ 0 and cofinancing_goal in (0, 1]")
    result = CriterionResult("efficiency", lang)
    p = data.programme
    money = programme_money(data.expenditures, p.get("start_date"), p.get("end_date"), data.as_of)
    table = disbursement_table(money)
    result.tables["disbursement"] = table
    planned = float(money["planned"].sum()) if not money.empty else 0.0
    disbursed = float(money["disbursed"].sum()) if not money.empty else 0.0
    rate_ = disbursed / planned if planned > 0 else math.nan
    scores: dict[str, float | None] = {"disbursement": disbursement_score(rate_)}
    if math.isfinite(rate_):
        last = max(money["period"])
        result.find(
            tr(lang, f"Disbursed {_m(disbursed)} of {_m(planned)} million VND planned ({rate_:.0%}) up to {last}.",
               f"Đã giải ngân {_m(disbursed)}/{_m(planned)} triệu đồng kế hoạch ({rate_:.0%}) đến năm {last}."),
            "high", planned=planned, disbursed=disbursed, rate=rate_, up_to=last,
        )  # fmt: skip
        low = table[(table["period"] == "total") & (table["source"] != "total") & (table["rate"] < 0.8)]
        for r in low.itertuples(index=False):
            result.find(
                tr(lang, f"Source {r.source}: only {r.rate:.0%} of the planned money was disbursed.",
                   f"Nguồn {r.source}: chỉ giải ngân {r.rate:.0%} kế hoạch."),
                "high", source=r.source, rate=r.rate,
            )  # fmt: skip
    else:
        result.find(tr(lang, "No planned money is recorded: the disbursement rate cannot be computed.",
                       "Không có số liệu vốn kế hoạch: không tính được tỷ lệ giải ngân."), "high")  # fmt: skip

    acts = timeliness(data.activities, data.as_of, tolerance_days)
    result.tables["activities"] = acts
    if acts.empty:
        scores["timeliness"] = None
        result.find(tr(lang, "No activities due by the reference date: timeliness cannot be measured.",
                       "Không có hoạt động đến hạn: không đo được tính kịp thời."), "high")  # fmt: skip
    else:
        on_time = int(acts["on_time"].sum())
        scores["timeliness"] = on_time / len(acts)
        median = float(acts["delay_days"].median()) if acts["delay_days"].notna().any() else math.nan
        dropped = int(acts["status"].isin(["cancelled", "stopped"]).sum())
        overdue = int((acts["status"] == "planned").sum())
        result.find(
            tr(lang, f"Activities on time (within {tolerance_days} days): {on_time} of {len(acts)}"
                     f" ({on_time / len(acts):.0%}); median delay {median:.0f} days; {dropped} cancelled or stopped,"
                     f" {overdue} overdue.",
               f"Hoạt động đúng hạn (trễ không quá {tolerance_days} ngày): {on_time}/{len(acts)}"
               f" ({on_time / len(acts):.0%}); độ trễ trung vị {median:.0f} ngày; {dropped} bị huỷ hoặc dừng,"
               f" {overdue} quá hạn chưa thực hiện."),
            "high", on_time=on_time, due=len(acts), median_delay_days=median, cancelled_or_stopped=dropped,
        )  # fmt: skip

    scores["cost_benchmark"] = _benchmark(result, data, portfolio)
    share = cofinancing_share(money)
    scores["cofinancing"] = None if share is None else min(1.0, share / cofinancing_goal)
    if share is not None:
        result.find(
            tr(lang, f"Community and beneficiaries contributed {share:.0%} of the money disbursed"
                     f" (goal {cofinancing_goal:.0%}).",
               f"Cộng đồng và người hưởng lợi đóng góp {share:.0%} số vốn đã giải ngân"
               f" (mục tiêu {cofinancing_goal:.0%})."),
            "high", share=share, goal=cofinancing_goal,
        )  # fmt: skip
        if share < cofinancing_goal:
            result.recommend(tr(lang, "Plan a contribution in cash or labour from the community and beneficiaries,"
                                      " agreed at the village meeting, to build ownership.",
                                "Lồng ghép đóng góp bằng tiền hoặc ngày công của cộng đồng và người hưởng lợi,"
                                " thống nhất tại họp thôn, để tăng tính làm chủ."))  # fmt: skip
    result.tables["cost_per_output"] = cost_per_output(data, disbursed)
    impact = _impact_cost(result, data, disbursed, impact_estimate)
    result.scores = scores
    result.metrics = {"planned": planned, "disbursed": disbursed, "disbursement_rate": rate_,
                      "on_time_share": scores["timeliness"], "cofinancing_share": share, **impact,
                      **result.metrics}  # fmt: skip
    if scores["timeliness"] is not None and scores["timeliness"] < 0.6:
        result.recommend(tr(lang, "Plan activities with realistic dates and follow delays up every month.",
                            "Lập kế hoạch hoạt động sát thực tế, theo dõi chậm trễ hằng tháng."))  # fmt: skip
    rate(result)
    return result


def _benchmark(result: CriterionResult, data: ProgrammeData, portfolio: Portfolio | None) -> float | None:
    lang, p = result.lang, data.programme
    if portfolio is None:
        result.find(
            tr(lang, "No portfolio given: no sector benchmark.", "Không có danh mục: không so sánh ngành.")
        )
        return None
    costs = cost_per_household(portfolio)
    mine = costs[costs["code"] == data.code]
    if data.running or mine.empty:
        why = tr(lang, "the programme is still running, its cost is not final", "chương trình đang thực hiện")
        if not data.running:
            why = tr(
                lang,
                "its households or disbursed money are not recorded",
                "thiếu số hộ hoặc số vốn giải ngân",
            )
        result.find(tr(lang, f"No cost benchmark: {why}.", f"Không so sánh chi phí: {why}."), "high")
        return None
    own = float(mine["cost_per_household"].iloc[0])
    done = costs["end_date"].notna() & (costs["end_date"] <= data.as_of)
    peers = costs[(costs["sector"] == p.get("sector")) & (costs["code"] != data.code) & done]
    result.tables["benchmark"] = pd.concat([mine, peers]).reset_index(drop=True)
    score = percentile_cheaper(own, list(peers["cost_per_household"]))
    result.metrics["cost_per_household"] = own
    if score is None:
        result.find(
            tr(lang, f"Cost per beneficiary household {_m(own)} million VND; only {len(peers)} other finished"
                     f" programme(s) of the sector {p.get('sector')}: no benchmark (two are needed).",
               f"Chi phí bình quân {_m(own)} triệu đồng/hộ hưởng lợi; ngành {p.get('sector')} chỉ có {len(peers)}"
               " chương trình khác đã kết thúc: không so sánh được (cần ít nhất hai)."),
            "high", cost_per_household=own, peers=len(peers),
        )  # fmt: skip
        return None
    median = float(peers["cost_per_household"].median())
    result.find(
        tr(lang, f"Cost per beneficiary household {_m(own)} million VND (all money recorded, as for the peers)"
                 f" against a median of {_m(median)} for {len(peers)} other programmes of the sector"
                 f" {p.get('sector')}: {score:.0%} of them cost more.",
           f"Chi phí {_m(own)} triệu đồng/hộ hưởng lợi so với trung vị {_m(median)} của {len(peers)} chương trình"
           f" khác cùng ngành {p.get('sector')}: {score:.0%} số đó tốn kém hơn."),
        "medium", cost_per_household=own, peer_median=median, peers=len(peers), share_dearer=score,
    )  # fmt: skip
    return score


def _impact_cost(
    result: CriterionResult, data: ProgrammeData, disbursed: float, estimate: float | None
) -> dict:
    lang = result.lang
    variable = None
    if estimate is None:
        effect = _headline(data)
        if effect is None:
            result.find(tr(lang, "No impact estimate: the cost per unit of impact is not computed.",
                           "Chưa có ước lượng tác động: không tính chi phí trên một đơn vị tác động."))  # fmt: skip
            return {}
        estimate, variable = float(effect.estimate), getattr(effect, "variable", None)
        low, high = getattr(effect, "ci_low", None), getattr(effect, "ci_high", None)
        if low is not None and high is not None and low <= 0 <= high:
            result.find(tr(lang, f"The impact estimate {estimate:.2f} is not distinguishable from zero (95% CI"
                                 f" {low:.2f} to {high:.2f}): any cost per unit of impact is fragile.",
                           f"Ước lượng tác động {estimate:.2f} chưa khác 0 có ý nghĩa thống kê (khoảng tin cậy"
                           f" 95% {low:.2f} đến {high:.2f}): chi phí trên một đơn vị tác động kém tin cậy."),
                        "high", effect=estimate, ci_low=low, ci_high=high)  # fmt: skip
    households = float(data.programme.get("households") or 0)
    cost = cost_per_impact(disbursed, households, estimate)
    if cost is None:
        why = (
            tr(lang, "the effect is not positive", "tác động không dương")
            if estimate <= 0
            else tr(lang, "households or disbursed money are missing", "thiếu số hộ hoặc số vốn giải ngân")
        )
        result.find(tr(lang, f"Cost per unit of impact not computed: {why} (effect {estimate:.2f}).",
                       f"Không tính chi phí trên một đơn vị tác động: {why} (tác động {estimate:.2f})."),
                    "high", effect=estimate)  # fmt: skip
        return {"impact_estimate": estimate}
    result.find(
        tr(lang, f"Cost per unit of impact: {cost:.2f} million VND spent per household for each unit of effect"
                 f" (effect {estimate:.2f}{' on ' + variable if variable else ''} per household;"
                 f" {_m(disbursed)} million VND {'disbursed to date' if data.running else 'disbursed'},"
                 f" {households:.0f} households).",
           f"Chi phí trên một đơn vị tác động: {cost:.2f} triệu đồng mỗi hộ cho một đơn vị tác động"
           f" (tác động {estimate:.2f}{' về ' + variable if variable else ''} mỗi hộ;"
           f" {_m(disbursed)} triệu đồng {'đã giải ngân đến nay' if data.running else 'đã giải ngân'},"
           f" {households:.0f} hộ)."),
        "medium", cost_per_unit_of_impact=cost, effect=estimate, households=households,
    )  # fmt: skip
    return {"impact_estimate": estimate, "cost_per_unit_of_impact": cost}


def charts(result: CriterionResult) -> list[Any]:
    """Planned and disbursed money by year; cost per household against the sector's programmes."""
    import matplotlib.pyplot as plt

    lang, figures = result.lang, []
    table = result.tables.get("disbursement")
    if table is not None and not table.empty:
        years = table[(table["source"] == "total") & (table["period"] != "total")]
        fig, ax = plt.subplots(figsize=(6, 3))
        x = range(len(years))
        ax.bar([i - 0.2 for i in x], years["planned"], width=0.4, label=tr(lang, "planned", "kế hoạch"))
        ax.bar([i + 0.2 for i in x], years["disbursed"], width=0.4, label=tr(lang, "disbursed", "giải ngân"))
        ax.set_xticks(list(x), list(years["period"]))
        ax.set_ylabel(tr(lang, "million VND", "triệu đồng"))
        ax.set_title(tr(lang, "Money planned and disbursed by year", "Vốn kế hoạch và giải ngân theo năm"))
        ax.legend()
        fig.tight_layout()
        figures.append(fig)
    bench = result.tables.get("benchmark")
    if bench is not None and len(bench) > 1:
        fig, ax = plt.subplots(figsize=(6, 3))
        colours = ["#C44E52" if i == 0 else "#8C8C8C" for i in range(len(bench))]
        ax.barh(bench["code"], bench["cost_per_household"], color=colours)
        ax.set_xlabel(tr(lang, "million VND per household", "triệu đồng/hộ"))
        ax.set_title(
            tr(lang, "Cost per beneficiary household in the sector", "Chi phí trên một hộ hưởng lợi")
        )
        fig.tight_layout()
        figures.append(fig)
    return figures
