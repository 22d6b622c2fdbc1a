"""Lessons learned (from lesson files), their numbered sections, themes and provinces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import one_of
from mel_core.vocabulary import (
    FUNDING,
    LANGUAGES,
    LESSON_STATUSES,
    LESSON_THEMES,
    ORGANISATION_KINDS,
    SECTORS,
    VISIBILITY,
)

#: What can happen to a lesson in review (the row of :class:`LessonReview`).
LESSON_REVIEW_ACTIONS = ("submit", "publish", "return", "reject")


class Lesson(SQLModel, table=True):
    """A lesson submission (lessons/<year>/<id>.md). ``contact`` is private: never indexed or published."""

    __tablename__ = "lessons"
    __table_args__ = (
        one_of("language", LANGUAGES, nullable=False),
        one_of("submitter_kind", ORGANISATION_KINDS),
        one_of("funding", FUNDING),
        one_of("sector", SECTORS, nullable=False),
        one_of("visibility", VISIBILITY, nullable=False),
        one_of("status", LESSON_STATUSES, nullable=False),
        CheckConstraint("year BETWEEN 1900 AND 2100", name="year_plausible"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=128, description="the lesson file's id")
    title: str
    language: str = Field(max_length=2)
    year: int = Field(index=True)
    submitted_by: str | None = None
    submitter_kind: str | None = Field(default=None, max_length=16)
    funding: str | None = Field(default=None, max_length=16)
    sector: str = Field(max_length=32)
    programme_id: int | None = Field(default=None, foreign_key="programmes.id")
    visibility: str = Field(default="public", max_length=16)
    status: str = Field(default="submitted", max_length=16)
    source_path: str | None = None
    content_hash: str | None = Field(default=None, max_length=64)
    contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    submitted_by_user: str | None = Field(
        default=None, max_length=254, description="the portal user who submitted it (none for a file)"
    )
    submitted_at: datetime | None = None
    published_by: str | None = Field(
        default=None, max_length=254, description="the reviewer who published it"
    )
    published_at: datetime | None = None
    call_id: int | None = Field(
        default=None, foreign_key="lesson_calls.id", description="the call it answers"
    )


class LessonReview(SQLModel, table=True):
    """One step of a lesson's review: submitted, published, returned or rejected, by whom, with the comment the
    contributor reads. ``content_hash`` names the version of the lesson the step was about."""

    __tablename__ = "lesson_reviews"
    __table_args__ = (one_of("action", LESSON_REVIEW_ACTIONS, nullable=False),)

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lessons.id", index=True, ondelete="CASCADE")
    at: datetime
    by: str = Field(max_length=254)
    action: str = Field(max_length=16)
    comment: str | None = None
    content_hash: str | None = Field(default=None, max_length=64)


class LessonSection(SQLModel, table=True):
    """A numbered section of a lesson (``1.7``, ``3``, …) with its heading and Markdown text."""

    __tablename__ = "lesson_sections"
    __table_args__ = (UniqueConstraint("lesson_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lessons.id", ondelete="CASCADE")
    position: int
    number: str = Field(max_length=16)
    heading: str
    body: str = ""


class LessonTheme(SQLModel, table=True):
    """One of the four kinds of lesson (letter 247/KTHT-GN) a lesson speaks to."""

    __tablename__ = "lesson_themes"
    __table_args__ = (one_of("theme", LESSON_THEMES, nullable=False),)

    lesson_id: int = Field(foreign_key="lessons.id", primary_key=True, ondelete="CASCADE")
    theme: str = Field(primary_key=True, max_length=32)


class LessonProvince(SQLModel, table=True):
    """A province a lesson is about, by the code the lesson used (pre-2025 codes stay as written)."""

    __tablename__ = "lesson_provinces"

    lesson_id: int = Field(foreign_key="lessons.id", primary_key=True, ondelete="CASCADE")
    admin_unit_code: str = Field(foreign_key="admin_units.code", primary_key=True)
