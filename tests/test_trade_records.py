"""Trade promotion (seed 000): activity and enterprise records import all or nothing, and the indicators are
counted from them (the small dataset of tests/trade_data.py, counted by hand in the comments)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mel_core.errors import ImportValidationError
from mel_core.ingest import export_path, import_path
from mel_core.periods import parse_period
from mel_core.store import ActivityIndicator, ActivityParticipant, Enterprise, table_of
from mel_core.trade import tax_code
from mel_core.trade.checks import disagreements
from mel_core.trade.indicators import Scope, compute, previous_year
from mel_core.trade.records import load_records
from tests import trade_data
from tests.trade_data import E


@pytest.fixture
def loaded(engine, tmp_path):
    from mel_core.reference import init_store

    init_store(engine)
    report = import_path(engine, trade_data.write(tmp_path / "xttm.xlsx"))
    return engine, report


def test_tax_codes_are_checked_by_their_check_digit():
    assert tax_code.problem("0300588569") is None  # a real code, from a registration certificate
    assert tax_code.problem("0101248141-001") is None  # a branch
    assert "check digit" in (tax_code.problem("0101248142") or "")
    assert tax_code.problem("010124814") is not None  # nine digits
    assert tax_code.normalise(300588569) == "0300588569"  # a spreadsheet dropped the leading zero


def test_counts_come_from_the_activity_records(loaded):
    engine, _ = loaded
    with engine.connect() as conn:
        records = load_records(conn)
    got = compute(records, Scope(("XT-T11",), parse_period("2026-Q3")))
    # A1 (training) and A2 (wholesale fair) inside the programme; A3 outside; A5 in Q2; A4 only planned.
    assert got["HD_CT"].value == 2 and got["HD_CT"].activities == ("A1", "A2")
    assert got["HD_TU"].value == 1 and got["HD_TAP_HUAN"].value == 1 and got["HD_HC_BUON"].value == 1
    # officials CB-01, CB-02 at A1 and CB-01 at A2: two people, three participations
    assert (got["CB_TG"].value, got["LUOT_CB"].value) == (2, 3)
    assert got["CB_TG"].by_type == {"training": 2, "wholesale_fair": 1}
    # enterprises E1 E2 E3 at A1, E1 E4 at A2: four enterprises, five participations; E5 only outside
    assert (got["DN_TG"].value, got["LUOT_DN"].value, got["DN_TU"].value) == (4, 5, 1)
    assert got["CB_TG"].enterprises is None  # counts rest on no enterprise's figures


def test_enterprise_figures_of_participants(loaded):
    engine, _ = loaded
    with engine.connect() as conn:
        records = load_records(conn)
    got = compute(records, Scope(("XT-T11",), parse_period("2026-Q3")))
    # participants by 30 Sep: E1 E2 E3 E4 (E5 joined only an activity outside the programme)
    assert (got["XK_DT"].value, got["XK_DT"].enterprises) == (500 + 100 + 200 + 330, 4)
    assert got["DS"].value == 1200 + 900 + 600 + 550
    # growth over the enterprises that reported both 2025-Q3 and 2026-Q3 (E1 E2 E4; E3 has no 2025 report)
    assert got["XK_TT"].value == pytest.approx(100 * ((500 + 100 + 330) - (400 + 0 + 300)) / (400 + 0 + 300))
    assert got["DS_TT"].value == pytest.approx(100 * (2650 - 2300) / 2300) and got["DS_TT"].enterprises == 3
    # results of A1 and A2: new markets E1 1 + E4 2; customers 3 + 1 + 1; additional sales 300 + 200
    assert (got["TT_MOI"].value, got["TT_MOI"].enterprises) == (3, 2)
    assert (got["KH_MOI"].value, got["KH_MOI"].enterprises) == (5, 3)
    assert got["DS_GT"].value == 500
    assert (got["DN_SPXK"].value, got["TL_DN_SPXK"].value) == (1, 25.0)  # E1 of the four that reported
    by_sector = compute(records, Scope(("XT-T11",), parse_period("2026-Q3"), sector="tea"))
    assert (by_sector["DN_TG"].value, by_sector["XK_DT"].value, by_sector["HD_CT"].value) == (1, 330, 1)
    assert previous_year(parse_period("2026-Q3")).label == "2025-Q3"


def test_a_typed_figure_that_disagrees_is_a_warning_of_the_dry_run_and_the_import(engine, tmp_path):
    from mel_core.reference import init_store

    init_store(engine)
    path = trade_data.write(tmp_path / "xttm.xlsx")
    dry = import_path(engine, path, dry_run=True)
    shown = sorted((w.row, w.column, w.value) for w in dry.warnings)
    # observations row 2: HD_CT typed 3, counted 2; activities row 3: A2 typed 4 enterprises, 2 listed
    assert shown == [(2, "value", "3"), (3, "participants_enterprises", "4")]
    assert all(w.source.endswith(("observations", "activities")) for w in dry.warnings)
    assert "A1, A2" in dry.warnings[-1].reason or "A1, A2" in dry.warnings[0].reason
    real = import_path(engine, path)
    assert sorted((w.row, w.column) for w in real.warnings) == [(2, "value"), (3, "participants_enterprises")]
    with engine.connect() as conn:  # on the store afterwards the same two, pointing at the stored rows
        assert len(disagreements(load_records(conn))) == 2


def test_re_import_changes_nothing_and_export_round_trips(loaded, tmp_path):
    engine, _ = loaded
    again = import_path(engine, trade_data.write(tmp_path / "again.xlsx"))
    assert all(t.new == 0 for t in again.tables)
    with engine.connect() as conn:
        counts = [
            conn.scalar(select(func.count()).select_from(table_of(m)))
            for m in (Enterprise, ActivityParticipant, ActivityIndicator)
        ]
    assert counts == [5, 11, 5]  # A1 serves HD_CT, CB_TG; A2 HD_CT, DN_TG, TT_MOI
    out = tmp_path / "backup.xlsx"
    export_path(engine, out)
    assert all(t.new == 0 for t in import_path(engine, out).tables)
    with engine.connect() as conn:
        assert [
            conn.scalar(select(func.count()).select_from(table_of(m)))
            for m in (Enterprise, ActivityParticipant, ActivityIndicator)
        ] == counts


def _broken() -> dict[str, list[list[object]]]:
    sheets = trade_data.tables()
    sheets["enterprises"].append(["0101248142", "Sai mã", "11", "coffee", "small", "true"])  # check digit
    sheets["enterprises"].append([tax_code.make("990000099"), "Sai ngành", "11", "cars", "huge", ""])
    sheets["enterprise_reports"].append([tax_code.make("990000088"), "2026-Q3", 1, 1, "", "", "", "", ""])
    sheets["activity_participants"].append(["XT-T11", "A9", "official", "CB-09"])  # no such activity
    sheets["activity_participants"].append(["XT-T11", "A1", "enterprise", tax_code.make("990000077")])
    sheets["activity_results"].append(["XT-T11", "A1", E[4], 1, 10, "", "", ""])  # E4 was not at A1
    sheets["activities"].append(["XT-T11", "A6", "training", "", "", "2026-07-01", "done", "", "", "", "11", "9",
                                 "NOPE", "false"])  # fmt: skip
    return sheets


def test_every_problem_is_reported_with_its_place_and_nothing_is_written(engine, tmp_path):
    from mel_core.reference import init_store

    init_store(engine)
    with pytest.raises(ImportValidationError) as caught:
        import_path(engine, trade_data.write(tmp_path / "bad.xlsx", _broken()))
    found = {(p.source.split(" › ")[-1], p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("enterprises", 7, "tax_code"),
        ("enterprises", 8, "product_sector"),
        ("enterprises", 8, "size"),
        ("enterprise_reports", 11, "tax_code"),
        ("activity_participants", 13, "activity_code"),
        ("activity_participants", 14, "participant"),
        ("activity_results", 5, "tax_code"),
        ("activities", 7, "planned_date"),
        ("activities", 7, "outcome"),
        ("activities", 7, "indicators"),
    }, caught.value.problems
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(table_of(Enterprise))) == 0


def test_the_counted_codes_are_the_frameworks():
    from mel_core.demo import trade_promotion as tp
    from mel_core.trade.indicators import COMPUTED, PROVINCIAL_SHEET, TYPE_CODES

    assert list(TYPE_CODES.values()) == [
        key for key, _vi, _en in tp.ACTIVITY_TYPES
    ]  # the ten types, in order
    framework = {s[0] for s in (*tp.PROGRAMME_INDICATORS, *tp.PROVINCIAL_INDICATORS)}
    assert set(COMPUTED) <= framework
    provincial = {s[0]: s[1] for s in tp.PROVINCIAL_INDICATORS}
    assert len(PROVINCIAL_SHEET) == 14 and set(PROVINCIAL_SHEET) <= set(provincial)
