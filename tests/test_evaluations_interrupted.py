"""Evaluations that did not finish are marked ``interrupted``, never left ``running`` (#19): stopped with Ctrl+C
or SIGTERM (marked as the run stops), or killed outright (marked by the next run or ``mel evaluate show``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from mel_core.demo.sample import SAMPLE_WORKBOOK
from mel_core.evaluations.record import mark_interrupted, new_evaluation
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import Evaluation, make_engine, table_of
from tests.test_cli import MEL

PROGRAMME = "DB-BSS-2011"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    engine = make_engine(f"sqlite:///{tmp_path / 'mel.db'}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    engine.dispose()
    return tmp_path


def _status(home: Path) -> list[tuple[str, str, str | None]]:
    engine = make_engine(f"sqlite:///{home / 'mel.db'}")
    e = table_of(Evaluation)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(e.c.code, e.c.status, e.c.error).order_by(e.c.id))]
    finally:
        engine.dispose()


def _dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


def test_a_running_evaluation_whose_process_is_gone_is_marked_interrupted(store):
    engine = make_engine(f"sqlite:///{store / 'mel.db'}")
    alive = subprocess.Popen(["sleep", "30"])
    try:
        dead_id, dead_code = new_evaluation(engine, PROGRAMME)
        live_id, _live_code = new_evaluation(engine, PROGRAMME)
        e = table_of(Evaluation)
        with engine.begin() as conn:
            conn.execute(update(e).where(e.c.id == dead_id).values(runner_pid=_dead_pid()))
            conn.execute(update(e).where(e.c.id == live_id).values(runner_pid=alive.pid))
        assert mark_interrupted(engine) == [dead_code]
        statuses = {code: (status, error) for code, status, error in _status(store)}
        assert (
            statuses[dead_code][0] == "interrupted" and "ended before it finished" in statuses[dead_code][1]
        )
        assert sorted(s for s, _ in statuses.values()) == ["interrupted", "running"]
        assert mark_interrupted(engine) == []  # nothing twice
    finally:
        alive.kill()
        engine.dispose()


def _start(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"MEL_DB_URL", "MEL_HOME"}}
    env.update({"MEL_HOME": str(home), "MEL_FRESH_KERNEL": "0"})
    return subprocess.Popen(
        [MEL, "evaluate", PROGRAMME, "--out", str(home / "out"), *args],
        env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait_running(home: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(status == "running" for _c, status, _e in _status(home)) and any(
            (home / "out").rglob("*.ipynb")
        ):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    pytest.fail("the evaluation did not start")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_run_stopped_by_a_signal_marks_its_evaluation_interrupted(store, signum):
    process = _start(store)
    _wait_running(store, process)
    process.send_signal(signum)
    process.communicate(timeout=60)
    assert process.returncode != 0
    [(code, status, error)] = _status(store)
    assert status == "interrupted" and "stopped before it finished" in (error or ""), (code, status, error)


@pytest.mark.slow
def test_a_killed_run_is_shown_interrupted_by_mel_evaluate_show(store):
    process = _start(store)
    _wait_running(store, process)
    process.kill()  # SIGKILL: no handler runs
    process.communicate(timeout=60)
    [(code, status, _error)] = _status(store)
    assert status == "running"  # nothing could run at SIGKILL
    env = {k: v for k, v in os.environ.items() if k not in {"MEL_DB_URL", "MEL_HOME"}}
    shown = subprocess.run(
        [MEL, "evaluate", "show", code, "--json"], env={**env, "MEL_HOME": str(store)}, cwd=store,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["status"] == "interrupted"
