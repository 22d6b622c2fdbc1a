"""Run one evaluation notebook with Papermill, export it to HTML, and read its result.

This is the unit of work the runner hands to a worker process: it touches no database itself (the notebook reads
the store through ``MEL_DB_URL``, set here for the kernel, so no password is ever written into a notebook).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mel_core.errors import CellError

KERNEL = "python3"
#: The MIME type of the machine-readable result of an evaluation notebook (``notebook.emit`` displays it). Defined
#: here, where the runner reads it, so that this module imports nothing but the standard library and the error
#: root: the worker processes' fork server preloads it, and pandas there would cost every ``--workers`` run a
#: second.
RESULT_MIME = "application/vnd.mel.criterion-result+json"
#: The kernel's own start-up notes are noise for an evaluator, and notebooks run by the runner do not belong in
#: the user's IPython history (``~/.ipython``: every cell of every notebook, a shared file two kernels would
#: write at once).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]
#: How long a kernel may take to answer its first request (a loaded machine imports slowly).
START_TIMEOUT = 120.0
#: Attempts at starting a kernel before the notebook is reported as failed.
START_ATTEMPTS = 3


class KernelStartError(RuntimeError):
    """The kernel died or did not answer while it was being prepared."""


def new_kernel_manager() -> Any:
    """A kernel manager whose kernel will listen on Unix sockets of its own, named after a fresh id.

    Over TCP, jupyter_client picks free ports by binding and releasing them, and the kernel binds them a second
    later: two processes starting kernels at that moment can pick the same port, and a kernel that loses the race
    prints a traceback and never exits (its ZeroMQ context waits for the socket that failed to bind). Unix sockets
    under a unique name cannot collide, and nothing listens on the network. Windows has no such sockets: TCP there.
    """
    return kernel_manager_class()(kernel_name=KERNEL)


@cache
def kernel_manager_class() -> type:
    """The class of :func:`new_kernel_manager`'s managers (nbclient creates one from it on the public path)."""
    from jupyter_client.manager import KernelManager

    from mel_core.evaluations import kernel_server

    if os.name == "nt":
        return KernelManager

    class IpcKernelManager(KernelManager):
        def __init__(self, **kwargs: Any) -> None:
            # short: a Unix socket's path is limited to about 100 bytes
            stem = Path(tempfile.gettempdir()) / f"mel-k-{uuid.uuid4().hex[:12]}"
            kwargs.setdefault("kernel_id", str(uuid.uuid4()))
            super().__init__(transport="ipc", connection_file=f"{stem}.json", ip=f"{stem}-ipc", **kwargs)
            if kernel_server.current() is not None:  # forked from the run's kernel server: libraries imported
                self.provisioner = kernel_server.ForkedProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )

    return IpcKernelManager


@dataclass(frozen=True)
class NotebookJob:
    """One template to run for one programme."""

    programme: str
    criterion: str
    template: str
    output: str
    parameters: dict[str, Any]
    db_url: str
    warm: bool = True  # run in this process's kernel, cleared between notebooks (see WarmKernel)


@dataclass
class NotebookOutcome:
    """What came of a job: the result the notebook emitted, or where and how it failed."""

    job: NotebookJob
    result: dict[str, Any] | None = None
    warm: bool = False
    error: CellError | None = None
    seconds: float = 0.0
    html: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.error is None


@contextlib.contextmanager
def _environment(db_url: str) -> Iterator[None]:
    """``MEL_DB_URL`` for the kernel this process starts (restored afterwards)."""
    before = os.environ.get("MEL_DB_URL")
    os.environ["MEL_DB_URL"] = db_url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MEL_DB_URL", None)
        else:
            os.environ["MEL_DB_URL"] = before


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab")


def prepare_client() -> None:
    """Pay this process's own first-notebook costs ahead: the HTML export's templates, Pygments' lexer and the
    Markdown renderer load on first use (half a second), and Papermill's engine and client import late.

    Called while the run's kernel server is still importing, so the first notebook no longer waits for them.
    """
    import nbformat

    from mel_core.adapters import papermill_engine

    papermill_engine.prepare()
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# *Đánh giá*"), nbformat.v4.new_code_cell("x = 1\nprint(x)")]
    )
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    _exporter().from_notebook_node(notebook)


def export_html(notebook_path: Path) -> Path:
    """Write ``<notebook>.html`` beside the executed notebook (images embedded) and return its path."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    body, _resources = _exporter().from_notebook_node(notebook)
    target = notebook_path.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def read_result(notebook: Any) -> dict[str, Any] | None:
    """The machine-readable result a notebook emitted (the last one, if several), or None."""
    found = None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if RESULT_MIME in data:
                found = data[RESULT_MIME]
    return dict(found) if found is not None else None


#: The libraries every template uses: a warm kernel imports them once (:data:`PRELUDE`), and the run's kernel
#: server (:mod:`mel_core.evaluations.kernel_server`) imports them before it forks any kernel.
PRELOAD = (
    "pandas",
    "statsmodels.api",
    "statsmodels.formula.api",
    "matplotlib",
    "matplotlib.pyplot",
    "mel_core.criteria.relevance",
    "mel_core.criteria.coherence",
    "mel_core.criteria.effectiveness",
    "mel_core.criteria.efficiency",
    "mel_core.criteria.impact",
    "mel_core.criteria.sustainability",
    "mel_core.criteria.synthesis",
    "mel_core.evaluations.notebook",
)
PRELUDE = "".join(f"import {name}\n" for name in PRELOAD)
#: Run before each notebook in a warm kernel: a clean namespace, closed figures, numbering from 1.
CLEAR = (
    # the user's names go (IPython's %reset and the display hook's flush would also run a full garbage collection
    # over every imported library: a third of a second each time), the output cache and figures too, and cells
    # count from 1 again
    "def _mel_clear(ip=get_ipython()):\n"
    "    hidden = ip.user_ns_hidden\n"
    "    for name in [n for n in ip.user_ns if not n.startswith('_') and n not in hidden]:\n"
    "        del ip.user_ns[name]\n"
    "    ip.user_ns.get('_oh', {}).clear()\n"
    "    import matplotlib.pyplot as plt\n"
    "    plt.close('all')\n"
    "    ip.execution_count = 1\n"
    "_mel_clear()\n"
    "del _mel_clear\n"
)


class WarmKernel:
    """One ``python3`` kernel per worker process, kept between notebooks.

    Starting a kernel and importing pandas, statsmodels and matplotlib costs more than most criteria's own
    computation, so a worker starts its kernel once, imports the libraries once (:data:`PRELUDE`), and before
    every notebook clears the user namespace, closes figures and numbers cells from 1 again (:data:`CLEAR`).
    Papermill executes each notebook in it as usual (it is handed the kernel manager). After a failed notebook
    the kernel is shut down and the next notebook gets a fresh one. ``NotebookJob.warm = False`` (the
    ``MEL_FRESH_KERNEL=1`` setting) starts a new kernel for every notebook instead.
    """

    _current: WarmKernel | None = None

    def __init__(self, db_url: str, cwd: str) -> None:
        self.db_url = db_url
        env = {**os.environ, "MEL_DB_URL": db_url}
        for attempt in range(1, START_ATTEMPTS + 1):
            self.km = new_kernel_manager()
            self.km.start_kernel(extra_arguments=KERNEL_ARGUMENTS, env=env, cwd=cwd)
            try:
                self._run(PRELUDE)
                return
            except KernelStartError:
                self.shutdown()
                if attempt == START_ATTEMPTS:
                    raise
            except BaseException:
                self.shutdown()  # no kernel outlives a failed preparation (it would hold the command's pipes)
                raise

    def _run(self, code: str, timeout: float = START_TIMEOUT) -> None:
        """Execute ``code`` and wait for the reply on the shell channel only.

        The reply comes on the shell channel, which loses nothing; leaving out iopub spares the wait for its
        subscription (``wait_for_ready`` costs half a second each time) and keeps notebooks' output away. The
        kernel is checked every second while waiting, so one that died is noticed at once.

        Raises:
            KernelStartError: the kernel died or did not answer within ``timeout`` seconds.
        """
        client = self.km.client()
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        deadline = time.monotonic() + timeout
        try:
            msg_id = client.execute(code, silent=True, store_history=False)
            while True:
                try:
                    reply = client.get_shell_msg(timeout=1.0)
                except queue.Empty:
                    if not self.km.is_alive():
                        raise KernelStartError("the kernel died while it was being prepared") from None
                    if time.monotonic() > deadline:
                        raise KernelStartError(f"the kernel did not answer within {timeout:.0f} s") from None
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel refused its preparation: {reply['content'].get('evalue')}")

    def clear(self) -> None:
        self._run(CLEAR)

    def shutdown(self) -> None:
        """Kill the kernel (its whole process group) and remove its connection and socket files."""
        self.km.shutdown_kernel(now=True)

    @classmethod
    def get(cls, db_url: str, cwd: str) -> WarmKernel:
        """This process's warm kernel for ``db_url`` (started on first use), cleared for the next notebook."""
        current = cls._current
        if current is not None and (current.db_url != db_url or not current.km.is_alive()):
            current.shutdown()
            current = cls._current = None
        if current is None:
            current = cls._current = cls(db_url, cwd)
        else:
            current.clear()
        return current

    @classmethod
    def discard(cls) -> None:
        """Shut this process's warm kernel down (after a failure, or when the work is done)."""
        if cls._current is not None:
            cls._current.shutdown()
            cls._current = None


def run_notebook(job: NotebookJob) -> NotebookOutcome:
    """Execute ``job.template`` into ``job.output`` (kept also when it fails), export HTML, read the result."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from mel_core.adapters import papermill_engine

    logging.getLogger("papermill").setLevel(logging.ERROR)  # its parameter-parsing notes are not for users
    started = time.perf_counter()
    output = Path(job.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    outcome = NotebookOutcome(job)
    # on the public path papermill's own engine runs the notebook in a kernel nbclient starts and closes itself
    closing = papermill_engine.closing_engine()
    warm = job.warm and not os.environ.get("MEL_FRESH_KERNEL") and closing is not None
    fresh = None  # a kernel manager of this notebook only (started by papermill, shut down here)
    try:
        if closing is None:
            kernel = papermill_engine.public_kwargs(kernel_manager_class())
        elif warm:
            kernel = {
                "km": WarmKernel.get(job.db_url, str(output.parent.parent.parent)).km,
                "engine_name": closing,
            }
            outcome.warm = True
        else:
            fresh = new_kernel_manager()
            kernel = {"km": fresh, "engine_name": closing}
        with _environment(job.db_url):
            papermill.execute_notebook(
                job.template,
                str(output),
                parameters=job.parameters,
                kernel_name=KERNEL,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                cwd=str(output.parent),
                extra_arguments=KERNEL_ARGUMENTS,
                **kernel,
            )
    except PapermillExecutionError as exc:
        outcome.error = CellError(exc.ename, exc.evalue, exc.cell_index, exc.exec_count)
    except Exception as exc:  # the kernel died, the template is not a notebook …: recorded, not raised
        outcome.error = CellError(type(exc).__name__, str(exc))
    if fresh is not None and fresh.has_kernel:
        # a kernel that died is already gone; its files are removed anyway
        with contextlib.suppress(Exception):
            fresh.shutdown_kernel(now=True)
    if outcome.error is not None and warm:
        WarmKernel.discard()  # whatever the failure left behind must not reach the next notebook
    if output.exists():
        outcome.html = str(export_html(output))
        if outcome.error is None:
            outcome.result = read_result(nbformat.read(output, as_version=4))
            if outcome.result is None:
                outcome.error = CellError(
                    "NoResult", "the notebook ran but emitted no result (mel_core.evaluations.notebook.emit)"
                )
    elif outcome.error is None:  # papermill writes the output before the first cell: not seen, but not ok
        outcome.error = CellError("NoResult", f"the output notebook {output} was not written")
    outcome.seconds = time.perf_counter() - started
    return outcome


def worker_started(cores: list[int] | None = None, counter: Any = None, server: Any = None) -> None:
    """In each worker process: keep to a core of its own (when given), fork kernels from the run's kernel server
    (when there is one), shut its warm kernel down at the end.

    A worker and its kernel take turns (the worker waits while the kernel runs a cell, the kernel waits while
    the worker writes and exports the notebook), so one core serves them as fast as two: a single worker pinned
    to one core takes as long as one free to use both. Kept to separate cores, two workers' kernels, clients and
    the parent no longer queue for the same core. The kernel keeps to the worker's core.
    """
    from multiprocessing import util

    from mel_core.evaluations import kernel_server

    kernel_server.use(server)
    if server is not None:
        prepare_client()  # while the server imports; before pinning, so it runs on whichever core is free
    if cores and counter is not None:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        os.sched_setaffinity(0, {cores[index % len(cores)]})
    util.Finalize(None, WarmKernel.discard, exitpriority=10)
