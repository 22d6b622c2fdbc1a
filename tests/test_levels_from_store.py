"""Communes under districts roll up to their province in the database as in memory (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd

from mel_core.indicators.from_store import programme_achievement
from mel_core.ingest import import_path
from tests.test_from_store import COMMUNES, INDICATORS, dataset, in_memory, write


def test_communes_in_districts_roll_up_to_the_province_in_the_database_as_in_memory(engine, tmp_path):
    # each province's communes lie in a district of their own (D11, D44, D45), the district in the province
    provinces = sorted({p for _, p in COMMUNES})
    rows = [[f"D{p}", f"Huyện {p}", "district", p] for p in provinces]
    rows += [[code, f"Xã {code}", "commune", f"D{p}"] for code, p in COMMUNES]
    units = tmp_path / "units"
    units.mkdir()
    write(units / "admin_units.csv", ["code", "name", "level", "parent_code"], rows)
    import_path(engine, units)
    import_path(engine, dataset(tmp_path / "data"))
    fast = programme_achievement(engine, "ROLL")
    slow = in_memory(engine)
    assert len(fast) == len(slow) == len(INDICATORS) * 5 * 2 + 1
    assert fast["actual"].notna().sum() > 0
    for frame in (fast, slow):
        frame["period_start"] = frame["period_start"].astype(str)
        frame["period_end"] = frame["period_end"].astype(str)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
