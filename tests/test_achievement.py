import math

import pandas as pd
import pytest

from mel_core.indicators.achievement import achievement, final_targets, gaps, latest_assessed, score_target
from tests.criteria_frames_results import indicator, obs, programme_data, target


@pytest.mark.parametrize(
    ("args", "met", "ratio", "distance", "progress"),
    [
        # 100 → 200 planned, 150 reached: ratio 150/200 = 0.75, distance (150−100)/(200−100) = 0.5
        ((200, None, 150, "increase", 100), False, 0.75, 0.5, 0.5),
        # poverty 58 → 40 planned, 37 reached: ratio 40/37, distance (37−58)/(40−58) = 21/18 → capped 1
        ((40, None, 37, "decrease", 58), True, 40 / 37, 21 / 18, 1.0),
        # range 85–92 without baseline, 42.7 reached: ratio 42.7/85 = 0.50235, progress = ratio
        ((85, 92, 42.7, "increase", None), False, 42.7 / 85, math.nan, 42.7 / 85),
        # falling range 20–25 from 30, 26 reached: threshold 25, distance (26−30)/(25−30) = 0.8
        ((20, 25, 26, "decrease", 30), False, 25 / 26, 0.8, 0.8),
        # moved the wrong way: 100 → 200 planned, 90 reached: distance −0.1 → progress 0
        ((200, None, 90, "increase", 100), False, 0.45, -0.1, 0.0),
    ],
    ids=["up-partial", "down-met", "range-no-baseline", "down-range", "wrong-way"],
)
def test_score_target(args, met, ratio, distance, progress):
    got = score_target(*args)
    assert got["met"] is met
    assert got["ratio"] == pytest.approx(ratio)
    assert (math.isnan(got["distance"]) and math.isnan(distance)) or got["distance"] == pytest.approx(
        distance
    )
    assert got["progress"] == pytest.approx(progress)


def test_score_target_missing_actual_is_missing_not_zero():
    got = score_target(200, None, math.nan, "increase", 100)
    assert got["met"] is None and math.isnan(got["progress"]) and math.isnan(got["ratio"])


def test_score_target_within_only_for_ranges():
    assert score_target(85, 92, 90, "increase", None)["within"] is True
    assert score_target(85, 92, 95, "increase", None)["within"] is False
    assert score_target(85, None, 90, "increase", None)["within"] is None


def _frames():
    data = programme_data(
        indicators=[indicator("OP1", "output", cumulative=True, baseline=0),
                    indicator("IM1", "impact", direction="decrease", baseline=58)],
        targets=[target("OP1", "2012", 100), target("OP1", "2013", 200), target("OP1", "2014", 300),
                 target("IM1", "2011-2015", 40), target("IM1", "2013", 50)],
        observations=[obs("OP1", "2012", 90, "11"), obs("OP1", "2013-H1", 150, "11"), obs("OP1", "2013-H2", 210, "11"),
                      obs("IM1", "2013", 52, "11"), obs("IM1", "2015", 37, "11"), obs("IM1", "2015", 36, "VN"),
                      obs("IM1", "2015", 45, "11", "sex=female"), obs("OP1", "2016", 330, "11")],
    )  # fmt: skip
    return data


def test_achievement_matches_periods_units_and_keeps_missing_missing():
    data = _frames()
    table = achievement(data.indicators, data.targets, data.observations, single_unit="11")
    row = table.set_index(["indicator_code", "period"])
    # the same period: OP1 2012, 90 against 100
    assert row.loc[("OP1", "2012"), "actual"] == 90 and not row.loc[("OP1", "2012"), "met"]
    # a year against half-years: the latest inside (2013-H2, 210 ≥ 200), a running total for a cumulative indicator
    assert (
        row.loc[("OP1", "2013"), "actual"] == 210 and row.loc[("OP1", "2013"), "actual_period"] == "2013-H2"
    )
    assert row.loc[("OP1", "2013"), "complete"]
    # no figure for 2014: NaN and <NA>, never zero
    assert math.isnan(row.loc[("OP1", "2014"), "actual"]) and pd.isna(row.loc[("OP1", "2014"), "met"])
    # the span 2011-2015: the latest figure inside; a "VN" figure (36) wins over the province's (37)
    assert row.loc[("IM1", "2011-2015"), "actual"] == 36 and row.loc[("IM1", "2011-2015"), "met"]
    # a falling indicator: 52 against 50 is not met; distance (52−58)/(50−58) = 0.75
    assert row.loc[("IM1", "2013"), "progress"] == pytest.approx(0.75)
    assert set(table["admin_unit"]) == {"VN"}


def test_achievement_without_single_unit_leaves_province_figures_out_of_whole_programme():
    data = _frames()
    table = achievement(data.indicators, data.targets, data.observations)
    assert table.loc[table["indicator_code"] == "OP1", "actual"].isna().all()


def test_achievement_disaggregation_and_outer():
    data = _frames()
    women = achievement(data.indicators, data.targets, data.observations, disaggregation="sex=female",
                        single_unit="11")  # fmt: skip
    assert women.set_index(["indicator_code", "period"]).loc[("IM1", "2011-2015"), "actual"] == 45
    outer = achievement(data.indicators, data.targets, data.observations, single_unit="11", how="outer")
    unplanned = outer[outer["target"].isna() & (outer["admin_unit"] == "VN")]
    # for the whole programme, reported but not planned: OP1 2013-H1 (the year's target took 2013-H2) and 2016
    assert set(zip(unplanned["indicator_code"], unplanned["period"], strict=True)) == {
        ("OP1", "2013-H1"),
        ("OP1", "2016"),
    }
    assert unplanned["met"].isna().all()
    # the province's own rows are kept under its code (a report by province shows them)
    assert (outer["admin_unit"] == "11").any()


def test_mid_way_reading_is_not_complete_and_latest_assessed_skips_it():
    data = programme_data(
        indicators=[indicator("OC1", "outcome", baseline=10)],
        targets=[target("OC1", "2022-2028", 70), target("OC1", "2024", 30), target("OC1", "2025", 40)],
        observations=[obs("OC1", "2023", 20), obs("OC1", "2024", 31)],
    )
    table = achievement(data.indicators, data.targets, data.observations)
    span = table[table["period"] == "2022-2028"].iloc[0]
    assert span["actual"] == 31 and not span["complete"]
    last = latest_assessed(table)
    # 2025 has no figure, the span is incomplete: the last assessed target is 2024 (31 ≥ 30, met)
    assert list(last["period"]) == ["2024"] and bool(last["met"].iloc[0])
    assert list(final_targets(table)["period"]) == ["2022-2028"]


def test_latest_assessed_prefers_the_span_on_a_tie():
    data = _frames()
    table = achievement(data.indicators, data.targets, data.observations, single_unit="11")
    last = latest_assessed(table).set_index("indicator_code")
    assert last.loc["IM1", "period"] == "2011-2015"
    assert last.loc["OP1", "period"] == "2013"


def test_gaps_levels_are_direction_aware_and_counts_are_shares():
    data = programme_data(
        indicators=[indicator("IM1", "impact", direction="decrease"), indicator("OC2", "outcome"),
                    indicator("OP1", "output", cumulative=True)],
        observations=[
            obs("IM1", "2024", 22.0), obs("IM1", "2024", 30.0, split="sex=female"),
            obs("IM1", "2025", 21.9), obs("IM1", "2025", 24.6, split="sex=female"),
            obs("IM1", "2025", 21.3, split="sex=male"),
            obs("OC2", "2025", 90.4), obs("OC2", "2025", 78.0, split="ethnicity=minority"),
            obs("OC2", "2025", 91.5, split="ethnicity=kinh"),
            obs("OP1", "2025", 851), obs("OP1", "2025", 187, split="sex=female"),
            obs("OP1", "2025", 664, split="sex=male"),
        ],
    )  # fmt: skip
    table = gaps(data.indicators, data.observations).set_index(["indicator_code", "group"])
    # poverty falls: reference − group = 21.3 − 24.6 = −3.3 (against women), relative −3.3/21.3; the last period only
    assert table.loc[("IM1", "female"), "gap"] == pytest.approx(-3.3)
    assert table.loc[("IM1", "female"), "relative_gap"] == pytest.approx(-3.3 / 21.3)
    assert table.loc[("IM1", "female"), "period"] == "2025"
    # income rises: 78.0 − 91.5 = −13.5
    assert table.loc[("OC2", "minority"), "gap"] == pytest.approx(-13.5)
    # counts add up to the total (187 + 664 = 851): a share 187/851, no gap
    assert table.loc[("OP1", "female"), "kind"] == "share"
    assert table.loc[("OP1", "female"), "share"] == pytest.approx(187 / 851)
    assert math.isnan(table.loc[("OP1", "female"), "gap"])


def test_gaps_empty_without_disaggregation():
    data = programme_data(indicators=[indicator("OC2", "outcome")], observations=[obs("OC2", "2025", 90.4)])
    assert gaps(data.indicators, data.observations).empty
