"""Sustainability: hand-computed building blocks, assess() on hand-made frames, and the sample's stories."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import matplotlib
import pytest

from mel_core.criteria import sustainability as sus
from mel_core.criteria.data import ProgrammeData
from tests import criteria_frames_rcs as f

matplotlib.use("Agg")


def _households() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    # treated at the post round: 1, 1, 1, 0 still practise → 0.75; the endline (all 0) must not count
    rows += [{"round": "post", "group": "treatment", "continues_model": v} for v in (1, 1, 1, 0)]
    rows += [{"round": "endline", "group": "treatment", "continues_model": 0} for _ in range(4)]
    # comparison at the post round: 1 of 5 copied the model → 0.2
    rows += [{"round": "post", "group": "comparison", "replicated_model": v} for v in (1, 0, 0, 0, 0)]
    return rows


def test_survey_share() -> None:
    survey = f.survey(_households())
    assert sus.survey_share(survey, "post", "treatment", "continues_model") == (0.75, 4)
    assert sus.survey_share(survey, "post", "comparison", "replicated_model") == (0.2, 5)
    assert sus.survey_share(survey, "post", "treatment", "no_such_variable") == (None, 0)
    assert sus.survey_share(survey, "midline", "treatment", "continues_model") == (None, 0)


def test_replication_score() -> None:
    assert sus.replication_score(0.1, 0.2) == pytest.approx(0.5)  # 0.1/0.2
    assert sus.replication_score(0.3, 0.2) == 1.0
    assert sus.replication_score(None) is None
    with pytest.raises(ValueError):
        sus.replication_score(0.1, 0.0)


def test_held_share_one_point() -> None:
    # gain 20 − 10 = 10; after 18: (10 + (18 − 20))/10 = 0.8
    out = sus.held_share(10.0, 20.0, [2016.0], [18.0], "increase")
    assert out == {"gain": 10.0, "after": 18.0, "slope": None, "held": pytest.approx(0.8)}


def test_held_share_ols_on_a_falling_indicator() -> None:
    # poverty 50 → 40 at the end: gain 10. Post-end 2016, 2017, 2018: 41, 43, 42.
    # x = −2, −1, 0 (years − 2018), mean −1; y mean 42; Sxy = (−1)(−1) + 0·1 + 1·0 = 1, Sxx = 2 → slope 0.5;
    # fit at 2018 = 42 + 0.5·(0 − (−1)) = 42.5; held = (10 − (42.5 − 40))/10 = 0.75
    out = sus.held_share(50.0, 40.0, [2016.0, 2017.0, 2018.0], [41.0, 43.0, 42.0], "decrease")
    assert out["slope"] == pytest.approx(0.5)
    assert out["after"] == pytest.approx(42.5)
    assert out["held"] == pytest.approx(0.75)


def test_held_share_edges() -> None:
    # no baseline: a level kept every period, 80 → 76: 1 + (76 − 80)/80 = 0.95
    assert sus.held_share(None, 80.0, [2016.0], [76.0], "increase")["held"] == pytest.approx(0.95)
    # nothing gained by the end: nothing to hold
    assert sus.held_share(20.0, 18.0, [2016.0], [25.0], "increase")["held"] is None
    # still rising after the end: capped at 1; lost more than the gain: 0
    assert sus.held_share(10.0, 20.0, [2016.0], [30.0], "increase")["held"] == 1.0
    assert sus.held_share(10.0, 20.0, [2016.0], [5.0], "increase")["held"] == 0.0


def test_programme_series() -> None:
    obs = f.observations([("A", "2015", "VN", 5.0), ("A", "2015", "11", 4.0), ("B", "2015", "11", 3.0),
                          ("C", "2015", "11", 1.0), ("C", "2015", "12", 2.0)])  # fmt: skip
    split = f.observations([("B", "2015", "11", 9.0)], disaggregation="sex=female")
    obs = f.pd.concat([obs, split], ignore_index=True)
    assert list(sus.programme_series(obs, "A")["value"]) == [5.0]  # the "VN" total
    assert list(sus.programme_series(obs, "B")["value"]) == [3.0]  # the one province, no disaggregation
    assert sus.programme_series(obs, "C").empty  # two provinces and no total: not guessed


def _ended() -> ProgrammeData:
    indicators = [
        f.indicator("OC1", baseline_value=10.0),
        f.indicator("IM1", "impact", direction="decrease", baseline_value=50.0),
        f.indicator("OC3", cumulative=True, baseline_value=0.0),  # cumulative: cannot fall, left out
        f.indicator("OP1", "output", baseline_value=0.0),  # outputs are not results: left out
    ]
    observations = f.observations([
        ("OC1", "2014", "11", 15.0), ("OC1", "2015", "11", 20.0), ("OC1", "2016", "11", 18.0),
        ("IM1", "2015", "11", 40.0), ("IM1", "2016", "11", 41.0), ("IM1", "2017", "11", 43.0),
        ("IM1", "2018", "11", 42.0), ("OC3", "2015", "11", 100.0), ("OC3", "2016", "11", 50.0),
        ("OP1", "2015", "11", 10.0), ("OP1", "2016", "11", 1.0),
    ])  # fmt: skip
    expenditures = f.expenditures([
        ("2015", "central_budget", 1000.0, 1000.0),  # during the programme: not counted
        ("2016", "local_budget", 100.0, 80.0),
        ("2016", "donor", 50.0, None),  # nothing disbursed recorded: the planned 50 counts
        ("2017", "community", 20.0, 20.0),
    ])  # fmt: skip
    return f.data(indicators=indicators, observation_rows=observations, expenditure_rows=expenditures,
                  activity_rows=f.activities([("Tập huấn", "done"), ("Bàn giao mô hình cho xã", "done")]),
                  survey_rows=f.survey(_households()))  # fmt: skip


def test_post_trend_table_and_local_funding() -> None:
    data = _ended()
    table = sus.post_trend_table(data)
    assert list(table["indicator"]) == ["OC1", "IM1"]
    assert list(table["held"]) == pytest.approx([0.8, 0.75])  # as in the two held_share cases above
    assert sus.post_trend_score(table) == pytest.approx(0.775)
    share, money = sus.local_funding(data.expenditures, date(2015, 12, 31))
    # local 80 + community 20 = 100 of 80 + 50 + 20 = 150
    assert share == pytest.approx(100 / 150)
    assert dict(zip(money["source"], money["amount"], strict=True)) == {"community": 20.0, "donor": 50.0,
                                                                        "local_budget": 80.0}  # fmt: skip
    nothing, after = sus.local_funding(data.expenditures, date(2017, 12, 31))  # nothing recorded after 2017
    assert nothing is None and after.empty


@pytest.mark.parametrize(
    ("rows", "running", "expected"),
    [
        ([("Bàn giao mô hình", "done")], False, (1.0, "done")),
        ([("Bàn giao mô hình", "planned")], True, (0.5, "planned")),
        ([("Bàn giao mô hình", "planned")], False, (0.0, "planned")),
        ([("Bàn giao mô hình", "cancelled")], False, (0.0, "cancelled")),
        ([("HANDOVER of the model", "stopped")], False, (0.0, "stopped")),
        ([(unicodedata.normalize("NFD", "BÀN GIAO"), "done")], False, (1.0, "done")),
        ([("Tập huấn", "done")], False, (0.0, None)),
        ([("Tập huấn", "done")], True, (None, None)),
        ([], False, (None, None)),
    ],
    ids=["done", "planned-running", "planned-ended", "cancelled", "english-stopped", "nfd", "absent-ended",
         "absent-running", "no-activities"],
)  # fmt: skip
def test_handover_score(
    rows: list[tuple[str, str]], running: bool, expected: tuple[float | None, str | None]
) -> None:
    assert sus.handover_score(f.activities(rows), running) == expected


def test_assess_hand_made() -> None:
    result = sus.assess(_ended(), None, lang="en")
    assert result.scores == pytest.approx({"continuation": 0.75, "replication": 1.0, "post_trend": 0.775,
                                           "local_funding": 100 / 150, "handover": 1.0})  # fmt: skip
    # (2·0.75 + 1 + 0.775 + 0.6667 + 1)/6 = 0.8236 → level 4 (≥ 0.75)
    assert result.rating is not None and result.rating.level == 4
    assert result.rating.evidence["score"] == pytest.approx((1.5 + 1 + 0.775 + 100 / 150 + 1) / 6)
    # a stricter replication benchmark: 0.2/0.4 = 0.5 → (1.5 + 0.5 + 0.775 + 0.6667 + 1)/6 = 0.7403 → level 3
    strict = sus.assess(_ended(), None, lang="vi", replication_full=0.4)
    assert strict.scores["replication"] == pytest.approx(0.5)
    assert strict.rating is not None and strict.rating.level == 3
    assert any("75%" in x.statement and "4 hộ" in x.statement for x in strict.findings)
    json.dumps(result.to_json())
    assert len(sus.charts(result)) == 2


def test_running_programme_is_not_rated() -> None:
    data = f.data(start=date(2022, 1, 1), end=date(2028, 12, 31), as_of=date(2025, 6, 30),
                  activity_rows=f.activities([("Bàn giao mô hình", "planned")]),
                  survey_rows=f.survey([{"round": "midline", "group": "treatment", "continues_model": 1}]))  # fmt: skip
    result = sus.assess(data, None, lang="en")
    assert result.scores == {"continuation": None, "replication": None, "post_trend": None, "local_funding": None,
                             "handover": 0.5}  # fmt: skip
    assert result.rating is not None and result.rating.level is None
    assert "still running" in result.findings[0].statement


def test_ended_without_evidence_is_not_rated() -> None:
    result = sus.assess(f.data(), None, lang="vi")
    assert all(v is None for v in result.scores.values())
    assert result.rating is not None and result.rating.label == "chưa đủ căn cứ để xếp hạng"


def test_sample_stories() -> None:
    pf, programmes = f.sample_store()
    results = {code: sus.assess(d, pf, lang="en") for code, d in programmes.items()}
    levels = {code: r.rating.level if r.rating else None for code, r in results.items()}
    assert (levels["DB-BSS-2011"] or 0) >= 3 and (levels["YB-GA-2014"] or 0) >= 3  # likely or better
    assert levels["KT-KEO-2012"] is not None and levels["KT-KEO-2012"] <= 2  # less than likely or worse
    # what the data says: the share still practising at the post round, straight from the survey
    for code in ("DB-BSS-2011", "KT-KEO-2012"):
        survey = programmes[code].survey
        post = survey[(survey["round"] == "post") & (survey["group"] == "treatment")]
        assert results[code].scores["continuation"] == pytest.approx(post["continues_model"].mean())
    assert results["KT-KEO-2012"].scores["handover"] == 0.0  # cancelled
    assert results["DB-BSS-2011"].scores["handover"] == 1.0
    # still running: no post round, not rated; the planned handover counts half
    running = results["TH-SK-2022"]
    assert running.rating is not None and running.rating.level is None
    assert running.scores["continuation"] is None and running.scores["handover"] == 0.5
    for result in results.values():
        json.dumps(result.to_json())
