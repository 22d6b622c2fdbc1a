"""Files attached to a programme, an evaluation or a lesson (a report, a workbook, a letter).

The file itself is kept once by its content under ``MEL_HOME/attachments`` (named by its SHA-256, never by the
name it came with); the row holds what pages and the search index need: the name it came with (shown only),
its title, who attached it, to what, for whom, and the text read from it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import one_of
from mel_core.vocabulary import ATTACHMENT_ENTITIES, VISIBILITY


class Attachment(SQLModel, table=True):
    """One file attached to one programme, evaluation or lesson."""

    __tablename__ = "attachments"
    __table_args__ = (
        one_of("entity", ATTACHMENT_ENTITIES, nullable=False),
        one_of("visibility", VISIBILITY, nullable=False),
        CheckConstraint("size >= 0", name="size_non_negative"),
        UniqueConstraint("entity", "entity_key", "sha256"),
        Index("ix_attachments_entity_entity_key", "entity", "entity_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    size: int
    media_type: str = Field(max_length=128)
    file_name: str = Field(max_length=255, description="as it came: shown, never a path")
    title: str
    entity: str = Field(max_length=16)
    entity_key: str = Field(max_length=128, description="programme code, evaluation code or lesson key")
    visibility: str = Field(default="public", max_length=16)
    uploaded_by: str = Field(max_length=254)
    uploaded_at: datetime
    text: str | None = Field(default=None, description="the text read from the file (bounded, NFC)")
    extraction_note: str | None = Field(default=None, description="why no text, or not all of it, was read")
