"""The audit trail: one row per change that matters (a lesson's state, a rating's override, an approval, a user).

Rows are only ever added: the migration that creates the table also makes the database refuse an UPDATE or a
DELETE of it (a trigger on SQLite and on PostgreSQL), so a trail cannot be edited through the application.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    """Who did what to which entity, when, with the values before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity", "entity_key", "id"),
        Index("ix_audit_events_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(description="UTC")
    actor: str = Field(max_length=254, description="a user's e-mail, or cli:<account on the machine>")
    action: str = Field(max_length=64, description="noun.verb, e.g. lesson.publish, user.set_role")
    entity: str = Field(max_length=32, description="lesson, user, rating, recommendation, submission …")
    entity_key: str = Field(max_length=256)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    note: str | None = None
