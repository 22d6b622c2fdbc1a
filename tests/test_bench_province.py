"""The monitoring benchmark's province phase (#16): its store, its pandas floor and the check of the report's
figures against the floor, at a tiny size (two communes), on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import sqlite3
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import bench_monitoring as bm  # noqa: E402  (bench/ is a folder of scripts)
import province_data as pdata  # noqa: E402

SEED = 7


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pdata.ProvinceData:
    per_commune = len(pdata.indicator_rows()) * 4 * pdata.YEARS
    return pdata.province_dataset(tmp_path_factory.mktemp("province"), 2 * per_commune, SEED, lambda _: None)


def test_the_store_holds_every_commune_figure_once(built: pdata.ProvinceData) -> None:
    assert built.communes == 2
    assert built.programmes == len(pdata.plan_sectors())  # one programme per sector of the plan
    conn = sqlite3.connect(built.db)
    n, distinct = conn.execute(
        "SELECT count(*), count(DISTINCT indicator_id || period || admin_unit_code) FROM observations"
    ).fetchone()
    parents = dict(conn.execute("SELECT code, parent_code FROM admin_units WHERE level = 'commune'"))
    conn.close()
    assert n == distinct == built.observations == 2 * len(pdata.indicator_rows()) * 20
    assert set(parents.values()) <= {f"H{d + 1:03d}" for d in range(pdata.DISTRICTS)}
    # cached: a second call finds the store instead of building it again
    again = pdata.province_dataset(built.folder.parent, 2 * len(pdata.indicator_rows()) * 20, SEED, print)
    assert again.folder == built.folder


def test_the_floor_rolls_communes_up_by_the_rules(built: pdata.ProvinceData) -> None:
    floor = bm.run_province_floor(str(built.folder), built.observations, SEED)
    frames = pdata.frames(built, SEED)
    obs = frames["obs"]
    last = obs[obs["period"] == "2020-Q4"]
    count = "BENCH-01-01"  # a count: summed over the communes
    total = float(last.loc[last["indicator_code"] == count, "value"].sum())
    assert floor["figures"]["4.2"][count][0] == total
    rate, weight = "BENCH-01-05", "BENCH-01-04"  # a rate weighted by a count, never a plain average
    v = last[last["indicator_code"] == rate].set_index("admin_unit")["value"]
    w = last[last["indicator_code"] == weight].set_index("admin_unit")["value"]
    assert floor["figures"]["4.5"][rate][0] == pytest.approx(float((v * w).sum() / w.sum()), rel=1e-12)


def test_the_report_shows_the_floors_figures(built: pdata.ProvinceData, db_url: str) -> None:
    # the same store built again on each database: the plan by mel import, the observations in bulk
    loaded = pdata.build_store(db_url, built.folder / "frame", built.communes, SEED, lambda _: None)
    assert loaded["rows"] == built.observations
    url = db_url
    floor = bm.run_province_floor(str(built.folder), built.observations, SEED)
    for form, kind, period in bm.PROVINCE_TABLES:
        out = bm.run_province_report(url, form, kind, period)
        assert out["indicators"] == built.indicators
        if form == "4.1":
            continue
        figures = out["figures"]
        assert bm.same_figures(figures, floor["figures"][form])
        code, (actual, rate) = next(iter(figures.items()))
        assert not math.isnan(actual) and not math.isnan(rate)
        # the check fails when one figure is off
        assert not bm.same_figures({**figures, code: (actual + 1.0, rate)}, floor["figures"][form])
