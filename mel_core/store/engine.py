"""Engines and sessions: SQLite (WAL, busy timeout, foreign keys) by default, PostgreSQL (psycopg 3) for teams."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from mel_core.errors import ConfigurationError
from mel_core.i18n import message

BUSY_TIMEOUT_S = 30
#: The PostgreSQL advisory lock that every writer of imported data holds while it writes (any constant that
#: no other application on the same server uses for its own lock).
WRITER_LOCK_KEY = 0x6D656C5F7772  # "mel_wr"


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (a notebook, the search indexer) work while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine of a store URL (``sqlite:///…`` or ``postgresql://…``).

    Raises:
        ConfigurationError: the URL is not one SQLAlchemy understands or names another database kind.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:
        shown = _without_password(url)
        raise ConfigurationError(
            message("store.engine.mel_db_url_not", shown=shown),
            hint=message("store.engine.use_sqlite_path_mel"),
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    shown = parsed.render_as_string(hide_password=True)
    raise ConfigurationError(
        message("store.engine.store_url_names_database", shown=shown, backend=backend),
        hint=message("store.engine.set_mel_db_url"),
    )


def _without_password(url: str) -> str:
    """``url`` with any password replaced by ``***`` (error messages must not print secrets)."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def writer_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the store's writer lock from its first statement to its end.

    Writers that go through here run one at a time, so what one reads inside (what the store holds, how many
    rows a table has) stays true until it commits or rolls back; readers are never blocked. The lock is
    released when the block ends, so open it for the write only and check what you can before.

    SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock at once, waiting up to the busy timeout for
    another writer. pysqlite would only begin a transaction at the first INSERT, with the SELECTs before it
    outside any transaction, so this connection alone runs in the driver's autocommit mode and the BEGIN is
    ours (SQLAlchemy's recipe "Using SQLAlchemy to emit BEGIN in lieu of SQLite's transaction control",
    applied to one connection instead of the engine; the driver still commits or rolls back on its own when
    the block ends, and the pool resets the connection's mode when it is returned). PostgreSQL: a
    transaction-scoped advisory lock; at READ COMMITTED (the default) every statement after it sees what the
    previous holder committed.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execution_options(isolation_level="AUTOCOMMIT")
            with conn.begin():
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                yield conn
        else:
            with conn.begin():
                conn.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK_KEY)))
                yield conn
