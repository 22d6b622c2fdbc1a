"""The runner's kernels: Unix sockets of their own, a kernel that dies at start replaced, one that never starts
reported as the notebook's failure (real kernels; the dying one is a real process that exits at once)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager

from mel_core.adapters import public_api_forced
from mel_core.evaluations import execute
from mel_core.evaluations.execute import NotebookJob, WarmKernel, new_kernel_manager, run_notebook

pytestmark = pytest.mark.slow
#: Tests of the worker's warm kernel, which only the papermill adapter's fast path uses.
warm_kernel_only = pytest.mark.skipif(
    public_api_forced(), reason="MEL_PUBLIC_API: every notebook gets a kernel nbclient starts itself"
)


@pytest.fixture
def dying_kernel(tmp_path, monkeypatch) -> str:
    """A kernel spec whose process exits with status 3 before binding anything (found through JUPYTER_PATH)."""
    spec = tmp_path / "jupyter" / "kernels" / "mel-dies"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-c", "import sys; sys.exit(3)", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "dies", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "mel-dies"


def _ipc_manager(kernel_name: str) -> KernelManager:
    km = new_kernel_manager()
    km.kernel_name = kernel_name
    return km


@pytest.mark.skipif(os.name == "nt", reason="Windows kernels use TCP")
def test_every_kernel_listens_on_unix_sockets_of_its_own_and_leaves_none_behind(tmp_path):
    first, second = new_kernel_manager(), new_kernel_manager()
    assert first.transport == second.transport == "ipc"
    assert first.ip != second.ip and first.connection_file != second.connection_file
    assert Path(first.ip).parent == Path(tempfile.gettempdir())
    kernel = WarmKernel("sqlite://", str(tmp_path))
    try:
        info = kernel.km.get_connection_info()
        assert info["transport"] == "ipc"
        sockets = [Path(f"{info['ip']}-{info[port]}") for port in ("shell_port", "iopub_port", "hb_port")]
        assert all(path.exists() for path in sockets)
        assert all(len(str(path).encode()) < 100 for path in sockets)  # a Unix socket path's limit
    finally:
        kernel.shutdown()
    assert not any(path.exists() for path in sockets)
    assert not Path(kernel.km.connection_file).exists()


def test_a_kernel_that_dies_at_start_is_replaced_without_waiting_for_the_timeout(
    dying_kernel, tmp_path, monkeypatch
):
    made: list[KernelManager] = []

    def factory() -> KernelManager:
        made.append(_ipc_manager(dying_kernel if not made else execute.KERNEL))
        return made[-1]

    monkeypatch.setattr(execute, "new_kernel_manager", factory)
    monkeypatch.setattr(execute, "START_TIMEOUT", 600.0)
    started = time.monotonic()
    kernel = WarmKernel("sqlite://", str(tmp_path))
    try:
        assert len(made) == 2 and kernel.km is made[1]
        assert kernel.km.is_alive() and not made[0].is_alive()
        # the death was seen by polling the process, not by the 600 s deadline running out
        assert time.monotonic() - started < 120
    finally:
        kernel.shutdown()


@warm_kernel_only
def test_a_kernel_that_never_starts_fails_its_notebook_with_the_reason(dying_kernel, tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "new_kernel_manager", lambda: _ipc_manager(dying_kernel))
    template = tmp_path / "one.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, template)
    output = tmp_path / "out" / "P" / "E" / "one.ipynb"
    job = NotebookJob("P", "relevance", str(template), str(output), {}, "sqlite://")
    try:
        outcome = run_notebook(job)
    finally:
        WarmKernel.discard()
    assert not outcome.ok
    assert outcome.error["ename"] == "KernelStartError"
    assert "died" in outcome.error["evalue"]
    assert WarmKernel._current is None


def _where_am_i(pause: float) -> tuple[int, list[int], list[int]]:
    """In a pool worker: its pid, its cores, and the cores a process it starts gets (as its kernel would)."""
    import subprocess

    time.sleep(pause)  # long enough for the other worker to take the next task
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return os.getpid(), sorted(os.sched_getaffinity(0)), json.loads(child.stdout)


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2, reason="needs 2 cores and Linux"
)
def test_two_workers_keep_to_cores_of_their_own_and_so_do_their_kernels(monkeypatch):
    from mel_core.evaluations.runner import worker_pool

    monkeypatch.delenv("MEL_PIN_WORKERS", raising=False)
    with worker_pool(2) as pool:
        seen = {pid: (cores, child) for pid, cores, child in pool.map(_where_am_i, [0.5] * 4)}
    assert len(seen) == 2
    workers_cores = [cores for cores, _child in seen.values()]
    assert all(len(cores) == 1 for cores in workers_cores)
    assert workers_cores[0] != workers_cores[1]
    assert all(child == cores for cores, child in seen.values())


def test_workers_are_left_free_when_pinning_cannot_help_or_is_switched_off(monkeypatch):
    from mel_core.evaluations.runner import worker_cores

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    monkeypatch.delenv("MEL_PIN_WORKERS", raising=False)
    assert worker_cores(1) is None
    assert worker_cores(usable + 1) is None
    if usable >= 2 and hasattr(os, "sched_setaffinity"):
        assert worker_cores(2) == sorted(os.sched_getaffinity(0))
    monkeypatch.setenv("MEL_PIN_WORKERS", "0")
    assert worker_cores(2) is None


def test_a_kernel_that_refuses_its_preparation_is_shut_down_not_left_running(tmp_path, monkeypatch):
    made: list[KernelManager] = []

    def factory() -> KernelManager:
        made.append(_ipc_manager(execute.KERNEL))
        return made[-1]

    monkeypatch.setattr(execute, "new_kernel_manager", factory)
    monkeypatch.setattr(execute, "PRELUDE", "raise ValueError('no libraries here')")
    with pytest.raises(RuntimeError, match="no libraries here"):
        WarmKernel("sqlite://", str(tmp_path))
    assert len(made) == 1  # a refusal is not retried: the same code would be refused again
    assert not made[0].is_alive()
    assert not Path(made[0].connection_file).exists()


def _loaded(names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in sys.modules]


def test_workers_load_what_they_run_notebooks_with_and_not_the_parents_libraries():
    from mel_core.evaluations.runner import worker_pool

    with worker_pool(2) as pool:
        loaded = pool.submit(
            _loaded, ("pandas", "sqlalchemy", "mel_core.evaluations.runner", "papermill")
        ).result()
    assert loaded == ["papermill"]  # pandas and the store would cost every --workers run a second


@warm_kernel_only
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_notebooks_run_in_a_warm_kernel_leave_no_kernel_client_behind(tmp_path):
    """nbclient keeps the kernel client of a kernel it does not own; left open, each notebook would cost a
    heartbeat thread, a ZeroMQ context and about ten descriptors, and a long session would run out."""
    import threading

    template = tmp_path / "emits.ipynb"
    emit = (
        "from IPython.display import display\n"
        f"display({{{execute.RESULT_MIME!r}: {{'ok': True}}, 'text/plain': 'result'}}, raw=True)"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(emit)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, template)

    def run(i: int) -> None:
        output = tmp_path / "out" / "P" / "E" / f"n{i}.ipynb"
        outcome = run_notebook(NotebookJob("P", "relevance", str(template), str(output), {}, "sqlite://"))
        assert outcome.ok and outcome.warm, outcome.error

    try:
        run(0)  # the kernel and whatever is created once
        descriptors, threads = len(os.listdir("/proc/self/fd")), threading.active_count()
        for i in range(1, 5):
            run(i)
        assert len(os.listdir("/proc/self/fd")) == descriptors
        assert threading.active_count() == threads
    finally:
        WarmKernel.discard()


def test_notebooks_of_the_runner_stay_out_of_the_users_ipython_history(tmp_path, monkeypatch):
    home = tmp_path / "ipython"
    monkeypatch.setenv("IPYTHONDIR", str(home))
    template = tmp_path / "one.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("secret_cell = 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, template)
    for warm in (True, False):
        output = tmp_path / "out" / "P" / "E" / f"one-{warm}.ipynb"
        try:
            run_notebook(
                NotebookJob("P", "relevance", str(template), str(output), {}, "sqlite://", warm=warm)
            )
        finally:
            WarmKernel.discard()
        assert output.exists()
    assert not list(home.rglob("history.sqlite"))
