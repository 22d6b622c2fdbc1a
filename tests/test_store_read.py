"""The store's read API (mel_core.store.read): a programme by its code, its provinces, a query as a frame, and the
one not-found error, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from mel_core.errors import MelError, NotFound
from mel_core.i18n import render
from mel_core.ingest import import_path
from mel_core.store import Indicator, Programme, read, table_of
from tests.datasets import write_csv


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    import_path(engine, write_csv(tmp_path / "sample"))
    return engine


def test_a_programme_is_read_by_its_code_from_a_session_or_a_connection(store: Engine):
    with Session(store) as session:
        record = read.programme_record(session, "GOPA")
        assert record["code"] == "GOPA" and record["title_en"] == "Good governance and PAR"
        assert read.programme_id(session, "GOPA") == record["id"]
        assert read.programme(session, "GOPA").id == record["id"]
        with store.connect() as conn:  # inside a transaction that holds a connection already
            assert read.programme_id(conn, "GOPA") == record["id"]
        assert read.programme_codes(session) == sorted(
            session.connection().scalars(select(table_of(Programme).c.code))
        )


@pytest.mark.parametrize("look_up", [read.programme_record, read.programme_id, read.programme],
                         ids=["record", "id", "model"])  # fmt: skip
def test_an_unknown_programme_is_the_one_not_found_error_naming_the_programmes_there_are(
    store: Engine, look_up
):
    with Session(store) as session, pytest.raises(NotFound) as caught:
        look_up(session, "NOPE")
    error = caught.value
    assert isinstance(error, MelError) and error.exit_code == 65
    assert (error.entity, error.key) == ("programme", "NOPE")
    assert render(error.message, "en") == "programme 'NOPE' is not in the store"
    assert render(error.message, "vi") == "không có chương trình 'NOPE' trong kho dữ liệu"
    assert render(error.hint, "en") == "Known programmes: DB-BSS, GOPA."
    assert render(error.hint, "vi") == "Các chương trình đang có: DB-BSS, GOPA."


def test_an_empty_store_says_how_to_fill_it(engine: Engine):
    with Session(engine) as session, pytest.raises(NotFound) as caught:
        read.programme_id(session, "GOPA")
    assert "mel import" in render(caught.value.hint, "en") and "mel demo" in render(caught.value.hint, "vi")


def test_provinces_come_in_the_workbooks_order_by_programme(store: Engine):
    with Session(store) as session:
        gopa, bss = read.programme_id(session, "GOPA"), read.programme_id(session, "DB-BSS")
        every = read.programme_provinces(session)
        assert every[gopa] == ["10", "12", "11", "66", "67"]  # as listed, not sorted
        assert read.programme_provinces(session, [bss]) == {bss: every[bss]}
        assert read.programme_provinces(session, []) == {}


def test_a_query_becomes_a_frame_with_the_columns_named_and_typed(store: Engine):
    i = table_of(Indicator)
    query = select(i.c.code, i.c.cumulative).order_by(i.c.code)
    with Session(store) as session:
        raw = read.frame(session, query, ["code", "cumulative"])
        typed = read.frame(session, query, ["code", "cumulative"], {"cumulative": bool})
        empty = read.frame(
            session, query.where(i.c.code == "NOPE"), ["code", "cumulative"], {"cumulative": bool}
        )
    assert list(typed.columns) == ["code", "cumulative"] and len(typed) == len(raw) > 0
    assert typed["cumulative"].dtype == bool
    assert typed["cumulative"].tolist() == [bool(v) for v in raw["cumulative"]]
    assert empty.empty and list(empty.columns) == ["code", "cumulative"]
    pd.testing.assert_series_equal(typed["code"], raw["code"])


def test_mel_evaluate_and_report_of_an_unknown_programme_exit_65_naming_the_known_ones(tmp_path: Path):
    from tests.test_cli import run_mel

    assert run_mel("init", home=tmp_path).returncode == 0
    assert run_mel("import", str(write_csv(tmp_path / "sample")), home=tmp_path).returncode == 0
    result = run_mel("evaluate", "NOPE", home=tmp_path)
    assert result.returncode == 65, result.stderr
    assert "programme 'NOPE' is not in the store" in result.stderr
    assert "Known programmes: DB-BSS, GOPA." in result.stderr
    shown = run_mel("evaluate", "show", "NOPE-20260101-01", home=tmp_path)
    assert shown.returncode == 65 and "no evaluation 'NOPE-20260101-01'" in shown.stderr
    for command in (("report", "annual"), ("report", "narrative", "annual")):  # the reports: the same error
        reported = run_mel(*command, "NOPE", "--period", "2015", home=tmp_path)
        assert reported.returncode == 65, reported.stderr
        assert "programme 'NOPE' is not in the store" in reported.stderr
        assert "Known programmes: DB-BSS, GOPA." in reported.stderr
