import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mel_core.indicators.values import TargetValue, per_period, running_total


@pytest.mark.parametrize(
    ("target", "actual", "direction", "met", "ratio"),
    [
        (TargetValue(200), 210, "increase", True, 1.05),
        (TargetValue(200), 150, "increase", False, 0.75),
        (TargetValue(30), 25, "decrease", True, 1.2),  # poverty rate fell below the 30 % target
        (TargetValue(30), 40, "decrease", False, 0.75),
        (TargetValue(6.5, 7.0), 6.6, "increase", True, 6.6 / 6.5),  # growth inside the range
        (TargetValue(6.5, 7.0), 6.0, "increase", False, 6.0 / 6.5),
        (
            TargetValue(20, 25),
            24,
            "decrease",
            True,
            25 / 24,
        ),  # falling indicator: the top of the range counts
        (TargetValue(20, 25), 26, "decrease", False, 25 / 26),
    ],
    ids=[
        "up-met",
        "up-missed",
        "down-met",
        "down-missed",
        "range-up-met",
        "range-up-missed",
        "range-down-met",
        "range-down-missed",
    ],
)
def test_targets_respect_direction_and_ranges(target, actual, direction, met, ratio):
    assert target.met_by(actual, direction) is met
    assert target.ratio(actual, direction) == pytest.approx(ratio)


def test_distance_travelled_from_the_baseline():
    # Poverty rate 45 % → target 30 %, now 38 %: 7 of 15 points travelled.
    assert TargetValue(30).distance_travelled(45, 38, "decrease") == pytest.approx(7 / 15)
    # Moving the wrong way gives a negative share.
    assert TargetValue(30).distance_travelled(45, 48, "decrease") == pytest.approx(-3 / 15)
    assert TargetValue(18, 20).distance_travelled(12, 18, "increase") == pytest.approx(1.0)
    assert math.isnan(TargetValue(12).distance_travelled(12, 14, "increase"))
    assert math.isnan(TargetValue(10).ratio(0, "decrease"))


def test_an_upside_down_range_is_refused():
    with pytest.raises(ValueError, match="upside down"):
        TargetValue(7, 6.5)


def test_cumulative_and_per_period_series():
    assert running_total([50, 80, 70]) == [50, 130, 200]
    assert per_period([50, 130, 200]) == [50, 80, 70]


@given(st.lists(st.integers(-(10**6), 10**6), max_size=20))
def test_running_total_and_per_period_are_inverse(values):
    assert per_period(running_total(values)) == [float(v) for v in values]
