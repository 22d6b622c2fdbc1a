"""The audit trail (#15): append-only in the database itself, written with the change it describes, read by
`mel audit`. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from mel_core import audit
from mel_core.accounts.users import add_user, set_password, set_role
from mel_core.errors import ImportValidationError
from mel_core.evaluations.record import override
from mel_core.ingest import import_path
from mel_core.store import make_engine, session_scope
from tests.conftest import DemoRun
from tests.datasets import copy_tables, write_csv
from tests.test_cli import run_mel


def test_the_database_refuses_to_change_or_remove_an_event(engine: Engine):
    with session_scope(engine) as session:
        audit.record(session, "user.add", "user", "a@example.org", after={"role": "reader"})
    for statement in (
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with session_scope(engine) as session:
        [event] = audit.events(session)
    assert event.actor == audit.cli_actor() and event.after == {"role": "reader"}


def test_user_changes_are_recorded_with_before_and_after_and_never_a_password(engine: Engine):
    with session_scope(engine) as session:
        add_user(
            session, "lan@example.org", "contributor", "a long enough password", ["11"], actor="admin@x.vn"
        )
    with session_scope(engine) as session:
        set_role(session, "lan@example.org", "reviewer", provinces=[], actor="admin@x.vn")
        set_password(session, "lan@example.org", "another long password")
    with session_scope(engine) as session:
        trail = audit.history(session, "user", "lan@example.org")
    assert [e.action for e in trail] == ["user.add", "user.set_role", "user.set_password"]
    assert [e.actor for e in trail] == ["admin@x.vn", "admin@x.vn", audit.cli_actor()]
    assert trail[1].changes() == [("role", "contributor", "reviewer"), ("provinces", ["11"], [])]
    everything = json.dumps([e.as_json() for e in trail])
    assert "argon2" not in everything and "password" not in everything.replace("user.set_password", "")


def test_a_change_that_fails_leaves_no_event(engine: Engine):
    with pytest.raises(Exception, match="role"), session_scope(engine) as session:
        add_user(session, "x@example.org", "reader", "a long enough password")
        set_role(session, "x@example.org", "king")  # refused: the whole transaction rolls back
    with session_scope(engine) as session:
        assert audit.events(session) == []


def test_an_import_is_recorded_with_its_counts_and_a_refused_one_is_not(engine: Engine, tmp_path: Path):
    folder = write_csv(tmp_path / "csv", copy_tables())
    import_path(engine, folder, actor="reviewer@x.vn")
    import_path(engine, folder, actor="reviewer@x.vn")  # again: no data changes, but it happened
    bad = copy_tables()
    bad["programmes"][1][0] = ""  # a programme without a code
    with pytest.raises(ImportValidationError):
        import_path(engine, write_csv(tmp_path / "bad", bad))
    with session_scope(engine) as session:
        trail = audit.events(session, entity="import")
    assert [(e.action, e.key, e.actor) for e in trail] == [("data.import", "csv", "reviewer@x.vn")] * 2
    first, second = (e.after or {} for e in trail)
    assert first["programmes"]["new"] == first["programmes"]["rows"] > 0
    assert second["programmes"] == {"rows": first["programmes"]["rows"], "new": 0}


def test_a_rating_override_is_recorded(demo_run: DemoRun, tmp_path: Path):
    db = tmp_path / "mel.db"
    shutil.copy(demo_run.home / "mel.db", db)
    engine = make_engine(f"sqlite:///{db}")
    with session_scope(engine) as session:
        code = session.execute(
            text("SELECT code FROM evaluations WHERE status = 'succeeded' LIMIT 1")
        ).scalar()
        before = len(audit.events(session))
    assert code
    override(engine, code, "relevance", 2, "Nhu cầu của hộ nghèo chưa được khảo sát.", by="evaluator@x.vn")
    with session_scope(engine) as session:
        [event] = audit.history(session, "rating", f"{code}/relevance")
        after = len(audit.events(session))
    engine.dispose()
    assert event.actor == "evaluator@x.vn" and event.action == "rating.override"
    assert event.after == {"final_level": 2, "override_reason": "Nhu cầu của hộ nghèo chưa được khảo sát."}
    assert after == before + 1


def test_mel_audit_lists_and_filters_the_trail(tmp_path: Path):
    home = tmp_path
    assert run_mel("init", home=home).returncode == 0
    assert run_mel("users", "add", "lan@example.org", "--role", "reader", home=home).returncode == 0
    assert run_mel("users", "set-role", "lan@example.org", "reviewer", home=home).returncode == 0
    shown = run_mel("audit", home=home)
    assert shown.returncode == 0, shown.stderr
    assert "user.add  user:lan@example.org" in shown.stdout and "role: reader → reviewer" in shown.stdout
    lines = run_mel("audit", "--entity", "user:lan@example.org", "--json", "-n", "1", home=home).stdout
    [latest] = [json.loads(line) for line in lines.splitlines()]
    assert latest["action"] == "user.set_role" and latest["after"]["role"] == "reviewer"
    assert run_mel("audit", "--entity", "lesson", home=home).stdout.strip() in (
        "No events.",
        "Không có sự kiện nào.",
    )
    bad = run_mel("audit", "--since", "2026-13-01", home=home)
    assert bad.returncode == 2 and "not a date" in bad.stderr


def test_events_by_the_start_of_their_key_take_the_key_literally(engine: Engine):
    with session_scope(engine) as session:
        for key in ("DB_1/relevance", "DBx1/relevance", "DB_1/impact", "DB_10/impact"):
            audit.record(session, "rating.override", "rating", key)
    with session_scope(engine) as session:
        found = [e.key for e in audit.events(session, entity="rating", key_prefix="DB_1/")]
    assert found == ["DB_1/relevance", "DB_1/impact"]  # "_" is not a wildcard, "DB_10" is another evaluation
