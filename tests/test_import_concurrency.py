"""Two `mel import` at once (#19), in real processes on SQLite and PostgreSQL: no rule broken, counts exact.

Each import is a spawned process running the `mel import` command. The test holds the store's writer lock
while both start, so both check their rows against the same old store and then wait for their turn; only
then does it let them write, one after the other. Without the checks inside the writing transaction, both
would commit what they checked alone.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from mel_core.ingest import WAITING_TO_WRITE, export_path, import_path
from mel_core.store import writer_transaction
from tests.datasets import copy_tables, write_csv
from tests.test_cli import run_mel

#: Long enough for a spawned Python to import mel and check a few rows on two busy cores.
START_S = 60


def _mel_import(db_url: str, path: str, out: str, err: str, waiting: Any) -> None:
    """In a child process: run `mel import path`, telling the test when its rows are checked; exit with its code."""
    import mel_core.ingest

    real = mel_core.ingest.import_path

    def import_path_telling(engine: Engine, path: Path, **options: Any) -> Any:
        told: Callable[[str, int, int], None] | None = options.pop("progress", None)

        def progress(label: str, done: int, total: int) -> None:
            if label == WAITING_TO_WRITE:
                waiting.set()
            if told:
                told(label, done, total)

        return real(engine, path, progress=progress, **options)

    # the command imports `import_path` from the package when it runs, so it gets this one: the real import,
    # which also reports the step it reached to the test
    mel_core.ingest.import_path = import_path_telling  # type: ignore[assignment]
    os.environ.update({"MEL_DB_URL": db_url, "MEL_HOME": str(Path(out).parent), "COLUMNS": "200"})
    with open(out, "w", encoding="utf-8") as o, open(err, "w", encoding="utf-8") as e:
        os.dup2(o.fileno(), 1)
        os.dup2(e.fileno(), 2)
        from mel_core.cli import main

        code = main(["import", path])
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)


@dataclass
class Run:
    path: Path
    code: int | None
    out: str
    err: str


def _import_together(engine: Engine, db_url: str, tmp_path: Path, *paths: Path) -> list[Run]:
    """Run `mel import` of every path at once; each checks its rows before any of them may write."""
    spawn = multiprocessing.get_context("spawn")
    children = []
    try:
        with writer_transaction(engine):  # nobody writes until every import has checked its rows
            for path in paths:
                waiting = spawn.Event()
                files = (tmp_path / f"{path.name}.out", tmp_path / f"{path.name}.err")
                child = spawn.Process(target=_mel_import, args=(db_url, str(path), *map(str, files), waiting))
                child.start()
                children.append((path, child, files, waiting))
            for path, child, (_, err), waiting in children:
                deadline = time.monotonic() + START_S
                while not waiting.wait(0.1):
                    if not child.is_alive() or time.monotonic() > deadline:
                        shown = err.read_text(encoding="utf-8") if err.exists() else ""
                        pytest.fail(f"`mel import {path.name}` did not reach {WAITING_TO_WRITE!r}: {shown}")
        for _, child, _, _ in children:
            child.join(START_S)
    finally:
        for _, child, _, _ in children:
            if child.is_alive():
                child.kill()
                child.join()
    return [
        Run(path, child.exitcode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"))
        for path, child, (out, err), _ in children
    ]


def _programmes(*rows: tuple[str, str, str]) -> dict[str, list[list[object]]]:
    """A programmes table of (code, copied from, parent_code) rows, each a copy of a row of the test dataset."""
    table = copy_tables()["programmes"]
    header = table[0]
    by_code = {row[0]: row for row in table[1:]}
    out: list[list[object]] = [header]
    for code, like, parent in rows:
        row = list(by_code[like])
        row[header.index("code")], row[header.index("parent_code")] = code, parent
        out.append(row)
    return {"programmes": out}


def _parents(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT c.code, p.code FROM programmes c LEFT JOIN programmes p ON p.id = c.parent_id")
        ).all()
    return {code: parent for code, parent in rows}


def _cycles(parents: dict[str, str | None]) -> list[str]:
    """Every programme that is its own ancestor."""
    looped = []
    for code in parents:
        seen, cursor = set(), parents[code]
        while cursor and cursor not in seen:
            seen.add(cursor)
            cursor = parents.get(cursor)
        if code in seen:
            looped.append(code)
    return sorted(looped)


def _counts(out: str) -> tuple[int, int, int]:
    """(rows, new, updated) of the programmes table as `mel import` reports them."""
    found = re.search(r"programmes\s+(\d+) rows \((-?\d+) new, (-?\d+) updated\)", out)
    assert found, out
    rows, new, updated = map(int, found.groups())
    return rows, new, updated


def _counts_of(report: Any) -> tuple[int, int, int]:
    """(rows, new, updated) of the programmes table in an import's report."""
    table = next(t for t in report.tables if t.name == "programmes")
    return table.rows, table.new, table.updated


def test_two_imports_that_make_a_parent_cycle_together_cannot_both_commit(engine, db_url, tmp_path):
    import_path(
        engine, write_csv(tmp_path / "base", _programmes(("GOPA", "GOPA", ""), ("DB-BSS", "DB-BSS", "")))
    )
    under_gopa = write_csv(tmp_path / "a", _programmes(("DB-BSS", "DB-BSS", "GOPA")))
    under_dbbss = write_csv(tmp_path / "b", _programmes(("GOPA", "GOPA", "DB-BSS")))

    runs = _import_together(engine, db_url, tmp_path, under_gopa, under_dbbss)

    assert sorted(-1 if r.code is None else r.code for r in runs) == [0, 65], [
        (r.code, r.out, r.err) for r in runs
    ]
    done = next(r for r in runs if r.code == 0)
    refused = next(r for r in runs if r.code == 65)
    assert _counts(done.out) == (1, 0, 1)
    assert "programmes.csv, row 2, column 'parent_code': parents form a cycle" in refused.err
    assert "1 problem found; nothing was written." in refused.err
    parents = _parents(engine)
    assert _cycles(parents) == []
    assert parents == (
        {"GOPA": None, "DB-BSS": "GOPA"} if done.path == under_gopa else {"GOPA": "DB-BSS", "DB-BSS": None}
    )
    export_path(engine, tmp_path / "out")
    assert _counts_of(import_path(engine, tmp_path / "out")) == (2, 0, 2)  # the export re-imports


def test_two_imports_of_the_same_new_rows_count_each_row_once(engine, db_url, tmp_path):
    import_path(engine, write_csv(tmp_path / "base", _programmes(("GOPA", "GOPA", ""))))
    shared = [("GOPA", "GOPA", ""), ("DB-BSS", "DB-BSS", "GOPA"), ("NEW-1", "DB-BSS", "GOPA")]
    first = write_csv(tmp_path / "a", _programmes(*shared, ("NEW-A", "DB-BSS", "GOPA")))
    second = write_csv(tmp_path / "b", _programmes(*shared, ("NEW-B", "DB-BSS", "NEW-1")))

    runs = _import_together(engine, db_url, tmp_path, first, second)

    assert [r.code for r in runs] == [0, 0], [(r.code, r.out, r.err) for r in runs]
    # whichever wrote first created DB-BSS, NEW-1 and its own; the other created only its own
    assert sorted(_counts(r.out) for r in runs) == [(4, 1, 3), (4, 3, 1)]
    parents = _parents(engine)
    assert len(parents) == 1 + 3 + 1  # GOPA before, and exactly as many rows as the two reported new
    assert _cycles(parents) == []

    again = run_mel("import", str(first), home=tmp_path, MEL_DB_URL=db_url)  # the same import, once more
    assert again.returncode == 0, again.stderr
    assert _counts(again.stdout) == (4, 0, 4)


def test_a_writer_transaction_leaves_the_engine_as_it_was(engine):
    """Commits, rolls back on an error, and gives the pool back a connection that begins as any other."""

    def add(conn: Any, name: str) -> None:
        conn.execute(text("INSERT INTO organisations (name) VALUES (:name)"), {"name": name})

    with pytest.raises(RuntimeError), writer_transaction(engine) as conn:
        add(conn, "rolled back")
        raise RuntimeError
    with writer_transaction(engine) as conn:
        add(conn, "committed")
    with engine.connect() as conn:  # the same pooled connection: still transactional, not in autocommit mode
        add(conn, "never committed")
        conn.rollback()
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT name FROM organisations")))
    assert "committed" in names and not names & {"rolled back", "never committed"}
