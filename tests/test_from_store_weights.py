"""Weighted means from the store: weights shared, weights that are rates, weights with periods of their own.

PostgreSQL pairs each mean's values with its weights in the statement that also sums the weights (a full join),
one branch per range of periods; these cases must give the rows that achievement() gives on every row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from mel_core.indicators import store_queries
from mel_core.indicators.from_store import programme_achievement
from tests.test_from_store import in_memory, seed_store, write

QUARTERS = [f"{year}-Q{q}" for year in (2023, 2024) for q in (1, 2, 3, 4)]
MEAN_QUARTERS = QUARTERS[2:7]  # the weights also have quarters without any mean
# 11 Điện Biên; 44 Quảng Bình (pre-2025) and 45 Quảng Trị roll up together to 45
COMMUNES = [(f"W{p}-{k}", p) for p in ("11", "44", "45") for k in range(5)]
INDICATORS = [
    # code, unit, direction, method, components
    ("HH", "hộ", "increase", "", ""),  # the weight of one mean only
    ("POP", "người", "increase", "", ""),  # the weight of two means
    ("RATE", "%", "decrease", "", ""),  # kept when the communes agree; the weight of one mean
    ("INC", "triệu đồng/hộ/năm", "increase", "weighted_mean", "HH"),
    ("SHARE", "%", "increase", "weighted_mean", "POP"),
    ("SHARE2", "%", "increase", "weighted_mean", "POP"),
    ("WRATE", "%", "increase", "weighted_mean", "RATE"),
]
WEIGHTS = {"HH", "POP", "RATE"}


def dataset(folder: Path) -> Path:
    rng = np.random.default_rng(11)
    folder.mkdir()
    write(folder / "programmes.csv",
          ["code", "title", "kind", "sector", "funding", "start_date", "provinces"],
          [["WGT", "Chương trình thử bình quân gia quyền", "programme", "livestock", "state_budget",
            "2023-01-01", "11;44;45"]])  # fmt: skip
    write(folder / "indicators.csv", ["programme_code", "code", "name", "level", "unit", "direction", "method",
                                      "components"],
          [["WGT", c, f"Chỉ tiêu {c}", "outcome", u, d, m, k] for c, u, d, m, k in INDICATORS])  # fmt: skip
    obs = []
    for quarter in QUARTERS:
        for commune, province in COMMUNES:
            for code, *_ in INDICATORS:
                if code not in WEIGHTS and quarter not in MEAN_QUARTERS:
                    continue
                if rng.random() < 0.15:  # a missing figure: a mean without its weight, a weight alone
                    continue
                value = round(float(rng.uniform(1, 60)), 2)
                if code == "RATE" and province == "11":
                    value = 7.5  # every commune agrees: the province keeps it
                obs.append(["WGT", code, quarter, commune, value])
        for code in ("HH", "SHARE", "RATE"):  # provinces' own figures, which win over the rollup
            obs.append(["WGT", code, quarter, "11", 55.0])
    write(folder / "observations.csv", ["programme_code", "indicator_code", "period", "admin_unit", "value"],
          obs)  # fmt: skip
    targets = [
        ["WGT", code, period, unit, round(float(rng.uniform(5, 80)), 1)]
        for code, *_ in INDICATORS
        for period in [*QUARTERS, "2023", "2024"]
        for unit in ("11", "45")
    ]
    write(
        folder / "targets.csv", ["programme_code", "indicator_code", "period", "admin_unit", "value"], targets
    )
    return folder


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    return seed_store(engine, tmp_path, COMMUNES, dataset(tmp_path / "data"))


@pytest.mark.parametrize("groups", [store_queries.PERIOD_GROUPS, 3])
def test_weights_shared_rated_or_alone_give_the_in_memory_rows(store, groups, monkeypatch):
    monkeypatch.setattr(store_queries, "PERIOD_GROUPS", groups)  # several quarters to a branch, or one each
    fast = programme_achievement(store, "WGT")
    slow = in_memory(store)
    assert len(fast) == len(slow) == len(INDICATORS) * (len(QUARTERS) + 2) * 2
    for frame in (fast, slow):
        frame["period_start"] = frame["period_start"].astype(str)
        frame["period_end"] = frame["period_end"].astype(str)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
    by = fast.set_index(["indicator_code", "period", "admin_unit"]).sort_index()
    assert by.loc[("HH", QUARTERS[0], "45"), "actual"] > 0  # a weight's quarter without any mean
    assert by.loc[("HH", QUARTERS[0], "11"), "actual"] == 55.0  # own figure wins
    assert by.loc[("RATE", QUARTERS[1], "11"), "actual"] == 55.0
    for code in ("INC", "SHARE", "SHARE2", "WRATE"):
        assert by.loc[code, "actual"].notna().any()
