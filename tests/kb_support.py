"""Helpers of the knowledge-base tests: lessons written straight into the store's tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import select

from mel_core.store import Lesson, LessonProvince, LessonSection, LessonTheme, session_scope


def add_lesson(
    engine: Engine,
    key: str,
    title: str,
    sections: Sequence[tuple[str, str, str]],
    *,
    year: int = 2013,
    sector: str = "livestock",
    provinces: Sequence[str] = ("11",),
    themes: Sequence[str] = ("process",),
    language: str = "vi",
    funding: str | None = "state_budget",
    visibility: str = "public",
    status: str = "published",
    contact: dict[str, Any] | None = None,
    submitted_by: str | None = "Sở Nông nghiệp và PTNT",
) -> None:
    """Insert or replace one lesson with its sections (number, heading, body), themes and provinces."""
    with session_scope(engine) as session:
        old = session.exec(select(Lesson).where(Lesson.key == key)).first()
        if old is not None:
            for model in (LessonSection, LessonTheme, LessonProvince):
                session.execute(delete(model).where(model.lesson_id == old.id))  # type: ignore[attr-defined]
            session.delete(old)
            session.flush()
        lesson = Lesson(
            key=key,
            title=title,
            language=language,
            year=year,
            sector=sector,
            funding=funding,
            visibility=visibility,
            status=status,
            contact=contact,
            submitted_by=submitted_by,
        )
        session.add(lesson)
        session.flush()
        assert lesson.id is not None
        for position, (number, heading, body) in enumerate(sections):
            session.add(
                LessonSection(
                    lesson_id=lesson.id, position=position, number=number, heading=heading, body=body
                )
            )
        for theme in themes:
            session.add(LessonTheme(lesson_id=lesson.id, theme=theme))
        for code in provinces:
            session.add(LessonProvince(lesson_id=lesson.id, admin_unit_code=code))


def simple_lesson(engine: Engine, key: str, title: str, lessons_text: str, body: str = "", **kw: Any) -> None:
    """A lesson with a section 1 (``body``) and a section 3 of ``###`` lessons (``lessons_text``)."""
    add_lesson(
        engine,
        key,
        title,
        [("1", "Thông tin về mô hình", body or title), ("3", "Bài học kinh nghiệm", lessons_text)],
        **kw,
    )


def reviewer(engine: Engine, email: str = "reviewer@example.org") -> str:
    """A reviewer in the store (added once), who may publish lesson files: ``ingest_lessons(…, publish_as=…)``."""
    from mel_core.accounts.users import add_user, find_user

    with session_scope(engine) as session:
        if find_user(session, email) is None:
            add_user(session, email, "reviewer", "a long enough password")
    return email
