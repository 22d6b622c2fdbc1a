"""Targets and observations of indicators, by period and admin unit, with where each value came from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import numeric


class Provenance(SQLModel):
    """Who a figure came from: the portal submission that set its current value, the contributor who sent it
    and the reviewer who approved it. ``mel import`` at a terminal names its account (``cli:…``) as submitter
    and no approver or submission. A later import that repeats the same value leaves these as they are."""

    submission_id: int | None = Field(
        default=None, foreign_key="workbook_submissions.id", ondelete="SET NULL"
    )
    submitted_by: str | None = Field(default=None, max_length=254)
    approved_by: str | None = Field(default=None, max_length=254)


class Target(Provenance, table=True):
    """A planned value (or range ``value``–``value_high``) of an indicator for a period and place."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period", "admin_unit_code"),
        CheckConstraint("value_high IS NULL OR value_high >= value", name="range_ordered"),
        *numeric("value", "value_high"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", ondelete="CASCADE")
    period: str = Field(max_length=16)
    period_start: date
    period_end: date
    admin_unit_code: str = Field(foreign_key="admin_units.code", max_length=16)
    value: float
    value_high: float | None = None


class Observation(Provenance, table=True):
    """A measured value of an indicator for a period, place and disaggregation ('' = total)."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period", "admin_unit_code", "disaggregation"),
        *numeric("value"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", ondelete="CASCADE")
    period: str = Field(max_length=16)
    period_start: date
    period_end: date
    admin_unit_code: str = Field(foreign_key="admin_units.code", max_length=16)
    disaggregation: str = Field(default="", max_length=200)
    value: float
    source: str | None = None
    note: str | None = None
