"""Monitoring benchmark: 10 million commune observations, every achievement rate and the province rollup.

The issue: *10 million observations (10,000 communes, 50 indicators, 20 periods) in SQLite and in PostgreSQL:
import time, and time to compute every achievement rate and the province rollup, against the same computation
in pandas in memory as the baseline, in one run; peak memory. Targets: from the store to every achievement rate
and the rollup in 10 s or less on SQLite and 5 s or less on PostgreSQL, peak memory under 4 GiB.*

Every measurement runs in a fresh Python process (``in_child`` of bench/run.py), so its peak resident memory
(``ru_maxrss``) is its own. Usage::

    .venv/bin/python bench/bench_monitoring.py                              # the full run, figures into README
    .venv/bin/python bench/bench_monitoring.py --communes 500 --skip-postgres  # a quick run
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from monitoring_data import (  # noqa: E402  (bench/ is a folder of scripts, not a package)
    PROGRAMME,
    MonitoringData,
    monitoring_dataset,
)
from run import _peak_rss_mib, in_child, log, machine, postgres_server, run_mel_import  # noqa: E402

README = BENCH / "README.md"
BEGIN, END = "<!-- figures:monitoring -->", "<!-- /figures:monitoring -->"
TARGET_SECONDS = {"SQLite": 10.0, "PostgreSQL": 5.0}
TARGET_PEAK_MIB = 4096.0


@dataclass
class Result:
    """One measurement."""

    what: str
    backend: str
    rows: int
    seconds: float
    peak_rss_mib: float
    phases: dict[str, float] = field(default_factory=dict)
    check: dict[str, float] = field(default_factory=dict)
    runs: list[float] = field(default_factory=list)  # every repetition's seconds, when repeated


# ---------------------------------------------------------------------------------------------------- children


def run_setup(url: str, data_dir: str) -> dict[str, Any]:
    """An empty store, the communes under their provinces, then the programme, indicators and targets."""
    from mel_core.communes import load_communes
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    engine = make_engine(url)
    init_store(engine)
    started = time.perf_counter()
    communes = load_communes(engine, Path(data_dir) / "communes.csv")
    loaded = time.perf_counter()
    report = import_path(engine, Path(data_dir) / "frame")
    done = time.perf_counter()
    engine.dispose()
    targets = next(t.rows for t in report.tables if t.name == "targets")
    phases = {"communes": loaded - started, "frame": done - loaded}
    return {"communes": communes, "targets": targets, "seconds": done - started, "phases": phases,
            "peak_rss_mib": _peak_rss_mib()}  # fmt: skip


def run_analyze(url: str) -> dict[str, Any]:
    """Refresh the planner's statistics after the bulk load (what a database's maintenance does)."""
    from sqlalchemy import text

    from mel_core.store import make_engine

    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return {"seconds": time.perf_counter() - started}


def _checks(table: Any) -> dict[str, float]:
    """What both sides must agree on: how many rates, how many with an actual, the sums of actuals and ratios."""
    import numpy as np

    actual = table["actual"].to_numpy(float)
    ratio = table["ratio"].to_numpy(float)
    return {"rates": float(len(table)), "with_actual": float(np.isfinite(actual).sum()),
            "sum_actual": float(np.nansum(actual)), "sum_ratio": float(np.nansum(ratio))}  # fmt: skip


def run_from_store(url: str) -> dict[str, Any]:
    """mel: from the store to every achievement rate and the province rollup (``programme_achievement``)."""
    import mel_core.indicators.from_store as fs
    import mel_core.indicators.store_queries as sq
    from mel_core.store import make_engine

    phases: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    sq.in_parallel = timed("database", sq.in_parallel)
    fs.achievement = timed("score", fs.achievement)
    engine = make_engine(url)
    with engine.connect() as first, engine.connect() as second:  # two pooled connections, before the clock
        first.exec_driver_sql("SELECT 1")
        second.exec_driver_sql("SELECT 1")
    started = time.perf_counter()
    table = fs.programme_achievement(engine, PROGRAMME)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"rows": len(table), "seconds": seconds, "peak_rss_mib": _peak_rss_mib(), "phases": phases,
            "check": _checks(table)}  # fmt: skip


def _load_memory(data_dir: str) -> dict[str, Any]:
    """The benchmark's rows as in-memory frames (read from the generated CSV files; not timed)."""
    import pandas as pd

    from mel_core.periods import parse_period

    root = Path(data_dir)
    obs = pd.concat(
        [pd.read_csv(p, dtype={"admin_unit": "category", "indicator_code": "category", "period": "category"},
                     usecols=["indicator_code", "period", "admin_unit", "value"])
         for p in sorted(root.glob("observations-*/observations.csv"))],
        ignore_index=True,
    )  # fmt: skip
    obs["period"] = obs["period"].astype("category")
    obs["admin_unit"] = obs["admin_unit"].astype("category")
    obs["indicator_code"] = obs["indicator_code"].astype("category")
    targets = pd.read_csv(root / "frame" / "targets.csv", dtype={"admin_unit": str})
    indicators = pd.read_csv(root / "frame" / "indicators.csv")
    communes = pd.read_csv(root / "communes.csv", dtype=str)
    from mel_core import geo

    successor = {c: p.successor_code for c, p in geo.provinces().items()}
    parents = dict(zip(communes["code"], communes["province_code"].map(successor), strict=True))
    dates = {p: parse_period(p) for p in set(obs["period"].cat.categories) | set(targets["period"])}
    return {"obs": obs, "targets": targets, "indicators": indicators, "parents": parents, "dates": dates}


def run_pandas_floor(data_dir: str) -> dict[str, Any]:
    """The floor: the same rates and rollup computed by hand in pandas, on frames already in memory."""
    import numpy as np
    import pandas as pd

    m = _load_memory(data_dir)
    obs, targets, indicators, parents = m["obs"], m["targets"], m["indicators"], m["parents"]
    started = time.perf_counter()
    province = obs["admin_unit"].map(parents)  # categorical: each commune code is looked up once
    frame = obs.assign(province=province.astype("category"))
    keys = ["indicator_code", "period", "province"]
    weights = dict(zip(indicators["code"], indicators["components"], strict=True))
    weighted = {c: w for c, w in weights.items() if isinstance(w, str)}
    counts = frame[~frame["indicator_code"].isin(weighted)]
    summed = counts.groupby(keys, observed=True)["value"].sum().reset_index()
    rates = frame[frame["indicator_code"].isin(weighted)]
    w = frame[frame["indicator_code"].isin(set(weighted.values()))]
    pairs = rates.assign(w_code=rates["indicator_code"].map(weighted).astype(str)).merge(
        w[["indicator_code", "period", "admin_unit", "value"]].astype({"indicator_code": str}).rename(
            columns={"indicator_code": "w_code", "value": "weight"}),
        on=["w_code", "period", "admin_unit"], how="left",
    )  # fmt: skip
    pairs = pairs.assign(vw=pairs["value"] * pairs["weight"], nw=pairs["weight"].isna())
    g = pairs.groupby(keys, observed=True).agg(vw=("vw", "sum"), w=("weight", "sum"), nw=("nw", "sum"))
    g = g[(g["nw"] == 0) & (g["w"] > 0)].reset_index()
    means = g.assign(value=g["vw"] / g["w"])[[*keys, "value"]]
    rolled = pd.concat([summed, means], ignore_index=True).astype({k: str for k in keys})
    t = targets.merge(rolled.rename(columns={"province": "admin_unit", "value": "actual"}),
                      on=["indicator_code", "period", "admin_unit"], how="left")  # fmt: skip
    falling = t["indicator_code"].map(dict(zip(indicators["code"], indicators["direction"], strict=True)))
    falling = (falling == "decrease").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        t["ratio"] = np.where(falling, t["value"] / t["actual"], t["actual"] / t["value"])
    seconds = time.perf_counter() - started
    return {"rows": len(t), "seconds": seconds, "peak_rss_mib": _peak_rss_mib(), "check": _checks(t)}


def run_achievement_in_memory(data_dir: str) -> dict[str, Any]:
    """mel's ``achievement()`` with ``parents`` on the same frames in memory (no database), for reference."""
    import pandas as pd

    from mel_core.indicators.achievement import achievement

    m = _load_memory(data_dir)
    obs, targets, indicators, dates = m["obs"], m["targets"], m["indicators"], m["dates"]
    for frame in (obs, targets):
        labels = frame["period"].astype(str)
        frame["period_start"] = labels.map({k: v.start for k, v in dates.items()})
        frame["period_end"] = labels.map({k: v.end for k, v in dates.items()})
    obs = obs.astype({"indicator_code": str, "period": str, "admin_unit": str}).assign(disaggregation="")
    indicators = indicators.assign(level="outcome", cumulative=False, baseline_value=float("nan"))
    targets = targets.assign(value_high=float("nan"))
    started = time.perf_counter()
    table = achievement(indicators, targets, obs, parents=pd.Series(m["parents"]))
    seconds = time.perf_counter() - started
    return {"rows": len(table), "seconds": seconds, "peak_rss_mib": _peak_rss_mib(), "check": _checks(table)}


# ---------------------------------------------------------------------------------------------------- the run


def run_backend(results: list[Result], data: MonitoringData, backend: str, url: str, repeat: int = 1) -> None:
    """Set up, import every batch with ``mel import`` (each in a fresh process), then time store → rates.

    Store → rates runs ``repeat`` times, each in a fresh process; the run with the median time is reported (the
    machine may be shared), with every run's time alongside.
    """
    log(f"{backend}: store, communes, programme and targets …")
    setup = in_child(run_setup, url, str(data.folder))
    results.append(Result("setup (communes, frame)", backend, setup["targets"], setup["seconds"],
                          setup["peak_rss_mib"], setup["phases"]))  # fmt: skip
    seconds, peak, phases = 0.0, 0.0, {"read": 0.0, "validate": 0.0, "write": 0.0}
    stored = 0
    for batch in data.batches:
        out = in_child(run_mel_import, str(batch), url, False)
        seconds += out["seconds"]
        peak = max(peak, out["peak_rss_mib"])
        for k, v in out["phases"].items():
            phases[k] = phases.get(k, 0.0) + v
        stored = out["stored"]
        log(f"  mel import {batch.name}: {out['rows']:,} rows in {out['seconds']:.1f} s "
            f"(stored {stored:,}), peak {out['peak_rss_mib']:,.0f} MiB")  # fmt: skip
    if stored != data.observations:
        raise SystemExit(f"{backend}: {stored:,} observations stored, not {data.observations:,}")
    results.append(Result("mel import (observations)", backend, stored, seconds, peak, phases))
    log(f"  ANALYZE: {in_child(run_analyze, url)['seconds']:.1f} s (not timed below)")
    runs = []
    for _ in range(max(1, repeat)):
        out = in_child(run_from_store, url)
        runs.append(out)
        log(f"  store → rates + rollup: {out['seconds']:.2f} s, peak {out['peak_rss_mib']:,.0f} MiB,"
            f" {out['phases']}")  # fmt: skip
    out = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]
    peak = max(r["peak_rss_mib"] for r in runs)
    results.append(Result("mel store → rates + rollup", backend, out["rows"], out["seconds"], peak,
                          out["phases"], out["check"], [r["seconds"] for r in runs]))  # fmt: skip
    if any(not agree(r["check"], out["check"]) for r in runs):
        raise SystemExit(f"{backend}: the repeated runs disagree")


def agree(a: dict[str, float], b: dict[str, float]) -> bool:
    """Two checks agree: the same counts, and sums equal to 1e-9 relative."""
    return all(abs(a[k] - b[k]) <= 1e-9 * max(1.0, abs(a[k])) for k in a)


def figures_markdown(results: list[Result], data: MonitoringData, info: dict[str, str], total: float) -> str:
    """The figures section of bench/README.md."""
    floor = next((r for r in results if r.what.startswith("pandas")), None)
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {data.observations:,} observations ({data.communes:,}"
        f" communes × {data.indicators} indicators × {data.periods} quarters), {total / 60:.1f} min in all.",
        "",
        "| measurement | database | rows | seconds | × pandas floor | peak RSS (MiB) | phases (s) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        times = f"{r.seconds / floor.seconds:.1f}" if floor and "rates" in r.what else "–"
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r.phases.items()) or "–"
        lines.append(f"| {r.what} | {r.backend} | {r.rows:,} | {r.seconds:,.2f} | {times} | "
                     f"{r.peak_rss_mib:,.0f} | {phases} |")  # fmt: skip
    lines += ["", "Targets (store → every rate and the province rollup; peak under 4 GiB):", ""]
    met_all = True
    for r in results:
        if r.what.startswith("mel store"):
            limit = TARGET_SECONDS[r.backend]
            ok = r.seconds <= limit and r.peak_rss_mib < TARGET_PEAK_MIB
            same = floor is not None and agree(r.check, floor.check)
            met_all &= ok and same
            runs = (
                f" (median of {len(r.runs)} runs: {', '.join(f'{x:.2f}' for x in r.runs)} s)"
                if len(r.runs) > 1
                else ""
            )
            lines.append(f"- {r.backend}: {r.seconds:.2f} s{runs} (target ≤ {limit:.0f} s), peak"
                         f" {r.peak_rss_mib:,.0f} MiB — {'met' if ok else 'NOT met'}; same rates and rollup as the"
                         f" pandas floor: {'yes' if same else 'NO'}")  # fmt: skip
    peak = max(r.peak_rss_mib for r in results)
    lines += [f"- peak memory of any measurement: {peak:,.0f} MiB", "",
              f"**{'All targets met.' if met_all else 'Not every target is met (see above).'}**", "",
              "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()) + "."]  # fmt: skip
    return "\n".join(lines)


def write_readme(section: str, readme: Path = README) -> None:
    """Replace the text between the monitoring markers of ``readme`` (append them if missing)."""
    text = readme.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--communes", type=int, default=10_000, help="communes (10,000: 10 million rows)")
    parser.add_argument("--seed", type=int, default=20210101)
    parser.add_argument("--periods-per-batch", type=int, default=2, help="quarters per mel import batch")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--skip-in-memory", action="store_true", help="skip achievement() on frames in memory"
    )
    parser.add_argument("--work", type=Path, default=BENCH / "_work")
    parser.add_argument(
        "--repeat", type=int, default=3, help="store → rates runs per database (the median is reported)"
    )
    parser.add_argument("--write-readme", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args(argv)
    started = time.time()
    work = args.work.resolve()
    data = monitoring_dataset(work, args.communes, args.seed, args.periods_per_batch, log)
    info = machine()
    results: list[Result] = []
    log("pandas in memory (the floor) …")
    floor = in_child(run_pandas_floor, str(data.folder))
    results.append(Result("pandas in memory: rates + rollup (floor)", "–", floor["rows"], floor["seconds"],
                          floor["peak_rss_mib"], check=floor["check"]))  # fmt: skip
    log(f"  {floor['seconds']:.2f} s, peak {floor['peak_rss_mib']:,.0f} MiB")
    if not args.skip_in_memory:
        log("mel achievement() on the frames in memory …")
        out = in_child(run_achievement_in_memory, str(data.folder))
        results.append(Result("mel achievement() in memory: rates + rollup", "–", out["rows"], out["seconds"],
                              out["peak_rss_mib"], check=out["check"]))  # fmt: skip
        log(
            f"  {out['seconds']:.2f} s, peak {out['peak_rss_mib']:,.0f} MiB,"
            f" agrees with the floor: {agree(out['check'], floor['check'])}"
        )
    folder = work / "monitoring-db"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"mel-{args.communes}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    run_backend(results, data, "SQLite", f"sqlite:///{db}", args.repeat)
    if not args.skip_postgres:
        with postgres_server() as fresh_database:
            url = fresh_database("bench_monitoring")
            from run import _postgres_version

            info["postgresql"] = _postgres_version(url)
            run_backend(results, data, "PostgreSQL", url, args.repeat)
    section = figures_markdown(results, data, info, time.time() - started)
    print("\n" + section + "\n")
    (work / "monitoring_results.json").write_text(
        json.dumps({"observations": data.observations, "machine": info, "results": [asdict(r) for r in results]},
                   indent=2, ensure_ascii=False), encoding="utf-8")  # fmt: skip
    full = args.communes == 10_000 and not args.skip_postgres
    if args.write_readme if args.write_readme is not None else full:
        write_readme(section)
        log(f"figures written to {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
