"""Targets and observations of indicators, by period and admin unit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import numeric


class Target(SQLModel, table=True):
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


class Observation(SQLModel, table=True):
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
