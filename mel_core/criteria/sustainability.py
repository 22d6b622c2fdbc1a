"""Sustainability (tính bền vững): do the benefits and the model last after support ends?

Components (``RULES["sustainability"]``), each in [0, 1] with 1 best, None when the evidence is missing:

- **continuation**: the share of treated households still practising the model (survey variable
  ``continues_model`` = 1) at the post round (``post_round``, default "post").
- **replication** = min(1, r / ``replication_full``): r is the share of comparison households at the post round
  that took the model up on their own (``replicated_model``); a share of ``replication_full`` (default 0.2,
  one non-beneficiary in five) or more counts fully.
- **post_trend**: the mean over outcome and impact indicators (not cumulative) of the share of the gain held
  after support ended. For each, from the whole-programme series (admin unit "VN", or the one province's rows):
  E is the last value ending by the end date, B the baseline, s = +1 for a rising, −1 for a falling indicator,
  and P the level after the end: the statsmodels OLS fit at the last post-end year when there are 2+ post-end
  points (the slope is reported), else the one post-end value. With a baseline, the gain G = s·(E − B) and
  held = clip((G + s·(P − E)) / G, 0, 1); an indicator with no gain by the end (G ≤ 0) has nothing to hold and
  is left out. Without a baseline the indicator is a level kept every period (a survival rate) and
  held = clip(1 + s·(P − E) / |E|, 0, 1), the relative change of that level. None when no indicator has
  post-end observations.
- **local_funding**: of the money spent after the end date (expenditures whose period starts after it;
  disbursed, else planned), the share carried by local budget, community and beneficiaries. None when nothing
  is recorded after the end (it cannot tell "nobody pays" from "not recorded": said in a finding).
- **handover**: an activity whose title says "bàn giao" or "handover": done → 1; planned → 0.5 while the
  programme runs, 0 after the end; cancelled or stopped → 0; absent → 0 after the end (None while running, and
  None when no activity at all is recorded).

A programme still running has no post round: continuation, replication, post_trend and local_funding are None
and a finding says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, Scored
from mel_core.criteria.sustainability_text import findings
from mel_core.i18n import t
from mel_core.text import fold

LOCAL_SOURCES = ("local_budget", "community", "beneficiary")
HANDOVER_WORDS = ("ban giao", "handover", "hand over", "hand-over")


def survey_share(
    survey: pd.DataFrame, round_name: str, group: str, variable: str
) -> tuple[float | None, int]:
    """(mean of a 0/1 ``variable`` in ``group`` at ``round_name``, number of answers); (None, 0) when absent."""
    if survey.empty or variable not in survey:
        return None, 0
    rows = survey[(survey["round"] == round_name) & (survey["group"] == group)]
    values = pd.to_numeric(rows[variable], errors="coerce").dropna()
    return (float(values.mean()), len(values)) if len(values) else (None, 0)


def replication_score(share: float | None, full: float = 0.2) -> float | None:
    """min(1, share / full); None when the share is unknown."""
    if share is None:
        return None
    if full <= 0:
        raise ValueError("replication_full must be above zero")
    return min(1.0, share / full)


def programme_series(observations: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The whole-programme totals of one indicator: rows for "VN", else the rows of its only admin unit."""
    rows = observations[
        (observations["indicator_code"] == indicator) & (observations["disaggregation"] == "")
    ]
    national = rows[rows["admin_unit"] == "VN"]
    if len(national):
        rows = national
    elif rows["admin_unit"].nunique() != 1:
        return rows.iloc[0:0]
    return rows.sort_values("period_start")


def held_share(
    baseline: float | None, end: float, post_years: list[float], post_values: list[float], direction: str
) -> dict[str, Any]:
    """How much of the gain at the end is still there after support ended.

    Args:
        baseline: the level before the programme; None for a level kept every period (no gain to measure).
        end: the level at the end date.
        post_years, post_values: the observations after the end (years as numbers).
        direction: "increase" or "decrease".

    Returns:
        gain (in the good direction; None without a baseline), after (the post-end level: OLS fit at the last
        year with 2+ points, else the value), slope (per year, None with one point), held (clipped to [0, 1];
        None when the gain is not > 0, or without a baseline when the end level is 0).
    """
    import numpy as np
    import statsmodels.api as sm

    sign = -1.0 if direction == "decrease" else 1.0
    slope: float | None = None
    if len(post_values) >= 2:
        x = np.asarray(post_years, dtype=float)
        fit = sm.OLS(np.asarray(post_values, dtype=float), sm.add_constant(x - x.max())).fit()
        after = float(fit.params[0])  # the fitted value at the last post-end year (x − max = 0 there)
        slope = float(fit.params[1])
    else:
        after = float(post_values[-1])
    gain: float | None = None
    held: float | None = None
    if baseline is not None:
        gain = sign * (end - baseline)
        if gain > 0:
            held = min(1.0, max(0.0, (gain + sign * (after - end)) / gain))
    elif end != 0:
        held = min(1.0, max(0.0, 1.0 + sign * (after - end) / abs(end)))
    return {"gain": gain, "after": after, "slope": slope, "held": held}


def post_trend_table(data: ProgrammeData) -> pd.DataFrame:
    """One row per outcome/impact indicator with post-end observations: levels, gain, slope and share held."""
    columns = [
        "indicator",
        "level",
        "direction",
        "baseline",
        "end",
        "after",
        "post_years",
        "slope",
        "gain",
        "held",
    ]
    end_date = data.programme.get("end_date")
    if end_date is None or data.observations.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for _, ind in data.indicators.iterrows():
        if ind["level"] not in ("outcome", "impact") or bool(ind["cumulative"]):
            continue
        series = programme_series(data.observations, ind["code"])
        before = series[series["period_end"] <= end_date]
        post = series[series["period_start"] > end_date]
        if before.empty or post.empty:
            continue
        base = ind["baseline_value"]
        baseline = float(base) if base is not None and not pd.isna(base) else None
        years = [
            pd.Timestamp(d).year + (pd.Timestamp(d).day_of_year - 1) / 365.25 for d in post["period_start"]
        ]
        out = held_share(
            baseline, float(before["value"].iloc[-1]), years, list(post["value"]), ind["direction"]
        )
        span = sorted({pd.Timestamp(d).year for d in post["period_start"]})
        rows.append(
            [
                ind["code"],
                ind["level"],
                ind["direction"],
                baseline,
                float(before["value"].iloc[-1]),
                out["after"],
                f"{span[0]}–{span[-1]}" if len(span) > 1 else str(span[0]),
                out["slope"],
                out["gain"],
                out["held"],
            ]
        )
    return pd.DataFrame(rows, columns=columns)


def post_trend_score(table: pd.DataFrame) -> float | None:
    """Mean share held over the indicators that had a gain to hold; None when there is none."""
    held = (
        pd.to_numeric(table["held"], errors="coerce").dropna() if not table.empty else pd.Series(dtype=float)
    )
    return float(held.mean()) if len(held) else None


def local_funding(expenditures: pd.DataFrame, end_date: Any) -> tuple[float | None, pd.DataFrame]:
    """(share of post-end money from local budget, community and beneficiaries; money by source after the end)."""
    empty = pd.DataFrame(columns=["source", "amount"])
    if end_date is None or expenditures.empty:
        return None, empty
    after = expenditures[expenditures["period_start"] > end_date]
    amount = after["disbursed"].where(after["disbursed"].notna(), after["planned"])
    by_source = amount.groupby(after["source"]).sum().rename("amount").reset_index()
    total = float(by_source["amount"].sum()) if len(by_source) else 0.0
    if total <= 0:
        return None, by_source
    local = float(by_source[by_source["source"].isin(LOCAL_SOURCES)]["amount"].sum())
    return local / total, by_source


def handover_score(activities: pd.DataFrame, running: bool) -> tuple[float | None, str | None]:
    """(score, status of the handover activity or None when absent); see the module docstring."""
    if activities.empty:
        return None, None
    titles = activities["title"].fillna("").astype(str).map(fold)
    found = activities[titles.map(lambda t: any(w in t for w in HANDOVER_WORDS))]
    if found.empty:
        return (None if running else 0.0), None
    statuses = list(found["status"].fillna("planned"))
    status = "done" if "done" in statuses else "planned" if "planned" in statuses else statuses[-1]
    if status == "done":
        return 1.0, status
    if status == "planned":
        return (0.5 if running else 0.0), status
    return 0.0, status


@dataclass(frozen=True, kw_only=True)
class SustainabilityScores(Scored):
    """Sustainability's components (``continuation``, ``replication``, ``post_trend``, ``local_funding``,
    ``handover``) and what they rest on.

    Attributes:
        running, end_date, as_of: whether the programme still runs, its end and the reference date.
        post_round: the survey round after support ended; replication_full: the share that counts fully.
        continues, continued_by: the share of treated households continuing the model and how many answered.
        replicated, replicated_by: the share of comparison households that copied it and how many answered.
        post_trend: :func:`post_trend_table`; after_end_funding: :func:`local_funding`'s money by source.
        handover: the handover activity's status (None when there is none).
        activities_recorded: whether any activity is recorded.
    """

    criterion: str = "sustainability"
    running: bool
    end_date: Any = None
    as_of: Any = None
    post_round: str = "post"
    replication_full: float = 0.2
    continues: float | None = None
    continued_by: int = 0
    replicated: float | None = None
    replicated_by: int = 0
    post_trend: pd.DataFrame
    after_end_funding: pd.DataFrame
    handover: str | None = None
    activities_recorded: bool = True


def score(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    post_round: str = "post",
    replication_full: float = 0.2,
    **options: Any,
) -> SustainabilityScores:
    """Sustainability's components (formulas: the module's docstring); no words.

    Args:
        data: the programme's records.
        portfolio: not used (accepted for a uniform call).
        post_round: the survey round after support ended.
        replication_full: the share of comparison households replicating the model that counts fully.
    """
    del portfolio, options
    end = data.programme.get("end_date")
    if data.running:
        cont = repl = None
        n_cont = n_repl = 0
        table = pd.DataFrame()
        share, money = None, pd.DataFrame(columns=["source", "amount"])
    else:
        cont, n_cont = survey_share(data.survey, post_round, "treatment", "continues_model")
        repl, n_repl = survey_share(data.survey, post_round, "comparison", "replicated_model")
        table = post_trend_table(data)
        share, money = local_funding(data.expenditures, end)
    hand, status = handover_score(data.activities, data.running)
    trend = post_trend_score(table)
    return SustainabilityScores(
        scores={
            "continuation": cont,
            "replication": replication_score(repl, replication_full),
            "post_trend": trend,
            "local_funding": share,
            "handover": hand,
        },
        metrics={
            "running": data.running,
            "continues": cont,
            "replicated": repl,
            "post_trend": trend,
            "local_share": share,
            "handover": status,
        },
        running=data.running,
        end_date=end,
        as_of=data.as_of,
        post_round=post_round,
        replication_full=replication_full,
        continues=cont,
        continued_by=n_cont,
        replicated=repl,
        replicated_by=n_repl,
        post_trend=table,
        after_end_funding=money,
        handover=status,
        activities_recorded=not data.activities.empty,
    )


def assess(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    lang: str = "en",
    post_round: str = "post",
    replication_full: float = 0.2,
    **options: Any,
) -> CriterionResult:
    """Assess sustainability: :func:`score`, worded by :func:`mel_core.criteria.sustainability_text.findings`,
    rated.

    Args:
        data: the programme's records.
        portfolio: not used (accepted for a uniform call).
        lang: "en" or "vi".
        post_round: the survey round after support ended.
        replication_full: the share of comparison households replicating the model that counts fully.
    """
    scored = score(data, portfolio, post_round=post_round, replication_full=replication_full, **options)
    result = findings(scored, lang)
    rate(result)
    return result


def charts(result: CriterionResult) -> list[Any]:
    """The components side by side, and the money spent after the end by source."""
    import matplotlib.pyplot as plt

    lang = result.lang
    figures = []
    present = {k: v for k, v in result.scores.items() if v is not None and not math.isnan(v)}
    if present:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.barh(list(present), [100 * v for v in present.values()])
        ax.set_xlim(0, 100)
        ax.set_xlabel(t("criteria.sustainability.chart.score", lang))
        ax.set_title(t("criteria.sustainability.chart.sustainability_components", lang))
        fig.tight_layout()
        figures.append(fig)
    money = result.tables.get("after_end_funding")
    if money is not None and not money.empty:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.bar(money.iloc[:, 0], money.iloc[:, 1])
        ax.set_ylabel(t("criteria.sustainability.chart.million_vnd", lang))
        ax.set_title(t("criteria.sustainability.chart.money_spent_after_support", lang))
        fig.tight_layout()
        figures.append(fig)
    return figures
