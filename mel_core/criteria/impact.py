"""Impact (tác động): what changed for the households because of the programme, from its survey.

The estimators are in :mod:`mel_core.criteria.did` (difference-in-differences on a panel or a repeated
cross-section, cluster-robust by default; before/after when there is no comparison group). The components of
``RULES["impact"]``, each in [0, 1] (1 best), None when the evidence is missing:

- **effect** = ``clip(rel / FULL_EFFECT, 0, 1) × s`` where ``rel`` is the estimated effect on the main outcome
  divided by the base-round mean of the comparison group (of the treated for before/after), ``FULL_EFFECT``
  = 0.20 (a gain of a fifth over what households had is a full score), and ``s`` = 1 when the 95% interval
  excludes zero, 0.5 when it does not (a point estimate that may be noise counts half). None without a survey,
  an outcome, a round after the base, or a positive base-round mean.
- **poverty** = ``clip(g / FULL_EXIT, 0, 1) × s`` where ``g`` is, in a panel, the gain in the share of
  baseline-poor households who left poverty (treated minus comparison: the linear probability model's
  coefficient), or, in a repeated cross-section, the fall of the poverty rate (−DiD on ``poor``);
  ``FULL_EXIT`` = 0.20 (20 percentage points); ``s`` as above. None without a ``poor`` variable.
- **equity** = the lowest, over ethnic-minority households and female-headed households (female-owned
  enterprises), of ``clip(effect for the group / effect for the others, 0, 1)`` (1 when the others' effect is
  not positive), both from one interacted regression. A group counts only when at least ``MIN_GROUP`` (20)
  treated respondents are in it and 20 outside it, and only when the main effect is positive and significant
  (with no effect there is nothing to share). None otherwise.

Caps: ``no_comparison_group`` (before/after only: at most *satisfactory*), ``pre_trend_violated`` (the placebo
difference-in-differences between two pre-treatment rounds is significant at 5%: at most *less than
satisfactory*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mel_core.criteria import did as d
from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.criteria.impact_text import Text, findings
from mel_core.criteria.ratings import rate
from mel_core.criteria.result import CriterionResult, Scored

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FULL_EFFECT = 0.20
FULL_EXIT = 0.20
MIN_GROUP = 20
DEFAULT_COVARIATES = ("household_size", "ethnic_minority", "female_head")
EQUITY_GROUPS = (("ethnic_minority",), ("female_head", "female_owner"))
_GENERIC = {"million", "vnd", "usd", "index", "rate", "share", "value", "total"}


@dataclass(frozen=True)
class HeadlineEffect:
    """The programme's effect on its main outcome, for other criteria (cost per unit of impact)."""

    variable: str
    round: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str  # "did" | "before_after"
    n: int


def outcome_variables(survey: pd.DataFrame) -> list[str]:
    """The survey's outcome-like variables: numeric, not an identifier, a trait or a 0/1 flag."""
    out = []
    for name in survey.columns:
        if name in d.ID_COLUMNS or name in d.TRAITS:
            continue
        values = pd.to_numeric(survey[name], errors="coerce").dropna()
        if len(values) and not set(values.unique()) <= {0, 1}:
            out.append(str(name))
    return out


def default_outcome(survey: pd.DataFrame, indicators: pd.DataFrame | None = None) -> str | None:
    """The main outcome: the outcome variable the results framework names (a word of the variable's name in an
    outcome or impact indicator's English or Vietnamese name), income first among those; else
    ``income_million_vnd``; else the first outcome variable; None when there is none."""
    candidates = outcome_variables(survey)
    named: list[str] = []
    if indicators is not None and not indicators.empty:
        rows = indicators[indicators["level"].isin(["outcome", "impact"])]
        text = " ".join(str(v).lower() for c in ("name", "name_en") if c in rows for v in rows[c].dropna())
        named = [
            v for v in candidates if any(w in text for w in v.split("_") if len(w) > 3 and w not in _GENERIC)
        ]
    income = "income_million_vnd"
    if income in named or (not named and income in candidates):
        return income
    pool = named or candidates
    return pool[0] if pool else None


def default_round(survey: pd.DataFrame, pre: Sequence[str]) -> str | None:
    """``endline`` when the survey has it, else the latest round after the pre-treatment ones."""
    rounds = d.round_order(survey)
    if "endline" in rounds and "endline" not in pre:
        return "endline"
    after = [r for r in rounds if r not in pre]
    return after[-1] if after else None


def _signed_score(gain: float, full: float, significant: bool) -> float:
    return min(max(gain / full, 0.0), 1.0) * (1.0 if significant else 0.5)


def effect_score(estimate: d.DidEstimate) -> float | None:
    """The ``effect`` component (module docstring); None when the base-round mean is not positive."""
    if not estimate.baseline_mean > 0:
        return None
    return _signed_score(estimate.estimate / estimate.baseline_mean, FULL_EFFECT, estimate.ci_low > 0)


def poverty_score(effect: d.PovertyEffect) -> float:
    """The ``poverty`` component: more exits (panel) or a lower poverty rate (cross-section) is better."""
    lpm = effect.lpm
    if effect.measure == "exit":
        return _signed_score(lpm.estimate, FULL_EXIT, lpm.ci_low > 0)
    return _signed_score(-lpm.estimate, FULL_EXIT, lpm.ci_high < 0)


def group_ratio(effect: d.GroupEffect) -> float | None:
    """How far a group's effect keeps up with the others': clip(group / others, 0, 1); None for a small group."""
    if effect.treated_in_group < MIN_GROUP or effect.treated_others < MIN_GROUP:
        return None
    others = effect.effect_others.estimate
    if others <= 0:
        return 1.0
    return min(max(effect.effect_group.estimate / others, 0.0), 1.0)


def equity_score(effects: Sequence[d.GroupEffect], main: d.DidEstimate) -> float | None:
    """The ``equity`` component: the lowest group ratio, when the main effect is positive and significant."""
    if main.method != "did" or main.ci_low <= 0:
        return None
    ratios = [r for r in (group_ratio(e) for e in effects) if r is not None]
    return min(ratios) if ratios else None


def _covariates(survey: pd.DataFrame, covariates: Sequence[str] | None) -> list[str]:
    chosen = list(DEFAULT_COVARIATES if covariates is None else covariates)
    missing = [c for c in chosen if c not in survey.columns]
    if covariates is not None and missing:
        raise ValueError(f"covariates not in the survey: {', '.join(missing)}")
    return [c for c in chosen if c in survey.columns]


def headline_effect(data: ProgrammeData, outcome: str | None = None) -> HeadlineEffect | None:
    """The effect on ``outcome`` (default: :func:`default_outcome`) at the default round, as :func:`assess`
    estimates it; None without a survey, an outcome or a round after the pre-treatment ones."""
    survey = data.survey
    if survey.empty:
        return None
    outcome = outcome or default_outcome(survey, data.indicators)
    pre = d.pre_treatment_rounds(survey, data.programme.get("start_date"))
    target = default_round(survey, pre)
    if outcome is None or outcome not in survey.columns or target is None:
        return None
    try:
        e = d.did(survey, outcome, target, covariates=_covariates(survey, None))
    except ValueError:
        return None
    return HeadlineEffect(outcome, target, e.estimate, e.ci_low, e.ci_high, e.p_value, e.method, e.n)


def means_by_round(survey: pd.DataFrame, variable: str) -> pd.DataFrame:
    """The mean of ``variable`` by group and round (``group``, ``round``, ``year``, ``mean``, ``n``), treatment
    first, rounds in time order."""
    table = (
        survey.groupby(["group", "round"], sort=False)
        .agg(year=("year", "min"), mean=(variable, "mean"), n=(variable, "count"))
        .reset_index()
    )
    return table.sort_values(["group", "year"], ascending=[False, True])


@dataclass(frozen=True, kw_only=True)
class ImpactScores(Scored):
    """Impact's components (``effect``, ``poverty``, ``equity``), its caps, and the estimates they rest on.

    ``stage`` says how far the estimation got: ``no_survey``, ``nothing_to_estimate`` (no outcome or no round
    after support began), ``no_estimate`` (the main estimate failed: ``why``) or ``estimated``.

    Attributes:
        outcome, target: the main outcome and the round estimated at; year: each round's first year.
        rounds, respondents, panel, comparison: the survey's rounds in order, respondents, design.
        means: :func:`means_by_round` of the outcome (empty without an outcome).
        pre_rounds: the rounds before support began.
        main, relative: the main estimate and its share of the base-round mean.
        effects: the main estimate, then the other outcomes and rounds that could be estimated.
        placebo: the pre-trend check (two or more rounds before support, with a comparison group).
        poverty, poverty_why: the poverty effect, or why there is none ("" without a ``poor`` variable).
        groups, group_ratios: the effects by group (ethnic minority, female head) with a comparison group, and
            how far each keeps up with the others (:func:`group_ratio`; None for a group smaller than
            ``min_group`` treated respondents on either side).
    """

    criterion: str = "impact"
    stage: str
    why: str = ""
    outcome: str | None = None
    target: str | None = None
    year: dict[str, int] = field(default_factory=dict)
    rounds: list[str] = field(default_factory=list)
    respondents: int = 0
    panel: bool = False
    comparison: bool = False
    means: pd.DataFrame = field(default_factory=pd.DataFrame)
    pre_rounds: list[str] = field(default_factory=list)
    main: d.DidEstimate | None = None
    relative: float | None = None
    effects: list[d.DidEstimate] = field(default_factory=list)
    placebo: d.DidEstimate | None = None
    poverty: d.PovertyEffect | None = None
    poverty_why: str | None = None
    groups: list[d.GroupEffect] = field(default_factory=list)
    group_ratios: list[float | None] = field(default_factory=list)
    min_group: int = MIN_GROUP


def score(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    outcome: str | None = None,
    survey_round: str | None = None,
    cov_type: str = "cluster",
    covariates: Sequence[str] | None = None,
) -> ImpactScores:
    """Impact's components and caps from the programme's survey (formulas: the module's docstring); no words.

    Args:
        data: the programme (only ``survey``, ``indicators`` and ``programme["start_date"]`` are read).
        portfolio: not used (impact compares a programme with its own comparison group).
        outcome: the main outcome variable (default: :func:`default_outcome`).
        survey_round: the round to estimate the effect at (default: :func:`default_round`).
        cov_type: ``"cluster"`` (by the survey's cluster), ``"HC1"`` or ``"nonrobust"``.
        covariates: survey variables to adjust for (default: household_size, ethnic_minority, female_head when
            present; base-round values in a panel).
    """
    if cov_type not in d.COV_TYPES:
        raise ValueError(f"cov_type must be one of {', '.join(d.COV_TYPES)}, not {cov_type!r}")
    survey = data.survey
    scores: dict[str, float | None] = {"effect": None, "poverty": None, "equity": None}
    caps = {"no_comparison_group": False, "pre_trend_violated": False}
    if survey.empty:
        return ImpactScores(scores=scores, caps=caps, stage="no_survey")
    outcome = outcome or default_outcome(survey, data.indicators)
    if outcome is not None and outcome not in survey.columns:
        raise ValueError(
            f"outcome {outcome!r} is not a survey variable ({', '.join(outcome_variables(survey))})"
        )
    covs = _covariates(survey, covariates)
    year = {str(k): int(v) for k, v in survey.groupby("round")["year"].min().items()}
    pre = d.pre_treatment_rounds(survey, data.programme.get("start_date"))
    target = survey_round or default_round(survey, pre)
    if target is not None and target not in year:
        raise ValueError(f"round {target!r} is not in the survey ({', '.join(d.round_order(survey))})")
    panel, comparison = d.is_panel(survey), d.has_comparison(survey)
    metrics: dict[str, Any] = {
        "outcome": outcome,
        "round": target,
        "design": "panel" if panel else "cross_section",
        "comparison_group": comparison,
        "respondents": int(survey["respondent_id"].nunique()),
        "pre_treatment_rounds": pre,
        "covariates": covs,
        "cov_type": cov_type,
    }
    design: dict[str, Any] = {
        "outcome": outcome,
        "target": target,
        "year": year,
        "rounds": d.round_order(survey),
        "respondents": metrics["respondents"],
        "panel": panel,
        "comparison": comparison,
        "means": means_by_round(survey, outcome) if outcome else pd.DataFrame(),
        "pre_rounds": pre,
    }
    if outcome is None or target is None:
        return ImpactScores(scores=scores, caps=caps, metrics=metrics, stage="nothing_to_estimate", **design)
    opts: dict[str, Any] = {"covariates": covs, "cov_type": cov_type, "panel": panel}
    try:
        main = d.did(survey, outcome, target, **opts)
    except ValueError as error:  # e.g. no respondent seen in both rounds
        return ImpactScores(
            scores=scores, caps=caps, metrics=metrics, stage="no_estimate", why=str(error), **design
        )
    rel = main.estimate / main.baseline_mean if main.baseline_mean > 0 else None
    scores["effect"] = effect_score(main)
    metrics.update(
        method=main.method,
        estimate=main.estimate,
        ci_low=main.ci_low,
        ci_high=main.ci_high,
        p_value=main.p_value,
        n=main.n,
        n_clusters=main.n_clusters,
        cov_type_used=main.cov_type,
        baseline_mean=main.baseline_mean,
        relative_effect=rel,
    )
    effects = [main]
    for v in outcome_variables(survey):
        for r in d.round_order(survey):
            if r not in pre and (v, r) != (outcome, target):
                try:
                    effects.append(d.did(survey, v, r, **opts))
                except ValueError:  # the variable was not asked in that round
                    continue
    placebo = None
    if not comparison:
        caps["no_comparison_group"] = True
    elif len(pre) >= 2:
        placebo = d.did(survey, outcome, pre[-1], base=pre[0], term="placebo", **opts)
        caps["pre_trend_violated"] = placebo.p_value < 0.05
        metrics["pre_trend"] = d.evidence(placebo)
    poverty, poverty_why = _poverty(survey, target, opts)
    if poverty is not None:
        scores["poverty"] = poverty_score(poverty)
        metrics["poverty"] = {
            "measure": poverty.measure,
            **d.evidence(poverty.lpm),
            "logit_ame": d.evidence(poverty.logit_ame) if poverty.logit_ame else None,
            "poor_at_base": poverty.poor_at_base,
            "exit_treated": poverty.exit_treated,
            "exit_comparison": poverty.exit_comparison,
        }
    groups = _groups(survey, outcome, target, opts) if main.method == "did" else []
    if main.method == "did":
        scores["equity"] = equity_score(groups, main)
        metrics["equity"] = {e.group: {"ratio": group_ratio(e), **d.evidence(e.difference)} for e in groups}
    return ImpactScores(
        scores=scores,
        caps=caps,
        metrics=metrics,
        stage="estimated",
        main=main,
        relative=rel,
        effects=effects,
        placebo=placebo,
        poverty=poverty,
        poverty_why=poverty_why,
        groups=groups,
        group_ratios=[group_ratio(e) for e in groups],
        **design,
    )


def assess(
    data: ProgrammeData,
    portfolio: Portfolio | None = None,
    *,
    lang: str = "en",
    outcome: str | None = None,
    survey_round: str | None = None,
    cov_type: str = "cluster",
    covariates: Sequence[str] | None = None,
) -> CriterionResult:
    """Assess the programme's impact from its survey: :func:`score`, worded by
    :func:`mel_core.criteria.impact_text.findings`, rated.

    Args:
        data: the programme (only ``survey``, ``indicators`` and ``programme["start_date"]`` are read).
        portfolio: not used (impact compares a programme with its own comparison group).
        lang: ``"vi"`` or ``"en"``.
        outcome: the main outcome variable (default: :func:`default_outcome`).
        survey_round: the round to estimate the effect at (default: :func:`default_round`).
        cov_type: ``"cluster"`` (by the survey's cluster), ``"HC1"`` or ``"nonrobust"``.
        covariates: survey variables to adjust for (default: household_size, ethnic_minority, female_head when
            present; base-round values in a panel).
    """
    scored = score(
        data, portfolio, outcome=outcome, survey_round=survey_round, cov_type=cov_type, covariates=covariates
    )
    result = findings(scored, lang)
    rate(result)
    return result


def _poverty(
    survey: pd.DataFrame, target: str, opts: dict[str, Any]
) -> tuple[d.PovertyEffect | None, str | None]:
    """The poverty effect, or None and why not ("" when the survey has no ``poor`` variable)."""
    if "poor" not in survey.columns or survey["poor"].isna().all():
        return None, ""
    try:
        return d.poverty_effect(survey, target, **opts), None
    except ValueError as error:
        return None, str(error)


def _groups(survey: pd.DataFrame, outcome: str, target: str, opts: dict[str, Any]) -> list[d.GroupEffect]:
    effects: list[d.GroupEffect] = []
    for names in EQUITY_GROUPS:
        group = next((g for g in names if g in survey.columns), None)
        if group is None:
            continue
        try:
            effects.append(d.group_effect(survey, outcome, target, group, **opts))
        except ValueError:
            continue
    return effects


def charts(result: CriterionResult) -> list[Figure]:
    """The main outcome's means by round and group, and the estimated effects with their 95% intervals."""
    import matplotlib.pyplot as plt

    text = Text(result.lang)
    figures = []
    means = result.tables.get(text.t_means)
    if means is not None and not means.empty:
        fig, ax = plt.subplots(figsize=(7, 4))
        for group, rows in means.groupby(text.c_group, sort=False):
            ax.plot(rows[text.c_year], rows[text.c_mean], marker="o", label=str(group))
        ax.set(title=text.chart_means(result.metrics.get("outcome")), xlabel=text.c_year, ylabel=text.c_mean)
        ax.legend()
        figures.append(fig)
    effects = result.tables.get(text.t_effects)
    if effects is not None and not effects.empty:
        fig, ax = plt.subplots(figsize=(7, 0.6 * len(effects) + 1.5))
        labels = [
            f"{text.var(v)} · {text.rnd(r, {})}"
            for v, r in zip(effects[text.c_variable], effects[text.c_round], strict=True)
        ]
        est = effects[text.c_estimate]
        ax.errorbar(
            est,
            range(len(effects)),
            xerr=[est - effects[text.c_low], effects[text.c_high] - est],
            fmt="o",
            capsize=4,
        )
        ax.axvline(0, color="grey", linewidth=1)
        ax.set_yticks(range(len(effects)), labels)
        ax.set(title=text.chart_effects(), xlabel=text.c_estimate)
        fig.tight_layout()
        figures.append(fig)
    return figures
