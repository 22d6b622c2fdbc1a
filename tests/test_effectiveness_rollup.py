"""The effectiveness evaluation rolls commune figures up to a district's or province's target (#16), level by
level, by the rules the report forms and the database rollup follow (:mod:`mel_core.indicators.rollup`).

A programme that files only commune figures against a plan for its province (or for the whole programme) was
left unassessed before; it is now assessed on the figures the report forms show.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from mel_core.criteria import effectiveness
from mel_core.criteria.data import load_programme
from mel_core.indicators.from_store import programme_achievement as bulk_achievement
from mel_core.ingest import import_path
from tests.test_from_store import write
from tests.test_rollup_levels import EXPECTED, UNITS, actuals, dataset, same


@pytest.fixture
def units(engine: Engine, tmp_path: Path) -> Engine:
    folder = tmp_path / "units"
    folder.mkdir()
    write(folder / "admin_units.csv", ["code", "name", "level", "parent_code", "successor_code"], UNITS)
    import_path(engine, folder)
    return engine


def commune_only(folder: Path) -> Path:
    """One province (11), a plan for the whole programme and the province, figures from communes only."""
    folder.mkdir()
    write(
        folder / "programmes.csv",
        ["code", "title", "kind", "sector", "funding", "start_date", "end_date", "provinces"],
        [["XA", "Chương trình chỉ báo cáo số liệu xã", "programme", "livestock", "state_budget", "2024-01-01",
          "2024-12-31", "11"]],
    )  # fmt: skip
    write(
        folder / "indicators.csv",
        ["programme_code", "code", "name", "level", "unit", "baseline_value"],
        [["XA", "HH", "Số hộ thoát nghèo", "outcome", "hộ", "0"],
         ["XA", "TR", "Số hộ được tập huấn", "output", "hộ", "0"]],
    )  # fmt: skip
    write(
        folder / "targets.csv",
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        [["XA", "HH", "2024", "VN", 150], ["XA", "TR", "2024", "11", 400]],
    )
    # HH: C11 60 + C12 40 through D1, C21 50 through D2: 150 for the province, which stands for the programme;
    # TR: D1's own 300 wins over its communes' 10 + 20, D2 from C22's 80: 380 of 400
    write(
        folder / "observations.csv",
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        [["XA", "HH", "2024", "C11", 60], ["XA", "HH", "2024", "C12", 40], ["XA", "HH", "2024", "C21", 50],
         ["XA", "TR", "2024", "D1", 300], ["XA", "TR", "2024", "C11", 10], ["XA", "TR", "2024", "C12", 20],
         ["XA", "TR", "2024", "C22", 80]],
    )  # fmt: skip
    return folder


def test_a_programme_filing_only_commune_figures_is_assessed(units, tmp_path):
    import_path(units, commune_only(tmp_path / "xa"))
    with Session(units) as session:
        data = load_programme(session, "XA")
    table = effectiveness.programme_achievement(data).set_index(["indicator_code", "admin_unit"])
    assert table.loc[("HH", "VN"), "actual"] == pytest.approx(150.0)
    assert bool(table.loc[("HH", "VN"), "met"]) is True
    assert table.loc[("TR", "11"), "actual"] == pytest.approx(380.0)
    assert table.loc[("TR", "11"), "ratio"] == pytest.approx(380 / 400)

    result = effectiveness.assess(data, lang="en")
    levels = result.tables["levels"].set_index("level")
    assert levels.loc["outcome", "met"] == 1
    assert levels.loc["outcome", "progress"] == pytest.approx(1.0)
    statements = " ".join(f.statement for f in result.findings)
    assert "achievement cannot be measured" not in statements


def test_the_evaluation_rolls_up_as_the_reports_and_the_database_do(units, tmp_path):
    import_path(units, dataset(tmp_path / "lv"))
    with Session(units) as session:
        data = load_programme(session, "LV")
    got = actuals(effectiveness.programme_achievement(data))
    bulk = actuals(bulk_achievement(units, "LV"))
    for key, want in EXPECTED.items():
        assert same(got[key], want), (key, got[key], want)
        assert same(got[key], bulk[key]), key
    assert math.isnan(got[("RATE", "2026", "11")])  # communes that disagree on a rate give no province rate
