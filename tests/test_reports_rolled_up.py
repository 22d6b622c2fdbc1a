"""A province's Tables 4.2 and 4.5 roll communes up in the database, and show what every row read gives (#16).

:func:`mel_core.reports.build_report` reads a province's communes as partial aggregates grouped by their parent
in the database, only for the periods inside the reported one (:func:`mel_core.reports.scope.read_figures`).
The in-memory path reads every row of every period (``province_scope(session, code)``) and rolls up in
pandas. Both must give the same table, cell for cell, on a store with:

- districts with communes, a commune directly under the province (merged in 2025), a commune filed under the
  pre-2025 code of the province (44, today's 45);
- own figures at several levels: a district's own figure for some quarters, the province's own for others, an
  annual figure beside the quarters;
- counts (summed), a rate without a weight (kept where the communes agree), weighted means whose weight is
  missing at some communes, a ratio and an ICOR computed again from their components (the ICOR reads the
  period before);
- quarters over three years, annual, five-year and span targets; and a programme of the same provinces with
  province figures only.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from mel_core.ingest import import_path
from mel_core.periods import parse_period
from mel_core.reports import build_report
from mel_core.reports.five_year import five_year
from mel_core.reports.general_frame import general_frame
from mel_core.reports.period import check_period, default_period
from mel_core.reports.plan import add_plan
from mel_core.reports.scope import province_scope, read_figures
from mel_core.reports.table import MISSING, BodyRow, Number, ReportTable
from tests.test_from_store import write
from tests.test_rollup_levels import UNITS as LEVEL_UNITS
from tests.test_rollup_levels import units_store

DAY = date(2026, 7, 20)
UNITS = [  # the tree of tests/test_rollup_levels.py, a third commune in D1 and a district of the old province 44
    *LEVEL_UNITS,
    ["C13", "Xã Một Ba", "commune", "D1", ""],
    ["D4", "Huyện Bốn", "district", "44", ""],
    ["C41", "Xã Bốn Một", "commune", "D4", ""],
]
COMMUNES = ["C11", "C12", "C13", "C21", "C22", "N1", "C51", "C52", "C41"]
OLD_COMMUNES = ["C31", "C32"]  # merged into N1 on 1 July 2025: figures until 2025-Q2
INDICATORS = [
    # code, level, unit, direction, method, components
    ("HH", "output", "hộ", "increase", "", ""),
    ("AREA", "output", "ha", "increase", "", ""),
    ("FARM", "output", "hộ", "increase", "", ""),
    ("RATE", "outcome", "%", "decrease", "", ""),
    ("INC", "outcome", "triệu đồng/hộ/năm", "increase", "weighted_mean", "HH"),
    ("POP", "output", "người", "increase", "", ""),
    ("SHARE", "outcome", "%", "increase", "weighted_mean", "POP"),
    ("YIELD", "outcome", "ha/hộ", "increase", "ratio", "AREA;FARM"),
    ("INV", "output", "tỷ đồng", "increase", "", ""),
    ("GDP", "output", "tỷ đồng", "increase", "", ""),
    ("ICOR", "impact", "lần", "decrease", "icor", "INV;GDP"),
]
TYPED = ["HH", "AREA", "FARM", "RATE", "INC", "POP", "SHARE", "INV", "GDP"]
QUARTERS = [f"{year}-Q{q}" for year in (2024, 2025, 2026) for q in (1, 2, 3, 4)][:10]  # to 2026-Q2
YEARS = ["2024", "2025", "2026"]
REPORTS = [
    # kind, period (None: the default), form
    ("annual", None, None),
    ("annual", "2024", None),
    ("annual", "2025", None),
    ("six-month", "2025-H2", None),
    ("six-month", None, None),
    ("quarterly", "2026-Q1", None),
    ("quarterly", "2024-Q3", None),
    ("five-year", "2021-2025", None),
    ("five-year", None, None),
    ("monthly", "2025-05", None),  # no monthly figure: every actual missing
]


def _observations(rng: np.random.Generator) -> list[list[object]]:
    rows: list[list[object]] = []
    for quarter in QUARTERS:
        merged = quarter >= "2025-Q3"
        for unit in COMMUNES + ([] if merged else OLD_COMMUNES):
            if unit == "N1" and not merged:
                continue
            agree = quarter.endswith(("Q1", "Q2"))
            for code in TYPED:
                if rng.random() < 0.15:  # missing figures (a weighted mean without its weight among them)
                    continue
                value = round(float(rng.uniform(5, 60)), 2)
                if code == "RATE" and agree:
                    value = 12.5  # every commune agrees: the district and the province keep it
                rows.append(["RC", code, quarter, unit, value])
        # own figures above the communes: D1 every other quarter, the provinces now and then
        if quarter.endswith(("Q1", "Q3")) and not merged:
            rows += [["RC", code, quarter, "D1", round(float(rng.uniform(50, 90)), 1)] for code in TYPED[:5]]
        if quarter in ("2024-Q4", "2025-Q4"):
            rows += [["RC", "HH", quarter, "11", 999.0], ["RC", "RATE", quarter, "45", 7.5]]
    # annual figures beside the quarters: a district's and a province's own
    rows += [
        ["RC", "AREA", "2024", "D2", 321.0],
        ["RC", "GDP", "2024", "11", 4000.0],
        ["RC", "INV", "2025", "45", 88.0],
    ]
    # the programme of province figures only
    rows += [
        ["PF", "PHH", period, unit, 100.0 + k] for k, period in enumerate(QUARTERS) for unit in ("11", "45")
    ]
    return rows


def dataset(folder: Path) -> Path:
    rng = np.random.default_rng(16)
    folder.mkdir()
    write(
        folder / "programmes.csv",
        ["code", "title", "kind", "sector", "funding", "start_date", "provinces"],
        [
            ["RC", "Chương trình thử tổng hợp theo cấp", "programme", "livestock", "state_budget", "2021-01-01",
             "11;45"],
            ["PF", "Chương trình số liệu cấp tỉnh", "programme", "crops", "state_budget", "2021-01-01",
             "11;45"],
        ],
    )  # fmt: skip
    write(
        folder / "indicators.csv",
        ["programme_code", "code", "name", "level", "unit", "direction", "method", "components"],
        [["RC", c, f"Chỉ tiêu {c}", lv, u, d, m, k] for c, lv, u, d, m, k in INDICATORS]
        + [["PF", "PHH", "Hộ được hỗ trợ", "output", "hộ", "increase", "", ""]],
    )
    write(
        folder / "observations.csv",
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        _observations(rng),
    )
    targets = []
    for code, *_ in INDICATORS:
        for unit in ("11", "45"):
            periods = [*YEARS, "2021-2025", "2025-Q3"] if code != "SHARE" else ["2024"]
            targets += [["RC", code, p, unit, round(float(rng.uniform(10, 200)), 1)] for p in periods]
    targets += [["PF", "PHH", p, u, 105.0] for p in YEARS for u in ("11", "45")]
    write(
        folder / "targets.csv", ["programme_code", "indicator_code", "period", "admin_unit", "value"], targets
    )
    return folder


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    return units_store(engine, tmp_path, UNITS, dataset)


def in_memory(session: Session, kind: str, province: str, period: str | None) -> ReportTable:
    """The table from every row of every period, rolled up in pandas (the path the database path replaces)."""
    scope = province_scope(session, province)
    add_plan(session.connection(), scope)
    reported = (
        check_period(kind, period)  # type: ignore[arg-type]
        if period is not None
        else default_period(kind, scope.targets, scope.observations)  # type: ignore[arg-type]
    )
    if kind == "five-year":
        return five_year(scope, reported, DAY)
    return general_frame(scope, kind, reported, DAY)  # type: ignore[arg-type]


def same_body(got: list[BodyRow], want: list[BodyRow]) -> bool:
    """The same rows and cells; a figure the same to 1e-12 relative (sums in another order differ in the last
    bits), with the same decimals shown."""

    def same(a: object, b: object) -> bool:
        if isinstance(a, Number) and isinstance(b, Number):
            close = math.isclose(a.value, b.value, rel_tol=1e-12, abs_tol=1e-12)
            return close and (a.decimals, a.percent) == (b.decimals, b.percent)
        return a == b

    return len(got) == len(want) and all(
        r.kind == w.kind and len(r.cells) == len(w.cells) and all(map(same, r.cells, w.cells))
        for r, w in zip(got, want, strict=True)
    )


@pytest.mark.parametrize("province", ["11", "45"])
def test_the_database_rollup_gives_the_tables_of_every_row(store, province):
    figures, missing = 0, 0
    with Session(store) as session:
        for kind, period, _ in REPORTS:
            built = build_report(session, kind, province=province, period=period, today=DAY)  # type: ignore[arg-type]
            expected = in_memory(session, kind, province, period)
            assert built.period == expected.period, (kind, period)
            assert same_body(built.body, expected.body), (kind, period, built.body, expected.body)
            cells = [c for r in built.body if r.kind == "item" for c in r.cells]
            figures += sum(isinstance(c, Number) and not c.percent for c in cells)
            missing += cells.count(MISSING)
    # the tables show figures (plans, actuals rolled up from communes or the province's own) and missing ones
    assert figures > 100 and missing > 10


def test_the_figures_read_are_the_province_s_of_the_period_the_form_takes(store):
    with Session(store) as session:
        full = province_scope(session, "11")
        scope = province_scope(session, "11", values=False)
        read_figures(session, scope, check_period("annual", "2025"))
    (_, whole), (own, fast) = full.programmes, scope.programmes  # PF, RC
    assert not fast.outline and not own.outline
    # derived indicators and their components: row by row, every period (the ICOR of 2025-Q1 reads 2024-Q4)
    row_by_row = ["INV", "GDP", "ICOR", "AREA", "FARM", "YIELD"]
    obs = fast.observations
    raw = obs[obs["indicator_code"].isin(row_by_row) & obs["value"].notna()]
    every = whole.observations[whole.observations["indicator_code"].isin(row_by_row)]
    assert set(raw["period"]) == set(every["period"]) and len(raw) == len(every)
    assert fast.parents == whole.parents  # rolled up by the form's own call
    # the others: the province's figures (its own, or its communes' rolled up in the database), of the latest
    # quarter with one; a weighted mean's weight is read for the mean's quarters too
    typed = obs[~obs["indicator_code"].isin(row_by_row) & obs["value"].notna()]
    assert set(typed["admin_unit"]) == {"11"}
    assert {"HH", "POP"} <= set(typed["indicator_code"]) <= {"HH", "RATE", "INC", "POP", "SHARE"}
    assert "2025-Q4" in set(typed["period"]) <= {"2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"}
    assert len(typed) < len(set(typed["indicator_code"])) * 4  # not every quarter of every indicator
    hh = typed[(typed["indicator_code"] == "HH") & (typed["period"] == "2025-Q4")]
    assert hh["value"].tolist() == [999.0]  # the province's own figure
    # without values, the outline of the periods inside the year (which programme had figures then)
    year = check_period("annual", "2025")
    blank = obs[obs["value"].isna()]
    assert set(blank["period"]) == {p for p in whole.observations["period"] if year.contains(parse_period(p))}
    # the province-only programme: its latest figure of the year
    valued = own.observations[own.observations["value"].notna()]
    assert list(zip(valued["indicator_code"], valued["period"], valued["admin_unit"], strict=True)) == [
        ("PHH", "2025-Q4", "11")
    ]


def test_a_session_that_wrote_reads_every_row_on_its_own_connection(store):
    """Other connections do not see what the session has not committed: the figures are read on its own."""
    with Session(store) as session:
        expected = build_report(session, "annual", province="11", period="2025", today=DAY)
        conn = session.connection()
        conn.exec_driver_sql(
            "UPDATE observations SET value = value + 1000 WHERE admin_unit_code = 'C11' AND period = '2025-Q4'"
        )
        changed = build_report(session, "annual", province="11", period="2025", today=DAY)
        again = in_memory(session, "annual", "11", "2025")
        session.rollback()
    assert same_body(changed.body, again.body)
    assert not same_body(changed.body, expected.body)


def test_a_weighted_mean_without_any_weight_is_missing_in_both_paths(store):
    with Session(store) as session:
        session.connection().exec_driver_sql(
            "DELETE FROM observations WHERE indicator_id IN (SELECT id FROM indicators WHERE code = 'POP')"
        )
        session.commit()
        built = build_report(session, "annual", province="11", period="2025", today=DAY)
        expected = in_memory(session, "annual", "11", "2025")
    assert same_body(built.body, expected.body)
    share = next(r for r in built.body if "(SHARE)" in str(r.cells[1]))
    assert not any(isinstance(c, str) and c[:1].isdigit() for c in share.cells[8:10])


def test_a_unit_three_levels_below_the_province_is_read_row_by_row(store, tmp_path):
    """The database groups a commune by its district and a district by its province: a unit one level deeper
    (a commune filed under a commune, which ``mel import`` refuses but a store written otherwise may hold) sends
    the programme's figures the row-by-row way, with the same table."""
    with store.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO admin_units (code, name, name_ascii, level, parent_code)"
            " VALUES ('C42', 'Xã Bốn Hai', 'Xa Bon Hai', 'commune', 'C41')"
        )
    figures = tmp_path / "figures"
    figures.mkdir()
    write(
        figures / "observations.csv",
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        [["RC", "POP", "2025-Q4", "C42", 1234.0]],
    )
    import_path(store, figures)
    with store.begin() as conn:  # C41 without a figure of its own passes C42's on
        conn.exec_driver_sql(
            "DELETE FROM observations WHERE admin_unit_code = 'C41' AND period = '2025-Q4' AND indicator_id ="
            " (SELECT id FROM indicators WHERE code = 'POP')"
        )
    with Session(store) as session:
        built = build_report(session, "annual", province="45", period="2025", today=DAY)
        expected = in_memory(session, "annual", "45", "2025")
    assert same_body(built.body, expected.body)
    pop = next(r for r in built.body if "(POP)" in str(r.cells[1]))
    assert isinstance(pop.cells[7], Number) and pop.cells[7].value > 1234.0
