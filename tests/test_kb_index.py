"""The index: built from the store (SQLite and PostgreSQL), public only, updated, swapped, one writer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, update
from whoosh import index as whoosh_index

from mel_core.kb.errors import IndexLockedError, IndexMissingError
from mel_core.kb.index import build_index, update_index, update_lessons
from mel_core.kb.search import close_all, search
from mel_core.kb.storage import current_generation, writer_lock
from mel_core.store import (
    Evaluation,
    Finding,
    Lesson,
    Programme,
    ProgrammeProvince,
    Recommendation,
    session_scope,
    table_of,
)
from tests.kb_support import simple_lesson

CONTACT = {"name": "Lò Văn Thắng", "phone": "0915 201 347", "email": "thang.lv@snnptnt.example.vn"}


@pytest.fixture(autouse=True)
def _close_searchers() -> None:
    close_all()


def _sample(engine: Engine) -> None:
    simple_lesson(
        engine,
        "2013-dien-bien-bo",
        "Nuôi bò sinh sản cho hộ nghèo ở Điện Biên",
        "### Để dân chọn giống\nHọp bản chọn bò vàng địa phương giúp giảm nghèo.\n\n"
        "### Quay vòng bê\nQuay vòng bê giúp nhân rộng mô hình chăn nuôi.",
        body="Liên hệ: Lò Văn Thắng, điện thoại 0915 201 347, thang.lv@snnptnt.example.vn.",
        contact=CONTACT,
    )
    simple_lesson(
        engine,
        "2013-quang-binh-de",
        "Nuôi dê sinh sản ở Minh Hóa",
        "- Quy hoạch bãi chăn thả trước khi cấp dê.\n- Nhóm sở thích giảm rủi ro.",
        provinces=("44",),
        year=2014,
        themes=("empowerment", "process"),
    )
    simple_lesson(
        engine,
        "2015-secret",
        "Bài học nội bộ về chăn nuôi bò",
        "### Bí mật\nNội dung nội bộ giảm nghèo chăn nuôi.",
        visibility="internal",
    )
    simple_lesson(engine, "2016-draft", "Bản nháp chăn nuôi", "### Nháp\nchăn nuôi", status="draft")


def _all_text(index_dir: Path) -> str:
    """Every stored value and every indexed term of the index, as one text."""
    ix = whoosh_index.open_dir(str(current_generation(index_dir)))
    with ix.reader() as reader:
        stored = [json.dumps(fields, ensure_ascii=False) for _n, fields in reader.iter_docs()]
        terms = [f"{name}:{term}" for name, term in reader.all_terms()]
    return "\n".join(stored + [str(t) for t in terms])


def test_index_holds_public_lessons_and_items_only(engine: Engine, tmp_path: Path) -> None:
    _sample(engine)
    report = build_index(engine, tmp_path / "index")
    assert report.rebuilt and report.by_kind == {"lesson": 2, "lesson_item": 4}
    everything = _all_text(tmp_path / "index")
    for private in ("Thắng", "0915", "201 347", "thang.lv", "snnptnt", "nội bộ", "Bản nháp"):
        assert private not in everything
    for kept in ("Điện Biên", "Quay vòng bê", "Minh Hóa"):
        assert kept in everything
    assert search(tmp_path / "index", "Thắng").total == 0
    assert search(tmp_path / "index", "bí mật").total == 0
    assert search(tmp_path / "index", "chan nuoi").total >= 2


def test_findings_recommendations_and_programmes_are_indexed(sqlite_engine: Engine, tmp_path: Path) -> None:
    with session_scope(sqlite_engine) as session:
        p = Programme(
            code="QB-DE-2012",
            title="Mô hình nuôi dê sinh sản tại huyện Minh Hóa",
            sector="livestock",
            funding="ngo",
            start_date=date(2012, 1, 1),
            end_date=date(2014, 12, 31),
        )
        session.add(p)
        session.flush()
        assert p.id is not None
        session.add(ProgrammeProvince(programme_id=p.id, admin_unit_code="44"))
        e = Evaluation(
            code="QB-DE-2012-final", programme_id=p.id, status="succeeded", period_end=date(2015, 6, 30)
        )
        failed = Evaluation(code="QB-DE-2012-broken", programme_id=p.id, status="failed")
        session.add_all([e, failed])
        session.flush()
        assert e.id is not None and failed.id is not None
        session.add(
            Finding(
                evaluation_id=e.id, criterion="sustainability", statement="Đàn dê được duy trì sau dự án."
            )
        )
        session.add(Finding(evaluation_id=failed.id, criterion="impact", statement="Không hợp lệ."))
        session.add(
            Recommendation(evaluation_id=e.id, criterion="efficiency", text="Rút ngắn thời gian phê duyệt.")
        )
    build_index(sqlite_engine, tmp_path / "index")
    results = search(tmp_path / "index", "", limit=50)
    assert {(h.kind, h.key) for h in results.hits} == {
        ("programme", "QB-DE-2012"),
        ("finding", "QB-DE-2012-final/sustainability/0"),
        ("recommendation", "QB-DE-2012-final/efficiency/0"),
    }
    finding = search(tmp_path / "index", "duy tri").hits[0]
    assert (
        finding.kind == "finding" and finding.info["years"] == [2015] and finding.info["provinces"] == ["44"]
    )
    assert search(tmp_path / "index", "Quảng Trị", limit=50).total == 3  # filed under Quảng Bình (44)
    assert (
        search(tmp_path / "index", "khong hop le").total == 0
    )  # a failed evaluation's findings are not read


def test_incremental_update_sees_what_the_store_holds(sqlite_engine: Engine, tmp_path: Path) -> None:
    _sample(sqlite_engine)
    index_dir = tmp_path / "index"
    build_index(sqlite_engine, index_dir)
    generation = current_generation(index_dir)
    assert update_index(sqlite_engine, index_dir).added == 0

    simple_lesson(sqlite_engine, "2013-quang-binh-de", "Nuôi dê ở Minh Hóa", "### Mới\nTrồng cỏ voi trước.")
    report = update_lessons(sqlite_engine, index_dir, ["2013-quang-binh-de"])
    assert (report.added, report.updated, report.removed) == (
        0,
        2,
        1,
    )  # lesson and item 1 changed, item 2 gone
    assert current_generation(index_dir) == generation  # an update writes in place
    assert [h.key for h in search(index_dir, "co voi").hits] == ["2013-quang-binh-de#1", "2013-quang-binh-de"]
    assert search(index_dir, "nhom so thich").total == 0

    with session_scope(sqlite_engine) as session:  # made internal: it leaves the public index
        session.execute(
            update(table_of(Lesson))
            .where(table_of(Lesson).c.key == "2013-dien-bien-bo")
            .values(visibility="internal")
        )
    simple_lesson(
        sqlite_engine,
        "2020-new",
        "Nuôi tôm dưới tán rừng",
        "### Giữ rừng\nGiá tôm tốt giữ rừng.",
        provinces=("96",),
    )
    report = update_index(sqlite_engine, index_dir)
    assert (report.added, report.removed) == (2, 3)
    assert search(index_dir, "bò vàng").total == 0
    assert search(index_dir, "tôm rừng").total == 2


def test_full_rebuild_swaps_in_a_new_folder(sqlite_engine: Engine, tmp_path: Path) -> None:
    _sample(sqlite_engine)
    index_dir = tmp_path / "index"
    build_index(sqlite_engine, index_dir)
    first = current_generation(index_dir)
    assert search(index_dir, "bò").total > 0  # a searcher is open on the first generation
    with session_scope(sqlite_engine) as session:
        session.execute(delete(table_of(Lesson)).where(table_of(Lesson).c.key == "2016-draft"))
    build_index(sqlite_engine, index_dir)
    second = current_generation(index_dir)
    assert second != first and not first.exists()
    assert [p.name for p in index_dir.glob("gen-*")] == [second.name]
    assert search(index_dir, "bò").total > 0  # the next search reads the new generation


def test_one_writer_at_a_time(sqlite_engine: Engine, tmp_path: Path) -> None:
    _sample(sqlite_engine)
    index_dir = tmp_path / "index"
    build_index(sqlite_engine, index_dir)
    before = current_generation(index_dir)
    with writer_lock(index_dir), pytest.raises(IndexLockedError) as caught:
        build_index(sqlite_engine, index_dir)
    assert "being written by another command" in caught.value.message
    assert "mel kb index" in caught.value.hint and caught.value.exit_code == 75
    assert current_generation(index_dir) == before and len(list(index_dir.glob("gen-*"))) == 1
    with writer_lock(index_dir), pytest.raises(IndexLockedError):
        update_lessons(sqlite_engine, index_dir, ["2013-dien-bien-bo"])
    build_index(sqlite_engine, index_dir)  # the lock is free again


def test_missing_or_outdated_index_says_what_to_run(sqlite_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError) as caught:
        search(tmp_path / "nowhere", "giảm nghèo")
    assert "mel kb index" in caught.value.hint
    build_index(sqlite_engine, tmp_path / "index")
    (current_generation(tmp_path / "index") / "VERSION").write_text("0", encoding="utf-8")
    with pytest.raises(IndexMissingError, match="another version"):
        search(tmp_path / "index", "giảm nghèo")
    assert update_index(sqlite_engine, tmp_path / "index").rebuilt  # an old index is rebuilt, never misread


def test_a_full_build_in_many_segments_answers_as_one_segment_does(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mel_core.kb import index as kb_index
    from mel_core.kb.search import LessonTraits, similar_lessons

    _sample(sqlite_engine)
    for n in range(12):
        simple_lesson(
            sqlite_engine,
            f"2014-lesson-{n}",
            f"Chăn nuôi {['bò', 'dê', 'gà'][n % 3]} và vốn vay {n}",
            f"### Bài {n}\nTổ tiết kiệm giúp hộ nghèo {['vay vốn', 'chăn nuôi', 'học nghề'][n % 3]}.",
            year=2012 + n % 4,
            provinces=(["11", "44", "12"][n % 3],),
        )
    built: dict[int, Path] = {}
    for per_segment in (10_000, 4):
        monkeypatch.setattr(kb_index, "SEGMENT_DOCS", per_segment)
        built[per_segment] = build_index(sqlite_engine, tmp_path / f"ix-{per_segment}").index_dir
    with whoosh_index.open_dir(str(current_generation(built[4]))).reader() as reader:
        assert len(list(reader.leaf_readers())) > 3  # split, and by the full build's own rule
    with whoosh_index.open_dir(str(current_generation(built[10_000]))).reader() as reader:
        assert len(list(reader.leaf_readers())) == 1
    traits = LessonTraits(
        "2014-lesson-1", "Chăn nuôi dê và vốn vay 1", "livestock", ("process",), ("44",), 2013
    )
    answers = {}
    for per_segment, folder in built.items():
        hits = [
            [(h.key, round(h.score, 6)) for h in search(folder, q, limit=50).hits]
            for q in ("chăn nuôi", "giam ngheo", "vốn vay", '"hộ nghèo"')
        ]
        facets = search(folder, "chăn nuôi", facets=True).facets
        answers[per_segment] = (hits, facets, similar_lessons(folder, traits, 5))
    assert answers[4] == answers[10_000]
    assert answers[4][0][0] and answers[4][2]  # something was found


def test_every_document_shows_the_key_and_title_it_stores(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``shown`` column (what similar lessons list) says what the stored fields say, in every segment: those
    of a full build in several segments, of an update, and one written without the column (read as stored)."""
    from mel_core.adapters.whoosh_postings import update_writer
    from mel_core.kb import index as kb_index
    from mel_core.kb.search import _open

    _sample(sqlite_engine)
    monkeypatch.setattr(kb_index, "SEGMENT_DOCS", 3)
    index_dir = tmp_path / "index"
    build_index(sqlite_engine, index_dir)
    simple_lesson(sqlite_engine, "2013-quang-binh-de", "Nuôi dê ở Minh Hóa", "### Mới\nTrồng cỏ voi trước.")
    update_lessons(sqlite_engine, index_dir, ["2013-quang-binh-de"])
    writer = update_writer(whoosh_index.open_dir(str(current_generation(index_dir))), 32)
    writer.add_document(id="old", kind="lesson", title="Một tài liệu cũ", info={"key": "old-key"})
    writer.commit(merge=False)

    opened = _open(index_dir)
    reader = opened.searcher.reader()
    assert len(list(reader.leaf_readers())) > 3
    assert sum(column is None for column in opened._shown_columns) == 1  # the segment written without it
    expected = {
        n: (str(fields["info"]["key"]), str(fields.get("title", "")))
        for n, fields in reader.iter_docs()  # live documents only
    }
    assert ("old-key", "Một tài liệu cũ") in expected.values()
    assert ("2013-quang-binh-de", "Nuôi dê ở Minh Hóa") in expected.values()
    assert {n: opened.shown(n) for n in expected} == expected


def test_an_unchanged_index_is_not_read_again_and_every_change_is_seen(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search asks the file system's metadata whether the index changed; it reads the index's files only when
    something changed, or changed too recently for the metadata to tell (then always)."""
    import os
    import time

    from mel_core.kb import search as kb_search

    _sample(sqlite_engine)
    index_dir = tmp_path / "index"
    build_index(sqlite_engine, index_dir)
    reads: list[Path] = []
    real = kb_search.current_generation
    monkeypatch.setattr(kb_search, "current_generation", lambda d: reads.append(d) or real(d))

    assert search(index_dir, "bò").total and search(index_dir, "bò").total
    assert len(reads) == 2  # just written: read every time

    def age(folder: Path) -> None:
        past = time.time() - 60
        for path in (index_dir / "CURRENT", folder, folder / "VERSION"):
            os.utime(path, (past, past))

    age(current_generation(index_dir))
    search(index_dir, "bò")  # read once more, and its metadata kept
    reads.clear()
    assert search(index_dir, "bò").total and search(index_dir, "giảm nghèo").total
    assert reads == []  # unchanged: not read

    simple_lesson(sqlite_engine, "2020-new", "Nuôi tôm dưới tán rừng", "### Giữ rừng\nGiá tôm tốt giữ rừng.")
    update_lessons(sqlite_engine, index_dir, ["2020-new"])  # a commit in the same generation
    assert search(index_dir, "tôm rừng").total == 2 and len(reads) == 1

    age(current_generation(index_dir))
    search(index_dir, "tôm rừng")
    reads.clear()
    from mel_core.adapters.whoosh_postings import update_writer

    writer = update_writer(whoosh_index.open_dir(str(current_generation(index_dir))), 32)
    writer.add_document(id="x", kind="lesson", title="Nuôi cá lồng", body="cá lồng", info={"key": "x"})
    writer.commit(merge=False)  # a commit alone (no manifest written): the folder gains a table of contents
    reads.clear()
    assert search(index_dir, "cá lồng").total == 1 and len(reads) == 1

    age(current_generation(index_dir))
    search(index_dir, "tôm rừng")
    reads.clear()
    build_index(sqlite_engine, index_dir)  # a new generation swapped in
    age(current_generation(index_dir))  # even when its times look old, CURRENT is another file now
    with session_scope(sqlite_engine) as session:
        session.execute(delete(table_of(Lesson)).where(table_of(Lesson).c.key == "2020-new"))
    assert search(index_dir, "tôm rừng").total == 2 and reads  # the new generation is read
    build_index(sqlite_engine, index_dir)
    assert search(index_dir, "tôm rừng").total == 0
