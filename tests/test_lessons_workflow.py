"""A lesson's review (#15): only a reviewer publishes; files and the store agree; two reviewers at once, one wins.

On SQLite and PostgreSQL; the CLI is run as a user runs it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from mel_core import audit
from mel_core.accounts.users import add_user
from mel_core.book.content import read_content
from mel_core.kb.index import build_index
from mel_core.kb.search import close_all, search
from mel_core.lessons.ingest import ingest_lessons
from mel_core.lessons.workflow import ReviewConflict, ReviewError, decide, steps
from mel_core.store import Lesson, make_engine, session_scope
from tests.test_cli import run_mel
from tests.test_lessons import GOOD, write

REVIEWER = "thamdinh@molisa.example.vn"
KEY = "2013-dien-bien-bo"


def lesson_file(tmp_path: Path, status: str, text: str = GOOD) -> Path:
    path = write(tmp_path, text.replace("status: submitted", f"status: {status}"))
    return path.parent.parent  # the lessons folder


def state(engine: Engine, key: str = KEY) -> Lesson:
    with session_scope(engine) as session:
        lesson = session.exec(select(Lesson).where(Lesson.key == key)).one()
        session.expunge(lesson)
        return lesson


@pytest.fixture
def store(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        add_user(session, REVIEWER, "reviewer", "a long enough password")
        add_user(session, "docgia@molisa.example.vn", "reader", "a long enough password")
    return engine


def test_a_file_that_says_published_waits_for_a_reviewer(store: Engine, tmp_path: Path):
    report = ingest_lessons(store, lesson_file(tmp_path, "published"))
    assert report.held == [KEY] and report.published == []
    assert state(store).status == "submitted" and state(store).published_by is None
    close_all()
    build_index(store, tmp_path / "index")
    assert search(tmp_path / "index", "bò sinh sản").total == 0  # not public until published


def test_a_reviewer_publishes_the_files_that_say_so_and_an_unchanged_file_keeps_its_state(
    store: Engine, tmp_path: Path
):
    folder = lesson_file(tmp_path, "published")
    report = ingest_lessons(store, folder, publish_as=REVIEWER.upper())
    assert report.published == [KEY] and report.held == []
    lesson = state(store)
    assert (lesson.status, lesson.published_by) == ("published", REVIEWER) and lesson.published_at
    again = ingest_lessons(store, folder)  # no reviewer named: an unchanged lesson stays published
    assert again.unchanged == [KEY] and again.held == [] and state(store).status == "published"
    close_all()
    build_index(store, tmp_path / "index")
    assert search(tmp_path / "index", "bò sinh sản").total >= 1
    # the text changes: the lesson goes back to review, the new text is not public unread
    write(
        tmp_path,
        GOOD.replace("status: submitted", "status: published").replace("Bản Pú Nhi.", "Bản Pú Nhi mới."),
    )
    changed = ingest_lessons(store, folder)
    assert changed.updated == [KEY] and changed.held == [KEY] and state(store).status == "submitted"


def test_only_an_enabled_reviewer_may_publish(store: Engine, tmp_path: Path):
    folder = lesson_file(tmp_path, "published")
    for who in ("docgia@molisa.example.vn", "nobody@example.org"):
        with pytest.raises(ReviewError, match="not an enabled reviewer"):
            ingest_lessons(store, folder, publish_as=who)
    with session_scope(store) as session:
        assert session.exec(select(Lesson)).all() == []  # nothing written


def test_publish_return_and_resubmit_leave_a_history_and_an_audit_trail(store: Engine, tmp_path: Path):
    folder = lesson_file(tmp_path, "submitted")
    ingest_lessons(store, folder)
    with session_scope(store) as session:
        with pytest.raises(ReviewError, match="needs a comment"):
            decide(session, KEY, "return", REVIEWER)
        decide(session, KEY, "return", REVIEWER, "Mục 2.8 còn thiếu.")
    assert state(store).status == "returned"
    with session_scope(store) as session, pytest.raises(ReviewConflict, match="returned, not submitted"):
        decide(session, KEY, "publish", REVIEWER)
    write(tmp_path, GOOD.replace("Bản Pú Nhi.", "Bản Pú Nhi; mục 2.8 đã bổ sung."))
    ingest_lessons(store, folder)  # the contributor's corrected file: submitted again
    assert state(store).status == "submitted"
    with session_scope(store) as session:
        decide(session, KEY, "publish", REVIEWER, seen_version=state(store).content_hash)
        lesson = session.exec(select(Lesson).where(Lesson.key == KEY)).one()
        done = [(s.action, s.comment) for s in steps(session, lesson)]
        trail = [(e.action, e.actor) for e in audit.history(session, "lesson", KEY)]
    assert done == [("submit", None), ("return", "Mục 2.8 còn thiếu."), ("submit", None), ("publish", None)]
    assert ("lesson.return", REVIEWER) in trail and ("lesson.publish", REVIEWER) in trail


def test_a_decision_on_a_version_the_reviewer_did_not_read_is_refused(store: Engine, tmp_path: Path):
    ingest_lessons(store, lesson_file(tmp_path, "submitted"))
    read = state(store).content_hash
    write(tmp_path, GOOD.replace("Bản Pú Nhi.", "Bản Pú Nhi, sửa sau."))
    ingest_lessons(store, tmp_path / "lessons")
    with session_scope(store) as session, pytest.raises(ReviewConflict, match="changed since you read it"):
        decide(session, KEY, "publish", REVIEWER, seen_version=read)
    assert state(store).status == "submitted"


def test_two_reviewers_at_once_one_wins_and_the_other_is_told(store: Engine, db_url: str, tmp_path: Path):
    ingest_lessons(store, lesson_file(tmp_path, "submitted"))
    with session_scope(store) as session:
        add_user(session, "second@molisa.example.vn", "admin", "a long enough password")
    version = state(store).content_hash
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(who: str, decision: str) -> None:
        engine = make_engine(db_url)
        try:
            with session_scope(engine) as session:
                barrier.wait()
                decide(session, KEY, decision, who, "Ghi chú.", seen_version=version)
            outcomes[who] = "won"
        except ReviewConflict as exc:
            outcomes[who] = exc.message
        finally:
            engine.dispose()

    threads = [
        threading.Thread(target=act, args=(REVIEWER, "publish")),
        threading.Thread(target=act, args=("second@molisa.example.vn", "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes.values(), key=lambda v: v != "won")[0] == "won", outcomes
    [told] = [v for v in outcomes.values() if v != "won"]
    assert "not submitted" in told
    with session_scope(store) as session:
        lesson = session.exec(select(Lesson).where(Lesson.key == KEY)).one()
        decisions = [s.action for s in steps(session, lesson) if s.action != "submit"]
    assert len(decisions) == 1 and state(store).status in ("published", "rejected")


def test_the_cli_publishes_returns_and_shows_the_history(tmp_path: Path):
    home = tmp_path
    assert run_mel("init", home=home).returncode == 0
    assert run_mel("users", "add", REVIEWER, "--role", "reviewer", home=home).returncode == 0
    folder = lesson_file(tmp_path, "published")
    ingested = run_mel("lessons", "ingest", str(folder), home=home)
    assert ingested.returncode == 0 and "wait for a reviewer" in ingested.stdout
    refused = run_mel("lessons", "return", KEY, "--by", REVIEWER, "--comment", "", home=home)
    assert refused.returncode == 65 and "needs a comment" in refused.stderr
    published = run_mel("lessons", "publish", KEY, "--by", REVIEWER, home=home)
    assert published.returncode == 0 and "published" in published.stdout
    twice = run_mel("lessons", "publish", KEY, "--by", REVIEWER, home=home)
    assert twice.returncode == 75 and "is published, not submitted" in twice.stderr
    history = run_mel("lessons", "history", KEY, home=home).stdout
    assert f"{KEY}: published" in history and "publish" in history and REVIEWER in history
    trail = run_mel("audit", "--entity", f"lesson:{KEY}", home=home).stdout
    assert "lesson.publish" in trail and "status: submitted → published" in trail


def test_the_book_leaves_out_a_lesson_the_store_has_in_review(store: Engine, tmp_path: Path):
    folder = lesson_file(tmp_path, "published")
    assert [x.key for x in read_content(store, 2013, folder).lessons] == [KEY]  # a file the store never saw
    ingest_lessons(store, folder)  # now the store holds it, waiting for a reviewer
    content = read_content(store, 2013, folder)
    assert content.lessons == [] and content.held_lessons == [KEY]
    with session_scope(store) as session:
        decide(session, KEY, "publish", REVIEWER)
    assert [x.key for x in read_content(store, 2013, folder).lessons] == [KEY]
    # the file changes after publication: the book keeps to what a reviewer read
    write(tmp_path, GOOD.replace("status: submitted", "status: published").replace("Bản Pú Nhi.", "Sửa sau."))
    assert read_content(store, 2013, folder).held_lessons == [KEY]


def test_published_lessons_written_back_as_files_ingest_again_unchanged(store: Engine, tmp_path: Path):
    from mel_core.access import Viewer
    from mel_core.lessons.completeness import outline_numbers
    from mel_core.lessons.export import export_lessons
    from mel_core.lessons.submit import Draft, save

    ingest_lessons(store, lesson_file(tmp_path, "published"), publish_as=REVIEWER)
    contributor = Viewer(role="contributor", email="canbo@dienbien.example.vn", provinces=("11",))
    draft = Draft(
        title="Nuôi lợn đen bản địa", year=2013, provinces=["11"], sector="livestock", themes=["process"],
        submitted_by="Phòng NN huyện", contact={"name": "Lò Thị Hoa"},
        sections={n: ("- **Chọn giống.** Lợn đen." if n == "3" else f"Mục {n}.") for n in outline_numbers()},
    )  # fmt: skip
    with session_scope(store) as session:
        written, checked = save(session, draft, contributor, submit=True)
        assert written is not None, checked.problems
        portal_key = written.key
    with session_scope(store) as session:
        decide(session, portal_key, "publish", REVIEWER)
    out = tmp_path / "exported"
    with session_scope(store) as session:
        report = export_lessons(session, out)
    assert sorted(p.stem for p in report.written) == sorted([KEY, portal_key])
    exported = (out / "2013" / f"{portal_key}.md").read_text(encoding="utf-8")
    assert "status: published" in exported and "Lò Thị Hoa" in exported  # the file is private, like lessons/
    before = {k: (state(store, k).status, state(store, k).content_hash) for k in (KEY, portal_key)}
    again = ingest_lessons(store, out)
    assert again.held == [] and again.published == []
    assert {k: (state(store, k).status, state(store, k).content_hash) for k in (KEY, portal_key)} == before
    with session_scope(store) as session:
        assert export_lessons(session, out).unchanged and export_lessons(session, out).written == []
    (out / "2013" / f"{portal_key}.md").write_text(exported.replace("Mục 1.2.", "Sửa tay."), encoding="utf-8")
    with session_scope(store) as session:
        kept = export_lessons(session, out, [portal_key])
        assert kept.kept == [out / "2013" / f"{portal_key}.md"] and kept.written == []
        forced = export_lessons(session, out, [portal_key], force=True)
    assert forced.written and "Sửa tay." not in (out / "2013" / f"{portal_key}.md").read_text(
        encoding="utf-8"
    )
