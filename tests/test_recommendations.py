"""Management responses to recommendations (#15): responses, key actions, dated status updates, the tracker as of
a day, the CLI, the portal's tracker and the book. On the store `mel demo` made (its evaluations' recommendations).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from mel_core import audit
from mel_core.accounts.users import add_user
from mel_core.book.content import read_content
from mel_core.book.evaluation_pages import recommendations_page
from mel_core.evaluations.responses import ResponseError, respond, tracker, update
from mel_core.store import make_engine, session_scope
from tests.conftest import DemoRun
from tests.test_cli import run_mel

MANAGER = "lanhdao@molisa.example.vn"
TODAY = date.today()


@pytest.fixture
def store(demo_run: DemoRun, tmp_path: Path) -> Engine:
    """A copy of the demo's store, with a reviewer who records responses and a reader who may not."""
    shutil.copy(demo_run.home / "mel.db", tmp_path / "mel.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'mel.db'}")
    with session_scope(engine) as session:
        add_user(session, MANAGER, "reviewer", "a long enough password")
        add_user(session, "docgia@molisa.example.vn", "reader", "a long enough password")
    yield engine
    engine.dispose()


def first_ref(engine: Engine) -> str:
    with session_scope(engine) as session:
        row = session.execute(
            text(
                "SELECT e.code, r.position FROM recommendations r JOIN evaluations e ON e.id = r.evaluation_id"
                " WHERE e.status = 'succeeded' ORDER BY e.id, r.position LIMIT 1"
            )
        ).one()
    return f"{row[0]}#{row[1]}"


def item(engine: Engine, ref: str, as_of: date | None = None):
    with session_scope(engine) as session:
        [found] = [i for i in tracker(session, as_of=as_of).items if i.ref == ref]
    return found


def test_a_response_with_key_actions_is_tracked_until_done(store: Engine):
    ref = first_ref(store)
    assert item(store, ref).state == "awaiting"
    past, future = TODAY - timedelta(days=10), TODAY + timedelta(days=90)
    with session_scope(store) as session:
        respond(
            session,
            ref,
            "accepted",
            "Đồng ý; Sở sẽ ban hành quy chế.",
            MANAGER,
            [
                ("Ban hành quy chế quay vòng bê", "Sở NN&PTNT Điện Biên", past),
                ("Tập huấn thú y bản", "UBND xã", future),
            ],
        )
    now = item(store, ref)
    assert (now.state, now.response, now.overdue) == ("not_started", "accepted", True)
    assert [(a.position, a.status, a.overdue) for a in now.actions] == [
        (1, "not_started", True),
        (2, "not_started", False),
    ]
    with session_scope(store) as session:
        update(session, ref, 1, "initiated", MANAGER, "Dự thảo đã trình.", as_of=TODAY - timedelta(days=5))
    assert item(store, ref).state == "initiated" and item(store, ref).overdue  # still overdue: not done
    with session_scope(store) as session:
        update(session, ref, 1, "completed", MANAGER, "Quy chế đã ban hành.")
        update(session, ref, 2, "no_longer_applicable", MANAGER, "Xã đã sáp nhập.")
    done = item(store, ref)
    assert (done.state, done.overdue) == ("completed", False)
    assert [s[1] for s in done.actions[0].history] == ["initiated", "completed"]
    # yesterday nothing had been recorded yet: what a book of yesterday showed
    assert (
        item(store, ref, TODAY - timedelta(days=1)).state,
        item(store, ref, TODAY - timedelta(days=1)).actions,
    ) == (
        "awaiting",
        (),
    )
    with pytest.raises(ResponseError, match="future"), session_scope(store) as session:
        update(session, ref, 1, "completed", MANAGER, as_of=TODAY + timedelta(days=1))
    with session_scope(store) as session:
        trail = [e.action for e in audit.history(session, "recommendation", ref)]
    assert trail == [
        "recommendation.respond",
        *["recommendation.add_action"] * 2,
        *["recommendation.update_action"] * 3,
    ]


def test_what_may_not_be_recorded_is_refused_and_nothing_is_written(store: Engine):
    ref = first_ref(store)
    cases = [
        (dict(ref=ref, response="maybe", text="x", by=MANAGER), "not a response"),
        (dict(ref=ref, response="accepted", text="x", by="docgia@molisa.example.vn"), "may record"),
        (dict(ref="NO-SUCH#1", response="accepted", text="x", by=MANAGER), "no recommendation"),
        (dict(ref="no-hash", response="accepted", text="x", by=MANAGER), "EVALUATION#N"),
        (dict(ref=ref, response="accepted", text="  ", by=MANAGER), "empty"),
    ]
    for kwargs, words in cases:
        with pytest.raises(ResponseError, match=words), session_scope(store) as session:
            respond(session, **kwargs)
    with pytest.raises(ResponseError, match="no key actions"), session_scope(store) as session:
        respond(session, ref, "not_accepted", "Không phù hợp.", MANAGER, [("x", "y", TODAY)])
    with pytest.raises(ResponseError, match="no key action 3"), session_scope(store) as session:
        update(session, ref, 3, "completed", MANAGER)
    assert item(store, ref).state == "awaiting"
    with session_scope(store) as session:
        assert audit.history(session, "recommendation", ref) == []


def test_the_book_shows_the_state_on_its_date(store: Engine):
    ref = first_ref(store)
    with session_scope(store) as session:
        respond(
            session,
            ref,
            "partially_accepted",
            "Một phần.",
            MANAGER,
            [("Rà soát định mức", "Sở Tài chính", TODAY)],
        )
        year = session.execute(
            text("SELECT finished_at FROM evaluations WHERE code = :c"), {"c": ref.split("#")[0]}
        )
        finished = year.scalar()
    content = read_content(store, int(str(finished)[:4]), None)
    page = recommendations_page(content, "vi").replace("\\", "")  # as read, without Markdown's escapes
    assert f"Tình trạng ngày {TODAY.isoformat()}" in page
    assert "Chấp nhận một phần: Một phần." in page and "Rà soát định mức (Sở Tài chính" in page
    assert "chờ phản hồi của cơ quan quản lý" in page  # the others


def test_the_cli_lists_responds_and_updates(demo_run: DemoRun, tmp_path: Path):
    home = tmp_path
    shutil.copy(demo_run.home / "mel.db", home / "mel.db")
    assert run_mel("users", "add", MANAGER, "--role", "reviewer", home=home).returncode == 0
    engine = make_engine(f"sqlite:///{home / 'mel.db'}")
    ref = first_ref(engine)
    engine.dispose()
    due = (TODAY + timedelta(days=30)).isoformat()
    responded = run_mel(
        "recommendations", "respond", ref, "--response", "accepted", "--text", "Đồng ý.", "--by", MANAGER,
        "--action", "Ban hành quy chế", "--unit", "Sở NN&PTNT", "--due", due, home=home,
    )  # fmt: skip
    assert responded.returncode == 0, responded.stderr
    mismatched = run_mel(
        "recommendations", "respond", ref, "--response", "accepted", "--text", "x", "--by", MANAGER,
        "--action", "a", home=home,
    )  # fmt: skip
    assert mismatched.returncode == 2 and "--unit and --due" in mismatched.stderr
    updated = run_mel(
        "recommendations", "update", ref, "--action", "1", "--status", "initiated", "--by", MANAGER, home=home
    )
    assert updated.returncode == 0, updated.stderr
    listed = json.loads(
        run_mel("recommendations", "list", "--state", "initiated", "--json", home=home).stdout
    )
    assert [r["ref"] for r in listed["recommendations"]] == [ref]
    assert listed["recommendations"][0]["actions"][0]["unit"] == "Sở NN&PTNT"
    assert listed["counts"]["initiated"] == 1 and listed["counts"]["awaiting"] >= 1
    before = json.loads(
        run_mel("recommendations", "list", "--as-of", "2000-01-01", "--json", home=home).stdout
    )
    assert before["counts"].get("initiated", 0) == 0
    shown = run_mel("recommendations", "list", "--evaluation", ref.split("#")[0], home=home).stdout
    assert f"{ref}  [initiated]" in shown and "1. Ban hành quy chế (Sở NN&PTNT, due" in shown
    refused = run_mel(
        "recommendations", "update", ref, "--action", "1", "--status", "done", "--by", MANAGER, home=home
    )
    assert refused.returncode == 65 and "not a status" in refused.stderr
