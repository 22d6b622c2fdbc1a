"""Household survey records (one per respondent and round) and their numeric variables (long form)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import numeric, one_of
from mel_core.vocabulary import SURVEY_GROUPS, SURVEY_ROUNDS


class SurveyRecord(SQLModel, table=True):
    """One respondent (household) in one survey round."""

    __tablename__ = "survey_records"
    __table_args__ = (
        UniqueConstraint("programme_id", "respondent_id", "round"),
        one_of("round", SURVEY_ROUNDS, nullable=False),
        one_of("study_group", SURVEY_GROUPS, nullable=False),
        CheckConstraint("year BETWEEN 1900 AND 2100", name="year_plausible"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programmes.id", ondelete="CASCADE")
    respondent_id: str = Field(max_length=64)
    round: str = Field(max_length=16)
    year: int
    study_group: str = Field(max_length=16, description="treatment or comparison (the workbook's 'group')")
    admin_unit_code: str | None = Field(default=None, foreign_key="admin_units.code", max_length=16)
    cluster: str | None = None


class SurveyValue(SQLModel, table=True):
    """One numeric variable of a survey record (income_million_vnd, poor, continues_model …)."""

    __tablename__ = "survey_values"
    __table_args__ = (*numeric("value"),)

    record_id: int = Field(foreign_key="survey_records.id", primary_key=True, ondelete="CASCADE")
    variable: str = Field(primary_key=True, max_length=64)
    value: float
