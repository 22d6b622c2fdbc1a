"""The words of the impact assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.impact` so that the analysis reads as analysis: :func:`findings` words
an :class:`~mel_core.criteria.impact.ImpactScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mel_core.criteria import did as d
from mel_core.criteria.result import Confidence, CriterionResult
from mel_core.i18n import t
from mel_core.vocabulary import SURVEY_ROUNDS

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.impact import ImpactScores

#: The survey variables and groups worded by criteria.impact.variables.<name> and criteria.impact.groups.<name>;
#: another is shown by its name.
VARIABLES = ("income_million_vnd", "export_revenue_million_vnd", "satisfaction_index", "poor")
GROUPS = ("ethnic_minority", "female_head", "female_owner")
#: The kinds of standard errors worded by criteria.impact.cov_types.<kind>.
COV_TYPES = ("cluster", "HC1", "nonrobust")


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


class Text:
    """Sentences and headings in one language (``"en"`` or ``"vi"``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.t_means = t("criteria.impact.means_round_group", self.lang)
        self.t_effects = t("criteria.impact.estimated_effects", self.lang)
        self.t_pre_trend = t("criteria.impact.pre_trend_check_placebo", self.lang)
        self.t_poverty = t("criteria.impact.poverty", self.lang)
        self.t_groups = t("criteria.impact.effects_group", self.lang)
        self.c_group, self.c_round, self.c_year = (
            t("criteria.impact.group", self.lang),
            t("criteria.impact.round", self.lang),
            t("criteria.impact.year", self.lang),
        )
        self.c_mean, self.c_n = (
            t("criteria.impact.mean", self.lang),
            t("criteria.impact.respondents", self.lang),
        )
        self.c_variable, self.c_term = (
            t("criteria.impact.variable", self.lang),
            t("criteria.impact.estimate_of", self.lang),
        )
        self.c_method = t("criteria.impact.method", self.lang)
        self.c_estimate, self.c_low, self.c_high = (
            t("criteria.impact.estimate", self.lang),
            t("criteria.impact.ci_low", self.lang),
            t("criteria.impact.ci_high", self.lang),
        )

    def var(self, name: str | None) -> str:
        return t(f"criteria.impact.variables.{name}", self.lang) if name in VARIABLES else (name or "?")

    def rnd(self, name: str, year: dict[str, int]) -> str:
        label = t(f"criteria.impact.rounds.{name}", self.lang) if name in SURVEY_ROUNDS else name
        return f"{label} ({year[name]})" if name in year else label

    def method(self, e: d.DidEstimate) -> str:
        if e.method == "did":
            return t("criteria.impact.difference_differences", self.lang)
        return t("criteria.impact.before_after_treated_only", self.lang)

    def ci(self, e: d.DidEstimate, digits: int = 2) -> str:
        # the precision varies with the figure: the bounds are formatted here, the words come from the catalogue
        low, high = f"{e.ci_low:,.{digits}f}", f"{e.ci_high:,.{digits}f}"
        return t("criteria.impact.ci", self.lang, low=low, high=high, p=_p(e.p_value))

    evidence = staticmethod(d.evidence)

    def row(self, e: d.DidEstimate, year: dict[str, int]) -> dict[str, Any]:
        return {
            self.c_variable: e.variable,
            self.c_term: e.term,
            self.c_round: e.round,
            t("criteria.impact.from", self.lang): e.base_round,
            self.c_method: self.method(e),
            self.c_estimate: e.estimate,
            self.c_low: e.ci_low,
            self.c_high: e.ci_high,
            "p": e.p_value,
            "n": e.n,
            t("criteria.impact.clusters", self.lang): e.n_clusters,
            t("criteria.impact.errors", self.lang): e.cov_type,
        }

    def means(self, means: pd.DataFrame) -> pd.DataFrame:
        """:func:`~mel_core.criteria.impact.means_by_round` with groups and headings in this language."""
        groups = {
            "treatment": t("criteria.impact.treatment", self.lang),
            "comparison": t("criteria.impact.comparison", self.lang),
        }
        table = means.copy()
        table["group"] = table["group"].map(groups)
        return table.rename(
            columns={
                "group": self.c_group,
                "round": self.c_round,
                "year": self.c_year,
                "mean": self.c_mean,
                "n": self.c_n,
            }
        ).reset_index(drop=True)

    def no_survey(self) -> str:
        return t("criteria.impact.no_household_enterprise_survey", self.lang)

    def nothing_to_estimate(self, outcome: str | None, target: str | None) -> str:
        if outcome is None:
            return t("criteria.impact.survey_no_outcome_variable", self.lang)
        return t("criteria.impact.survey_no_round_after", self.lang)

    def design(
        self, rounds_in_order: Sequence[str], n: int, panel: bool, comparison: bool, year: dict[str, int]
    ) -> str:
        rounds = ", ".join(self.rnd(r, year) for r in rounds_in_order)
        kind = (
            t("criteria.impact.panel_same_respondents_each", self.lang)
            if panel
            else t("criteria.impact.repeated_cross_section_new", self.lang)
        )
        groups = (
            t("criteria.impact.comparison_group", self.lang)
            if comparison
            else t("criteria.impact.without_comparison_group", self.lang)
        )
        return t(
            "criteria.impact.survey_respondents_rounds",
            self.lang,
            kind=kind,
            groups=groups,
            n=n,
            n_year=len(year),
            rounds=rounds,
        )

    def main_effect(self, e: d.DidEstimate, rel: float | None, year: dict[str, int]) -> str:
        when = f"{self.rnd(e.base_round, year)} → {self.rnd(e.round, year)}"
        share = ""
        if rel is not None:
            base = (
                t("criteria.impact.comparison_group_s", self.lang)
                if e.method == "did"
                else t("criteria.impact.treated_s", self.lang)
            )
            share = t(
                "criteria.impact.base_round_mean",
                self.lang,
                rel=rel,
                base=base,
                baseline_mean=e.baseline_mean,
            )
        verdict = (
            t("criteria.impact.significant_5", self.lang)
            if e.significant
            else t("criteria.impact.not_distinguishable_zero", self.lang)
        )
        return t(
            "criteria.impact.effect_n_errors",
            self.lang,
            variable=self.var(e.variable),
            when=when,
            estimate=e.estimate,
            share=share,
            method=self.method(e),
            ci=self.ci(e),
            n=e.n,
            errors=self.errors(e.cov_type),
            verdict=verdict,
        )

    def no_estimate(self, why: str) -> str:
        return t("criteria.impact.no_effect_can_estimated", self.lang, why=why)

    def errors(self, cov_type: str) -> str:
        return t(f"criteria.impact.cov_types.{cov_type}", self.lang) if cov_type in COV_TYPES else cov_type

    def weaker_evidence(self) -> str:
        return t("criteria.impact.there_no_comparison_group", self.lang)

    def pre_trend(self, e: d.DidEstimate, year: dict[str, int]) -> str:
        when = f"{self.rnd(e.base_round, year)} → {self.rnd(e.round, year)}"
        if e.p_value < 0.05:
            verdict = t("criteria.impact.groups_already_diverging_before", self.lang)
        else:
            verdict = t("criteria.impact.no_sign_groups_diverged", self.lang)
        return t(
            "criteria.impact.placebo_difference_differences_between",
            self.lang,
            when=when,
            estimate=e.estimate,
            ci=self.ci(e),
            verdict=verdict,
        )

    def no_pre_trend(self) -> str:
        return t("criteria.impact.only_one_survey_round", self.lang)

    def no_poverty(self, why: str = "") -> str:
        why = f" ({why})" if why else ""
        return t("criteria.impact.survey_does_not_allow", self.lang, why=why)

    def poverty(self, p: d.PovertyEffect, year: dict[str, int]) -> str:
        e = p.lpm
        if p.measure == "rate":
            return t(
                "criteria.impact.poverty_rate_percentage_points",
                self.lang,
                method=self.method(e),
                base_round=self.rnd(e.base_round, year),
                round=self.rnd(e.round, year),
                points=e.estimate * 100,
                ci=self.ci(e, 3),
            )
        rates = f"{p.exit_treated:.0%}" + (
            f" / {p.exit_comparison:.0%}" if p.exit_comparison is not None else ""
        )
        logit = ""
        if p.logit_ame is not None:
            logit = t(
                "criteria.impact.logit_average_marginal_effect", self.lang, points=p.logit_ame.estimate * 100
            )
        who = (
            t("criteria.impact.treated_comparison", self.lang)
            if e.method == "did"
            else t("criteria.impact.treated", self.lang)
        )
        return t(
            "criteria.impact.households_poor_seen_again",
            self.lang,
            poor_at_base=p.poor_at_base,
            base_round=self.rnd(e.base_round, year),
            round=self.rnd(e.round, year),
            rates=rates,
            who=who,
            method=self.method(e),
            points=e.estimate * 100,
            ci=self.ci(e, 3),
            logit=logit,
        )

    def group(self, e: d.GroupEffect, ratio: float | None, minimum: int) -> str:
        name = t(f"criteria.impact.groups.{e.group}", self.lang) if e.group in GROUPS else e.group
        g, o, diff = e.effect_group, e.effect_others, e.difference
        if ratio is None:
            return t(
                "criteria.impact.effect_against_others_too",
                self.lang,
                name=name,
                estimate=g.estimate,
                others=o.estimate,
                treated_in_group=e.treated_in_group,
                treated_others=e.treated_others,
                minimum=minimum,
            )
        behind = diff.ci_high < 0
        verdict = t("criteria.impact.behind" if behind else "criteria.impact.not_behind", self.lang)
        return t(
            "criteria.impact.effect_treated_against_others",
            self.lang,
            name=name,
            treated_in_group=e.treated_in_group,
            estimate=g.estimate,
            ci=self.ci(g),
            others=o.estimate,
            difference=diff.estimate,
            ci_difference=self.ci(diff),
            verdict=verdict,
            ratio=ratio,
        )

    def groups(self, effects: Sequence[d.GroupEffect]) -> pd.DataFrame:
        rows = []
        for e in effects:
            for est in (e.effect_group, e.effect_others, e.difference):
                rows.append(
                    {
                        self.c_term: est.term,
                        self.c_estimate: est.estimate,
                        self.c_low: est.ci_low,
                        self.c_high: est.ci_high,
                        "p": est.p_value,
                    }
                )
        return pd.DataFrame(rows)

    def no_equity_without_comparison(self) -> str:
        return t("criteria.impact.without_comparison_group_effects", self.lang)

    def no_equity_without_effect(self) -> str:
        return t("criteria.impact.no_significant_effect_overall", self.lang)

    def recommend_survey(self) -> str:
        return t("criteria.impact.survey_beneficiary_comparison_households", self.lang)

    def recommend_comparison(self) -> str:
        return t("criteria.impact.next_survey_round_add", self.lang)

    def recommend_pre_trend(self) -> str:
        return t("criteria.impact.treat_difference_differences_caution", self.lang)

    def recommend_no_effect(self, outcome: str) -> str:
        return t("criteria.impact.no_significant_effect_review", self.lang, variable=self.var(outcome))

    def recommend_equity(self) -> str:
        return t("criteria.impact.some_groups_gained_significantly", self.lang)

    def chart_means(self, outcome: str | None) -> str:
        return t("criteria.impact.mean_round", self.lang, variable=self.var(outcome))

    def chart_effects(self) -> str:
        return t("criteria.impact.estimated_effects_95_confidence", self.lang)


def findings(scored: ImpactScores, lang: str) -> CriterionResult:
    """The impact result in ``lang``: ``scored``'s scores, caps and metrics, findings, recommendations and tables
    (not yet rated)."""
    result = scored.result(lang)
    text = Text(lang)
    if scored.stage == "no_survey":
        result.find(text.no_survey(), "high")
        result.recommend(text.recommend_survey())
        return result
    year = scored.year
    result.find(text.design(scored.rounds, scored.respondents, scored.panel, scored.comparison, year), "high")
    result.tables[text.t_means] = text.means(scored.means) if scored.outcome else pd.DataFrame()
    if scored.stage == "nothing_to_estimate":
        result.find(text.nothing_to_estimate(scored.outcome, scored.target), "high")
        result.recommend(text.recommend_survey())
        return result
    main = scored.main
    if scored.stage == "no_estimate" or main is None or scored.outcome is None:
        result.find(text.no_estimate(scored.why), "high")
        return result
    outcome, target = scored.outcome, scored.target
    result.tables[text.t_effects] = pd.DataFrame([text.row(e, year) for e in scored.effects])
    confidence: Confidence = "high" if main.method == "did" else "low"
    result.find(text.main_effect(main, scored.relative, year), confidence, **text.evidence(main))
    for other in scored.effects[1:]:  # the main outcome at other rounds, other outcomes at the main round
        if other.variable == outcome or other.round == target:
            result.find(text.main_effect(other, None, year), confidence, **text.evidence(other))
    placebo = scored.placebo
    if not scored.comparison:
        result.find(text.weaker_evidence(), "high")
        result.recommend(text.recommend_comparison())
    elif placebo is not None:
        result.tables[text.t_pre_trend] = pd.DataFrame([text.row(placebo, year)])
        result.find(
            text.pre_trend(placebo, year),
            "high" if placebo.p_value >= 0.05 else "medium",
            **text.evidence(placebo),
        )
        if placebo.p_value < 0.05:
            result.recommend(text.recommend_pre_trend())
    else:
        result.find(text.no_pre_trend(), "medium")
    _poverty(result, text, scored.poverty, scored.poverty_why, year)
    _equity(result, text, scored, main)
    if main.method == "did" and main.ci_low <= 0:
        result.recommend(text.recommend_no_effect(outcome))
    return result


def _poverty(
    result: CriterionResult, text: Text, effect: d.PovertyEffect | None, why: str | None, year: dict[str, int]
) -> None:
    if effect is None:
        result.find(text.no_poverty(why or ""), "high")
        return
    rows = [e for e in (effect.lpm, effect.logit_ame) if e is not None]
    result.tables[text.t_poverty] = pd.DataFrame([text.row(e, year) for e in rows])
    result.find(
        text.poverty(effect, year),
        "high" if effect.lpm.method == "did" else "low",
        **text.evidence(effect.lpm),
    )


def _equity(result: CriterionResult, text: Text, scored: ImpactScores, main: d.DidEstimate) -> None:
    if main.method != "did":
        result.find(text.no_equity_without_comparison(), "high")
        return
    effects = scored.groups
    for e, ratio in zip(effects, scored.group_ratios, strict=True):
        result.find(text.group(e, ratio, scored.min_group), "medium", **text.evidence(e.difference))
    result.tables[text.t_groups] = text.groups(effects)
    if any(
        r is not None and e.difference.ci_high < 0 for e, r in zip(effects, scored.group_ratios, strict=True)
    ):
        result.recommend(text.recommend_equity())
    elif main.ci_low <= 0:
        result.find(text.no_equity_without_effect(), "medium")
