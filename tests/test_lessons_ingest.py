"""`mel lessons ingest` on SQLite and PostgreSQL: all or nothing, update never duplicate, removed files reported."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from mel_core.errors import LessonFormatError
from mel_core.lessons.ingest import ingest_lessons
from mel_core.store import Lesson, LessonProvince, LessonSection, LessonTheme, Programme, session_scope
from tests.test_import import snapshot

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
SAMPLE_PROGRAMMES = [
    "DB-BSS-2011",
    "DB-BSS-NR-2016",
    "QB-DE-2012",
    "NA-CAM-2013",
    "KT-KEO-2012",
    "HG-NGHE-2014",
    "XTTM-2013",
    "GOPA",
    "YB-GA-2014",
    "TH-SK-2022",
]


def add_programmes(engine: Engine, codes: list[str] = SAMPLE_PROGRAMMES) -> None:
    with session_scope(engine) as session:
        for code in codes:
            session.add(
                Programme(
                    code=code,
                    title=code,
                    sector="livestock",
                    funding="state_budget",
                    start_date=date(2011, 1, 1),
                )
            )


def copy_lessons(tmp_path: Path) -> Path:
    target = tmp_path / "lessons"
    shutil.copytree(LESSONS, target)
    return target


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(f"SELECT count(*) FROM {table}")))


def test_the_sample_lessons_ingest_and_a_second_run_changes_nothing(engine, tmp_path):
    add_programmes(engine)
    folder = copy_lessons(tmp_path)
    n = len(list(folder.glob("20*/*.md")))
    report = ingest_lessons(engine, folder)
    assert report.counts == {"added": n, "updated": 0, "unchanged": 0, "removed_files": 0}
    before = snapshot(engine)
    again = ingest_lessons(engine, folder)
    assert again.counts == {"added": 0, "updated": 0, "unchanged": n, "removed_files": 0}
    assert snapshot(engine) == before
    with Session(engine) as session:
        lesson = session.exec(select(Lesson).where(Lesson.key == "2013-dien-bien-bo-sinh-san")).one()
        programme = session.exec(select(Programme).where(Programme.code == "DB-BSS-2011")).one()
        assert lesson.programme_id == programme.id
        assert lesson.source_path == "lessons/2013/2013-dien-bien-bo-sinh-san.md"
        assert lesson.contact == {
            "name": "Lò Văn Thắng",
            "phone": "0915 201 347",
            "email": "thang.lv@snnptnt-dienbien.example.vn",
        }
        sections = session.exec(
            select(LessonSection).where(LessonSection.lesson_id == lesson.id).order_by(LessonSection.position)
        ).all()
        assert [s.number for s in sections][:3] == ["1", "1.1", "1.2"]
        assert "Quay vòng bê" in next(s.body for s in sections if s.number == "3")
        assert all("0915" not in s.body for s in sections)  # contact data only in Lesson.contact
        themes = session.exec(select(LessonTheme.theme).where(LessonTheme.lesson_id == lesson.id)).all()
        assert sorted(themes) == ["empowerment", "process"]
        quang_binh = session.exec(select(Lesson).where(Lesson.key == "2013-quang-binh-de-sinh-san")).one()
        codes = session.exec(
            select(LessonProvince.admin_unit_code).where(LessonProvince.lesson_id == quang_binh.id)
        ).all()
        assert codes == ["44"]  # the pre-2025 code as written
    assert count(engine, "lessons") == n


def test_a_changed_file_updates_its_lesson_never_duplicates(engine, tmp_path):
    add_programmes(engine)
    folder = copy_lessons(tmp_path)
    ingest_lessons(engine, folder)
    lessons, sections = count(engine, "lessons"), count(engine, "lesson_sections")
    path = folder / "2013" / "2013-dien-bien-bo-sinh-san.md"
    changed = (
        path.read_text(encoding="utf-8")
        .replace("themes: [process, empowerment]", "themes: [process]")
        .replace("## 5. Mô hình điển hình\n", "")
    )
    path.write_text(changed, encoding="utf-8")
    report = ingest_lessons(engine, folder)
    assert (report.added, report.updated) == ([], ["2013-dien-bien-bo-sinh-san"])
    assert count(engine, "lessons") == lessons
    assert count(engine, "lesson_sections") == sections - 1
    with Session(engine) as session:
        lesson = session.exec(select(Lesson).where(Lesson.key == "2013-dien-bien-bo-sinh-san")).one()
        assert session.exec(select(LessonTheme.theme).where(LessonTheme.lesson_id == lesson.id)).all() == [
            "process"
        ]


def test_one_bad_file_means_nothing_is_written_and_every_problem_is_listed(engine, tmp_path):
    folder = copy_lessons(tmp_path)
    before = snapshot(engine)
    bad = folder / "2026" / "2026-quang-tri-rung-go-lon-fsc.md"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("sector: forestry", "sector: trees"), encoding="utf-8"
    )
    with pytest.raises(LessonFormatError) as caught:
        ingest_lessons(engine, folder)  # no programmes in the store either
    problems = caught.value.problems
    assert any(
        p.column == "sector" and p.source.endswith("2026-quang-tri-rung-go-lon-fsc.md") for p in problems
    )
    unknown = [p for p in problems if p.column == "programme"]
    assert len(unknown) == 10 and all("no programme with this code" in p.reason for p in unknown)
    assert snapshot(engine) == before


def test_a_removed_file_is_reported_and_deleted_only_with_prune(engine, tmp_path):
    add_programmes(engine)
    folder = copy_lessons(tmp_path)
    ingest_lessons(engine, folder)
    n = count(engine, "lessons")
    (folder / "2020" / "2020-ca-mau-tom-rung.md").unlink()
    report = ingest_lessons(engine, folder)
    assert report.removed_files == ["2020-ca-mau-tom-rung"]
    assert any(
        "2020-ca-mau-tom-rung is in the store but its file was removed" in line for line in report.lines()
    )
    assert count(engine, "lessons") == n
    year_only = ingest_lessons(engine, folder / "2026")  # a year folder reaches only its year
    assert year_only.removed_files == []
    pruned = ingest_lessons(engine, folder, prune=True)
    assert pruned.removed_files == ["2020-ca-mau-tom-rung"]
    assert count(engine, "lessons") == n - 1
    with engine.connect() as conn:
        orphans = conn.scalar(
            text("SELECT count(*) FROM lesson_sections WHERE lesson_id NOT IN (SELECT id FROM lessons)")
        )
    assert orphans == 0


def test_one_file_can_be_ingested_alone(sqlite_engine, tmp_path):
    folder = copy_lessons(tmp_path)
    report = ingest_lessons(sqlite_engine, folder / "2020" / "2020-ca-mau-tom-rung.md")
    assert report.added == ["2020-ca-mau-tom-rung"]
    assert report.removed_files == []
