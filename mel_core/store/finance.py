"""Expenditures by funding source and period; activities with their dates, status and participants."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import non_negative, numeric, one_of
from mel_core.store.results import Provenance
from mel_core.vocabulary import ACTIVITY_STATUSES, ACTIVITY_TYPES, EXPENDITURE_SOURCES


class Expenditure(Provenance, table=True):
    """Planned and disbursed money (million VND) of a programme for one period and funding source."""

    __tablename__ = "expenditures"
    __table_args__ = (
        UniqueConstraint("programme_id", "period", "source"),
        one_of("source", EXPENDITURE_SOURCES, nullable=False),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        *non_negative("planned_million_vnd", "disbursed_million_vnd"),
        *numeric("planned_million_vnd", "disbursed_million_vnd"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programmes.id", ondelete="CASCADE")
    period: str = Field(max_length=16)
    period_start: date
    period_end: date
    source: str = Field(max_length=32)
    planned_million_vnd: float | None = None
    disbursed_million_vnd: float | None = None


class Activity(SQLModel, table=True):
    """A planned activity (training, fair, mission …) and what became of it: its report.

    Seed 000: an activity report is chosen from the plan, names the outcome (objective) it serves and the
    indicators it counts towards (:class:`mel_core.store.enterprises.ActivityIndicator`), lists its
    participants (:class:`mel_core.store.enterprises.ActivityParticipant`), and says whether the province ran it
    on its own, outside the programme. The ``participants_*`` figures are the counts as typed in; the
    participant records are what the indicators count.
    """

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("programme_id", "code"),
        one_of("type", ACTIVITY_TYPES, nullable=False),
        one_of("status", ACTIVITY_STATUSES, nullable=False),
        *non_negative(
            "participants_officials",
            "participants_enterprises",
            "participants_households",
            "cost_planned_million_vnd",
            "cost_actual_million_vnd",
        ),
        *numeric("cost_planned_million_vnd", "cost_actual_million_vnd"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programmes.id", ondelete="CASCADE")
    code: str = Field(max_length=64)
    type: str = Field(max_length=32)
    title: str | None = None
    planned_date: date | None = None
    actual_date: date | None = None
    status: str = Field(default="planned", max_length=16)
    participants_officials: int | None = None
    participants_enterprises: int | None = None
    participants_households: int | None = None
    cost_planned_million_vnd: float | None = None
    cost_actual_million_vnd: float | None = None
    admin_unit_code: str | None = Field(
        default=None,
        foreign_key="admin_units.code",
        max_length=16,
        description="the province it took place in",
    )
    objective_id: int | None = Field(
        default=None, foreign_key="objectives.id", ondelete="SET NULL", description="the outcome it serves"
    )
    outside_programme: bool = Field(
        default=False, description="run by the province on its own, outside the programme (seed 000: 'KHÁC')"
    )
