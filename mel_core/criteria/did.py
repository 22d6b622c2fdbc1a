"""Difference-in-differences on a household (or enterprise) survey, with statsmodels.

The survey frame is :attr:`mel_core.criteria.data.ProgrammeData.survey`: one row per respondent and round
(``respondent_id``, ``round``, ``year``, ``group``, ``admin_unit``, ``cluster``, then the variables).

- **Panel** (the same respondents in several rounds, detected by :func:`is_panel`): the change of each
  respondent between the base round and the round of interest, ``Δy = y_round − y_base``, is regressed on
  ``treated`` (+ covariates at their base-round values). With two rounds this first-difference regression *is*
  the difference-in-differences: its coefficient equals (Δ mean of treated) − (Δ mean of comparison).
- **Repeated cross-section** (new respondents every round): ``y ~ treated * after`` (+ covariates) on the rows
  of the two rounds; the effect is the coefficient of ``treated:after``.
- **No comparison group**: the before/after change of the treated (``Δy ~ 1`` in a panel, ``y ~ after``
  otherwise), which mixes the effect with everything else that changed: weaker evidence.

Standard errors are cluster-robust by the survey's ``cluster`` (villages or communes, the sampling units) by
default; ``cov_type`` may be ``"cluster"``, ``"HC1"`` or ``"nonrobust"``. When the clusters are missing, the
estimate falls back to HC1 and says so in :attr:`DidEstimate.cov_type`. Intervals are 95% (``alpha`` 0.05).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import ConvergenceWarning

CovType = Literal["cluster", "HC1", "nonrobust"]
COV_TYPES: tuple[str, ...] = ("cluster", "HC1", "nonrobust")
ID_COLUMNS = ("respondent_id", "round", "year", "group", "admin_unit", "cluster")
#: Survey variables that describe a respondent or the model's uptake rather than an outcome of the support.
TRAITS = frozenset(
    {
        "poor",
        "ethnic_minority",
        "female_head",
        "household_size",
        "continues_model",
        "replicated_model",
        "employees",
        "female_owner",
    }
)


@dataclass(frozen=True)
class DidEstimate:
    """One estimated effect with its 95% interval.

    Attributes:
        term: what the estimate is (``"treated"`` effect, ``"placebo"`` pre-trend, ``"exit"`` …), for tables.
        method: ``"did"`` (against the comparison group) or ``"before_after"`` (treated only).
        design: ``"panel"`` or ``"cross_section"``.
        baseline_mean: the outcome's base-round mean of the comparison group (of the treated for before/after),
            the yardstick for a relative effect.
        cov_type: the covariance actually used (``"cluster"`` may have fallen back to ``"HC1"``).
    """

    variable: str
    round: str
    base_round: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int
    n_clusters: int
    method: str
    design: str
    cov_type: str
    baseline_mean: float
    term: str = "treated"

    @property
    def significant(self) -> bool:
        """True when the 95% interval excludes zero."""
        return self.ci_low > 0 or self.ci_high < 0


def evidence(e: DidEstimate | None) -> dict[str, Any]:
    """The figures of an estimate as findings and metrics keep them (empty for None)."""
    if e is None:
        return {}
    return {
        "variable": e.variable,
        "round": e.round,
        "base_round": e.base_round,
        "estimate": e.estimate,
        "se": e.se,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
        "p_value": e.p_value,
        "n": e.n,
        "n_clusters": e.n_clusters,
        "method": e.method,
        "design": e.design,
        "cov_type": e.cov_type,
    }


def is_panel(survey: pd.DataFrame) -> bool:
    """True when most respondents appear in more than one round (a panel), False for a repeated cross-section."""
    if survey.empty:
        return False
    rounds_per_id = survey.groupby("respondent_id")["round"].nunique()
    return bool((rounds_per_id > 1).mean() >= 0.5)


def round_order(survey: pd.DataFrame) -> list[str]:
    """The survey's rounds from the earliest year to the latest."""
    years = survey.groupby("round")["year"].min().sort_values(kind="stable")
    return [str(r) for r in years.index]


def base_round(survey: pd.DataFrame) -> str:
    """``"baseline"`` when the survey has it, else its earliest round."""
    rounds = round_order(survey)
    return "baseline" if "baseline" in rounds else rounds[0]


def pre_treatment_rounds(survey: pd.DataFrame, start: date | None) -> list[str]:
    """The rounds before support reached the respondents, earliest first.

    The base round always is; another round is when its year is not after the programme's start year (support
    starting in April 2013 does not change a 2013 survey's incomes, so NA-CAM-2013's 2013 midline is a second
    pre-treatment round).
    """
    if survey.empty:
        return []
    base = base_round(survey)
    years = survey.groupby("round")["year"].min()
    return [
        r for r in round_order(survey) if r == base or (start is not None and int(years[r]) <= start.year)
    ]


def has_comparison(survey: pd.DataFrame) -> bool:
    """True when the survey has both a treatment and a comparison group."""
    groups = set(survey["group"].dropna())
    return {"treatment", "comparison"} <= groups


def usable_covariates(frame: pd.DataFrame, covariates: Sequence[str]) -> list[str]:
    """The covariates present in ``frame`` that vary (a constant one would make the design singular)."""
    return [c for c in covariates if c in frame.columns and frame[c].dropna().nunique() > 1]


def _fit(formula: str, frame: pd.DataFrame, cov_type: str, logit: bool = False) -> tuple[Any, str, int]:
    """Fit OLS (or logit) with the requested covariance; returns the fit, the covariance used, the clusters."""
    model = (smf.logit if logit else smf.ols)(formula, frame)
    clusters = frame["cluster"] if "cluster" in frame.columns else pd.Series(dtype=object)
    n_clusters = int(clusters.nunique())
    extra: dict[str, Any] = {"disp": 0} if logit else {}
    if cov_type == "cluster":
        if clusters.isna().any() or n_clusters < 2:
            cov_type = "HC1"
        else:
            codes = np.asarray(clusters.astype("category").cat.codes)
            return model.fit(cov_type="cluster", cov_kwds={"groups": codes}, **extra), "cluster", n_clusters
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {', '.join(COV_TYPES)}, not {cov_type!r}")
    return model.fit(cov_type=cov_type, **extra), cov_type, n_clusters


def _estimate(fit: Any, name: str) -> tuple[float, float, float, float, float]:
    low, high = fit.conf_int().loc[name]
    return float(fit.params[name]), float(fit.bse[name]), float(low), float(high), float(fit.pvalues[name])


def changes(
    survey: pd.DataFrame, variable: str, round_name: str, base: str, covariates: Sequence[str] = ()
) -> pd.DataFrame:
    """Panel respondents seen in both rounds: group, cluster, ``y_base``, ``y_round``, ``change``, ``treated``
    and the covariates at their base-round values."""
    keep = ["respondent_id", "group", "cluster"]
    before = survey[survey["round"] == base]
    after = survey[survey["round"] == round_name]
    covs = [c for c in covariates if c in survey.columns and c != variable]
    left = before[[*keep, variable, *covs]].rename(columns={variable: "y_base"})
    right = after[["respondent_id", variable]].rename(columns={variable: "y_round"})
    wide = left.merge(right, on="respondent_id").dropna(subset=["y_base", "y_round", *covs])
    wide["change"] = wide["y_round"] - wide["y_base"]
    wide["treated"] = (wide["group"] == "treatment").astype(int)
    return wide.reset_index(drop=True)


def stacked(
    survey: pd.DataFrame, variable: str, round_name: str, base: str, covariates: Sequence[str] = ()
) -> pd.DataFrame:
    """Rows of the two rounds (a repeated cross-section) with ``treated`` and ``after`` indicators."""
    covs = [c for c in covariates if c in survey.columns and c != variable]
    rows = survey[survey["round"].isin([base, round_name])].dropna(subset=[variable, *covs])
    rows = rows.assign(
        treated=(rows["group"] == "treatment").astype(int), after=(rows["round"] == round_name).astype(int)
    )
    return rows.reset_index(drop=True)


def did(
    survey: pd.DataFrame,
    variable: str,
    round_name: str,
    *,
    base: str | None = None,
    covariates: Sequence[str] = (),
    cov_type: str = "cluster",
    panel: bool | None = None,
    term: str = "treated",
) -> DidEstimate:
    """The effect on ``variable`` in ``round_name`` against ``base`` (default: the base round).

    Difference-in-differences when the survey has a comparison group, before/after otherwise (see the module's
    docstring for the regressions; covariates enter only with a comparison group). Raises ValueError when the
    two rounds share no usable observations.
    """
    base = base or base_round(survey)
    panel = is_panel(survey) if panel is None else panel
    comparison = has_comparison(survey)
    if panel:
        frame = changes(survey, variable, round_name, base, covariates)
        covs = usable_covariates(frame, covariates) if comparison else []
        formula = "change ~ " + " + ".join(["treated", *covs] if comparison else ["1"])
        name = "treated" if comparison else "Intercept"
        reference = frame.loc[frame["treated"] == 0, "y_base"] if comparison else frame["y_base"]
    else:
        frame = stacked(survey, variable, round_name, base, covariates)
        covs = usable_covariates(frame, covariates) if comparison else []
        formula = f"{variable} ~ " + " + ".join(["treated * after", *covs] if comparison else ["after"])
        name = "treated:after" if comparison else "after"
        base_rows = frame[frame["after"] == 0]
        reference = base_rows.loc[base_rows["treated"] == 0, variable] if comparison else base_rows[variable]
    needed = (["treated"] if comparison else []) + ([] if panel else ["after"])
    if frame.empty or any(frame[c].nunique() < 2 for c in needed):
        raise ValueError(f"no usable observations of {variable} in both {base} and {round_name}")
    fit, used, n_clusters = _fit(formula, frame, cov_type)
    estimate, se, low, high, p = _estimate(fit, name)
    return DidEstimate(
        variable,
        round_name,
        base,
        estimate,
        se,
        low,
        high,
        p,
        int(fit.nobs),
        n_clusters,
        "did" if comparison else "before_after",
        "panel" if panel else "cross_section",
        used,
        float(reference.mean()),
        term,
    )


@dataclass(frozen=True)
class GroupEffect:
    """The effect for one group (ethnic-minority, female-headed) against the others, and their difference."""

    group: str
    effect_group: DidEstimate
    effect_others: DidEstimate
    difference: DidEstimate
    treated_in_group: int
    treated_others: int


def _combined(fit: Any, names: Sequence[str], like: DidEstimate, term: str) -> DidEstimate:
    """The sum of coefficients ``names`` as an estimate (a linear contrast of the fit)."""
    vector = np.array([1.0 if p in names else 0.0 for p in fit.params.index])
    test = fit.t_test(vector)
    low, high = np.asarray(test.conf_int()).ravel()[:2]
    return replace(
        like,
        estimate=float(np.ravel(test.effect)[0]),
        se=float(np.ravel(test.sd)[0]),
        ci_low=float(low),
        ci_high=float(high),
        p_value=float(np.ravel(test.pvalue)[0]),
        term=term,
    )


def group_effect(
    survey: pd.DataFrame,
    variable: str,
    round_name: str,
    group: str,
    *,
    base: str | None = None,
    covariates: Sequence[str] = (),
    cov_type: str = "cluster",
    panel: bool | None = None,
) -> GroupEffect:
    """The effect for respondents with ``group`` = 1 and for the others, from one interacted regression.

    Panel: ``Δy ~ treated * g`` (+ covariates); repeated cross-section: ``y ~ treated * after * g``. The
    difference between the groups is the interaction's coefficient (``treated:g`` or ``treated:after:g``);
    the group's own effect is the sum of the main and interaction coefficients, with its interval from the fit's
    covariance. Requires a comparison group.
    """
    base = base or base_round(survey)
    panel = is_panel(survey) if panel is None else panel
    if not has_comparison(survey):
        raise ValueError("effects by group need a comparison group")
    if group not in survey.columns:
        raise ValueError(f"the survey has no {group!r} variable")
    covs = [c for c in covariates if c != group]
    if panel:
        frame = changes(survey, variable, round_name, base, [group, *covs])
        covs = usable_covariates(frame, covs)
        formula = "change ~ " + " + ".join([f"treated * {group}", *covs])
        main, inter = "treated", f"treated:{group}"
        treated = frame[frame["treated"] == 1]
    else:
        frame = stacked(survey, variable, round_name, base, [group, *covs])
        covs = usable_covariates(frame, covs)
        formula = f"{variable} ~ " + " + ".join([f"treated * after * {group}", *covs])
        main, inter = "treated:after", f"treated:after:{group}"
        treated = frame[(frame["treated"] == 1) & (frame["after"] == 1)]
    if frame[group].nunique() < 2:
        raise ValueError(f"no variation in {group}")
    fit, used, n_clusters = _fit(formula, frame, cov_type)
    reference = float(frame.loc[frame["treated"] == 0, "y_base" if panel else variable].mean())
    others = DidEstimate(
        variable,
        round_name,
        base,
        *_estimate(fit, main),
        int(fit.nobs),
        n_clusters,
        "did",
        "panel" if panel else "cross_section",
        used,
        reference,
        f"{group}=0",
    )
    estimate, se, low, high, p = _estimate(fit, inter)
    difference = replace(
        others, estimate=estimate, se=se, ci_low=low, ci_high=high, p_value=p, term=f"{group} difference"
    )
    in_group = _combined(fit, [main, inter], others, f"{group}=1")
    return GroupEffect(
        group,
        in_group,
        others,
        difference,
        int((treated[group] == 1).sum()),
        int((treated[group] == 0).sum()),
    )


@dataclass(frozen=True)
class PovertyEffect:
    """The effect on poverty: exits among the baseline poor (panel) or the poverty rate (cross-section).

    ``lpm`` is the linear-probability estimate (a gain in the exit rate, or a change in the poverty rate);
    ``logit_ame`` the logit's average marginal effect of being treated on exiting (panel with a comparison
    group only). ``exit_treated``/``exit_comparison`` are the shares of the baseline poor who left poverty.
    """

    measure: Literal["exit", "rate"]
    lpm: DidEstimate
    logit_ame: DidEstimate | None
    poor_at_base: int
    exit_treated: float | None
    exit_comparison: float | None


def poverty_effect(
    survey: pd.DataFrame,
    round_name: str,
    *,
    base: str | None = None,
    covariates: Sequence[str] = (),
    cov_type: str = "cluster",
    panel: bool | None = None,
) -> PovertyEffect:
    """The programme's effect on poverty from the survey's ``poor`` (0/1) variable.

    Panel: among respondents poor in the base round, ``exited = 1 − poor_round``; with a comparison group the
    DiD is ``exited ~ treated`` (+ covariates) as a linear probability model and as a logit (average marginal
    effect of ``treated``), since every one of them starts poor the difference in exit rates is the
    difference-in-differences; without one, the exit share with its interval (before/after). Repeated
    cross-section: the difference-in-differences (or before/after) of the poverty rate ``poor`` itself.
    """
    base = base or base_round(survey)
    panel = is_panel(survey) if panel is None else panel
    if "poor" not in survey.columns:
        raise ValueError("the survey has no 'poor' variable")
    if not panel:
        lpm = did(
            survey,
            "poor",
            round_name,
            base=base,
            covariates=covariates,
            cov_type=cov_type,
            panel=False,
            term="poverty rate",
        )
        return PovertyEffect("rate", lpm, None, 0, None, None)
    frame = changes(survey, "poor", round_name, base, covariates)
    frame = frame[frame["y_base"] == 1].copy()
    if frame.empty:
        raise ValueError(f"no respondent poor in {base} is seen again in {round_name}")
    frame["exited"] = (frame["y_round"] == 0).astype(int)
    comparison = has_comparison(survey) and frame["treated"].nunique() == 2
    covs = usable_covariates(frame, covariates) if comparison else []
    formula = "exited ~ " + " + ".join(["treated", *covs] if comparison else ["1"])
    name = "treated" if comparison else "Intercept"
    fit, used, n_clusters = _fit(formula, frame, cov_type)
    rates = frame.groupby("treated")["exited"].mean()
    reference = float(rates.get(0, np.nan)) if comparison else 0.0
    lpm = DidEstimate(
        "poor",
        round_name,
        base,
        *_estimate(fit, name),
        int(fit.nobs),
        n_clusters,
        "did" if comparison else "before_after",
        "panel",
        used,
        reference,
        "poverty exit",
    )
    logit = None
    if comparison and frame["exited"].nunique() == 2:
        try:
            with warnings.catch_warnings():  # non-convergence is checked below, not printed
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                lfit, lused, _ = _fit(formula, frame, cov_type, logit=True)
                margins = lfit.get_margeff(at="overall", dummy=True).summary_frame()
            row = margins.loc["treated"]
            if not lfit.mle_retvals.get("converged", False) or not np.isfinite(row.iloc[1]):
                raise ValueError("the logit did not converge (separation)")
            logit = DidEstimate(
                "poor",
                round_name,
                base,
                float(row.iloc[0]),
                float(row.iloc[1]),
                float(row.iloc[4]),
                float(row.iloc[5]),
                float(row.iloc[3]),
                int(lfit.nobs),
                n_clusters,
                "did",
                "panel",
                lused,
                reference,
                "poverty exit (logit AME)",
            )
        except (np.linalg.LinAlgError, ValueError, RuntimeError):  # separation: the LPM still stands
            logit = None
    return PovertyEffect(
        "exit",
        lpm,
        logit,
        len(frame),
        float(rates.get(1, np.nan)),
        float(rates.get(0, np.nan)) if comparison else None,
    )
