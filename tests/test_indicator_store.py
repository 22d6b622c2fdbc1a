"""Indicators that name a method in the store: import, the checks at import, communes, and derived actuals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from mel_core.communes import admin_parents, load_communes
from mel_core.criteria.data import load_programme
from mel_core.errors import ImportValidationError
from mel_core.indicators.achievement import achievement
from mel_core.ingest import export_path, import_path
from mel_core.store import Indicator, session_scope, table_of
from tests.datasets import write_csv
from tests.test_import import snapshot

PROGRAMMES = [
    ["code", "title", "sector", "funding", "start_date", "provinces"],
    ["XT-01", "Xúc tiến thương mại Điện Biên", "trade_promotion", "state_budget", "2021-01-01", "11"],
]
INDICATORS = [
    ["programme_code", "code", "name", "level", "unit", "method", "components"],
    ["XT-01", "DN", "Số doanh nghiệp tham gia", "output", "doanh nghiệp", "", ""],
    ["XT-01", "DN_XK", "Số doanh nghiệp có sản phẩm xuất khẩu mới", "outcome", "doanh nghiệp", "", ""],
    ["XT-01", "TL_XK", "Tỷ lệ doanh nghiệp có sản phẩm xuất khẩu mới", "outcome", "%", "share", "DN_XK;DN"],
    ["XT-01", "DT", "Doanh thu xuất khẩu", "outcome", "triệu đồng", "", ""],
    ["XT-01", "TT_DT", "Tăng trưởng doanh thu xuất khẩu", "impact", "%", "growth_rate", "DT"],
]
TARGETS = [
    ["programme_code", "indicator_code", "period", "admin_unit", "value"],
    ["XT-01", "TL_XK", "2022", "11", "20"],
    ["XT-01", "TT_DT", "2022", "", "10"],
]
OBSERVATIONS = [
    ["programme_code", "indicator_code", "period", "admin_unit", "value"],
    ["XT-01", "DN", "2022", "C001", "40"],
    ["XT-01", "DN", "2022", "C002", "60"],
    ["XT-01", "DN_XK", "2022", "C001", "4"],
    ["XT-01", "DN_XK", "2022", "C002", "21"],
    ["XT-01", "DT", "2021", "", "1000"],
    ["XT-01", "DT", "2022", "", "1150"],
]


def _tables(**changes: list[list[object]]) -> dict[str, list[list[object]]]:
    tables = {
        "programmes": PROGRAMMES,
        "indicators": INDICATORS,
        "targets": TARGETS,
        "observations": OBSERVATIONS,
    }
    return {name: [list(r) for r in rows] for name, rows in {**tables, **changes}.items()}


def _communes(path: Path) -> Path:
    path.write_text("code,name,province_code\nC001,Xã Mường Phăng,11\nC002,Xã Nà Tấu,11\n", encoding="utf-8")
    return path


def test_methods_import_export_and_derived_actuals_with_commune_rollup(engine, tmp_path):
    assert load_communes(engine, _communes(tmp_path / "communes.csv")) == 2
    import_path(engine, write_csv(tmp_path / "in", _tables()))
    i = table_of(Indicator)
    with engine.connect() as conn:
        stored = dict(conn.execute(select(i.c.code, i.c.components).where(i.c.method.is_not(None))).all())
        parents = admin_parents(conn)
    assert stored == {"TL_XK": "DN_XK;DN", "TT_DT": "DT"}
    assert parents == {"C001": "11", "C002": "11"}
    with session_scope(engine) as session:
        data = load_programme(session, "XT-01")
    table = achievement(data.indicators, data.targets, data.observations, parents=parents)
    row = table.set_index("indicator_code")
    # (4 + 21) / (40 + 60) = 25 % in the province: the rate weighted by its denominator, met against 20 %
    assert row.loc["TL_XK", "actual"] == pytest.approx(25.0) and row.loc["TL_XK", "met"]
    # (1150 − 1000) / 1000 = 15 % against 10 %
    assert row.loc["TT_DT", "actual"] == pytest.approx(15.0)
    export_path(engine, tmp_path / "out")
    text = (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8-sig")
    assert "share,DN_XK;DN" in text and "growth_rate,DT" in text


def _problems(engine, tmp_path, tables) -> list[tuple[str, int, str, str]]:
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as caught:
        import_path(engine, write_csv(tmp_path / "bad", tables))
    assert snapshot(engine) == before  # nothing written
    return [(Path(p.source).name, p.row, p.column, p.reason) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("row", "method", "components", "column", "reason"),
    [
        (4, "median", "DN_XK;DN", "method", "one of"),
        (4, "share", "DN_XK;NOPE", "components", "not an indicator of programme XT-01"),
        (4, "share", "DN_XK", "components", "method share takes 2 components (part;whole), 1 given"),
        (4, "", "DN_XK;DN", "components", "components without a method"),
        (6, "growth_rate", "TT_DT", "components", "cycle: TT_DT → TT_DT"),
    ],
    ids=["unknown-method", "unknown-component", "wrong-count", "no-method", "cycle"],
)
def test_bad_methods_are_reported_with_file_row_column_reason(sqlite_engine, tmp_path, row, method, components,
                                                              column, reason):  # fmt: skip
    tables = _tables(targets=TARGETS[:1], observations=OBSERVATIONS[:1])
    tables["indicators"][row - 1][5:7] = [method, components]
    problems = _problems(sqlite_engine, tmp_path, tables)
    assert any(p[:3] == ("indicators.csv", row, column) and reason in p[3] for p in problems), problems


def test_longer_cycles_are_reported(sqlite_engine, tmp_path):
    tables = _tables(targets=TARGETS[:1], observations=OBSERVATIONS[:1])
    tables["indicators"][1][5:7] = ["ratio", "TL_XK;DN_XK"]
    problems = _problems(sqlite_engine, tmp_path, tables)
    assert ("indicators.csv", 2, "components") in [p[:3] for p in problems]
    assert any("cycle: DN → TL_XK → DN" in p[3] for p in problems), problems


def test_typed_in_values_of_a_derived_indicator_are_an_error(sqlite_engine, tmp_path):
    load_communes(sqlite_engine, _communes(tmp_path / "communes.csv"))
    tables = _tables(observations=[*OBSERVATIONS, ["XT-01", "TL_XK", "2022", "", "25"]])
    problems = _problems(sqlite_engine, tmp_path, tables)
    assert problems == [
        (
            "observations.csv",
            8,
            "indicator_code",
            "computed from DN_XK;DN by method share; leave it out of observations",
        )
    ]


def test_a_method_already_in_the_store_still_forbids_typed_values(sqlite_engine, tmp_path):
    load_communes(sqlite_engine, _communes(tmp_path / "communes.csv"))
    import_path(sqlite_engine, write_csv(tmp_path / "first", _tables()))
    later = {"observations": [OBSERVATIONS[0], ["XT-01", "TT_DT", "2023", "", "12"]]}
    problems = _problems(sqlite_engine, tmp_path, later)
    assert problems[0][:3] == ("observations.csv", 2, "indicator_code")


def test_bad_communes_file_writes_nothing(sqlite_engine, tmp_path):
    bad = tmp_path / "communes.csv"
    bad.write_text("code,name,province_code\nC001,Xã A,11\nC001,Xã B,99\n,Xã C,11\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as caught:
        load_communes(sqlite_engine, bad)
    where = [(p.row, p.column) for p in caught.value.problems]
    assert (3, "province_code") in where and (3, "code") in where and (4, "code") in where
    with sqlite_engine.connect() as conn:
        assert admin_parents(conn) == {}
