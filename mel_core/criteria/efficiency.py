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
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.efficiency_text import findings
from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, Scored
from mel_core.i18n import t
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


@dataclass(frozen=True)
class Activities:
    """The activities due by the reference date (:func:`timeliness`) in figures."""

    table: pd.DataFrame
    tolerance_days: int
    on_time: int = 0
    median_delay: float = math.nan
    dropped: int = 0  # cancelled or stopped
    overdue: int = 0  # still planned after their date


@dataclass(frozen=True)
class Benchmark:
    """The cost per household against the sector's finished programmes.

    ``status`` says how far it got: ``no_portfolio``, ``running`` (its cost is not final), ``missing`` (no
    households or disbursed money), ``few_peers`` (fewer than two) or ``scored``.
    """

    status: str
    own: float | None = None
    peers: int = 0
    median: float | None = None
    share_dearer: float | None = None
    table: pd.DataFrame | None = None


@dataclass(frozen=True)
class ImpactCost:
    """The cost per unit of impact. ``status``: ``no_estimate``, ``not_computed`` or ``computed``.

    Attributes:
        estimate: the effect per household used; variable: its variable when it came from the impact module.
        ci_low, ci_high: its 95% interval when it came from the impact module.
        households, cost: the programme's households and the money per household per unit of effect.
    """

    status: str
    estimate: float | None = None
    variable: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    households: float = 0.0
    cost: float | None = None

    @property
    def fragile(self) -> bool:
        """The impact module's estimate is not distinguishable from zero."""
        return self.ci_low is not None and self.ci_high is not None and self.ci_low <= 0 <= self.ci_high

    def metrics(self) -> dict[str, Any]:
        if self.status == "no_estimate":
            return {}
        if self.status == "not_computed":
            return {"impact_estimate": self.estimate}
        return {"impact_estimate": self.estimate, "cost_per_unit_of_impact": self.cost}


@dataclass(frozen=True, kw_only=True)
class EfficiencyScores(Scored):
    """Efficiency's components (``disbursement``, ``timeliness``, ``cost_benchmark``, ``cofinancing``) and what
    they rest on: the money (planned, disbursed, their rate, the last period, :func:`disbursement_table`), the
    activities, the benchmark, the co-financing share and its goal, the cost per output and per unit of impact.
    """

    criterion: str = "efficiency"
    planned: float
    disbursed: float
    disbursement_rate: float
    last_period: Any = None
    disbursement: pd.DataFrame
    activities: Activities
    benchmark: Benchmark
    cofinancing_share: float | None
    cofinancing_goal: float
    cost_per_output: pd.DataFrame
    impact_cost: ImpactCost
    running: bool = False
    sector: Any = None


def score(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    tolerance_days: int = 30,
    cofinancing_goal: float = 0.2,
    impact_estimate: float | None = None,
    **options: Any,
) -> EfficiencyScores:
    """Efficiency's components (formulas: the module's docstring); no words.

    Args:
        data: the programme's records.
        portfolio: every programme, for the sector benchmark (None: no benchmark).
        tolerance_days: an activity held up to this many days after its planned date is on time.
        cofinancing_goal: the share of community and beneficiary money that scores 1.
        impact_estimate: the effect per household on the main outcome (None: ask the impact module).
        options: unknown options are an error.
    """
    if options:
        raise TypeError(f"efficiency.assess: unknown options {sorted(options)}")
    if tolerance_days < 0 or not 0 < cofinancing_goal <= 1:
        raise ValueError("tolerance_days must be ≥ 0 and cofinancing_goal in (0, 1]")
    p = data.programme
    money = programme_money(data.expenditures, p.get("start_date"), p.get("end_date"), data.as_of)
    planned = float(money["planned"].sum()) if not money.empty else 0.0
    disbursed = float(money["disbursed"].sum()) if not money.empty else 0.0
    rate_ = disbursed / planned if planned > 0 else math.nan
    activities = _activities(timeliness(data.activities, data.as_of, tolerance_days), tolerance_days)
    on_time_share = activities.on_time / len(activities.table) if not activities.table.empty else None
    benchmark = _benchmark(data, portfolio)
    share = cofinancing_share(money)
    impact = _impact_cost(data, disbursed, impact_estimate)
    metrics: dict[str, Any] = {
        "planned": planned,
        "disbursed": disbursed,
        "disbursement_rate": rate_,
        "on_time_share": on_time_share,
        "cofinancing_share": share,
        **impact.metrics(),
    }
    if benchmark.own is not None:
        metrics["cost_per_household"] = benchmark.own
    return EfficiencyScores(
        scores={
            "disbursement": disbursement_score(rate_),
            "timeliness": on_time_share,
            "cost_benchmark": benchmark.share_dearer,
            "cofinancing": None if share is None else min(1.0, share / cofinancing_goal),
        },
        metrics=metrics,
        planned=planned,
        disbursed=disbursed,
        disbursement_rate=rate_,
        last_period=max(money["period"]) if math.isfinite(rate_) else None,
        disbursement=disbursement_table(money),
        activities=activities,
        benchmark=benchmark,
        cofinancing_share=share,
        cofinancing_goal=cofinancing_goal,
        cost_per_output=cost_per_output(data, disbursed),
        impact_cost=impact,
        running=data.running,
        sector=p.get("sector"),
    )


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
    """Assess efficiency: :func:`score`, worded by :func:`mel_core.criteria.efficiency_text.findings`, rated.

    Args:
        data: the programme's records.
        portfolio: every programme, for the sector benchmark (None: no benchmark).
        lang: ``"en"`` or ``"vi"``.
        tolerance_days: an activity held up to this many days after its planned date is on time.
        cofinancing_goal: the share of community and beneficiary money that scores 1.
        impact_estimate: the effect per household on the main outcome (None: ask the impact module).
        options: unknown options are an error.
    """
    scored = score(
        data,
        portfolio,
        tolerance_days=tolerance_days,
        cofinancing_goal=cofinancing_goal,
        impact_estimate=impact_estimate,
        **options,
    )
    result = findings(scored, lang)
    rate(result)
    return result


def _activities(acts: pd.DataFrame, tolerance_days: int) -> Activities:
    if acts.empty:
        return Activities(acts, tolerance_days)
    return Activities(
        acts,
        tolerance_days,
        on_time=int(acts["on_time"].sum()),
        median_delay=float(acts["delay_days"].median()) if acts["delay_days"].notna().any() else math.nan,
        dropped=int(acts["status"].isin(["cancelled", "stopped"]).sum()),
        overdue=int((acts["status"] == "planned").sum()),
    )


def _benchmark(data: ProgrammeData, portfolio: Portfolio | None) -> Benchmark:
    if portfolio is None:
        return Benchmark("no_portfolio")
    costs = cost_per_household(portfolio)
    mine = costs[costs["code"] == data.code]
    if data.running:
        return Benchmark("running")
    if mine.empty:
        return Benchmark("missing")
    own = float(mine["cost_per_household"].iloc[0])
    done = costs["end_date"].notna() & (costs["end_date"] <= data.as_of)
    peers = costs[(costs["sector"] == data.programme.get("sector")) & (costs["code"] != data.code) & done]
    table = pd.concat([mine, peers]).reset_index(drop=True)
    share = percentile_cheaper(own, list(peers["cost_per_household"]))
    if share is None:
        return Benchmark("few_peers", own, len(peers), table=table)
    median = float(peers["cost_per_household"].median())
    return Benchmark("scored", own, len(peers), median, share, table)


def _impact_cost(data: ProgrammeData, disbursed: float, estimate: float | None) -> ImpactCost:
    variable = low = high = None
    if estimate is None:
        effect = _headline(data)
        if effect is None:
            return ImpactCost("no_estimate")
        estimate, variable = float(effect.estimate), getattr(effect, "variable", None)
        low, high = getattr(effect, "ci_low", None), getattr(effect, "ci_high", None)
    households = float(data.programme.get("households") or 0)
    cost = cost_per_impact(disbursed, households, estimate)
    status = "not_computed" if cost is None else "computed"
    return ImpactCost(status, estimate, variable, low, high, households, cost)


def charts(result: CriterionResult) -> list[Any]:
    """Planned and disbursed money by year; cost per household against the sector's programmes."""
    import matplotlib.pyplot as plt

    lang, figures = result.lang, []
    table = result.tables.get("disbursement")
    if table is not None and not table.empty:
        years = table[(table["source"] == "total") & (table["period"] != "total")]
        fig, ax = plt.subplots(figsize=(6, 3))
        x = range(len(years))
        ax.bar(
            [i - 0.2 for i in x],
            years["planned"],
            width=0.4,
            label=t("criteria.efficiency.chart.planned", lang),
        )
        ax.bar(
            [i + 0.2 for i in x],
            years["disbursed"],
            width=0.4,
            label=t("criteria.efficiency.chart.disbursed", lang),
        )
        ax.set_xticks(list(x), list(years["period"]))
        ax.set_ylabel(t("criteria.efficiency.chart.million_vnd", lang))
        ax.set_title(t("criteria.efficiency.chart.money_planned_disbursed_year", lang))
        ax.legend()
        fig.tight_layout()
        figures.append(fig)
    bench = result.tables.get("benchmark")
    if bench is not None and len(bench) > 1:
        fig, ax = plt.subplots(figsize=(6, 3))
        colours = ["#C44E52" if i == 0 else "#8C8C8C" for i in range(len(bench))]
        ax.barh(bench["code"], bench["cost_per_household"], color=colours)
        ax.set_xlabel(t("criteria.efficiency.chart.million_vnd_per_household", lang))
        ax.set_title(t("criteria.efficiency.chart.cost_per_beneficiary_household", lang))
        fig.tight_layout()
        figures.append(fig)
    return figures
