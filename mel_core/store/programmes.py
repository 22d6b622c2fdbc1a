"""Organisations, programmes (with parents, provinces and donors), objectives, solutions and indicators."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import non_negative, numeric, one_of
from mel_core.vocabulary import (
    DIRECTIONS,
    FREQUENCIES,
    FUNDING,
    INDICATOR_LEVELS,
    MODEL_CHOSEN_BY,
    ORGANISATION_KINDS,
    PROGRAMME_KINDS,
    SECTORS,
)


class Organisation(SQLModel, table=True):
    """An implementer, donor or submitter, by its name."""

    __tablename__ = "organisations"
    __table_args__ = (one_of("kind", ORGANISATION_KINDS),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str | None = None


class Programme(SQLModel, table=True):
    """A programme, project or model (mô hình); a model may sit under a parent programme."""

    __tablename__ = "programmes"
    __table_args__ = (
        one_of("kind", PROGRAMME_KINDS, nullable=False),
        one_of("sector", SECTORS, nullable=False),
        one_of("funding", FUNDING, nullable=False),
        one_of("model_chosen_by", MODEL_CHOSEN_BY),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        *non_negative("communes", "villages", "households", "area_ha", "budget_million_vnd"),
        *numeric("communes", "villages", "households", "area_ha", "budget_million_vnd"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    title: str
    title_en: str | None = None
    kind: str = Field(default="programme", max_length=16)
    parent_id: int | None = Field(default=None, foreign_key="programmes.id", index=True)
    sector: str = Field(max_length=32)
    funding: str = Field(max_length=16)
    implementer_id: int | None = Field(default=None, foreign_key="organisations.id")
    start_date: date
    end_date: date | None = None
    communes: int | None = None
    villages: int | None = None
    households: int | None = None
    area_ha: float | None = None
    budget_million_vnd: float | None = None
    model_chosen_by: str | None = Field(default=None, max_length=32)
    general_objective: str | None = Field(
        default=None, description="the general objective (mục tiêu chung) its specific objectives serve"
    )
    key_issues: str | None = Field(
        default=None,
        description="the key remaining issues (những vấn đề tồn tại chủ yếu) the general objective addresses",
    )


class ProgrammeProvince(SQLModel, table=True):
    """A province a programme works in, in the order the workbook lists them."""

    __tablename__ = "programme_provinces"

    programme_id: int = Field(foreign_key="programmes.id", primary_key=True, ondelete="CASCADE")
    admin_unit_code: str = Field(foreign_key="admin_units.code", primary_key=True)
    position: int = 0


class ProgrammeDonor(SQLModel, table=True):
    """A donor of a programme."""

    __tablename__ = "programme_donors"

    programme_id: int = Field(foreign_key="programmes.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisations.id", primary_key=True)
    position: int = 0


class Objective(SQLModel, table=True):
    """One objective of a programme, numbered from 1 in the order written."""

    __tablename__ = "objectives"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programmes.id", ondelete="CASCADE")
    number: int
    statement: str


class Solution(SQLModel, table=True):
    """A solution (giải pháp) of an objective, numbered from 1 under it (seed 004, figure 3.1: S1, S2 …)."""

    __tablename__ = "solutions"
    __table_args__ = (
        UniqueConstraint("objective_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objectives.id", ondelete="CASCADE")
    number: int
    statement: str


class Indicator(SQLModel, table=True):
    """An indicator of a programme's results framework, at one level of the results chain."""

    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("programme_id", "code"),
        one_of("level", INDICATOR_LEVELS, nullable=False),
        one_of("direction", DIRECTIONS, nullable=False),
        one_of("frequency", FREQUENCIES),
        one_of("sector", SECTORS),
        *numeric("baseline_value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programmes.id", ondelete="CASCADE")
    code: str = Field(max_length=64)
    name: str
    name_en: str | None = None
    level: str = Field(max_length=16)
    unit: str
    direction: str = Field(default="increase", max_length=16)
    cumulative: bool = False
    frequency: str | None = Field(default=None, max_length=16)
    baseline_value: float | None = None
    baseline_period: str | None = Field(default=None, max_length=16)
    data_source: str | None = None
    compiling_agency: str | None = None
    providing_agency: str | None = None
    national_code: str | None = None
    objective_id: int | None = Field(default=None, foreign_key="objectives.id")
    method: str | None = Field(
        default=None,
        max_length=32,
        description="the appendix-6 method the values are computed by (or weighted by)",
    )
    components: str | None = Field(
        default=None,
        description="';'-separated codes of the indicators it is computed from, in the method's order",
    )
    sector: str | None = Field(
        default=None, max_length=32, description="its own sector of the plan (NULL: its programme's)"
    )
    solution_id: int | None = Field(default=None, foreign_key="solutions.id", ondelete="SET NULL")
    timing: str | None = Field(default=None, description="when it is collected (thời điểm: cuối mỗi quý)")
    collection_method: str | None = Field(default=None, description="how its data are collected")
