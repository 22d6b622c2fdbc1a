"""Evaluation benchmark: notebook wall time against Papermill's floor, and the whole sample on 1 and 2 workers.

All in one run, on one machine, against a SQLite store holding the illustrative sample:

- **floor**: Papermill executing an empty one-cell notebook (a fresh kernel each time), and, for reference, a bare
  kernel start (jupyter_client: start, ready, shut down);
- **criterion notebooks** as ``mel evaluate`` runs them (Papermill into the worker's warm kernel, then the HTML
  export), and in a fresh kernel each (``MEL_FRESH_KERNEL=1``); beside each, the criterion's **own computation**
  in this process (read the data, assess, draw the charts), so the target *notebook ≤ 1.5 × floor + own
  computation* can be checked;
- **the whole sample** (every programme, every criterion and the synthesis) with 1 and with 2 workers;
- **mel demo** end to end (fresh store, lessons, every evaluation), as ``make demo`` runs it once set up.

Usage::

    make bench                                   # all benchmarks; figures into bench/README.md
    .venv/bin/python bench/bench_evaluate.py     # this one only
    .venv/bin/python bench/bench_evaluate.py --repeat 1 --no-demo   # a quick look, README untouched
    .venv/bin/python bench/bench_evaluate.py --cpu --repeat 5        # CPU seconds only, for before/after

``--cpu`` measures what a loaded machine moves least, in CPU seconds of this process (``time.process_time``):
every criterion's ``assess`` (and the synthesis) on every programme of the sample, the data read beforehand;
and the whole sample on 1 worker as the runner's own process spends it (the notebooks run in kernels, other
processes: what is left is the runner's orchestration, Papermill's client side and the HTML export).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "_work" / "evaluate"
README = BENCH / "README.md"
BEGIN, END = "<!-- figures:evaluate -->", "<!-- /figures:evaluate -->"
PROGRAMME = "DB-BSS-2011"
_STARTED = time.time()


def log(message: str) -> None:
    print(f"[{time.time() - _STARTED:7.1f} s] {message}", flush=True)


def median_time(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sample_store(folder: Path) -> str:
    from mel_core.config import sample_lessons_dir
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.ingest import import_path
    from mel_core.lessons.ingest import ingest_lessons
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'mel.db'}"
    engine = make_engine(url)
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    ingest_lessons(engine, sample_lessons_dir())
    engine.dispose()
    return url


def floor(repeat: int) -> tuple[float, float]:
    """Papermill on an empty one-cell notebook, and a bare kernel start, in seconds (medians)."""
    import logging

    import nbformat
    import papermill
    from jupyter_client.manager import KernelManager

    logging.getLogger("papermill").setLevel(logging.ERROR)
    empty = WORK / "empty.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, empty)

    def run_empty() -> None:
        quiet = ["--IPKernelApp.log_level=CRITICAL"]
        papermill.execute_notebook(
            str(empty),
            str(WORK / "empty-out.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            extra_arguments=quiet,
        )

    def start_kernel() -> None:
        km = KernelManager(kernel_name="python3")
        km.start_kernel(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.stop_channels()
        km.shutdown_kernel(now=True)

    run_empty()  # warm the file cache
    return median_time(run_empty, repeat), median_time(start_kernel, repeat)


def own_computation(url: str, criterion: str, repeat: int) -> float:
    """Read the data, assess and draw the charts in this process (libraries already imported)."""
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sqlmodel import Session

    from mel_core.criteria.data import load_portfolio, load_programme
    from mel_core.store import make_engine

    module = importlib.import_module(f"mel_core.criteria.{criterion}")
    engine = make_engine(url)

    def once() -> None:
        with Session(engine) as session:
            data = load_programme(session, PROGRAMME)
            portfolio = load_portfolio(session)
        result = module.assess(data, portfolio, lang="vi")
        for figure in module.charts(result):
            figure.savefig(os.devnull, format="png")
            plt.close(figure)

    once()
    seconds = median_time(once, repeat)
    engine.dispose()
    return seconds


def notebook_times(url: str, repeat: int, warm: bool) -> dict[str, float]:
    """Each criterion template for one programme, as the runner executes it (Papermill + HTML export)."""
    from mel_core.evaluations.execute import NotebookJob, WarmKernel, run_notebook
    from mel_core.evaluations.templates import template_path
    from mel_core.vocabulary import CRITERIA

    out = {}
    for criterion in CRITERIA:
        parameters = {"programme": PROGRAMME, "lang": "vi", "db_url": "", "evaluation_id": ""}
        job = NotebookJob(PROGRAMME, criterion, str(template_path(criterion)),
                          str(WORK / "out" / "p" / "e" / f"{criterion}.ipynb"), parameters, url, warm=warm)  # fmt: skip
        if warm:
            run_notebook(job)  # the worker's kernel is started once, before its first notebook
        times = []
        for _ in range(repeat):
            outcome = run_notebook(job)
            if not outcome.ok:
                raise SystemExit(f"{criterion}: {outcome.error}")
            times.append(outcome.seconds)
        out[criterion] = statistics.median(times)
    WarmKernel.discard()
    return out


def assess_cpu(url: str, repeat: int) -> dict[str, float]:
    """CPU seconds of each criterion's ``assess`` over every programme of the sample (medians of ``repeat``)."""
    import importlib

    from sqlmodel import Session

    from mel_core.criteria import synthesis
    from mel_core.criteria.data import load_portfolio, load_programme
    from mel_core.evaluations.runner import all_programmes
    from mel_core.store import make_engine
    from mel_core.vocabulary import CRITERIA

    engine = make_engine(url)
    with Session(engine) as session:
        portfolio = load_portfolio(session)
        programmes = [load_programme(session, code) for code in all_programmes(engine)]
    engine.dispose()
    out: dict[str, float] = {}
    results: dict[str, dict[str, dict]] = {p.programme["code"]: {} for p in programmes}
    for criterion in CRITERIA:
        module = importlib.import_module(f"mel_core.criteria.{criterion}")
        times = []
        for _ in range(repeat + 1):  # the first round warms caches and is not counted
            started = time.process_time()
            for data in programmes:
                for lang in ("vi", "en"):
                    result = module.assess(data, portfolio, lang=lang)
                    if lang == "vi":
                        results[data.programme["code"]][criterion] = result.to_json()
            times.append(time.process_time() - started)
        out[criterion] = statistics.median(times[1:])
    times = []
    for _ in range(repeat + 1):
        started = time.process_time()
        for by_criterion in results.values():
            for lang in ("vi", "en"):
                synthesis.assess(by_criterion, lang=lang)
        times.append(time.process_time() - started)
    out["synthesis"] = statistics.median(times[1:])
    return out


def runner_cpu(url: str, repeat: int) -> tuple[float, float]:
    """The whole sample on 1 worker: this process's CPU seconds and the wall seconds (medians of ``repeat``)."""
    from mel_core.evaluations.runner import all_programmes, evaluate
    from mel_core.store import make_engine

    cpu, wall = [], []
    for _ in range(repeat):
        engine = make_engine(url)
        target = WORK / "sample-cpu"
        shutil.rmtree(target, ignore_errors=True)
        started, started_cpu = time.perf_counter(), time.process_time()
        outcomes = evaluate(engine, all_programmes(engine), lang="vi", out_root=target, workers=1)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        engine.dispose()
        assert all(o.status == "succeeded" for o in outcomes)
    return statistics.median(cpu), statistics.median(wall)


def cpu_only(repeat: int, sample_repeat: int) -> None:
    """``--cpu``: print the CPU figures (README untouched)."""
    log("building the sample store")
    url = sample_store(WORK / "store")
    log(f"assess of every criterion on every programme, vi and en (CPU s, medians of {repeat})")
    figures = assess_cpu(url, repeat)
    for criterion, seconds in figures.items():
        print(f"assess {criterion:<15} {seconds:8.3f} CPU s")
    print(f"assess {'all':<15} {sum(figures.values()):8.3f} CPU s")
    log(f"the whole sample on 1 worker (medians of {sample_repeat})")
    cpu, wall = runner_cpu(url, sample_repeat)
    print(f"runner process, whole sample: {cpu:.2f} CPU s ({wall:.1f} s wall)")


@dataclass
class SampleRun:
    seconds: float  # the whole call
    warm_up: float  # until every worker has finished a notebook (pool, kernels, first notebooks)
    rate: float  # notebooks a second after that
    programmes: int


def whole_sample(url: str, workers: int) -> SampleRun:
    from mel_core.evaluations.runner import all_programmes, evaluate
    from mel_core.store import make_engine

    engine = make_engine(url)
    codes = all_programmes(engine)
    target = WORK / f"sample-{workers}"
    shutil.rmtree(target, ignore_errors=True)
    finished: list[float] = []
    started = time.perf_counter()
    outcomes = evaluate(engine, codes, lang="vi", out_root=target, workers=workers,
                        progress=lambda *_: finished.append(time.perf_counter()))  # fmt: skip
    seconds = time.perf_counter() - started
    engine.dispose()
    assert all(o.status == "succeeded" for o in outcomes)
    warm = finished[workers - 1]  # by then each worker has (about) finished its first notebook
    rate = (len(finished) - workers) / (finished[-1] - warm)
    return SampleRun(seconds, warm - started, rate, len(codes))


def demo_time() -> float:
    mel = Path(sys.executable).with_name("mel")
    with tempfile.TemporaryDirectory() as home:
        environ = {k: v for k, v in os.environ.items() if k not in ("MEL_DB_URL",)}
        environ["MEL_HOME"] = home
        started = time.perf_counter()
        subprocess.run([str(mel), "demo", "--out", str(Path(home) / "evaluations")], env=environ, cwd=home,
                       check=True, capture_output=True)  # fmt: skip
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each timing (median reported)")
    parser.add_argument(
        "--sample-repeat", type=int, default=3, help="rounds of the whole sample on 1 and 2 workers (medians)"
    )
    parser.add_argument("--no-demo", action="store_true", help="skip mel demo and leave the README untouched")
    parser.add_argument(
        "--cpu", action="store_true", help="only the CPU figures of assess and the runner (README untouched)"
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.cpu:
        cpu_only(args.repeat, args.sample_repeat)
        return
    log("building the sample store")
    url = sample_store(WORK / "store")
    log("floor: papermill on an empty notebook, and a bare kernel start")
    floor_s, kernel_s = floor(args.repeat)
    log(f"  floor {floor_s:.2f} s, kernel start {kernel_s:.2f} s")
    from mel_core.vocabulary import CRITERIA

    compute = {c: own_computation(url, c, args.repeat) for c in CRITERIA}
    log("criterion notebooks in the worker's warm kernel (as mel evaluate runs them)")
    warm = notebook_times(url, args.repeat, warm=True)
    log("criterion notebooks in a fresh kernel each")
    fresh = notebook_times(url, args.repeat, warm=False)
    runs: list[tuple[SampleRun, SampleRun]] = []
    for round_ in range(1, args.sample_repeat + 1):  # 1 and 2 workers alternate, so a slower spell hits both
        log(f"the whole sample, 1 worker (round {round_})")
        single = whole_sample(url, 1)
        log(f"  {single.seconds:.1f} s")
        log(f"the whole sample, 2 workers (round {round_})")
        double = whole_sample(url, 2)
        log(f"  {double.seconds:.1f} s (speed-up {single.seconds / double.seconds:.2f}×)")
        runs.append((single, double))
    programmes = runs[0][0].programmes
    ones, twos = [a.seconds for a, _ in runs], [b.seconds for _, b in runs]
    one, two = statistics.median(ones), statistics.median(twos)
    warm_up = [statistics.median(r.warm_up for r in side) for side in zip(*runs, strict=True)]
    rate_ratio = statistics.median(b.rate / a.rate for a, b in runs)
    ratios = [a / b for a, b in zip(ones, twos, strict=True)]
    speedup = statistics.median(ratios)  # each round's pair ran back to back, on the machine as it was then
    demo = None if args.no_demo else demo_time()
    if demo is not None:
        log(f"mel demo: {demo:.1f} s")
    rows = []
    for c in CRITERIA:
        allowed = 1.5 * floor_s + compute[c]
        rows.append(
            f"| {c} | {compute[c]:.2f} | {warm[c]:.2f} | {warm[c] / floor_s:.2f}× | {allowed:.2f} |"
            f" {'met' if warm[c] <= allowed else 'NOT met'} | {fresh[c]:.2f} | {fresh[c] / floor_s:.2f}× |"
        )
    lines = [
        BEGIN,
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, Python"
        f" {platform.python_version()}; medians of {args.repeat}; programme {PROGRAMME}.",
        "",
        f"- **floor**: Papermill on an empty one-cell notebook **{floor_s:.2f} s**; a bare kernel start"
        f" {kernel_s:.2f} s.",
        "",
        "| criterion | own computation (s) | notebook, warm kernel (s) | ÷ floor | allowed: 1.5 × floor +"
        " computation (s) | target | notebook, fresh kernel (s) | ÷ floor |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"- **whole sample** ({programmes} programmes × 6 criteria + synthesis = {programmes * 7} notebooks):"
        f" 1 worker {one:.1f} s, 2 workers {two:.1f} s (medians of {len(ones)} alternating rounds); speed-up"
        f" **{speedup:.2f}×** (the median of the rounds' own ratios; target ≥ 1.8×:"
        f" {'met' if speedup >= 1.8 else 'NOT met'}); each round: "
        + ", ".join(f"{a:.1f} s / {b:.1f} s = {r:.2f}×" for a, b, r in zip(ones, twos, ratios, strict=True))
        + f" ({sum(r >= 1.8 for r in ratios)} of {len(ratios)} rounds reach 1.8×)"
        + f". Until every worker has finished its first notebook (kernel server, kernel, first notebook):"
        f" {warm_up[0]:.1f} s with 1 worker, {warm_up[1]:.1f} s with 2 (the pool starts too, and each worker"
        " gets a kernel of its own); after that, 2 workers"
        f" finish notebooks **{rate_ratio:.2f}×** as fast as 1 (medians)" + ".",
    ]
    if demo is not None:
        lines.append(
            f"- **mel demo** end to end (fresh store, sample lessons, every evaluation on 2 workers): **{demo:.0f} s**"
            f" (target ≤ 180 s: {'met' if demo <= 180 else 'NOT met'})."
        )
    lines.append(END)
    block = "\n".join(lines)
    if args.no_demo:
        print(block)
        return
    text = README.read_text(encoding="utf-8")
    if BEGIN in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text += "\n" + block + "\n"
    README.write_text(text, encoding="utf-8")
    log(f"figures written to {README}")


if __name__ == "__main__":
    main()
