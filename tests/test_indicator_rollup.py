"""Derived values and rollup (commune → province, child → parent programme) on small hand-made frames."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from mel_core.indicators.achievement import achievement
from mel_core.indicators.derived import derive, previous_period
from mel_core.indicators.rollup import admin_rollup, is_additive, programme_rollup
from tests.criteria_frames_results import indicator, obs, target

OBS = ["indicator_code", "period", "period_start", "period_end", "admin_unit", "disaggregation", "value"]
TGT = ["indicator_code", "period", "period_start", "period_end", "admin_unit", "value", "value_high"]


def _indicators(*rows: tuple[str, str, str | None, str | None]) -> pd.DataFrame:
    """(code, unit, method, components) rows."""
    out = []
    for code, unit, method, components in rows:
        row = indicator(code, "outcome", unit=unit)
        row.update(method=method, components=components)
        out.append(row)
    return pd.DataFrame(out)


def _obs(*rows: list[object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=OBS)


def _value(frame: pd.DataFrame, code: str, period: str, unit: str = "VN") -> float:
    hit = frame[
        (frame["indicator_code"] == code) & (frame["period"] == period) & (frame["admin_unit"] == unit)
    ]
    assert len(hit) <= 1
    return float(hit["value"].iloc[0]) if len(hit) else math.nan


@pytest.mark.parametrize(
    ("label", "before"),
    [("2015", "2014"), ("2015-H1", "2014-H2"), ("2015-H2", "2015-H1"), ("2015-Q1", "2014-Q4"), ("2015-03", "2015-02"),
     ("2015-01", "2014-12"), ("2016-2020", "2011-2015")],
    ids=["year", "h1", "h2", "q1", "month", "january", "span"],
)  # fmt: skip
def test_previous_period(label, before):
    assert previous_period(label) == before


def test_derived_share_growth_average_and_icor():
    ind = _indicators(
        ("EXP", "triệu USD", None, None), ("SALES", "triệu USD", None, None),
        ("EXP_SHARE", "%", "share", "EXP;SALES"), ("EXP_GROWTH", "%", "growth_rate", "EXP"),
        ("EXP_AVG", "%", "average_growth", "EXP"), ("INV", "tỷ đồng", None, None), ("GDP", "tỷ đồng", None, None),
        ("ICOR", "lần", "icor", "INV;GDP"),
    )  # fmt: skip
    observations = _obs(
        obs("EXP", "2015", 100), obs("EXP", "2016", 110), obs("EXP", "2020", 100 * 1.06**5),
        obs("SALES", "2016", 440), obs("SALES", "2015", 0),
        obs("INV", "2016-2020", 1_200_000), obs("GDP", "2015", 1_000_000), obs("GDP", "2020", 1_250_000),
    )  # fmt: skip
    got = derive(ind, observations, periods=["2016-2020"])
    assert _value(got, "EXP_SHARE", "2016") == pytest.approx(25.0)  # 110 / 440 × 100
    assert math.isnan(_value(got, "EXP_SHARE", "2015"))  # a zero total is impossible: missing, not zero
    assert _value(got, "EXP_GROWTH", "2016") == pytest.approx(10.0)
    assert math.isnan(_value(got, "EXP_GROWTH", "2020"))  # 2019 missing: missing, never from zero
    assert _value(got, "EXP_AVG", "2016-2020") == pytest.approx(6.0)
    assert _value(got, "ICOR", "2016-2020") == pytest.approx(4.8)


def test_derived_from_derived_in_dependency_order_and_typed_values_ignored():
    ind = _indicators(
        ("A", "hộ", None, None), ("B", "hộ", None, None), ("R", "tỷ số", "ratio", "A;B"),
        ("RG", "%", "growth_rate", "R"),
    )  # fmt: skip
    observations = _obs(
        obs("A", "2015", 10),
        obs("B", "2015", 20),
        obs("A", "2016", 15),
        obs("B", "2016", 20),
        obs("R", "2016", 99),
    )
    got = derive(ind, observations)
    assert _value(got, "R", "2016") == pytest.approx(0.75)
    assert _value(got, "RG", "2016") == pytest.approx(50.0)  # 0.75 against 0.5


def test_units_that_add_up():
    assert (
        is_additive("hộ") and is_additive("triệu đồng") and is_additive("doanh nghiệp") and is_additive("ha")
    )
    for unit in ("%", "‰", "%o", "triệu đồng/ha", "tỷ lệ", "chỉ số", "lần", "triệu đồng/người/năm", "", None):
        assert not is_additive(unit), unit


def _communes() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    ind = _indicators(
        ("HH", "hộ", None, None), ("POOR", "hộ", None, None), ("RATE", "%", "share", "POOR;HH"),
        ("INCOME", "triệu đồng/người/năm", "weighted_mean", "HH"), ("TYPED_RATE", "%", None, None),
        ("FX", "đồng/USD", None, None),
    )  # fmt: skip
    observations = _obs(
        obs("HH", "2025", 100, "C1"), obs("HH", "2025", 900, "C2"),
        obs("POOR", "2025", 50, "C1"), obs("POOR", "2025", 90, "C2"),
        obs("INCOME", "2025", 20, "C1"), obs("INCOME", "2025", 40, "C2"),
        obs("TYPED_RATE", "2025", 50, "C1"), obs("TYPED_RATE", "2025", 10, "C2"),
        obs("FX", "2025", 25_000, "C1"), obs("FX", "2025", 25_000, "C2"),
        obs("HH", "2025", 70, "C3"),  # a commune of another province
    )  # fmt: skip
    return ind, observations, {"C1": "11", "C2": "11", "C3": "02"}


def test_commune_to_province_sums_counts_and_weights_rates_by_their_denominators():
    ind, observations, parents = _communes()
    child = pd.concat([observations, derive(ind, observations)], ignore_index=True)
    assert _value(child, "RATE", "2025", "C1") == 50.0 and _value(child, "RATE", "2025", "C2") == 10.0
    got = admin_rollup(ind, child, parents)
    assert _value(got, "HH", "2025", "11") == 1000
    # (50 + 90) / (100 + 900) = 14 %, not the plain average of 50 % and 10 % (30 %)
    assert _value(got, "RATE", "2025", "11") == pytest.approx(14.0)
    # income weighted by households: (20 × 100 + 40 × 900) / 1000 = 38
    assert _value(got, "INCOME", "2025", "11") == pytest.approx(38.0)
    # a typed-in rate without a denominator has no fair rollup: missing, never averaged
    assert math.isnan(_value(got, "TYPED_RATE", "2025", "11"))
    # a level every commune shares (an exchange rate) stays itself
    assert _value(got, "FX", "2025", "11") == 25_000
    # the parent mapping is applied as given: C3's province "02" gets its own row
    assert _value(got, "HH", "2025", "02") == 70


def test_weighted_mean_without_every_weight_is_missing_and_own_figures_win():
    ind, observations, parents = _communes()
    observations = observations[
        ~((observations["indicator_code"] == "HH") & (observations["admin_unit"] == "C2"))
    ]
    own = _obs(obs("POOR", "2025", 123, "11"))
    got = admin_rollup(ind, pd.concat([observations, own], ignore_index=True), parents)
    assert math.isnan(_value(got, "INCOME", "2025", "11"))
    assert math.isnan(_value(got, "POOR", "2025", "11"))  # reported by the province itself: not repeated


def test_achievement_reads_province_targets_from_communes():
    ind, observations, parents = _communes()
    targets = pd.DataFrame([target("RATE", "2025", 15, unit="11"), target("HH", "2025", 1200, unit="11")],
                           columns=TGT)  # fmt: skip
    table = achievement(ind, targets, observations, parents=parents).set_index("indicator_code")
    assert table.loc["RATE", "actual"] == pytest.approx(14.0) and not table.loc["RATE", "met"]
    assert table.loc["HH", "actual"] == 1000 and table.loc["HH", "ratio"] == pytest.approx(1000 / 1200)
    without = achievement(ind, targets, observations)
    assert without["actual"].isna().all()


def test_child_programmes_roll_up_into_their_parent():
    parent = _indicators(
        ("HH", "hộ", None, None), ("POOR", "hộ", None, None), ("RATE", "%", "share", "POOR;HH")
    )
    a = _obs(obs("HH", "2025", 100), obs("POOR", "2025", 50), obs("HH", "2025", 100, "11"))
    b = _obs(obs("HH", "2025", 300), obs("POOR", "2025", 30), obs("OTHER", "2025", 5))
    got = programme_rollup(parent, [("A", a), ("B", b)])
    assert _value(got, "HH", "2025") == 400 and _value(got, "HH", "2025", "11") == 100
    assert _value(got, "RATE", "2025") == pytest.approx(20.0)  # 80 / 400, not (50 % + 10 %) / 2
    assert "OTHER" not in set(got["indicator_code"])


def test_achievement_is_vectorised_on_a_large_frame():
    rng = np.random.default_rng(6)
    communes = [f"C{n:05d}" for n in range(2_000)]
    periods = [str(y) for y in range(2011, 2021)]
    codes = ["HH", "POOR"]
    index = pd.MultiIndex.from_product(
        [codes, periods, communes], names=["indicator_code", "period", "admin_unit"]
    )
    frame = index.to_frame(index=False)
    dates = {p: (pd.Timestamp(f"{p}-01-01").date(), pd.Timestamp(f"{p}-12-31").date()) for p in periods}
    frame["period_start"] = frame["period"].map(lambda p: dates[p][0])
    frame["period_end"] = frame["period"].map(lambda p: dates[p][1])
    frame["disaggregation"] = ""
    frame["value"] = rng.integers(10, 500, len(frame)).astype(float)
    observations = frame[OBS]
    targets = observations.rename(columns={"value": "value"}).assign(value_high=np.nan)[TGT]
    ind = _indicators(("HH", "hộ", None, None), ("POOR", "hộ", None, None), ("RATE", "%", "share", "POOR;HH"))
    parents = {c: "11" if n % 2 else "12" for n, c in enumerate(communes)}
    started = time.perf_counter()
    table = achievement(ind, targets, observations, parents=parents)
    elapsed = time.perf_counter() - started
    assert len(table) == len(targets) and table["met"].all()
    assert elapsed < 20  # 40,000 targets: a row-by-row loop takes minutes
