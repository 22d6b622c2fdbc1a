"""Targets and observations of indicators, by period and admin unit, with where each value came from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ColumnElement, Table, UniqueConstraint, case, func
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
    """A planned value (or range ``value``–``value_high``) of an indicator for a period and place.

    ``value`` is the original plan (chỉ tiêu kế hoạch ban đầu); an adjusted plan (kế hoạch điều chỉnh) is kept
    beside it with the date and the reason of the adjustment, and is the plan in force (:func:`in_force`).
    """

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period", "admin_unit_code"),
        CheckConstraint("value_high IS NULL OR value_high >= value", name="range_ordered"),
        CheckConstraint(
            "adjusted_value_high IS NULL OR adjusted_value_high >= adjusted_value",
            name="adjusted_range_ordered",
        ),
        CheckConstraint("(adjusted_value IS NULL) = (adjusted_on IS NULL)", name="adjustment_dated"),
        *numeric("value", "value_high", "adjusted_value", "adjusted_value_high"),
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
    adjusted_value: float | None = None
    adjusted_value_high: float | None = None
    adjusted_on: date | None = None
    adjustment_reason: str | None = None


def in_force(targets: Table) -> tuple[ColumnElement[float], ColumnElement[float]]:
    """The plan in force of a target, as SQL: the adjusted value and top where there is an adjustment, else
    the original ones (``value``, ``value_high``)."""
    adjusted = targets.c.adjusted_value.is_not(None)
    return (
        func.coalesce(targets.c.adjusted_value, targets.c.value),
        case((adjusted, targets.c.adjusted_value_high), else_=targets.c.value_high),
    )


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
