"""Workbook submissions of the portal: an uploaded workbook (or CSV file), its check, and a reviewer's decision.

The file itself is kept once by its content under ``MEL_HOME`` (``stored_path``, relative to it); the row holds
what the pages show: who sent it, what the check found (the first problems and how many, and the warnings
``mel import`` would print), the rows of each table, and who approved or returned it with what comment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from mel_core.store.base import one_of
from mel_core.vocabulary import SUBMISSION_KINDS, SUBMISSION_STATUSES


class WorkbookSubmission(SQLModel, table=True):
    """One upload of a workbook or CSV file, from its check to a reviewer's decision."""

    __tablename__ = "workbook_submissions"
    __table_args__ = (
        one_of("status", SUBMISSION_STATUSES, nullable=False),
        one_of("kind", SUBMISSION_KINDS, nullable=False),
        CheckConstraint("size >= 0", name="size_non_negative"),
        CheckConstraint("problems_count >= 0", name="problems_count_non_negative"),
        Index("ix_workbook_submissions_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uploaded_by: str = Field(max_length=254, index=True, description="the contributor's e-mail")
    uploaded_at: datetime
    file_name: str = Field(max_length=255, description="as the contributor named it: shown, never a path")
    kind: str = Field(max_length=8)
    sha256: str = Field(max_length=64, index=True)
    size: int
    stored_path: str = Field(max_length=255, description="relative to MEL_HOME, made from the hash only")
    status: str = Field(default="uploaded", max_length=16)
    checked_at: datetime | None = None
    problems_count: int = 0
    problems: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON), description="the first problems found, as shown"
    )
    warnings: list[dict[str, Any]] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description="figures typed in that differ from what the records count (trade promotion), as shown",
    )
    row_counts: dict[str, int] | None = Field(default=None, sa_column=Column(JSON))
    reviewed_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = None
    comment: str | None = None
