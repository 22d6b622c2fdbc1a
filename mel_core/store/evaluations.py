"""Evaluations, their ratings per criterion, findings and recommendations (with management response)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import one_of
from mel_core.vocabulary import (
    ACTION_STATUSES,
    CONFIDENCE,
    EVALUATION_KINDS,
    EVALUATION_STATUSES,
    MANAGEMENT_RESPONSES,
    RATED,
)


class Evaluation(SQLModel, table=True):
    """One run of an evaluation of a programme: who, when, on which period, with what provenance."""

    __tablename__ = "evaluations"
    __table_args__ = (
        one_of("kind", EVALUATION_KINDS, nullable=False),
        one_of("status", EVALUATION_STATUSES, nullable=False),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=128)
    programme_id: int = Field(foreign_key="programmes.id", index=True)
    kind: str = Field(default="other", max_length=16)
    evaluator: str | None = None
    status: str = Field(default="running", max_length=16)
    period_start: date | None = None
    period_end: date | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    output_dir: str | None = None
    error: str | None = None
    runner_host: str | None = Field(default=None, max_length=255, description="the machine that runs it")
    runner_pid: int | None = Field(default=None, description="the process that runs it, while it runs")
    provenance: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Rating(SQLModel, table=True):
    """The rating of one criterion: 4 = highest (e.g. highly relevant) … 1 = lowest; NULL = not rated.

    An evaluator may override the computed level only with a written reason; both are kept.
    """

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion"),
        one_of("criterion", RATED, nullable=False),
        CheckConstraint(
            "computed_level IS NULL OR computed_level BETWEEN 1 AND 4", name="computed_level_range"
        ),
        CheckConstraint("final_level IS NULL OR final_level BETWEEN 1 AND 4", name="final_level_range"),
        CheckConstraint(
            "override_reason IS NOT NULL OR (final_level IS NULL AND computed_level IS NULL)"
            " OR final_level = computed_level",
            name="override_has_reason",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluations.id", ondelete="CASCADE")
    criterion: str = Field(max_length=32)
    computed_level: int | None = None
    final_level: int | None = None
    override_reason: str | None = None
    justification: str
    rules_version: str | None = None
    evidence: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Finding(SQLModel, table=True):
    """A finding of an evaluation under one criterion, with the figures it rests on."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion", "position"),
        one_of("criterion", RATED, nullable=False),
        one_of("confidence", CONFIDENCE),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluations.id", ondelete="CASCADE")
    criterion: str = Field(max_length=32)
    position: int = 0
    statement: str
    confidence: str | None = Field(default=None, max_length=16)
    evidence: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Recommendation(SQLModel, table=True):
    """A recommendation of an evaluation and its management response (accepted, partially, not; with text).

    What management will do about it is its :class:`KeyAction` rows; where it stands is computed from them
    (:mod:`mel_core.evaluations.responses`)."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "position"),
        one_of("criterion", RATED),
        one_of("response", MANAGEMENT_RESPONSES),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluations.id", ondelete="CASCADE")
    criterion: str | None = Field(default=None, max_length=32)
    position: int = 0
    text: str
    response: str | None = Field(default=None, max_length=24, description="NULL until management responds")
    management_response: str | None = Field(default=None, description="the response's text")
    responded_by: str | None = Field(default=None, max_length=254)
    responded_at: datetime | None = None


class KeyAction(SQLModel, table=True):
    """A key action of a management response: what, by which unit, by when."""

    __tablename__ = "key_actions"
    __table_args__ = (UniqueConstraint("recommendation_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(foreign_key="recommendations.id", ondelete="CASCADE")
    position: int
    text: str
    unit: str = Field(max_length=256, description="the responsible unit")
    due_date: date
    created_by: str = Field(max_length=254)
    created_at: datetime


class KeyActionUpdate(SQLModel, table=True):
    """A status update of a key action on a day, with a comment: the history of where it stood."""

    __tablename__ = "key_action_updates"
    __table_args__ = (one_of("status", ACTION_STATUSES, nullable=False),)

    id: int | None = Field(default=None, primary_key=True)
    key_action_id: int = Field(foreign_key="key_actions.id", index=True, ondelete="CASCADE")
    as_of: date = Field(description="the day the status holds from")
    status: str = Field(max_length=24)
    comment: str | None = None
    by: str = Field(max_length=254)
    at: datetime
