"""`mel report compare`: a programme's provinces side by side, ranked, with region totals, checked by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from mel_core.cli import app
from mel_core.errors import NotFound
from mel_core.ingest import import_path
from mel_core.reports import MISSING, NONE, ReportScopeError
from mel_core.reports.compare import compare, ranks
from mel_core.reports.table import Number, ReportTable, cell_text

TODAY = date(2026, 11, 23)
GOPA = ["10", "12", "11", "66", "67"]  # Lào Cai, Lai Châu, Điện Biên (north); Đắk Lắk, Đắk Nông (highlands)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from tests.criteria_frames_results import sample_engine

    tmp = tmp_path_factory.mktemp("compare")
    eng = sample_engine(tmp)
    folder = tmp / "communes"
    folder.mkdir()
    (folder / "admin_units.csv").write_text(
        "code,name,level,parent_code\nC1,Xã Một,commune,11\nC2,Xã Hai,commune,11\n", encoding="utf-8"
    )
    (folder / "observations.csv").write_text(
        "programme_code,indicator_code,period,admin_unit,value\n"
        "GOPA,OP1,2020,C1,7\nGOPA,OP1,2020,C2,5\nGOPA,OP1,2020,10,12\nGOPA,OP1,2020,66,3\n",
        encoding="utf-8",
    )
    import_path(eng, folder)
    yield eng
    eng.dispose()


def table_for(engine, **kw) -> ReportTable:
    with Session(engine) as session:
        return compare(session, "GOPA", today=TODAY, **kw)


def rows(table: ReportTable) -> dict[str, list]:
    return {
        cell_text(r.cells[1]).rsplit("(", 1)[1].rstrip(")"): r.cells for r in table.body if r.kind == "item"
    }


def observed(engine, code: str, period: str) -> dict[str, float]:
    sql = text(
        "SELECT o.admin_unit_code, o.value FROM observations o JOIN indicators i ON i.id = o.indicator_id"
        " JOIN programmes p ON p.id = i.programme_id"
        " WHERE p.code = 'GOPA' AND i.code = :c AND o.period = :period AND o.disaggregation = ''"
    )
    with engine.connect() as conn:
        return dict(conn.execute(sql, {"c": code, "period": period}).all())


def test_ranks_are_competition_ranks_best_first_and_direction_aware():
    assert ranks({"a": 5, "b": 7, "c": 7, "d": 1}) == {"b": 1, "c": 1, "a": 3, "d": 4}
    assert ranks({"a": 5, "b": 7, "c": 7, "d": 1}, falling=True) == {"d": 1, "a": 2, "b": 3, "c": 3}
    assert ranks({"a": math.nan, "b": 2.0}) == {"b": 1}


def test_each_province_shows_its_own_figure_and_its_rank(engine):
    table = table_for(engine, period="2013")
    names = [h.text for h in table.header if h.row == 1][: len(GOPA)]
    assert names == ["Lào Cai", "Lai Châu", "Điện Biên", "Đắk Lắk", "Đắk Nông (nay: Lâm Đồng)"]
    regions = [h.text for h in table.header if h.row == 2]
    assert regions == ["Vùng: Trung du và miền núi phía Bắc"] * 3 + ["Vùng: Tây Nguyên"] * 2
    got = rows(table)
    for code in ("OP1", "OC1", "OC2", "IM1"):
        store = observed(engine, code, "2013")
        values = [store.get(p) for p in GOPA]
        shown = [got[code][3 + 3 * k] for k in range(len(GOPA))]
        assert [c.value if isinstance(c, Number) else None for c in shown] == values
        # rank by hand: how many provinces did strictly better, plus one (all increase indicators)
        for k in range(len(GOPA)):
            if values[k] is None:
                assert got[code][5 + 3 * k] == NONE
            else:
                better = sum(1 for v in values if v is not None and v > values[k])
                assert got[code][5 + 3 * k] == Number(better + 1)
        # no province has a plan of its own: no completion rate
        assert all(got[code][4 + 3 * k] == NONE for k in range(len(GOPA)))


def test_a_region_total_sums_counts_and_never_averages_rates(engine):
    got = rows(table_for(engine, period="2013"))
    n = len(GOPA)
    for code in ("IN1", "OP1", "OP2"):  # counts: the region's provinces added up
        store = observed(engine, code, "2013")
        assert got[code][3 + 3 * n].value == pytest.approx(sum(store[p] for p in ("10", "12", "11")))
        assert got[code][4 + 3 * n].value == pytest.approx(store["66"] + store["67"])
    assert got["OP1"][4 + 3 * n].value == 982 + 1508  # Đắk Lắk and Đắk Nông, by hand
    assert got["OC1"][3 + 3 * n] == MISSING and got["IM1"][4 + 3 * n] == MISSING  # %, points: no weight


def test_a_province_reads_its_communes_and_a_partial_region_has_no_total(engine):
    got = rows(table_for(engine, period="2020"))
    op1 = got["OP1"]
    assert op1[3].value == 12 and op1[9].value == 7 + 5  # Lào Cai's own; Điện Biên from its communes
    assert op1[5] == op1[11] == Number(1) and op1[14] == Number(3)  # 12, 12, 3: two share the first rank
    assert op1[6] == MISSING and op1[8] == NONE  # Lai Châu reported nothing
    n = len(GOPA)
    assert op1[3 + 3 * n] == MISSING  # the north lacks Lai Châu's figure: no partial total
    assert op1[4 + 3 * n] == MISSING  # nor the highlands without Đắk Nông's


def test_a_region_keeps_only_its_provinces(engine):
    table = table_for(engine, period="2013", region="Tây Nguyên")
    assert [h.text for h in table.header if h.row == 1] == [
        "Đắk Lắk",
        "Đắk Nông (nay: Lâm Đồng)",
        "Tây Nguyên",
    ]
    assert table_for(engine, period="2013", region="central highlands").body == table.body
    with pytest.raises(ReportScopeError):
        table_for(engine, region="Mekong River Delta")  # GOPA works in none of its provinces
    with pytest.raises(ReportScopeError):
        table_for(engine, region="Atlantis")
    with Session(engine) as session, pytest.raises(NotFound) as caught:
        compare(session, "NOPE", today=TODAY)
    assert (caught.value.entity, caught.value.key) == ("programme", "NOPE")


def test_the_command_writes_the_form_and_has_help(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["report", "compare", "GOPA", "--period", "2013", "--by", "completion"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "so-sanh_GOPA_2013.xlsx").exists()
    result = runner.invoke(app, ["report", "compare", "GOPA", "--format", "html", "--region", "Tây Nguyên"])
    assert result.exit_code == 0, result.output
    help_text = runner.invoke(app, ["report", "compare", "--help"], env={"COLUMNS": "200"}).output
    assert "Example: mel report compare GOPA" in help_text


@pytest.mark.postgres
def test_the_comparison_reads_the_same_on_postgresql(engine, request, tmp_path):
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.reference import init_store
    from mel_core.store import make_engine
    from tests.conftest import _fresh_pg_database

    pg = make_engine(_fresh_pg_database(request.getfixturevalue("pg_server")))
    init_store(pg)
    import_path(pg, SAMPLE_WORKBOOK)
    try:
        for period in ("2013", "2011-2015", "2013-H1"):
            assert [r.cells for r in table_for(pg, period=period).body] == [
                r.cells for r in table_for(engine, period=period).body
            ]
    finally:
        pg.dispose()
