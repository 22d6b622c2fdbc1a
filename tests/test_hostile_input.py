"""A corpus of hostile inputs (tests/hostile_inputs.py), each imported by ``mel import`` in its own process under a
memory cap and a CPU limit: each must end with exit 65 (a data error, never 70), say what is wrong, write nothing,
and leave the store exactly as it was (#19)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import make_engine
from tests.datasets import write_csv
from tests.hostile_inputs import CASES, Case
from tests.test_cli import MEL
from tests.test_import import snapshot

MEMORY = 1536 << 20  # bytes of address space: far below what a zip bomb or an alias bomb would take
CPU_SECONDS = 8  # the process is killed beyond it; starting mel itself takes about one
WALL_SECONDS = 60  # only a guard: the CPU limit is what a slow, shared machine does not disturb


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[tuple]]]:
    """A SQLite store holding the valid dataset, and its snapshot; each case imports into a copy of it."""
    folder = tmp_path_factory.mktemp("store")
    engine = make_engine(f"sqlite:///{folder / 'mel.db'}")
    init_store(engine)
    import_path(engine, write_csv(folder / "good"))
    before = snapshot(engine)
    engine.dispose()  # the file holds everything (WAL checkpointed) before it is copied
    return folder / "mel.db", before


def _engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_input_is_a_data_error_in_bounded_time_and_memory(case: Case, store, tmp_path):
    template, before = store
    database = tmp_path / "mel.db"
    shutil.copy(template, database)
    (tmp_path / "input").mkdir()
    path = case.build(tmp_path / "input")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEL_")}
    env.update({"MEL_DB_URL": f"sqlite:///{database}", "MEL_LANG": "en", "COLUMNS": "200", **case.env})
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [MEL, "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=WALL_SECONDS,
        preexec_fn=_capped,
    )
    after_run = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after_run.ru_utime + after_run.ru_stime - used.ru_utime - used.ru_stime
    output = result.stdout + result.stderr
    assert result.returncode == 65, (
        f"exit {result.returncode} after {time.perf_counter() - started:.1f} s:\n{output}"
    )
    assert "nothing was written" in output, output
    for words in case.expect:
        assert words in output, f"{words!r} not in:\n{output}"
    assert "bug in mel" not in output
    assert cpu < CPU_SECONDS, f"{cpu:.1f} s of CPU"
    engine = _engine(database)
    try:
        assert snapshot(engine) == before, "a refused import changed the store"
    finally:
        engine.dispose()
