"""Admin units (provinces with their 2025 successors; room for districts and communes) and taxonomy terms."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from mel_core.store.base import one_of
from mel_core.vocabulary import ADMIN_LEVELS


class AdminUnit(SQLModel, table=True):
    """A place by its GSO code; a pre-2025 province points at the province it became part of."""

    __tablename__ = "admin_units"
    __table_args__ = (one_of("level", ADMIN_LEVELS, nullable=False),)

    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(description="the name the unit had before the 2025 merger (or its only name)")
    current_name: str | None = Field(default=None, description="its name today, when it still exists")
    name_ascii: str
    level: str = Field(max_length=16)
    region: str | None = None
    parent_code: str | None = Field(default=None, foreign_key="admin_units.code")
    successor_code: str | None = Field(default=None, foreign_key="admin_units.code")


class TaxonomyTerm(SQLModel, table=True):
    """A key of a controlled vocabulary (sector, theme, criterion …) with its labels, from kb/taxonomy.yml."""

    __tablename__ = "taxonomy_terms"

    vocabulary: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=64)
    label_vi: str
    label_en: str
    position: int = 0
