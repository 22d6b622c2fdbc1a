"""Achievement straight from the store, communes rolled up in the database, equals achievement() on every row."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from mel_core.communes import admin_parents, load_communes
from mel_core.errors import NotFound
from mel_core.indicators.achievement import achievement
from mel_core.indicators.from_store import programme_achievement
from mel_core.ingest import import_path
from mel_core.periods import parse_period

QUARTERS = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
# 11 Điện Biên; 44 Quảng Bình (pre-2025) and 45 Quảng Trị roll up together to 45
COMMUNES = [(f"T{p}-{k}", p) for p in ("11", "44", "45") for k in range(4)]
INDICATORS = [
    # code, unit, direction, method, components
    ("HH", "hộ", "increase", "", ""),
    ("AREA", "ha", "increase", "", ""),
    ("INC", "triệu đồng/hộ/năm", "increase", "weighted_mean", "HH"),
    ("RATE", "%", "decrease", "", ""),
    ("POP", "người", "increase", "", ""),
    ("SHARE", "%", "increase", "weighted_mean", "POP"),
    ("YIELD", "ha/hộ", "increase", "ratio", "AREA;HH"),
]


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def dataset(folder: Path) -> Path:
    rng = np.random.default_rng(7)
    folder.mkdir()
    write(
        folder / "programmes.csv",
        ["code", "title", "kind", "sector", "funding", "start_date", "provinces"],
        [
            [
                "ROLL",
                "Chương trình thử tổng hợp",
                "programme",
                "livestock",
                "state_budget",
                "2024-01-01",
                "11;44;45",
            ]
        ],
    )
    write(folder / "indicators.csv", ["programme_code", "code", "name", "level", "unit", "direction", "method",
                                      "components"],
          [["ROLL", c, f"Chỉ tiêu {c}", "outcome", u, d, m, k] for c, u, d, m, k in INDICATORS])  # fmt: skip
    obs = []
    for quarter in QUARTERS:
        for commune, province in COMMUNES:
            for code, *_ in INDICATORS[:6]:
                if rng.random() < 0.12:  # missing figures
                    continue
                value = round(float(rng.uniform(5, 50)), 2)
                if code == "RATE" and province == "11":
                    value = 12.5  # every commune agrees: the province keeps it
                obs.append(["ROLL", code, quarter, commune, value])
        obs.append(["ROLL", "HH", quarter, "11", 999.0])  # the province's own figure wins over the rollup
    write(
        folder / "observations.csv",
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        obs,
    )
    targets = [
        ["ROLL", code, period, unit, round(float(rng.uniform(10, 200)), 1)]
        for code, *_ in INDICATORS
        for period in [*QUARTERS, "2024"]
        for unit in ("11", "45")
    ]
    targets.append(["ROLL", "HH", "2024-Q2", COMMUNES[0][0], 20.0])  # a commune-level target
    write(
        folder / "targets.csv", ["programme_code", "indicator_code", "period", "admin_unit", "value"], targets
    )
    return folder


def seed_store(engine: Engine, folder: Path, communes: list[tuple[str, str]], data: Path) -> Engine:
    """Load ``communes`` (code, province) and import the dataset folder ``data`` into ``engine``."""
    table = folder / "communes.csv"
    write(table, ["code", "name", "province_code"], [[c, f"Xã {c}", p] for c, p in communes])
    load_communes(engine, table)
    import_path(engine, data)
    return engine


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    return seed_store(engine, tmp_path, COMMUNES, dataset(tmp_path / "data"))


def in_memory(engine: Engine) -> pd.DataFrame:
    """achievement() on every row read plainly, with every commune's province as its parent."""
    with engine.connect() as conn:
        q = lambda sql: pd.read_sql_query(sql, conn)  # noqa: E731
        indicators = q("SELECT code, level, unit, direction, cumulative, baseline_value, method, components"
                       " FROM indicators ORDER BY code")  # fmt: skip
        targets = q("SELECT i.code AS indicator_code, t.period, t.admin_unit_code AS admin_unit, t.value,"
                    " t.value_high FROM targets t JOIN indicators i ON i.id = t.indicator_id")  # fmt: skip
        obs = q("SELECT i.code AS indicator_code, o.period, o.admin_unit_code AS admin_unit, o.disaggregation,"
                " o.value FROM observations o JOIN indicators i ON i.id = o.indicator_id")  # fmt: skip
        parents = admin_parents(conn)
    for frame in (targets, obs):
        frame["period_start"] = [parse_period(p).start for p in frame["period"]]
        frame["period_end"] = [parse_period(p).end for p in frame["period"]]
    indicators["cumulative"] = indicators["cumulative"].astype(bool)
    return achievement(indicators, targets, obs, parents=parents)


def test_the_database_rollup_gives_every_row_of_the_in_memory_one(store):
    fast = programme_achievement(store, "ROLL")
    slow = in_memory(store)
    assert len(fast) == len(slow) == len(INDICATORS) * 5 * 2 + 1
    for frame in (fast, slow):
        frame["period_start"] = frame["period_start"].astype(str)
        frame["period_end"] = frame["period_end"].astype(str)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
    by = fast.set_index(["indicator_code", "period", "admin_unit"]).sort_index()
    assert by.loc[("HH", "2024-Q1", "11"), "actual"] == 999.0  # own figure wins
    assert by.loc[("RATE", "2024-Q3", "11"), "actual"] == 12.5  # communes agree
    assert np.isnan(by.loc[("RATE", "2024-Q3", "45"), "actual"])  # they do not: missing, never averaged
    # weighted by the communes' own weights, read in the database (SHARE) or row by row (INC, whose weight HH
    # is a component of the derived YIELD): both kinds of rows are present and agree with the in-memory rollup
    # (a commune with a value and no weight makes its province's mean missing)
    for code in ("SHARE", "INC"):
        assert by.loc[code, "actual"].notna().any() and by.loc[code, "actual"].isna().any()
    assert by.loc["YIELD", "actual"].notna().all()  # recomputed from the provinces' components
    for workers in (1, 3):  # one query at a time, or several on their own connections: the same rows
        again = programme_achievement(store, "ROLL", workers=workers)
        again["period_start"], again["period_end"] = (
            again["period_start"].astype(str),
            again["period_end"].astype(str),
        )
        pd.testing.assert_frame_equal(again, fast)


def test_an_unknown_programme_is_the_stores_not_found_error(store):
    with pytest.raises(NotFound) as caught:
        programme_achievement(store, "NOPE")
    assert (caught.value.entity, caught.value.key) == ("programme", "NOPE")
    assert "ROLL" in caught.value.hint  # the programmes there are
