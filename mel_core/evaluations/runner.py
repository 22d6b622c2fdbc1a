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
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from mel_core.criteria.ratings import RULES_VERSION
from mel_core.errors import EvaluationFailed, NotebookFailure
from mel_core.evaluations import kernel_server, record
from mel_core.evaluations.execute import KERNEL, PRELOAD, NotebookJob, NotebookOutcome
from mel_core.evaluations.templates import (
    COMMON,
    TEMPLATE_NAMES,
    ParameterError,
    file_hash,
    template_path,
    validate,
)
from mel_core.evaluations.workers import run_jobs, stopped_by_sigterm
from mel_core.evaluations.workers import worker_cores as worker_cores  # the runner's names before the split
from mel_core.evaluations.workers import worker_pool as worker_pool
from mel_core.files import inside, safe_name
from mel_core.i18n import message
from mel_core.store import read
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
    error: NotebookFailure | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def default_output_root() -> Path:
    """``notebooks/evaluations`` under the working directory (the record of executed evaluations)."""
    return Path.cwd() / "notebooks" / "evaluations"


def all_programmes(engine: Engine) -> list[str]:
    """Every programme code in the store, sorted (:func:`mel_core.store.read.programme_codes` on a connection of
    its own)."""
    with engine.connect() as conn:
        return read.programme_codes(conn)


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    from mel_core import __version__

    out = {"mel_core": __version__, "python": platform.python_version()}
    for package in ("papermill", "nbconvert", "pandas", "statsmodels"):
        out[package] = version(package)
    return out


def evaluation_folder(root: Path, programme: str, code: str) -> Path:
    """``root/<programme>/<evaluation>``, each code made one safe path component (a code may hold ``/``).

    Raises:
        OutputError: the folder would not be under ``root`` (it cannot, with safe names: checked anyway).
    """
    return inside(root, root / safe_name(programme) / safe_name(code))


@dataclass(frozen=True)
class Plan:
    """What a run executes, validated before anything runs or is written.

    Attributes:
        chosen: the templates in running order (the synthesis last, when it runs).
        paths: each template's file.
        parameters: each template's own parameters (validated against what it declares).
        lang, period_start, period_end: the common parameters of every notebook.
    """

    chosen: tuple[str, ...]
    paths: dict[str, Path]
    parameters: dict[str, dict[str, Any]]
    lang: str = "vi"
    period_start: date | None = None
    period_end: date | None = None

    @property
    def criteria(self) -> tuple[str, ...]:
        """The criteria's templates (all but the synthesis)."""
        return tuple(name for name in self.chosen if name != "synthesis")

    @property
    def synthesis(self) -> bool:
        """Whether the synthesis runs."""
        return "synthesis" in self.chosen

    def notebook_parameters(self, programme: str, code: str, name: str) -> dict[str, Any]:
        """The parameters of template ``name`` for ``programme``'s evaluation ``code`` (the store's URL is not
        among them: the kernel reads it from its environment)."""
        return {
            "db_url": "",
            "programme": programme,
            "evaluation_id": code,
            "period_start": self.period_start.isoformat() if self.period_start else "",
            "period_end": self.period_end.isoformat() if self.period_end else "",
            "lang": self.lang,
            **self.parameters[name],
        }


def plan_run(
    criteria: Sequence[str] | None,
    params: dict[str, Any] | None,
    *,
    lang: str = "vi",
    period_start: date | None = None,
    period_end: date | None = None,
    templates_folder: Path | None = None,
) -> Plan:
    """Step 1: the templates to run and their validated parameters.

    Raises:
        ParameterError: a criterion without a template; parameters the runner sets, unknown or ill-typed ones.
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
        raise ParameterError(message("evaluations.runner.runner_parameters", names=", ".join(common)))
    parameters = validate(paths, dict(params or {}))
    return Plan(tuple(chosen), paths, parameters, lang, period_start, period_end)


@dataclass(frozen=True)
class Started:
    """An evaluation record created for a programme (status *running*) and its output folder."""

    programme: str
    evaluation_id: int
    code: str
    folder: Path


def start_evaluations(
    engine: Engine,
    programmes: Sequence[str],
    root: Path,
    *,
    kind: str = "other",
    evaluator: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> list[Started]:
    """Step 2: an evaluation record and an output folder ``root/<programme>/<evaluation>`` per programme."""
    started = []
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
        started.append(Started(programme, evaluation_id, code, folder))
    return started


def notebook_job(
    plan: Plan, evaluation: Started, name: str, db_url: str, extra: dict[str, Any] | None = None
) -> NotebookJob:
    """Template ``name`` of ``evaluation`` as a job for :func:`~mel_core.evaluations.execute.run_notebook`."""
    parameters = {**plan.notebook_parameters(evaluation.programme, evaluation.code, name), **(extra or {})}
    output = evaluation.folder / f"{name}.ipynb"
    return NotebookJob(evaluation.programme, name, str(plan.paths[name]), str(output), parameters, db_url)


class Next(Enum):
    """What a programme's evaluation needs after one of its notebooks came in."""

    WAIT = "wait"  # more of its criteria are running
    SYNTHESIS = "synthesis"  # its criteria are all in: run the synthesis on them
    SKIP_SYNTHESIS = (
        "skip synthesis"  # its criteria are all in, one failed: the synthesis will not run; finish
    )
    FINISH = "finish"  # nothing more runs: store it


@dataclass
class Collected:
    """One programme's notebooks as they come in: their results, their times, the first failure."""

    evaluation: Started
    waiting: int  # criteria notebooks still running
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    failure: NotebookFailure | None = None

    def take(self, outcome: NotebookOutcome, plan: Plan) -> Next:
        """Take one finished notebook in and say what comes next."""
        name = outcome.job.criterion
        self.seconds[name] = outcome.seconds
        if outcome.error is not None:
            if self.failure is None:
                self.failure = NotebookFailure.of(
                    self.evaluation.code, name, outcome.job.output, outcome.error
                )
        elif outcome.result is not None:
            self.results["overall" if name == "synthesis" else name] = outcome.result
        if name == "synthesis":
            return Next.FINISH
        self.waiting -= 1
        if self.waiting > 0:
            return Next.WAIT
        if not plan.synthesis:
            return Next.FINISH
        return Next.SKIP_SYNTHESIS if self.failure is not None else Next.SYNTHESIS


def provenance(plan: Plan, collected: Collected, store: str) -> dict[str, Any]:
    """What an evaluation's record keeps of how it was made: store, rules, versions, templates, parameters,
    the data's fingerprints, the notebooks' seconds, and the failure when one failed."""
    evaluation = collected.evaluation
    made: dict[str, Any] = {
        "store": store,
        "rules_version": RULES_VERSION,
        "versions": _versions(),
        "lang": plan.lang,
        "templates": {
            n: {"path": str(plan.paths[n]), "sha256": file_hash(plan.paths[n])} for n in plan.chosen
        },
        "parameters": {
            n: plan.notebook_parameters(evaluation.programme, evaluation.code, n) for n in plan.chosen
        },
        "data_fingerprint": sorted(
            {str(r["data_fingerprint"]) for r in collected.results.values() if r.get("data_fingerprint")}
        ),
        "seconds": {k: round(v, 2) for k, v in collected.seconds.items()},
    }
    if collected.failure is not None:
        made["failed"] = collected.failure.provenance()
    return made


def store_evaluation(engine: Engine, plan: Plan, collected: Collected, store: str) -> EvaluationOutcome:
    """Step 4, per programme: its ratings, findings and recommendations stored (*succeeded*), or, when a notebook
    failed, the record marked *failed* with the failing cell and nothing else stored."""
    evaluation = collected.evaluation
    made = provenance(plan, collected, store)
    outcome = EvaluationOutcome(
        evaluation.programme,
        evaluation.code,
        output_dir=str(evaluation.folder),
        error=collected.failure,
        seconds=dict(collected.seconds),
    )
    if collected.failure is not None:
        record.mark_failed(engine, evaluation.evaluation_id, collected.failure.summary(), made)
        outcome.status = "failed"
        return outcome
    record.store_results(engine, evaluation.evaluation_id, collected.results, made)
    outcome.status = "succeeded"
    outcome.levels = {c: (r.get("rating") or {}).get("level") for c, r in collected.results.items()}
    return outcome


class Run:
    """Step 3's bookkeeping: the notebooks of every programme as they come in, the progress, and each programme's
    evaluation stored as soon as its last notebook is in (by this process only)."""

    def __init__(
        self, engine: Engine, plan: Plan, evaluations: Sequence[Started], progress: Progress | None = None
    ) -> None:
        self.engine, self.plan, self.progress = engine, plan, progress
        self.db_url = engine.url.render_as_string(hide_password=False)
        self.store = make_url(self.db_url).render_as_string(hide_password=True)
        self.collected = {e.programme: Collected(e, len(plan.criteria)) for e in evaluations}
        self.total = len(evaluations) * len(plan.chosen)
        self.done = 0
        self.finished: list[EvaluationOutcome] = []  # in the order they finished

    def first_jobs(self) -> list[NotebookJob]:
        """Every programme's criteria; only the synthesis when no criterion is chosen (it reads stored results)."""
        if not self.plan.criteria:
            return [self.job(c.evaluation, "synthesis") for c in self.collected.values()]
        return [self.job(c.evaluation, name) for c in self.collected.values() for name in self.plan.criteria]

    def job(self, evaluation: Started, name: str, extra: dict[str, Any] | None = None) -> NotebookJob:
        return notebook_job(self.plan, evaluation, name, self.db_url, extra)

    def _count(self, programme: str, name: str, state: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(programme, name, state, self.done, self.total)

    def settle(self, outcome: NotebookOutcome) -> NotebookJob | None:
        """Take one finished notebook in; return the synthesis job when a programme's criteria are all in."""
        programme, name = outcome.job.programme, outcome.job.criterion
        self._count(programme, name, "done" if outcome.ok else "failed")
        collected = self.collected[programme]
        step = collected.take(outcome, self.plan)
        if step is Next.WAIT:
            return None
        if step is Next.SYNTHESIS:
            summary = collected.evaluation.folder / "results.json"
            summary.write_text(json.dumps(collected.results, ensure_ascii=False, indent=1), encoding="utf-8")
            return self.job(collected.evaluation, "synthesis", {"results_path": str(summary)})
        if step is Next.SKIP_SYNTHESIS:  # it will not run: count it as settled
            self._count(programme, "synthesis", "skipped")
        self.finished.append(store_evaluation(self.engine, self.plan, collected, self.store))
        return None

    def outcomes(self) -> list[EvaluationOutcome]:
        """What became of each programme's evaluation, in the order the programmes were given."""
        by_programme = {o.programme: o for o in self.finished}
        return [by_programme[programme] for programme in self.collected]

    def failures(self) -> list[NotebookFailure]:
        """The failed evaluations' failures, in the order they finished."""
        return [o.error for o in self.finished if o.error is not None]


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

    The steps: :func:`plan_run` (validate), :func:`start_evaluations` (records and folders), :func:`run_jobs`
    with a :class:`Run` taking each notebook in and :func:`store_evaluation` storing each programme as soon as
    its notebooks are in.

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
        EvaluationFailed: after all evaluations ran, when any of them failed (each one's record says why; the
            error carries every evaluation's outcome).
    """
    plan = plan_run(
        criteria,
        params,
        lang=lang,
        period_start=period_start,
        period_end=period_end,
        templates_folder=templates_folder,
    )
    record.mark_interrupted(
        engine
    )  # runs of this machine whose process was killed are not "running" any more
    # the kernel server imports the templates' libraries while this process creates the records; every kernel of
    # the run is then a fork of it (see mel_core.evaluations.kernel_server)
    with kernel_server.running(KERNEL, PRELOAD) as server:
        root = (out_root or default_output_root()).resolve()
        evaluations = start_evaluations(
            engine,
            programmes,
            root,
            kind=kind,
            evaluator=evaluator,
            period_start=period_start,
            period_end=period_end,
        )
        run = Run(engine, plan, evaluations, progress)
        try:
            with stopped_by_sigterm():
                run_jobs(run.first_jobs(), run.settle, workers=workers, server=server)
        except BaseException:  # Ctrl+C, SIGTERM, a crash: what did not finish is marked, not left "running"
            record.mark_interrupted(engine, [e.evaluation_id for e in evaluations])
            raise
    failures = run.failures()
    if failures:
        raise EvaluationFailed(failures, run.outcomes())
    return run.outcomes()
