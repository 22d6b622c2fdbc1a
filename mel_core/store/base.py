"""What every table shares: the metadata's constraint naming convention and constraint helpers."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CheckConstraint, Table
from sqlmodel import SQLModel

# Named constraints make Alembic migrations deterministic on both SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def one_of(column: str, values: Iterable[str], *, nullable: bool = True) -> CheckConstraint:
    """CHECK that ``column`` holds one of ``values`` (or NULL when ``nullable``)."""
    listed = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({listed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_allowed")


def non_negative(*columns: str) -> list[CheckConstraint]:
    """CHECK that each column is NULL or >= 0 (money, counts, areas)."""
    return [CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"{c}_non_negative") for c in columns]


def numeric(*columns: str) -> list[CheckConstraint]:
    """CHECK that each column holds a number: SQLite's type affinity would otherwise keep 'abc' as text.

    PostgreSQL's column types already refuse text, so these constraints exist on SQLite only.
    """
    return [
        CheckConstraint(f"{c} IS NULL OR typeof({c}) IN ('real', 'integer')", name=f"{c}_numeric").ddl_if(
            dialect="sqlite"
        )
        for c in columns
    ]


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table of a SQLModel class, for Core statements (bulk upserts, aggregates)."""
    return model.__table__  # type: ignore[attr-defined]
