"""Calls for lessons (#15): issued to provinces and organisations with a deadline; who submitted, who is late, what
was returned, as of a day. On SQLite and PostgreSQL, and through the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from mel_core import audit
from mel_core.accounts.users import add_user
from mel_core.lessons.calls import CallError, call_status, new_call
from mel_core.store import Lesson, session_scope, table_of
from tests.kb_support import add_lesson
from tests.test_cli import run_mel

REVIEWER = "thamdinh@molisa.example.vn"


@pytest.fixture
def store(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        add_user(session, REVIEWER, "reviewer", "a long enough password")
        add_user(session, "docgia@molisa.example.vn", "reader", "a long enough password")
        new_call(
            session, "247/KTHT-GN", "Kinh nghiệm giảm nghèo", year=2013, issued_on=date(2013, 6, 10),
            deadline=date(2013, 7, 15), by=REVIEWER, provinces=["11", "04", "44"], organisations=["Oxfam Việt Nam"],
        )  # fmt: skip
    return engine


def answer(engine: Engine, key: str, status: str, **kw: object) -> None:
    add_lesson(engine, key, key, [("3", "Bài học", "- Một bài học.")], status=status, **kw)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        call_id = session.execute(table_of(Lesson).select().where(table_of(Lesson).c.key == key)).first()
        assert call_id is not None
        session.execute(update(table_of(Lesson)).where(table_of(Lesson).c.key == key).values(call_id=1))


def states(engine: Engine, day: date) -> dict[str, tuple[str, list[str]]]:
    with session_scope(engine) as session:
        status = call_status(session, "247/KTHT-GN", day)
    return {i.name: (i.state, [a.key for a in i.lessons]) for i in status.invitees} | {
        "others": ("", [a.key for a in status.others])
    }


def test_who_submitted_who_is_late_and_what_was_returned(store: Engine):
    answer(store, "2013-dien-bien-a", "submitted", provinces=("11",))
    answer(store, "2013-ha-giang-b", "returned", provinces=("02",))  # not asked: another province
    answer(store, "2013-quang-binh-c", "draft", provinces=("44",))  # a draft does not count
    answer(store, "2013-oxfam-d", "published", provinces=("10",), submitted_by="OXFAM VIỆT NAM")
    in_time = states(store, date(2013, 7, 1))
    assert in_time["Điện Biên"] == ("submitted", ["2013-dien-bien-a"])
    assert in_time["Cao Bằng"] == ("waiting", []) and in_time["Quảng Bình"] == ("waiting", [])
    assert in_time["Oxfam Việt Nam"] == ("published", ["2013-oxfam-d"])  # matched without case
    assert in_time["others"] == ("", ["2013-ha-giang-b"])
    late = states(store, date(2013, 7, 16))
    assert late["Cao Bằng"][0] == "late" and late["Quảng Bình"][0] == "late"
    answer(store, "2013-dien-bien-e", "returned", provinces=("11",))
    with session_scope(store) as session:
        session.execute(
            update(table_of(Lesson))
            .where(table_of(Lesson).c.key == "2013-dien-bien-a")
            .values(status="returned")
        )
    assert states(store, date(2013, 7, 16))["Điện Biên"][0] == "returned"
    with session_scope(store) as session:
        [event] = audit.history(session, "call", "247/KTHT-GN")
    assert event.actor == REVIEWER and event.after and event.after["provinces"] == ["11", "04", "44"]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"code": "247/KTHT-GN"}, "exists already"),
        ({"deadline": date(2013, 1, 1)}, "before the call is issued"),
        ({"provinces": ["99"]}, "unknown province codes: 99"),
        ({"provinces": [], "organisations": []}, "at least one province or organisation"),
        ({"by": "docgia@molisa.example.vn"}, "may issue a call"),
        ({"outline": "poem"}, "outline"),
    ],
    ids=["taken", "deadline", "province", "nobody", "reader", "outline"],
)
def test_a_call_that_cannot_be_issued_is_refused_and_nothing_is_written(store: Engine, kwargs, words):
    base: dict[str, object] = {
        "code": "CV-2026", "title": "Lời mời 2026", "year": 2026, "issued_on": date(2026, 3, 1),
        "deadline": date(2026, 6, 30), "by": REVIEWER, "provinces": ["11"], "organisations": [],
    }  # fmt: skip
    base.update(kwargs)
    code, title = base.pop("code"), base.pop("title")
    with pytest.raises(CallError, match=words), session_scope(store) as session:
        new_call(session, code, title, **base)  # type: ignore[arg-type]
    with session_scope(store) as session, pytest.raises(CallError, match="no call"):
        call_status(session, "CV-2026")


def test_the_cli_issues_lists_and_shows_a_call(tmp_path: Path):
    assert run_mel("init", home=tmp_path).returncode == 0
    assert run_mel("users", "add", REVIEWER, "--role", "reviewer", home=tmp_path).returncode == 0
    issued = run_mel(
        "calls", "new", "247/KTHT-GN", "--title", "Kinh nghiệm giảm nghèo", "--year", "2013",
        "--deadline", "2013-07-15", "--issued", "2013-06-10", "--province", "11", "--org", "Oxfam",
        "--by", REVIEWER, home=tmp_path,
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    again = run_mel(
        "calls", "new", "247/KTHT-GN", "--title", "x", "--year", "2013", "--deadline", "2013-07-15",
        "--province", "11", "--by", REVIEWER, home=tmp_path,
    )  # fmt: skip
    assert again.returncode == 65 and "exists already" in again.stderr
    listed = run_mel("calls", "list", home=tmp_path).stdout
    assert "247/KTHT-GN  2013  2013-07-15  late 2" in listed
    shown = json.loads(
        run_mel("calls", "show", "247/KTHT-GN", "--as-of", "2013-07-01", "--json", home=tmp_path).stdout
    )
    assert [(i["name"], i["state"]) for i in shown["invitees"]] == [
        ("Điện Biên", "waiting"),
        ("Oxfam", "waiting"),
    ]
    bad = run_mel("calls", "show", "247/KTHT-GN", "--as-of", "2013-13-01", home=tmp_path)
    assert bad.returncode == 2 and "not a date" in bad.stderr
