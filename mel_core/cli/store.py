"""The store a command works on: the one the settings name (``MEL_DB_URL``, else ``.mel/mel.db`` under
``MEL_HOME``), opened the same way by every command."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

T = TypeVar("T")


def store_engine() -> Engine:
    """The engine of the configured store, as it is (``mel init`` creates or upgrades it)."""
    from mel_core.config import load_settings
    from mel_core.store import make_engine

    return make_engine(load_settings().db_url)


def current_store() -> Engine:
    """The engine of the configured store, once it is known to be at the current schema version.

    Raises:
        StoreError: the store is missing or at another version (``mel init`` is the way out); a database that
            cannot be read at all is reported by :func:`mel_core.cli.main`.
    """
    from mel_core.store.migrate import require_current

    engine = store_engine()
    require_current(engine)
    return engine


def reading(work: Callable[[Session], T]) -> T:
    """What ``work`` reads in a session on the current store (:func:`current_store`), the session closed after."""
    from sqlmodel import Session

    with Session(current_store()) as session:
        return work(session)
