"""The words of the sustainability assessment, in English and Vietnamese: findings, recommendations, headings.

Kept apart from :mod:`mel_core.criteria.sustainability` so that the analysis reads as analysis: :func:`findings`
words a :class:`~mel_core.criteria.sustainability.SustainabilityScores`; every sentence carries the figures it
rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mel_core.criteria.result import CriterionResult, tr

if TYPE_CHECKING:  # the scores' module composes its findings from this one
    from mel_core.criteria.sustainability import SustainabilityScores

STATUS_VI = {
    "done": "đã thực hiện",
    "planned": "mới trong kế hoạch",
    "cancelled": "đã hủy",
    "stopped": "đã dừng",
}
ROUND_VI = {"baseline": "ban đầu", "midline": "giữa kỳ", "endline": "cuối kỳ", "post": "sau hỗ trợ"}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def findings(scored: SustainabilityScores, lang: str) -> CriterionResult:
    """The sustainability result in ``lang``: ``scored``'s scores and metrics, findings, recommendations and
    tables (not yet rated)."""
    result = scored.result(lang)
    if scored.running:
        end = scored.end_date
        result.find(
            tr(
                lang,
                f"The programme is still running (until {end}): there is no post round and no period after support"
                " ended, so continuation, replication, the post-end trend and local funding cannot be judged yet.",
                f"Chương trình vẫn đang thực hiện (đến {end}): chưa có vòng khảo sát sau khi kết thúc hỗ trợ, nên"
                " chưa đánh giá được việc duy trì, nhân rộng, xu hướng sau hỗ trợ và nguồn vốn địa phương.",
            ),
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
            "indicator": tr(lang, "indicator", "chỉ tiêu"),
            "level": tr(lang, "level", "cấp"),
            "direction": tr(lang, "direction", "chiều"),
            "baseline": tr(lang, "baseline", "ban đầu"),
            "end": tr(lang, "at the end", "khi kết thúc"),
            "after": tr(lang, "after the end", "sau hỗ trợ"),
            "post_years": tr(lang, "post-end years", "các năm sau hỗ trợ"),
            "slope": tr(lang, "slope per year", "độ dốc/năm"),
            "gain": tr(lang, "gain", "mức tăng"),
            "held": tr(lang, "share held", "tỷ lệ giữ được"),
        }
    )
    result.tables["after_end_funding"] = scored.after_end_funding.rename(
        columns={"source": tr(lang, "source", "nguồn"), "amount": tr(lang, "million VND", "triệu đồng")}
    )
    return result


def _continuation(result: CriterionResult, scored: SustainabilityScores) -> None:
    lang, post_round = result.lang, scored.post_round
    round_vi = ROUND_VI.get(post_round, post_round)
    cont = scored.continues
    if cont is None:
        result.find(
            tr(
                lang,
                f"No '{post_round}' survey round records whether households continue the model.",
                f"Không có vòng khảo sát '{round_vi}' ghi nhận hộ có duy trì mô hình hay không.",
            ),
        )
        return
    result.find(
        tr(
            lang,
            f"{_pct(cont)} of {scored.continued_by} beneficiary households still practised the model at the"
            f" {post_round} round.",
            f"{_pct(cont)} trong {scored.continued_by} hộ hưởng lợi vẫn duy trì mô hình ở vòng khảo sát {round_vi}.",
        ),
        "high",
        continues=cont,
        households=scored.continued_by,
    )
    if cont < 0.5:
        result.recommend(
            tr(
                lang,
                "Find out with the households why most stopped the model before replicating it.",
                "Tìm hiểu cùng hộ dân lý do phần lớn hộ không duy trì mô hình trước khi nhân rộng.",
            ),
        )


def _replication(result: CriterionResult, scored: SustainabilityScores) -> None:
    lang, post_round = result.lang, scored.post_round
    repl = scored.replicated
    if repl is None:
        result.find(
            tr(
                lang,
                "Replication by non-beneficiaries is not recorded (no comparison households asked at the"
                f" {post_round} round).",
                "Không có số liệu về việc hộ không hưởng lợi tự nhân rộng mô hình (nhóm đối chứng không được hỏi"
                f" ở vòng {ROUND_VI.get(post_round, post_round)}).",
            ),
        )
        return
    result.find(
        tr(
            lang,
            f"{_pct(repl)} of {scored.replicated_by} non-beneficiary households had copied the model on their own.",
            f"{_pct(repl)} trong {scored.replicated_by} hộ không hưởng lợi đã tự làm theo mô hình.",
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
            tr(
                lang,
                "No outcome observation after the end date: whether results held is unknown.",
                "Không có số liệu kết quả sau ngày kết thúc: chưa biết kết quả có được duy trì không.",
            ),
        )
        return
    parts = []
    for _, r in table.iterrows():
        held = _pct(r["held"]) if r["held"] is not None and not pd.isna(r["held"]) else "—"
        if r["slope"] is not None and not pd.isna(r["slope"]):
            slope = f" ({round(r['slope'], 2) + 0.0:+.2f}/{tr(lang, 'year', 'năm')} {r['post_years']})"
        else:
            slope = f" ({r['post_years']})"
        parts.append(f"{r['indicator']} {held}{slope}")
    result.find(
        tr(
            lang,
            "Share of the gain held after support ended, by indicator (post-end slope): "
            + "; ".join(parts)
            + ".",
            "Tỷ lệ kết quả được giữ sau khi kết thúc hỗ trợ, theo chỉ tiêu (độ dốc sau hỗ trợ): "
            + "; ".join(parts)
            + ".",
        ),
        "medium",
        held={r["indicator"]: r["held"] for _, r in table.iterrows()},
    )


def _local_funding(result: CriterionResult, share: float | None, money: pd.DataFrame) -> None:
    lang = result.lang
    if share is None:
        result.find(
            tr(
                lang,
                "No expenditure is recorded after the end date: either no one carries the recurrent costs"
                " or they are not reported.",
                "Không có khoản chi nào được ghi nhận sau ngày kết thúc: hoặc không ai chi trả chi phí thường"
                " xuyên, hoặc chưa được báo cáo.",
            ),
        )
        result.recommend(
            tr(
                lang,
                "Agree who pays the recurrent costs (local budget, community) and record them after the end.",
                "Thống nhất nguồn chi trả chi phí thường xuyên (ngân sách địa phương, cộng đồng) và ghi nhận"
                " sau khi kết thúc.",
            ),
        )
        return
    total = float(money["amount"].sum())
    result.find(
        tr(
            lang,
            f"After the end, {total:,.1f} million VND was spent, {_pct(share)} of it from local budget,"
            " community or beneficiaries.",
            f"Sau khi kết thúc, đã chi {total:,.1f} triệu đồng, trong đó {_pct(share)} từ ngân sách địa"
            " phương, cộng đồng hoặc người hưởng lợi.",
        ),
        "high",
        after_end_million_vnd=total,
        local_share=share,
    )


def _handover(result: CriterionResult, scored: SustainabilityScores) -> None:
    lang, status, hand = result.lang, scored.handover, scored.scores["handover"]
    if hand is None and status is None and not scored.activities_recorded:
        result.find(
            tr(
                lang,
                "No activities are recorded, so a handover cannot be checked.",
                "Không có hoạt động nào được ghi nhận nên chưa kiểm tra được việc bàn giao.",
            )
        )
    elif status is None:
        result.find(
            tr(
                lang,
                "No handover to the locality is recorded among the activities.",
                "Không có hoạt động bàn giao cho địa phương trong danh sách hoạt động.",
            ),
            "medium",
            handover=None,
        )
    else:
        result.find(
            tr(
                lang,
                f"The handover to the locality is recorded as {status}.",
                f"Hoạt động bàn giao cho địa phương: {STATUS_VI.get(status, status)}.",
            ),
            "high",
            handover=status,
        )
    if not hand and not scored.running:
        result.recommend(
            tr(
                lang,
                "Hand the model over formally to the commune or district, with who maintains what.",
                "Bàn giao chính thức mô hình cho xã hoặc huyện, xác định rõ ai duy trì phần việc nào.",
            ),
        )
