import json
import math
from datetime import date
from types import SimpleNamespace

import pytest
from sqlmodel import Session

from mel_core.criteria import efficiency
from mel_core.criteria.data import load_portfolio, load_programme
from mel_core.demo.sample import DATA_UNTIL
from tests.criteria_frames_results import (
    activity,
    indicator,
    money,
    obs,
    portfolio,
    programme_data,
    sample_engine,
)

EXPENDITURES = [
    money("2011", "central_budget", 100.0, 90.0),
    money("2011", "beneficiary", 20.0, 20.0),
    money("2012", "central_budget", 60.0, 66.0),
    money("2012", "community", 20.0, 14.0),
    money("2016", "local_budget", 50.0, 50.0),  # after the end (2015): sustainability's money
    money("2030", "central_budget", 10.0, None),  # not ended by as_of
]
ACTIVITIES = [
    activity("A1", date(2011, 1, 1), date(2011, 1, 20)),  # 19 days late: on time
    activity("A2", date(2011, 2, 1), date(2011, 3, 16)),  # 43 days late
    activity("A3", date(2012, 1, 1), None, "cancelled"),
    activity("A4", date(2012, 2, 1), date(2012, 2, 11), "stopped"),  # held 10 days late, then stopped
    activity("A5", date(2012, 5, 1), None, "planned"),  # overdue
    activity("A6", date(2031, 1, 1), None, "planned"),  # not due yet
]


def _data(**kw):
    base = dict(
        indicators=[indicator("OP1", "output", cumulative=True, baseline=0)],
        observations=[obs("OP1", "2012", 80, "11"), obs("OP1", "2015", 100, "11")],
        expenditures=EXPENDITURES,
        activities=ACTIVITIES,
    )
    base.update(kw)
    return programme_data(**base)


def test_programme_money_keeps_the_programme_years_that_ended():
    data = _data()
    kept = efficiency.programme_money(data.expenditures, date(2011, 1, 1), date(2015, 12, 31), data.as_of)
    assert sorted(set(kept["period"])) == ["2011", "2012"]


def test_disbursement_table_and_score():
    data = _data()
    kept = efficiency.programme_money(data.expenditures, date(2011, 1, 1), date(2015, 12, 31), data.as_of)
    table = efficiency.disbursement_table(kept).set_index(["period", "source"])
    # planned 100 + 20 + 60 + 20 = 200, disbursed 90 + 20 + 66 + 14 = 190 → 0.95
    assert table.loc[("total", "total"), "rate"] == pytest.approx(0.95)
    # 2012: (66 + 14) / (60 + 20) = 1.0; central budget over both years: 156 / 160 = 0.975
    assert table.loc[("2012", "total"), "rate"] == pytest.approx(1.0)
    assert table.loc[("total", "central_budget"), "rate"] == pytest.approx(0.975)
    assert efficiency.disbursement_score(0.95) == pytest.approx(0.95)
    assert efficiency.disbursement_score(1.10) == pytest.approx(0.90)  # over-spending loses too
    assert efficiency.disbursement_score(2.5) == 0.0
    assert efficiency.disbursement_score(math.nan) is None


def test_timeliness_by_hand():
    acts = efficiency.timeliness(_data().activities, date(2020, 1, 1), tolerance_days=30)
    # due: A1–A5 (A6 is in 2031); on time: A1 only (A2 43 days late, A3 cancelled, A4 stopped, A5 overdue)
    assert list(acts["code"]) == ["A1", "A2", "A3", "A4", "A5"]
    assert list(acts["on_time"]) == [True, False, False, False, False]
    # delays of the held ones: 19, 43, 10 → median 19
    assert acts["delay_days"].median() == 19
    assert math.isnan(acts.loc[acts["code"] == "A3", "delay_days"].iloc[0])
    # a 45-day tolerance puts A2 on time as well
    assert efficiency.timeliness(_data().activities, date(2020, 1, 1), 45)["on_time"].sum() == 2


@pytest.mark.parametrize(
    ("own", "peers", "expected"),
    [
        (20.0, [10.0, 20.0, 30.0, 40.0], 0.625),  # 2 dearer + ½ tie over 4
        (50.0, [10.0, 20.0], 0.0),  # the dearest
        (5.0, [10.0, 20.0], 1.0),  # the cheapest
        (5.0, [10.0], None),  # one peer is not a benchmark
    ],
)
def test_percentile_cheaper(own, peers, expected):
    assert efficiency.percentile_cheaper(own, peers) == expected


def test_cost_per_household_and_cofinancing():
    pf = portfolio([("A", "livestock", date(2015, 12, 31), 100, 2000.0), ("B", "livestock", None, 0, 500.0)])
    costs = efficiency.cost_per_household(pf)
    assert list(costs["code"]) == ["A"] and costs["cost_per_household"].iloc[0] == 20.0
    data = _data()
    kept = efficiency.programme_money(data.expenditures, date(2011, 1, 1), date(2015, 12, 31), data.as_of)
    # beneficiary 20 + community 14 over 190 disbursed
    assert efficiency.cofinancing_share(kept) == pytest.approx(34 / 190)


def test_cost_per_impact():
    assert efficiency.cost_per_impact(9600.0, 320.0, 8.0) == pytest.approx(3.75)  # 9600 / (320 × 8)
    assert efficiency.cost_per_impact(9600.0, 320.0, -1.0) is None
    assert efficiency.cost_per_impact(9600.0, 0.0, 8.0) is None


PEERS = [
    ("P1", "livestock", date(2015, 12, 31), 100, 1900.0),  # 19.0 a household
    ("Q", "livestock", date(2016, 12, 31), 100, 1500.0),  # 15.0
    ("R", "livestock", date(2017, 12, 31), 100, 2500.0),  # 25.0
    ("S", "livestock", date(2018, 12, 31), 100, 3000.0),  # 30.0
    ("T", "crops", date(2016, 12, 31), 100, 100.0),  # another sector
    ("U", "livestock", date(2030, 12, 31), 100, 100.0),  # still running: not a peer
]


def test_assess_by_hand():
    result = efficiency.assess(_data(), portfolio(PEERS), impact_estimate=2.0)
    # disbursement 0.95; timeliness 1/5 = 0.2; benchmark: 19 against 15, 25, 30 → 2/3 dearer;
    # co-financing 34/190 = 0.17895 against 0.2 → 0.89474
    assert result.scores["disbursement"] == pytest.approx(0.95)
    assert result.scores["timeliness"] == pytest.approx(0.2)
    assert result.scores["cost_benchmark"] == pytest.approx(2 / 3)
    assert result.scores["cofinancing"] == pytest.approx(34 / 190 / 0.2)
    # score = (0.95 + 0.2 + 0.6667 + 0.5 · 0.89474) / 3.5 = 0.6470 → level 3 (≥ 0.6)
    expected = (0.95 + 0.2 + 2 / 3 + 0.5 * 34 / 190 / 0.2) / 3.5
    assert result.rating.evidence["score"] == pytest.approx(expected)
    assert result.rating.level == 3
    # cost per unit of impact: 190 / (100 households × 2.0) = 0.95
    assert result.metrics["cost_per_unit_of_impact"] == pytest.approx(0.95)
    # cost per output unit: 190 / 100 (OP1's last figure)
    assert result.tables["cost_per_output"]["cost_per_unit"].iloc[0] == pytest.approx(1.9)
    assert any("Activities on time (within 30 days): 1 of 5 (20%); median delay 19 days" in f.statement
               for f in result.findings)  # fmt: skip
    json.dumps(result.to_json())


def test_assess_negative_effect_is_not_costed():
    result = efficiency.assess(_data(), portfolio(PEERS), impact_estimate=-0.5)
    assert "cost_per_unit_of_impact" not in result.metrics
    assert any("the effect is not positive" in f.statement for f in result.findings)


def test_assess_uses_the_impact_module_when_no_estimate(monkeypatch):
    import mel_core.criteria.impact as impact

    effect = SimpleNamespace(
        estimate=4.0, ci_low=1.0, ci_high=7.0, variable="income_million_vnd", method="did"
    )
    monkeypatch.setattr(impact, "headline_effect", lambda data: effect, raising=False)
    result = efficiency.assess(_data(), portfolio(PEERS))
    assert result.metrics["cost_per_unit_of_impact"] == pytest.approx(190 / (100 * 4.0))
    assert not any("not distinguishable from zero" in f.statement for f in result.findings)
    fragile = SimpleNamespace(
        estimate=0.5, ci_low=-1.0, ci_high=2.0, variable="income_million_vnd", method="did"
    )
    monkeypatch.setattr(impact, "headline_effect", lambda data: fragile, raising=False)
    result = efficiency.assess(_data(), portfolio(PEERS))
    assert any("not distinguishable from zero (95% CI -1.00 to 2.00)" in f.statement for f in result.findings)


def test_assess_few_peers_and_running():
    few = efficiency.assess(_data(), portfolio(PEERS[:2]), impact_estimate=1.0)
    assert few.scores["cost_benchmark"] is None
    assert any("no benchmark (two are needed)" in f.statement for f in few.findings)
    running = efficiency.assess(_data(as_of=date(2013, 6, 30)), portfolio(PEERS), impact_estimate=1.0)
    assert running.scores["cost_benchmark"] is None
    assert any("still running" in f.statement for f in running.findings)


def test_assess_without_evidence_is_not_rated():
    data = _data(expenditures=[], activities=[])
    result = efficiency.assess(data, None, lang="vi", impact_estimate=1.0)
    assert result.scores == {
        "disbursement": None,
        "timeliness": None,
        "cost_benchmark": None,
        "cofinancing": None,
    }
    assert result.rating.level is None and result.rating.label == "chưa đủ căn cứ để xếp hạng"


def test_assess_rejects_bad_options():
    with pytest.raises(TypeError):
        efficiency.assess(_data(), bogus=1)
    with pytest.raises(ValueError):
        efficiency.assess(_data(), cofinancing_goal=0)


# ------------------------------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    engine = sample_engine(tmp_path_factory.mktemp("efficiency"))
    with Session(engine) as session:
        pf = load_portfolio(session)
        data = {code: load_programme(session, code, as_of=DATA_UNTIL) for code in pf.programmes["code"]}
    engine.dispose()
    return {code: efficiency.assess(d, pf) for code, d in data.items()}, pf


def test_sample_success_more_efficient_than_failure(sample):
    results, _ = sample
    success, failure = results["DB-BSS-2011"], results["KT-KEO-2012"]
    # the failure's long delays and cancellations show in timeliness
    assert success.scores["timeliness"] > failure.scores["timeliness"]
    assert success.rating.level > failure.rating.level


def test_sample_livestock_benchmark(sample):
    results, pf = sample
    livestock = pf.programmes[
        (pf.programmes["sector"] == "livestock") & (pf.programmes["end_date"] <= DATA_UNTIL)
    ]
    cost = livestock["disbursed_million_vnd"] / livestock["households"]
    cheapest, dearest = livestock["code"][cost.idxmin()], livestock["code"][cost.idxmax()]
    assert results[cheapest].scores["cost_benchmark"] == 1.0
    assert results[dearest].scores["cost_benchmark"] == 0.0
    # forestry has one programme: no benchmark, and the finding says so
    assert results["KT-KEO-2012"].scores["cost_benchmark"] is None


def test_sample_results_are_json_and_chart(sample):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, _ = sample
    for result in results.values():
        json.dumps(result.to_json())
    figures = efficiency.charts(results["DB-BSS-2011"])
    assert len(figures) == 2
    for fig in figures:
        plt.close(fig)
