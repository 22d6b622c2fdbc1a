"""Calls for lessons (letter 247/KTHT-GN is one): who is asked, by when, in which outline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import one_of

#: The outlines a call asks for: the state-budget variant, the NGO variant, or either.
CALL_OUTLINES = ("state", "ngo", "any")


class LessonCall(SQLModel, table=True):
    """A call for lessons: its reference (the letter's number), the year of the lessons, the deadline."""

    __tablename__ = "lesson_calls"
    __table_args__ = (
        one_of("outline", CALL_OUTLINES, nullable=False),
        CheckConstraint("year BETWEEN 1900 AND 2100", name="year_plausible"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64, description="e.g. 247/KTHT-GN")
    title: str
    year: int = Field(description="the year of the lessons asked for")
    issued_on: date
    deadline: date
    outline: str = Field(default="any", max_length=8)
    created_by: str = Field(max_length=254)
    created_at: datetime


class LessonCallInvitee(SQLModel, table=True):
    """One province, or one organisation, asked by a call."""

    __tablename__ = "lesson_call_invitees"
    __table_args__ = (
        UniqueConstraint("call_id", "province_code", "organisation"),
        CheckConstraint("(province_code IS NULL) <> (organisation IS NULL)", name="province_or_organisation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="lesson_calls.id", index=True, ondelete="CASCADE")
    province_code: str | None = Field(default=None, foreign_key="admin_units.code", max_length=16)
    organisation: str | None = Field(default=None, max_length=256)
