"""Every level (#16): the bulk rollup (database and in memory) follows the report forms, figures worked out by hand.

The units (codes made up for the test):

- Điện Biên (11): district D1 with communes C11 and C12; district D2 with communes C21, C22, C31 and C32, of which
  C31 and C32 were merged on 1 July 2025 into the new commune N1, directly under the province;
- Quảng Trị (45): district D5 with communes C51 and C52.

A district's own figure wins over its communes', a district without one passes its communes' on, and a
province's own figure wins over everything below it. Rates are never averaged: a weighted mean is weighted by
its weight, a rate without a weight is kept only when every unit that counts agrees, and a ratio is computed
again from its components.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from mel_core.communes import admin_parents
from mel_core.indicators.from_store import programme_achievement
from mel_core.indicators.rollup import admin_rollup
from mel_core.ingest import import_path
from mel_core.periods import parse_period
from mel_core.reports.layout import assess
from mel_core.reports.scope import province_scope
from tests.test_from_store import in_memory, write

UNITS = [
    # code, name, level, parent, successor
    ["D1", "Huyện Một", "district", "11", ""],
    ["C11", "Xã Một Một", "commune", "D1", ""],
    ["C12", "Xã Một Hai", "commune", "D1", ""],
    ["D2", "Huyện Hai", "district", "11", ""],
    ["N1", "Xã Mới", "commune", "11", ""],
    ["C21", "Xã Hai Một", "commune", "D2", ""],
    ["C22", "Xã Hai Hai", "commune", "D2", ""],
    ["C31", "Xã Ba Một", "commune", "D2", "N1"],
    ["C32", "Xã Ba Hai", "commune", "D2", "N1"],
    ["D5", "Huyện Năm", "district", "45", ""],
    ["C51", "Xã Năm Một", "commune", "D5", ""],
    ["C52", "Xã Năm Hai", "commune", "D5", ""],
]
INDICATORS = [
    # code, unit, method, components
    ("HH", "hộ", "", ""),  # a count: summed
    ("RATE", "%", "", ""),  # a rate without a weight: kept when the units that count agree
    ("INC", "triệu đồng/hộ/năm", "weighted_mean", "HH"),  # weighted by HH
    ("AREA", "ha", "", ""),
    ("FARM", "hộ", "", ""),
    ("YIELD", "ha/hộ", "ratio", "AREA;FARM"),  # computed again from the rolled-up AREA and FARM
]
FIGURES = {
    # (indicator, period): {unit: value}
    ("HH", "2024"): {"D1": 100, "C11": 30, "C12": 40, "C21": 10, "C22": 20, "C31": 5, "C32": 7,
                     "45": 500, "D5": 60, "C51": 1, "C52": 2},
    ("HH", "2026"): {"C11": 50, "C12": 60, "N1": 25, "C21": 15, "C22": 5, "C51": 3, "C52": 4},
    ("RATE", "2024"): {"D1": 12, "C11": 12, "C12": 20, "C21": 12, "C22": 12, "C31": 12, "C32": 12,
                       "D5": 9, "C51": 30},
    ("RATE", "2026"): {"C11": 10, "C12": 11, "N1": 10, "C51": 8, "C52": 8},
    ("INC", "2024"): {"D1": 20, "C11": 10, "C12": 40, "C21": 15, "C22": 30, "C31": 10, "C32": 5, "C51": 10,
                      "C52": 20},
    ("INC", "2026"): {"C11": 12, "C12": 20, "N1": 8, "C21": 10, "C22": 30},
    ("AREA", "2024"): {"D1": 50, "C11": 9, "C12": 12, "C21": 3, "C22": 4, "45": 80, "C51": 1},
    ("FARM", "2024"): {"D1": 20, "C11": 4, "C12": 5, "C21": 2, "C22": 3, "45": 40, "D5": 6},
}  # fmt: skip
PERIODS = ["2024", "2026"]

# Worked out by hand
EXPECTED = {
    # 11 in 2024: D1's own 100 (not 30 + 40) + D2 from its communes 10 + 20 + 5 + 7 = 42
    ("HH", "2024", "11"): 142.0,
    ("HH", "2024", "45"): 500.0,  # the province's own figure (not 500 + 60, nor + 1 + 2)
    # after the reform: C11 + C12 through D1 (no figure of its own), N1 (the merged C31 and C32), C21 + C22
    ("HH", "2026", "11"): 50 + 60 + 25 + 15 + 5,
    ("HH", "2026", "45"): 7.0,  # no province or district figure: C51 + C52 through D5
    # D1's own 12 wins over C12's 20; D2's communes all say 12: the province keeps 12
    ("RATE", "2024", "11"): 12.0,
    ("RATE", "2024", "45"): 9.0,  # D5's own 9 wins over C51's 30
    ("RATE", "2026", "11"): math.nan,  # C11 10 and C12 11 disagree: D1 missing, so the province too
    ("RATE", "2026", "45"): 8.0,
    # Σ INC·HH / Σ HH over the figures that count: D1 (20 × 100), C21, C22, C31, C32
    ("INC", "2024", "11"): (20 * 100 + 15 * 10 + 30 * 20 + 10 * 5 + 5 * 7) / (100 + 10 + 20 + 5 + 7),
    # D5 reported its households but no income: its communes' incomes, each weighted by its own households
    ("INC", "2024", "45"): (10 * 1 + 20 * 2) / (1 + 2),
    ("INC", "2026", "11"): (12 * 50 + 20 * 60 + 8 * 25 + 10 * 15 + 30 * 5) / 155,
    # AREA: D1's own 50 + D2's 3 + 4; FARM: D1's own 20 + D2's 2 + 3
    ("AREA", "2024", "11"): 50 + 3 + 4,
    ("AREA", "2024", "45"): 80.0,
    ("FARM", "2024", "11"): 20 + 2 + 3,
    ("FARM", "2024", "45"): 40.0,  # the province's own (not + D5's 6)
    ("YIELD", "2024", "11"): (50 + 3 + 4) / (20 + 2 + 3),
    ("YIELD", "2024", "45"): 80 / 40,  # the province's own components
}


def dataset(folder: Path) -> Path:
    folder.mkdir()
    write(
        folder / "programmes.csv",
        ["code", "title", "kind", "sector", "funding", "start_date", "provinces"],
        [["LV", "Chương trình thử các cấp", "programme", "livestock", "state_budget", "2024-01-01", "11;45"]],
    )
    write(
        folder / "indicators.csv",
        ["programme_code", "code", "name", "level", "unit", "direction", "method", "components"],
        [["LV", c, f"Chỉ tiêu {c}", "outcome", u, "increase", m, k] for c, u, m, k in INDICATORS],
    )
    write(
        folder / "observations.csv",
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        [["LV", code, period, unit, value] for (code, period), units in FIGURES.items() for unit, value in
         units.items()],
    )  # fmt: skip
    write(
        folder / "targets.csv",
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        [["LV", code, period, unit, 10.0] for code, *_ in INDICATORS for period in PERIODS for unit in ("11", "45")],
    )  # fmt: skip
    return folder


def units_store(
    engine: Engine, tmp_path: Path, units: list[list[str]], data: Callable[[Path], Path]
) -> Engine:
    """The store with the admin units ``units`` (rows as :data:`UNITS`), then the programmes ``data`` writes into
    the folder it is given."""
    folder = tmp_path / "units"
    folder.mkdir()
    write(folder / "admin_units.csv", ["code", "name", "level", "parent_code", "successor_code"], units)
    import_path(engine, folder)
    import_path(engine, data(tmp_path / "data"))
    return engine


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    return units_store(engine, tmp_path, UNITS, dataset)


def actuals(table: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    return {
        (str(r.indicator_code), str(r.period), str(r.admin_unit)): float(r.actual)
        for r in table.itertuples()
        if r.admin_unit in ("11", "45")
    }


def same(got: float, want: float) -> bool:
    return (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want)


def test_the_bulk_rollup_counts_each_figure_once_level_by_level(store):
    got = actuals(programme_achievement(store, "LV"))
    for key, want in EXPECTED.items():
        assert same(got[key], want), (key, got[key], want)


def test_the_database_and_the_in_memory_rollup_give_the_same_rows(store):
    fast = programme_achievement(store, "LV")
    slow = in_memory(store)
    for frame in (fast, slow):
        frame["period_start"] = frame["period_start"].astype(str)
        frame["period_end"] = frame["period_end"].astype(str)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
    assert fast["actual"].notna().sum() == len(EXPECTED) - 1  # RATE 2026 in 11 is the one missing


def test_the_report_form_and_the_bulk_path_give_the_same_province_figures(store):
    bulk = actuals(programme_achievement(store, "LV"))
    codes = [code for code, *_ in INDICATORS]
    for province in ("11", "45"):
        with Session(store) as session:
            scope = province_scope(session, province)
        (fig,) = scope.programmes
        assert fig.unit == province
        for label in PERIODS:
            period = parse_period(label)
            form = assess(fig, period, codes, lambda code, label=label: (10.0, math.nan, label))
            for code in codes:
                key = (code, label, province)
                if key in EXPECTED:
                    assert same(float(form.loc[code, "actual"]), EXPECTED[key]), (
                        key,
                        form.loc[code, "actual"],
                    )
                    assert same(float(form.loc[code, "actual"]), bulk[key]), key


def test_the_commune_figures_roll_through_the_tree_of_admin_parents(store):
    with store.connect() as conn:
        parents = admin_parents(conn)
    # a commune goes to its district (merged or not), a district and a new commune to the province
    assert parents == {
        "D1": "11", "C11": "D1", "C12": "D1", "D2": "11", "N1": "11", "C21": "D2", "C22": "D2", "C31": "D2",
        "C32": "D2", "D5": "45", "C51": "D5", "C52": "D5",
    }  # fmt: skip


def test_a_district_without_its_own_figure_sums_its_communes_and_with_one_keeps_it():
    indicators = pd.DataFrame({"code": ["HH"], "unit": ["hộ"], "method": [None], "components": [None]})
    rows = [("D1", 100.0), ("C11", 30.0), ("C12", 40.0), ("C21", 10.0), ("C22", 20.0)]
    obs = pd.DataFrame(
        [
            {"indicator_code": "HH", "period": "2024", "period_start": None, "period_end": None,
             "admin_unit": unit, "disaggregation": "", "value": value}
            for unit, value in rows
        ]
    )  # fmt: skip
    parents = {"C11": "D1", "C12": "D1", "C21": "D2", "C22": "D2", "D1": "11", "D2": "11"}
    rolled = admin_rollup(indicators, obs, parents).set_index("admin_unit")["value"]
    assert rolled.to_dict() == {"D2": 30.0, "11": 130.0}  # D1 keeps its own 100 (not repeated), D2 = 10 + 20
