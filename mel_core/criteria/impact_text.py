"""The words of the impact assessment, in English and Vietnamese: findings, recommendations, table headings.

Kept apart from :mod:`mel_core.criteria.impact` so that the analysis reads as analysis: :func:`findings` words
an :class:`~mel_core.criteria.impact.ImpactScores`; every sentence carries the figures it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mel_core.criteria import did as d
from mel_core.criteria.result import Confidence, CriterionResult, tr

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.impact import ImpactScores

ROUNDS = {"baseline": "đầu kỳ", "midline": "giữa kỳ", "endline": "cuối kỳ", "post": "sau kết thúc"}
VARIABLES = {
    "income_million_vnd": ("household income (million VND a year)", "thu nhập của hộ (triệu đồng/năm)"),
    "export_revenue_million_vnd": ("export revenue (million VND)", "doanh thu xuất khẩu (triệu đồng)"),
    "satisfaction_index": ("satisfaction index (0–100)", "chỉ số hài lòng (0–100)"),
    "poor": ("poverty (poor = 1)", "nghèo (hộ nghèo = 1)"),
}
GROUPS = {
    "ethnic_minority": ("ethnic-minority households", "hộ dân tộc thiểu số"),
    "female_head": ("female-headed households", "hộ do phụ nữ làm chủ"),
    "female_owner": ("female-owned enterprises", "doanh nghiệp do phụ nữ làm chủ"),
}


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


class Text:
    """Sentences and headings in one language (``"en"`` or ``"vi"``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        t = self.t
        self.t_means = t("Means by round and group", "Trung bình theo vòng điều tra và nhóm")
        self.t_effects = t("Estimated effects", "Tác động ước lượng")
        self.t_pre_trend = t("Pre-trend check (placebo)", "Kiểm tra xu hướng trước can thiệp (giả định)")
        self.t_poverty = t("Poverty", "Nghèo")
        self.t_groups = t("Effects by group", "Tác động theo nhóm")
        self.c_group, self.c_round, self.c_year = t("group", "nhóm"), t("round", "vòng"), t("year", "năm")
        self.c_mean, self.c_n = t("mean", "trung bình"), t("respondents", "số đối tượng")
        self.c_variable, self.c_term = t("variable", "biến"), t("estimate of", "ước lượng")
        self.c_method = t("method", "phương pháp")
        self.c_estimate, self.c_low, self.c_high = (
            t("estimate", "ước lượng"),
            t("CI low", "KTC dưới"),
            t("CI high", "KTC trên"),
        )

    def t(self, en: str, vi: str) -> str:
        return tr(self.lang, en, vi)

    def var(self, name: str | None) -> str:
        en, vi = VARIABLES.get(name or "", (name or "?", name or "?"))
        return self.t(en, vi)

    def rnd(self, name: str, year: dict[str, int]) -> str:
        label = self.t(name, ROUNDS.get(name, name))
        return f"{label} ({year[name]})" if name in year else label

    def method(self, e: d.DidEstimate) -> str:
        if e.method == "did":
            return self.t("difference-in-differences", "khác biệt kép")
        return self.t("before/after, treated only", "trước/sau, chỉ nhóm hưởng lợi")

    def ci(self, e: d.DidEstimate, digits: int = 2) -> str:
        return self.t(
            f"95% CI {e.ci_low:,.{digits}f} to {e.ci_high:,.{digits}f}, {_p(e.p_value)}",
            f"KTC 95% từ {e.ci_low:,.{digits}f} đến {e.ci_high:,.{digits}f}, {_p(e.p_value)}",
        )

    evidence = staticmethod(d.evidence)

    def row(self, e: d.DidEstimate, year: dict[str, int]) -> dict[str, Any]:
        return {
            self.c_variable: e.variable,
            self.c_term: e.term,
            self.c_round: e.round,
            self.t("from", "so với"): e.base_round,
            self.c_method: self.method(e),
            self.c_estimate: e.estimate,
            self.c_low: e.ci_low,
            self.c_high: e.ci_high,
            "p": e.p_value,
            "n": e.n,
            self.t("clusters", "số cụm"): e.n_clusters,
            self.t("errors", "sai số chuẩn"): e.cov_type,
        }

    def means(self, means: pd.DataFrame) -> pd.DataFrame:
        """:func:`~mel_core.criteria.impact.means_by_round` with groups and headings in this language."""
        groups = {
            "treatment": self.t("treatment", "nhóm hưởng lợi"),
            "comparison": self.t("comparison", "nhóm so sánh"),
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
        return self.t(
            "No household or enterprise survey is recorded for this programme, so its impact cannot be estimated:"
            " not rated.",
            "Chương trình chưa có số liệu điều tra hộ hoặc doanh nghiệp nên không thể ước lượng tác động:"
            " chưa đủ căn cứ để xếp hạng.",
        )

    def nothing_to_estimate(self, outcome: str | None, target: str | None) -> str:
        if outcome is None:
            return self.t(
                "The survey has no outcome variable (such as income) to estimate an effect on.",
                "Số liệu điều tra không có biến kết quả (như thu nhập) để ước lượng tác động.",
            )
        return self.t(
            "The survey has no round after support began, so no effect can be estimated yet.",
            "Chưa có vòng điều tra nào sau khi bắt đầu hỗ trợ nên chưa thể ước lượng tác động.",
        )

    def design(
        self, rounds_in_order: Sequence[str], n: int, panel: bool, comparison: bool, year: dict[str, int]
    ) -> str:
        rounds = ", ".join(self.rnd(r, year) for r in rounds_in_order)
        kind = (
            self.t("a panel (the same respondents each round)", "dạng bảng (cùng đối tượng qua các vòng)")
            if panel
            else self.t(
                "a repeated cross-section (new respondents each round)",
                "mẫu lặp lại (đối tượng mới mỗi vòng)",
            )
        )
        groups = (
            self.t("with a comparison group", "có nhóm so sánh")
            if comparison
            else self.t("WITHOUT a comparison group", "KHÔNG có nhóm so sánh")
        )
        return self.t(
            f"Survey: {kind}, {groups}; {n} respondents in {len(year)} rounds: {rounds}.",
            f"Điều tra: {kind}, {groups}; {n} đối tượng trong {len(year)} vòng: {rounds}.",
        )

    def main_effect(self, e: d.DidEstimate, rel: float | None, year: dict[str, int]) -> str:
        when = f"{self.rnd(e.base_round, year)} → {self.rnd(e.round, year)}"
        share = ""
        if rel is not None:
            base = (
                self.t("the comparison group's", "nhóm so sánh")
                if e.method == "did"
                else self.t("the treated's", "nhóm hưởng lợi")
            )
            share = self.t(
                f" ({rel:.0%} of {base} base-round mean of {e.baseline_mean:,.2f})",
                f" ({rel:.0%} so với trung bình vòng gốc của {base} là {e.baseline_mean:,.2f})",
            )
        verdict = (
            self.t("significant at 5%", "có ý nghĩa thống kê ở mức 5%")
            if e.significant
            else self.t("not distinguishable from zero", "không khác 0 có ý nghĩa thống kê")
        )
        return self.t(
            f"Effect on {self.var(e.variable)}, {when}: {e.estimate:+,.2f}{share} by {self.method(e)} "
            f"({self.ci(e)}; n = {e.n}, errors {self.errors(e.cov_type)}): {verdict}.",
            f"Tác động đến {self.var(e.variable)}, {when}: {e.estimate:+,.2f}{share} theo phương pháp "
            f"{self.method(e)} ({self.ci(e)}; n = {e.n}, sai số {self.errors(e.cov_type)}): {verdict}.",
        )

    def no_estimate(self, why: str) -> str:
        return self.t(
            f"No effect can be estimated from the survey ({why}): not rated.",
            f"Không ước lượng được tác động từ số liệu điều tra ({why}): chưa đủ căn cứ để xếp hạng.",
        )

    def errors(self, cov_type: str) -> str:
        en = {"cluster": "clustered by sampling cluster", "HC1": "robust (HC1)", "nonrobust": "classical"}
        vi = {"cluster": "theo cụm mẫu", "HC1": "vững (HC1)", "nonrobust": "cổ điển"}
        return self.t(en.get(cov_type, cov_type), vi.get(cov_type, cov_type))

    def weaker_evidence(self) -> str:
        return self.t(
            "There is no comparison group: the before/after change of the beneficiaries mixes the programme's effect"
            " with everything else that changed over the period (general income growth, prices, weather). This is"
            " weaker evidence than a difference-in-differences, and the rating cannot exceed satisfactory.",
            "Không có nhóm so sánh: thay đổi trước/sau của nhóm hưởng lợi gộp cả tác động của chương trình với mọi"
            " thay đổi khác trong kỳ (thu nhập chung tăng, giá cả, thời tiết). Đây là bằng chứng yếu hơn phương"
            " pháp khác biệt kép, nên xếp hạng không thể cao hơn mức tích cực.",
        )

    def pre_trend(self, e: d.DidEstimate, year: dict[str, int]) -> str:
        when = f"{self.rnd(e.base_round, year)} → {self.rnd(e.round, year)}"
        if e.p_value < 0.05:
            verdict = self.t(
                "the groups were already diverging before support: parallel trends are doubtful and"
                " the rating is capped at less than satisfactory",
                "hai nhóm đã khác xu hướng trước khi hỗ trợ: giả định xu hướng song song không vững"
                " và xếp hạng bị giới hạn ở mức hạn chế",
            )
        else:
            verdict = self.t(
                "no sign that the groups diverged before support (parallel pre-trends)",
                "không có dấu hiệu hai nhóm khác xu hướng trước khi hỗ trợ (xu hướng song song)",
            )
        return self.t(
            f"Placebo difference-in-differences between two rounds before support, {when}: "
            f"{e.estimate:+,.2f} ({self.ci(e)}): {verdict}.",
            f"Khác biệt kép giả định giữa hai vòng trước khi hỗ trợ, {when}: {e.estimate:+,.2f}"
            f" ({self.ci(e)}): {verdict}.",
        )

    def no_pre_trend(self) -> str:
        return self.t(
            "Only one survey round precedes the support, so parallel pre-trends cannot be checked.",
            "Chỉ có một vòng điều tra trước khi hỗ trợ nên không kiểm tra được xu hướng song song.",
        )

    def no_poverty(self, why: str = "") -> str:
        why = f" ({why})" if why else ""
        return self.t(
            f"The survey does not allow a poverty estimate{why}: the poverty component has no evidence.",
            f"Số liệu điều tra không cho phép ước lượng về nghèo{why}: thành phần nghèo chưa có bằng chứng.",
        )

    def poverty(self, p: d.PovertyEffect, year: dict[str, int]) -> str:
        e = p.lpm
        if p.measure == "rate":
            return self.t(
                f"Poverty rate, {self.method(e)}, {self.rnd(e.base_round, year)} → "
                f"{self.rnd(e.round, year)}: {e.estimate * 100:+.1f} percentage points ({self.ci(e, 3)}).",
                f"Tỷ lệ hộ nghèo, {self.method(e)}, {self.rnd(e.base_round, year)} → "
                f"{self.rnd(e.round, year)}: {e.estimate * 100:+.1f} điểm phần trăm ({self.ci(e, 3)}).",
            )
        rates = f"{p.exit_treated:.0%}" + (
            f" / {p.exit_comparison:.0%}" if p.exit_comparison is not None else ""
        )
        logit = ""
        if p.logit_ame is not None:
            logit = self.t(
                f"; logit average marginal effect {p.logit_ame.estimate * 100:+.1f} points",
                f"; tác động biên trung bình theo logit {p.logit_ame.estimate * 100:+.1f} điểm",
            )
        who = (
            self.t("treated / comparison", "hưởng lợi / so sánh")
            if e.method == "did"
            else self.t("treated", "hưởng lợi")
        )
        return self.t(
            f"Of {p.poor_at_base} households poor at {self.rnd(e.base_round, year)} and seen again at "
            f"{self.rnd(e.round, year)}, {rates} ({who}) left poverty; {self.method(e)} (linear probability): "
            f"{e.estimate * 100:+.1f} percentage points ({self.ci(e, 3)}){logit}.",
            f"Trong {p.poor_at_base} hộ nghèo ở vòng {self.rnd(e.base_round, year)} được điều tra lại ở vòng "
            f"{self.rnd(e.round, year)}, {rates} ({who}) đã thoát nghèo; {self.method(e)} (mô hình xác suất tuyến"
            f" tính): {e.estimate * 100:+.1f} điểm phần trăm ({self.ci(e, 3)}){logit}.",
        )

    def group(self, e: d.GroupEffect, ratio: float | None, minimum: int) -> str:
        en, vi = GROUPS.get(e.group, (e.group, e.group))
        name = self.t(en, vi)
        g, o, diff = e.effect_group, e.effect_others, e.difference
        if ratio is None:
            return self.t(
                f"Effect for {name}: {g.estimate:+,.2f} against {o.estimate:+,.2f} for the others; too few treated"
                f" respondents on one side ({e.treated_in_group} and {e.treated_others}, {minimum} needed) to judge.",
                f"Tác động với {name}: {g.estimate:+,.2f} so với {o.estimate:+,.2f} ở các hộ khác; quá ít đối tượng"
                f" hưởng lợi ở một phía ({e.treated_in_group} và {e.treated_others}, cần {minimum}) để kết luận.",
            )
        behind = diff.ci_high < 0
        verdict = self.t(
            "significantly behind the others" if behind else "not significantly behind the others",
            "thấp hơn các hộ khác có ý nghĩa thống kê"
            if behind
            else "không thấp hơn các hộ khác có ý nghĩa thống kê",
        )
        return self.t(
            f"Effect for {name} ({e.treated_in_group} treated): {g.estimate:+,.2f} ({self.ci(g)}) against "
            f"{o.estimate:+,.2f} for the others; difference {diff.estimate:+,.2f} ({self.ci(diff)}): {verdict}"
            f" (ratio {ratio:.2f}).",
            f"Tác động với {name} ({e.treated_in_group} đối tượng hưởng lợi): {g.estimate:+,.2f} ({self.ci(g)}) so"
            f" với {o.estimate:+,.2f} ở các hộ khác; chênh lệch {diff.estimate:+,.2f} ({self.ci(diff)}): {verdict}"
            f" (tỷ số {ratio:.2f}).",
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
        return self.t(
            "Without a comparison group the effects for ethnic-minority and female-headed households"
            " cannot be separated from general change: the equity component has no evidence.",
            "Không có nhóm so sánh nên không tách được tác động với hộ dân tộc thiểu số và hộ do phụ nữ"
            " làm chủ khỏi thay đổi chung: thành phần công bằng chưa có bằng chứng.",
        )

    def no_equity_without_effect(self) -> str:
        return self.t(
            "With no significant effect overall there is no gain whose sharing could be judged: the"
            " equity component has no evidence.",
            "Không có tác động chung có ý nghĩa thống kê nên không có lợi ích nào để đánh giá việc phân"
            " bổ: thành phần công bằng chưa có bằng chứng.",
        )

    def recommend_survey(self) -> str:
        return self.t(
            "Survey beneficiary and comparison households at baseline and after support (the same"
            " households each round), recording income, poverty status, ethnicity and the household head's"
            " sex, so that impact can be estimated.",
            "Điều tra hộ hưởng lợi và hộ so sánh ở vòng đầu kỳ và sau khi hỗ trợ (cùng các hộ qua các"
            " vòng), ghi thu nhập, tình trạng nghèo, dân tộc và giới tính chủ hộ, để ước lượng được tác"
            " động.",
        )

    def recommend_comparison(self) -> str:
        return self.t(
            "In the next survey round, add comparison households from similar communes that did not"
            " receive support, so that the effect can be separated from general change.",
            "Ở vòng điều tra tới, bổ sung hộ so sánh ở các xã tương tự không được hỗ trợ để tách tác động"
            " khỏi thay đổi chung.",
        )

    def recommend_pre_trend(self) -> str:
        return self.t(
            "Treat the difference-in-differences with caution: choose comparison communes closer to the"
            " beneficiaries, or adjust for their different trend.",
            "Thận trọng với kết quả khác biệt kép: chọn xã so sánh tương đồng hơn với xã hưởng lợi, hoặc"
            " điều chỉnh theo xu hướng khác biệt.",
        )

    def recommend_no_effect(self, outcome: str) -> str:
        return self.t(
            f"No significant effect on {self.var(outcome)}: review the results chain from outputs to"
            " household outcomes before replicating the model.",
            f"Không có tác động có ý nghĩa thống kê đến {self.var(outcome)}: rà soát chuỗi kết quả từ đầu"
            " ra đến kết quả ở hộ trước khi nhân rộng mô hình.",
        )

    def recommend_equity(self) -> str:
        return self.t(
            "Some groups gained significantly less: adapt the support (training times and language, the size"
            " of the package) to ethnic-minority and female-headed households.",
            "Một số nhóm hưởng lợi ít hơn có ý nghĩa thống kê: điều chỉnh hỗ trợ (thời gian và ngôn ngữ tập huấn, quy"
            " mô hỗ trợ) cho hộ dân tộc thiểu số và hộ do phụ nữ làm chủ.",
        )

    def chart_means(self, outcome: str | None) -> str:
        return self.t(
            f"Mean {self.var(outcome)} by round", f"Trung bình {self.var(outcome)} theo vòng điều tra"
        )

    def chart_effects(self) -> str:
        return self.t(
            "Estimated effects with 95% confidence intervals", "Tác động ước lượng và khoảng tin cậy 95%"
        )


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
