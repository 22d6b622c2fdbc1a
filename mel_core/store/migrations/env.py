"""Alembic environment: runs against the engine passed in by mel_core.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import mel_core.store  # noqa: F401  (registers every table on the metadata)
from mel_core.store.base import metadata
from mel_core.store.engine import make_engine

config = context.config


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
