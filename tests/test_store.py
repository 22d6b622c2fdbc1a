"""The store: migrations agree with the models; constraints live in the database; SQLite settings."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from mel_core import geo
from mel_core.reference import init_store, taxonomy
from mel_core.store import AdminUnit, Programme, make_engine, metadata, session_scope
from mel_core.store.migrate import current_revision, head_revision
from mel_core.vocabulary import CRITERIA, FUNDING, LESSON_THEMES, SECTORS


def test_migrations_create_exactly_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
    assert current_revision(engine) == head_revision(engine)
    assert set(inspect(engine).get_table_names()) >= {t for t in metadata.tables} | {"alembic_version"}


def test_init_is_safe_to_run_again(engine):
    init_store(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM admin_units")) == 64  # 63 provinces + the country
        assert conn.scalar(text("SELECT successor_code FROM admin_units WHERE code = '44'")) == "45"
        assert conn.scalar(text("SELECT current_name FROM admin_units WHERE code = '46'")) == "Huế"
        assert (
            conn.scalar(
                text("SELECT label_vi FROM taxonomy_terms WHERE vocabulary='sectors' AND key='livestock'")
            )
            == "Chăn nuôi"
        )


def _programme(**overrides):
    values = dict(
        code="P1",
        title="Mô hình",
        kind="model",
        sector="livestock",
        funding="state_budget",
        start_date=date(2011, 1, 1),
    )
    values.update(overrides)
    return Programme(**values)


@pytest.mark.parametrize(
    "overrides",
    [
        {"sector": "livestok"},
        {"funding": "grant"},
        {"kind": "plan"},
        {"budget_million_vnd": -1.0},
        {"households": -3},
        {"end_date": date(2010, 1, 1)},
        {"model_chosen_by": "donor"},
        {"implementer_id": 999},
    ],
    ids=[
        "sector",
        "funding",
        "kind",
        "negative-money",
        "negative-count",
        "ends-before-start",
        "chosen-by",
        "fk",
    ],
)
def test_database_refuses_what_python_would_let_through(engine, overrides):
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_programme(**overrides))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM programmes")) == 0


def test_natural_keys_are_unique_in_the_database(engine):
    with session_scope(engine) as session:
        session.add(_programme())
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_programme(title="again"))


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        (
            "INSERT INTO observations (indicator_id, period, period_start, period_end, admin_unit_code,"
            " disaggregation, value)"
            " VALUES ({iid}, '2015', '2015-01-01', '2015-12-31', 'VN', '', 'many')",
            "value is a number",
        ),
        (
            "INSERT INTO expenditures (programme_id, period, period_start, period_end, source, planned_million_vnd)"
            " VALUES ({pid}, '2015', '2015-01-01', '2015-12-31', 'donor', -10)",
            "money is not negative",
        ),
        (
            "INSERT INTO ratings (evaluation_id, criterion, computed_level, final_level, justification)"
            " VALUES ({eid}, 'relevance', 3, 2, 'x')",
            "override needs a reason",
        ),
        (
            "INSERT INTO targets (indicator_id, period, period_start, period_end, admin_unit_code, value, value_high)"
            " VALUES ({iid}, '2015', '2015-01-01', '2015-12-31', 'VN', 7, 6.5)",
            "range is ordered",
        ),
        ("INSERT INTO lesson_provinces (lesson_id, admin_unit_code) VALUES ({lid}, '99')", "foreign key"),
    ],
    ids=["numeric", "money", "override", "range", "fk"],
)
def test_constraints_on_results_finance_and_evaluations(engine, sql, why):
    with session_scope(engine) as session:
        session.add(_programme())
    with engine.connect() as conn:
        pid = conn.scalar(text("SELECT id FROM programmes"))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO indicators (programme_id, code, name, level, unit, direction, cumulative)"
                f" VALUES ({pid}, 'I', 'n', 'output', 'u', 'increase', false)"
            )
        )
        iid = conn.scalar(text("SELECT id FROM indicators"))
        conn.execute(
            text(
                f"INSERT INTO evaluations (code, programme_id, kind, status) VALUES ('E1', {pid}, 'final', 'running')"
            )
        )
        eid = conn.scalar(text("SELECT id FROM evaluations"))
        conn.execute(
            text(
                "INSERT INTO lessons (key, title, language, year, sector, visibility, status)"
                " VALUES ('l1', 'Bài học', 'vi', 2013, 'livestock', 'public', 'submitted')"
            )
        )
        lid = conn.scalar(text("SELECT id FROM lessons"))
    with pytest.raises(Exception) as info, engine.begin() as conn:
        conn.execute(text(sql.format(pid=pid, iid=iid, eid=eid, lid=lid)))
    message = str(info.value).lower()
    assert any(word in message for word in _EXPECTED[why]), message


_EXPECTED = {
    "value is a number": ("observations_value_numeric", "invalid input syntax"),
    "money is not negative": ("planned_million_vnd_non_negative",),
    "override needs a reason": ("override_has_reason",),
    "range is ordered": ("range_ordered",),
    "foreign key": ("foreign key",),
}


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with eng.connect() as conn:
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert conn.scalar(text("PRAGMA busy_timeout")) == 30000
        assert conn.scalar(text("PRAGMA foreign_keys")) == 1


def test_reference_data_matches_the_shared_province_list():
    provinces = geo.provinces()
    assert len(provinces) == 63
    assert len(geo.current_provinces()) == 34
    assert geo.successor("44") == "45" and geo.successor("11") == "11"
    assert geo.predecessors("45") == ["44", "45"]
    assert geo.normalise_code(1) == "01" and geo.normalise_code("1") == "01"


def test_taxonomy_labels_cover_exactly_the_vocabulary():
    tax = taxonomy()
    assert tuple(tax["sectors"]) == SECTORS
    assert tuple(tax["themes"]) == LESSON_THEMES
    assert tuple(tax["funding"]) == FUNDING
    assert set(tax["criteria"]) == {*CRITERIA, "overall"}
    assert all(labels["vi"] and labels["en"] for terms in tax.values() for labels in terms.values())
    # every attribute of a term has a value: an unquoted comma in a flow mapping ({vi: a, b, en: c}) makes a key
    # "b" without one and silently cuts the label at the comma
    from mel_core.reference import _raw_taxonomy, kb_dir

    raw = _raw_taxonomy(kb_dir() / "taxonomy.yml")
    empty = [(vocabulary, key, k) for vocabulary, terms in raw.items() for key, labels in terms.items()
             for k, v in labels.items() if v is None]  # fmt: skip
    assert not empty


def test_admin_units_keep_pre_2025_names(engine):
    with session_scope(engine) as session:
        qb = session.get(AdminUnit, "44")
        assert (
            qb is not None
            and qb.name == "Quảng Bình"
            and qb.successor_code == "45"
            and qb.current_name is None
        )
