"""Where an evaluation run's notebooks execute: in this process, or in a pool of worker processes pinned to
cores of their own, each forking its kernels from the run's kernel server; and SIGTERM turned into an exit that
the runner can clean up after."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

from mel_core.evaluations import kernel_server
from mel_core.evaluations.execute import (
    NotebookJob,
    NotebookOutcome,
    WarmKernel,
    prepare_client,
    run_notebook,
    worker_started,
)


def worker_cores(workers: int) -> list[int] | None:
    """The cores to pin ``workers`` worker processes to, one each, or None when they are not to be pinned.

    Pinned only on systems that can (Linux), when there are at least as many usable cores as workers, and unless
    ``MEL_PIN_WORKERS=0``.
    """
    if os.environ.get("MEL_PIN_WORKERS", "1") == "0" or not hasattr(os, "sched_setaffinity"):
        return None
    cores = sorted(os.sched_getaffinity(0))
    if workers < 2 or workers > len(cores):
        return None
    return cores


def worker_pool(workers: int, server: kernel_server.Server | None = None) -> ProcessPoolExecutor:
    """The process pool the notebooks run in: ``workers`` processes, each pinned to a core of its own when
    :func:`worker_cores` allows, forking its kernels from ``server`` when given, and shutting its warm kernel down
    when it ends."""
    import multiprocessing
    from multiprocessing.context import BaseContext

    # workers come from a fork server that imported the runner's libraries once (spawn would import them in every
    # worker: a second and a half each); a plain fork of this process is not safe once it has run a notebook
    # itself (its asyncio loop and ZeroMQ sockets would be shared with the children)
    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        # what a worker needs, and no more: the parent's modules (pandas, the store) would cost every run a second
        forkserver.set_forkserver_preload(
            [
                "mel_core.evaluations.execute",
                "mel_core.evaluations.kernel_server",
                "jupyter_client.manager",
                "papermill",
                "nbconvert",
                "nbformat",
            ]
        )
        context = forkserver
    else:
        context = multiprocessing.get_context("spawn")
    counter = context.Value("i", 0)  # numbers the workers as they start, for their cores
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=worker_started,
        initargs=(worker_cores(workers), counter, server),
    )


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit`` while a run executes (in the main thread), so that what did not finish is
    marked ``interrupted`` as after Ctrl+C; SIGKILL cannot be caught: the next run marks those."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_jobs(
    first: Sequence[NotebookJob],
    settle: Callable[[NotebookOutcome], NotebookJob | None],
    *,
    workers: int,
    server: kernel_server.Server | None,
) -> None:
    """Step 3: execute ``first`` and what ``settle`` returns after each notebook, in this process (``workers``
    ≤ 1, in its warm kernel) or in a pool of ``workers`` processes."""
    if workers <= 1:
        queue = list(first)
        kernel_server.use(server)
        if server is not None:
            prepare_client()  # while the server imports
        try:
            while queue:
                follow = settle(run_notebook(queue.pop(0)))
                if follow is not None:
                    queue.append(follow)
        finally:
            WarmKernel.discard()
            kernel_server.use(None)
        return
    with worker_pool(workers, server) as pool:
        futures: set[Future[NotebookOutcome]] = {pool.submit(run_notebook, j) for j in first}
        while futures:
            finished = next(as_completed(futures))
            futures.remove(finished)
            follow = settle(finished.result())
            if follow is not None:
                futures.add(pool.submit(run_notebook, follow))
