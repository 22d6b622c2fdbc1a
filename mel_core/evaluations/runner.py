"""The runner: validate parameters, execute the templates with Papermill, store the results.

For each programme an evaluation record is created first (*running*), then each criterion's template runs into
``<out>/<programme>/<evaluation>/<criterion>.ipynb`` with its HTML export beside it; the synthesis runs last on
the criteria's results (``results.json``). When every notebook succeeded, the ratings, findings and
recommendations are written with the status *succeeded* in one transaction; when one failed, its output notebook
(with the error) is kept, the evaluation is marked *failed* with the failing cell and error, and nothing else is
stored. Notebooks run in ``workers`` processes at once; the store is written by this process only.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from mel_core.criteria.ratings import RULES_VERSION
from mel_core.errors import EvaluationFailed
from mel_core.evaluations import kernel_server, record
from mel_core.evaluations.execute import (
    KERNEL,
    PRELOAD,
    NotebookJob,
    NotebookOutcome,
    WarmKernel,
    prepare_client,
    run_notebook,
    worker_started,
)
from mel_core.evaluations.templates import COMMON, TEMPLATE_NAMES, file_hash, template_path, validate
from mel_core.files import inside, safe_name
from mel_core.i18n import say
from mel_core.store import Programme, table_of
from mel_core.vocabulary import CRITERIA

#: progress(programme, criterion, state, done, total); state is "done" or "failed".
Progress = Callable[[str, str, str, int, int], None]


@dataclass
class EvaluationOutcome:
    """What became of one programme's evaluation."""

    programme: str
    code: str
    status: str = "running"
    output_dir: str = ""
    levels: dict[str, int | None] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


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


def default_output_root() -> Path:
    """``notebooks/evaluations`` under the working directory (the record of executed evaluations)."""
    return Path.cwd() / "notebooks" / "evaluations"


def all_programmes(engine: Engine) -> list[str]:
    """Every programme code in the store, sorted."""
    p = table_of(Programme)
    with engine.connect() as conn:
        return list(conn.scalars(select(p.c.code).order_by(p.c.code)))


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    from mel_core import __version__

    out = {"mel_core": __version__, "python": platform.python_version()}
    for package in ("papermill", "nbconvert", "pandas", "statsmodels"):
        out[package] = version(package)
    return out


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


def evaluation_folder(root: Path, programme: str, code: str) -> Path:
    """``root/<programme>/<evaluation>``, each code made one safe path component (a code may hold ``/``).

    Raises:
        OutputError: the folder would not be under ``root`` (it cannot, with safe names: checked anyway).
    """
    return inside(root, root / safe_name(programme) / safe_name(code))


def evaluate(
    engine: Engine,
    programmes: Sequence[str],
    *,
    criteria: Sequence[str] | None = None,
    params: dict[str, Any] | None = None,
    evaluator: str | None = None,
    kind: str = "other",
    period_start: date | None = None,
    period_end: date | None = None,
    lang: str = "vi",
    out_root: Path | None = None,
    workers: int = 1,
    templates_folder: Path | None = None,
    progress: Progress | None = None,
) -> list[EvaluationOutcome]:
    """Evaluate each programme on ``criteria`` (default: all six and the synthesis).

    Args:
        engine: the store (read by the notebooks through its URL, written here).
        programmes: programme codes.
        criteria: criteria to assess; the synthesis runs when all six are assessed or it is named.
        params: template parameters beyond the common ones (validated against what the templates declare).
        evaluator, kind, period_start, period_end: recorded on the evaluation; the period also limits the data.
        lang: "vi" or "en", the language of the narrative.
        out_root: where evaluation folders go (default ``notebooks/evaluations`` in the working directory).
        workers: notebooks executed at once (processes).
        templates_folder: another folder of templates (tests use broken ones).
        progress: called after each notebook.

    Raises:
        ParameterError: unknown or ill-typed parameters (before anything runs or is written).
        EvaluationFailed: after all evaluations ran, when any of them failed (each one's record says why).
    """
    chosen = list(criteria) if criteria else [*CRITERIA, "synthesis"]
    if criteria and set(CRITERIA) <= set(chosen) and "synthesis" not in chosen:
        chosen.append("synthesis")
    chosen = [name for name in TEMPLATE_NAMES if name in chosen]  # validated and in running order
    for name in criteria or []:
        template_path(name, templates_folder)  # unknown names are an error before anything runs
    paths = {name: template_path(name, templates_folder) for name in chosen}
    common = {k: v for k, v in (params or {}).items() if k in COMMON}
    if common:
        from mel_core.evaluations.templates import ParameterError

        raise ParameterError(
            say(
                f"{', '.join(common)} are set by the runner; use the command's options instead",
                f"{', '.join(common)} do chương trình tự đặt; hãy dùng tuỳ chọn của lệnh",
            )
        )
    per_template = validate(paths, dict(params or {}))
    record.mark_interrupted(
        engine
    )  # runs of this machine whose process was killed are not "running" any more
    # the kernel server imports the templates' libraries while this process creates the records; every kernel of
    # the run is then a fork of it (see mel_core.evaluations.kernel_server)
    with kernel_server.running(KERNEL, PRELOAD) as server:
        db_url = engine.url.render_as_string(hide_password=False)
        shown_url = make_url(db_url).render_as_string(hide_password=True)
        root = (out_root or default_output_root()).resolve()
        outcomes: dict[str, EvaluationOutcome] = {}
        ids: dict[str, int] = {}
        for programme in programmes:
            evaluation_id, code = record.new_evaluation(
                engine,
                programme,
                kind=kind,
                evaluator=evaluator,
                period_start=period_start,
                period_end=period_end,
            )
            folder = evaluation_folder(root, programme, code)
            folder.mkdir(parents=True, exist_ok=True)
            record.set_output(engine, evaluation_id, str(folder))
            ids[programme] = evaluation_id
            outcomes[programme] = EvaluationOutcome(programme, code, output_dir=str(folder))

        def job(programme: str, name: str, extra: dict[str, Any] | None = None) -> NotebookJob:
            outcome = outcomes[programme]
            parameters = {
                "db_url": "",
                "programme": programme,
                "evaluation_id": outcome.code,
                "period_start": period_start.isoformat() if period_start else "",
                "period_end": period_end.isoformat() if period_end else "",
                "lang": lang,
                **per_template[name],
                **(extra or {}),
            }
            output = Path(outcome.output_dir) / f"{name}.ipynb"
            return NotebookJob(programme, name, str(paths[name]), str(output), parameters, db_url)

        criteria_names = [name for name in chosen if name != "synthesis"]
        total = len(programmes) * len(chosen)
        done = 0
        results: dict[str, dict[str, dict[str, Any]]] = {p: {} for p in programmes}
        pending: dict[str, int] = {p: len(criteria_names) for p in programmes}
        failures: list[dict[str, Any]] = []

        def finish(programme: str) -> None:
            outcome = outcomes[programme]
            provenance = {
                "store": shown_url,
                "rules_version": RULES_VERSION,
                "versions": _versions(),
                "lang": lang,
                "templates": {n: {"path": str(paths[n]), "sha256": file_hash(paths[n])} for n in chosen},
                "parameters": {n: job(programme, n).parameters for n in chosen},
                "data_fingerprint": sorted(
                    {
                        str(r["data_fingerprint"])
                        for r in results[programme].values()
                        if r.get("data_fingerprint")
                    }
                ),
                "seconds": {k: round(v, 2) for k, v in outcome.seconds.items()},
            }
            if outcome.error:
                provenance["failed"] = outcome.error
                message = (
                    f"{outcome.error['template']}.ipynb, cell {outcome.error.get('execution_count') or '?'}: "
                    f"{outcome.error.get('ename')}: {outcome.error.get('evalue')}"
                )
                record.mark_failed(engine, ids[programme], message, provenance)
                outcome.status = "failed"
                failures.append({"evaluation": outcome.code, **outcome.error})
                return
            record.store_results(engine, ids[programme], results[programme], provenance)
            outcome.status = "succeeded"
            outcome.levels = {c: (r.get("rating") or {}).get("level") for c, r in results[programme].items()}

        def settle(result: NotebookOutcome) -> NotebookJob | None:
            """Take one finished notebook in; return the synthesis job when a programme's criteria are all in."""
            nonlocal done
            done += 1
            name, programme = result.job.criterion, result.job.programme
            outcome = outcomes[programme]
            outcome.seconds[name] = result.seconds
            if progress:
                progress(programme, name, "done" if result.ok else "failed", done, total)
            if not result.ok and not outcome.error:
                outcome.error = {"template": name, "notebook": result.job.output, **result.error}
            elif result.ok and result.result is not None:
                results[programme]["overall" if name == "synthesis" else name] = result.result
            if name == "synthesis":
                finish(programme)
                return None
            pending[programme] -= 1
            if pending[programme] > 0:
                return None
            if outcome.error or "synthesis" not in chosen:
                if "synthesis" in chosen:  # it will not run: count it as settled
                    done += 1
                    if progress:
                        progress(programme, "synthesis", "skipped", done, total)
                finish(programme)
                return None
            summary = Path(outcome.output_dir) / "results.json"
            summary.write_text(json.dumps(results[programme], ensure_ascii=False, indent=1), encoding="utf-8")
            return job(programme, "synthesis", {"results_path": str(summary)})

        first_jobs = [job(p, name) for p in programmes for name in criteria_names]
        if not criteria_names:  # only the synthesis: it reads the stored results
            first_jobs = [job(p, "synthesis") for p in programmes]
            for p in programmes:
                pending[p] = 0
        try:
            with stopped_by_sigterm():
                if workers <= 1:
                    queue = list(first_jobs)
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
                else:
                    with worker_pool(workers, server) as pool:
                        futures: set[Future[NotebookOutcome]] = {
                            pool.submit(run_notebook, j) for j in first_jobs
                        }
                        while futures:
                            finished = next(as_completed(futures))
                            futures.remove(finished)
                            follow = settle(finished.result())
                            if follow is not None:
                                futures.add(pool.submit(run_notebook, follow))
        except BaseException:  # Ctrl+C, SIGTERM, a crash: what did not finish is marked, not left "running"
            record.mark_interrupted(engine, list(ids.values()))
            raise
    if failures:
        failed = EvaluationFailed(
            say(
                f"{len(failures)} evaluation(s) failed: "
                + "; ".join(f"{f['evaluation']} ({f['template']}: {f.get('ename')})" for f in failures),
                f"{len(failures)} lần đánh giá bị lỗi: "
                + "; ".join(f"{f['evaluation']} ({f['template']}: {f.get('ename')})" for f in failures),
            ),
            failures,
            hint=say(
                "Open the output notebook named above to see the failing cell; `mel evaluate show CODE` shows the"
                " record. Nothing else of a failed evaluation was stored.",
                "Mở sổ tay kết quả nêu trên để xem ô bị lỗi; `mel evaluate show MÃ` cho xem bản ghi. Lần đánh giá"
                " lỗi không lưu phát hiện nào.",
            ),
        )
        failed.outcomes = [outcomes[p] for p in programmes]  # type: ignore[attr-defined]
        raise failed
    return [outcomes[p] for p in programmes]
