"""Alembic migrations, run from the package (no alembic.ini needed): ``upgrade(engine)`` brings a store to head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (env.py reuses its connection)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the store's schema to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def head_revision(engine: Engine) -> str | None:
    """The newest revision the package knows."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def require_current(engine: Engine) -> None:
    """Refuse a store that is empty or at another revision than the package's.

    Raises:
        StoreError: it is (the hint says to run ``mel init``).
    """
    from mel_core.errors import StoreError
    from mel_core.i18n import message

    current = current_revision(engine)
    if current == head_revision(engine):
        return
    url = engine.url.render_as_string()
    if current is None:
        problem = message("store.migrate.store_no_tables_yet", url=url)
    else:
        problem = message("store.migrate.store_revision", url=url, current=current)
    raise StoreError(
        problem,
        hint=message("store.migrate.run_mel_init_create"),
    )
