"""Monitoring benchmark: 10 million commune observations, every achievement rate and the province rollup.

The issue: *10 million observations (10,000 communes, 50 indicators, 20 periods) in SQLite and in PostgreSQL:
import time, and time to compute every achievement rate and the province rollup, against the same computation
in pandas in memory as the baseline, in one run; peak memory. Targets: from the store to every achievement rate
and the rollup in 10 s or less on SQLite and 5 s or less on PostgreSQL, peak memory under 4 GiB.*

Every measurement runs in a fresh Python process (``in_child`` of bench/run.py), so its peak resident memory
(``ru_maxrss``) is its own. Usage::

    .venv/bin/python bench/bench_monitoring.py                              # the full run, figures into README
    .venv/bin/python bench/bench_monitoring.py --communes 500 --skip-postgres  # a quick run

The province phase (issue #16) times the provincial framework of every field and sector (Tables 4.1, 4.2 and
4.5 of ``mel report annual|five-year --province 11``) over 10 million commune observations of one province,
against the same computation in pandas in memory and the same targets::

    .venv/bin/python bench/bench_monitoring.py --province-only                      # full size, both databases
    .venv/bin/python bench/bench_monitoring.py --province-only --observations 200000 --skip-postgres  # quick
"""

from __future__ import annotations

import argparse
import json
import re
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
PROVINCE_MARKERS = ("<!-- figures:monitoring-province -->", "<!-- /figures:monitoring-province -->")
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


# ---------------------------------------------------------------------------------------------------- province
# The provincial framework (issue #16): Tables 4.1, 4.2 and 4.5 of one province, every field and sector of the
# plan, its communes rolled up through their districts; the store is built by bench/province_data.py.

PROVINCE_TABLES = (("4.1", "annual", "2020"), ("4.2", "annual", "2020"), ("4.5", "five-year", "2016-2020"))
_CODE = re.compile(r"\((BENCH-\d+-\d+)")


def _table_figures(table: Any) -> dict[str, tuple[float, float]]:
    """Each indicator row of Table 4.2 or 4.5: its code → (actual, completion rate in %), NaN when shown empty.

    Table 4.2 puts an output's figures in columns (3)-(4) and (7)-(8), an outcome's or impact's in (5)-(6) and
    (9)-(10); Table 4.5 ends with the actual, the completion rate and the notes.
    """
    from mel_core.reports.table import Number

    def value(cell: Any) -> float:
        return float(cell.value) if isinstance(cell, Number) else float("nan")

    out = {}
    for row in table.body:
        found = _CODE.search(str(row.cells[1] or ""))
        if not found:
            continue
        cells = row.cells
        if table.form == "4.2":
            actual = cells[7] if isinstance(cells[7], Number) else cells[9]  # output, else outcome or impact
            out[found.group(1)] = (value(actual), value(cells[10]))
        else:  # 4.5: …, actual, rate, notes
            out[found.group(1)] = (value(cells[-3]), value(cells[-2]))
    return out


def run_province_report(url: str, form: str, kind: str, period: str) -> dict[str, Any]:
    """mel: one table of the provincial framework from the store (``build_report(..., province="11")``)."""
    from datetime import date

    from province_data import PROVINCE
    from sqlmodel import Session

    import mel_core.reports as reports
    from mel_core.store import make_engine

    phases: dict[str, float] = {}
    for name, label in (("province_scope", "scope"), ("add_plan", "plan"), ("read_figures", "figures")):
        original = getattr(reports, name)

        def timed(*args: Any, _fn: Any = original, _label: str = label, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _fn(*args, **kwargs)
            finally:
                phases[_label] = phases.get(_label, 0.0) + time.perf_counter() - started

        setattr(reports, name, timed)
    engine = make_engine(url)
    with engine.connect() as conn:  # a pooled connection, before the clock
        conn.exec_driver_sql("SELECT 1")
    started = time.perf_counter()
    with Session(engine) as session:
        table = reports.build_report(
            session, kind, province=PROVINCE, period=period, form=form, today=date(2021, 1, 15)  # type: ignore[arg-type]
        )  # fmt: skip
    seconds = time.perf_counter() - started
    engine.dispose()
    phases["tables"] = seconds - sum(phases.values())
    figures = _table_figures(table) if form != "4.1" else {}
    indicators = len(
        {code for r in table.body for cell in r.cells for code in _CODE.findall(str(cell or ""))}
    )
    return {"rows": len(table.body), "indicators": indicators, "seconds": seconds, "phases": phases,
            "peak_rss_mib": _peak_rss_mib(), "figures": figures}  # fmt: skip


def run_province_floor(folder: str, observations: int, seed: int) -> dict[str, Any]:
    """The floor: the same actuals and rates in pandas, on frames already in memory (read, not timed).

    Communes roll up to districts and districts to the province for every quarter (counts summed, rates
    weighted by their weight's values); each target's actual is the latest quarter inside its period.
    """
    import numpy as np
    import pandas as pd
    from province_data import ProvinceData, communes_for, frames, indicator_rows, plan_sectors

    from mel_core.periods import parse_period

    data = ProvinceData(
        Path(folder), len(plan_sectors()), len(indicator_rows()), communes_for(observations), 20
    )
    m = frames(data, seed)
    obs, targets, indicators, communes = m["obs"], m["targets"], m["indicators"], m["communes"]
    started = time.perf_counter()
    district = obs["admin_unit"].map(dict(zip(communes["code"], communes["district"], strict=True)))
    weights = {r.code: r.weight for r in indicators.itertuples() if isinstance(r.weight, str)}
    frame = obs.assign(district=district.astype("category"))
    keys = ["indicator_code", "period"]
    counts = frame[~frame["indicator_code"].isin(weights)]
    summed = counts.groupby(keys, observed=True)["value"].sum()
    rates = frame[frame["indicator_code"].isin(weights)]
    w = frame[frame["indicator_code"].isin(set(weights.values()))]
    pairs = rates.assign(w_code=rates["indicator_code"].map(weights).astype(str)).merge(
        w[["indicator_code", "period", "admin_unit", "value"]].astype({"indicator_code": str}).rename(
            columns={"indicator_code": "w_code", "value": "weight"}),
        on=["w_code", "period", "admin_unit"], how="left",
    )  # fmt: skip
    pairs = pairs.assign(vw=pairs["value"] * pairs["weight"])
    # district by district, then the province: Σ (district mean × district weight) / Σ district weight
    by_district = pairs.groupby([*keys, "district"], observed=True).agg(vw=("vw", "sum"), w=("weight", "sum"))
    by_district = by_district.assign(mean=by_district["vw"] / by_district["w"])
    by_district = by_district.assign(mw=by_district["mean"] * by_district["w"])
    province = by_district.groupby(level=keys, observed=True).agg(mw=("mw", "sum"), w=("w", "sum"))
    means = province["mw"] / province["w"]
    rolled = (
        pd.concat([summed, means])
        .rename("actual")
        .reset_index()
        .astype({"indicator_code": str, "period": str})
    )
    spans = {p: parse_period(p) for p in set(rolled["period"]) | set(targets["period"])}
    rolled["end"] = rolled["period"].map({k: v.end for k, v in spans.items()})
    rolled = rolled.sort_values("end")
    falling = set(indicators.loc[indicators["direction"] == "decrease", "code"])
    figures: dict[str, dict[str, tuple[float, float]]] = {}
    for label, form in (("2020", "4.2"), ("2016-2020", "4.5")):
        span = spans[label]
        inside = rolled[(rolled["period"].map({k: v.start for k, v in spans.items()}) >= span.start)
                        & (rolled["end"] <= span.end)]  # fmt: skip
        latest = inside.groupby("indicator_code")["actual"].last()
        t = targets[targets["period"] == label].set_index("indicator_code")["value"]
        actual = latest.reindex(t.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(t.index.isin(list(falling)), t / actual, actual / t) * 100.0
        figures[form] = {c: (float(a), float(r)) for c, a, r in zip(t.index, actual, ratio, strict=True)}
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rss_mib": _peak_rss_mib(), "figures": figures, "rows": len(obs)}


def same_figures(report: dict[str, tuple[float, float]], floor: dict[str, tuple[float, float]]) -> bool:
    """The report shows the floor's actual for every indicator (to 1e-9 relative) and its rate to 0.05 %."""
    if set(report) != set(floor):
        return False
    for code, (actual, rate) in report.items():
        a, r = floor[code]
        if not abs(actual - a) <= 1e-9 * max(1.0, abs(a)) or not abs(rate - r) <= 0.05 + 1e-9:
            return False
    return True


def run_province_backend(
    results: list[Result], checks: dict[str, bool], url: str, backend: str, repeat: int,
    floor: dict[str, Any], data: Any, seed: int,
) -> None:  # fmt: skip
    """Time each table of the provincial framework ``repeat`` times (fresh processes), median reported."""
    total = 0.0
    peak = 0.0
    for form, kind, period in PROVINCE_TABLES:
        runs = []
        for _ in range(max(1, repeat)):
            out = in_child(run_province_report, url, form, kind, period)
            runs.append(out)
            phases = ", ".join(f"{k} {v:.1f}" for k, v in out["phases"].items())
            log(f"  Table {form} ({kind} {period}): {out['seconds']:.2f} s, peak {out['peak_rss_mib']:,.0f} MiB,"
                f" {out['indicators']} indicator rows, {phases}")  # fmt: skip
        out = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]
        if form == "4.1":
            ok = all(r["indicators"] == data.indicators for r in runs)
        else:
            ok = all(same_figures(r["figures"], floor["figures"][form]) for r in runs)
        checks[f"{backend} {form}"] = ok
        total += out["seconds"]
        peak = max(peak, *(r["peak_rss_mib"] for r in runs))
        results.append(Result(f"mel Table {form}, province ({kind} {period})", backend, out["rows"],
                              out["seconds"], max(r["peak_rss_mib"] for r in runs), out["phases"],
                              runs=[r["seconds"] for r in runs]))  # fmt: skip
    results.append(Result("mel provincial framework (4.1 + 4.2 + 4.5)", backend, 0, total, peak))


def run_province(args: argparse.Namespace, work: Path) -> None:
    """The province phase: build (or reuse) the store, the floor, each table on SQLite and PostgreSQL."""
    import os

    from province_data import build_store, province_dataset

    started = time.time()
    data = province_dataset(work, args.observations, args.seed, log)
    info = machine()
    info["load average at the start"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results: list[Result] = []
    checks: dict[str, bool] = {}
    log("pandas in memory (the floor) …")
    floor = in_child(run_province_floor, str(data.folder), args.observations, args.seed)
    results.append(Result("pandas in memory: rollup + actuals and rates (floor)", "–", floor["rows"],
                          floor["seconds"], floor["peak_rss_mib"]))  # fmt: skip
    log(f"  {floor['seconds']:.2f} s, peak {floor['peak_rss_mib']:,.0f} MiB")
    log(f"SQLite: {data.db}")
    run_province_backend(
        results, checks, f"sqlite:///{data.db}", "SQLite", args.repeat, floor, data, args.seed
    )
    if not args.skip_postgres:
        with postgres_server() as fresh_database:
            url = fresh_database("bench_province")
            from run import _postgres_version

            info["postgresql"] = _postgres_version(url)
            log("PostgreSQL: the plan by mel import, the observations by COPY …")
            built = in_child(build_store, url, str(data.folder / "frame"), data.communes, args.seed, log)
            results.append(Result("store built (mel import of the plan, COPY of the observations)",
                                  "PostgreSQL", int(built["rows"]), built["frame"] + built["observations"], 0.0,
                                  {"plan": built["frame"], "observations": built["observations"]}))  # fmt: skip
            log(f"  ANALYZE: {in_child(run_analyze, url)['seconds']:.1f} s (not timed below)")
            run_province_backend(results, checks, url, "PostgreSQL", args.repeat, floor, data, args.seed)
    info["load average at the end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    section = province_markdown(results, checks, data, info, time.time() - started)
    print("\n" + section + "\n")
    summary = {"observations": data.observations, "machine": info, "checks": checks,
               "results": [asdict(r) for r in results]}  # fmt: skip
    (work / "monitoring_province_results.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    full = args.observations >= 10_000_000
    if args.write_readme if args.write_readme is not None else full:
        write_readme(section, markers=PROVINCE_MARKERS)
        log(f"figures written to {README}")


def province_markdown(
    results: list[Result], checks: dict[str, bool], data: Any, info: dict[str, str], total: float
) -> str:
    """The province figures section of bench/README.md."""
    floor = results[0]
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {data.observations:,} commune observations"
        f" ({data.communes:,} communes in 10 districts × {data.indicators} indicators of {data.programmes}"
        f" programmes, one per sector of the plan × {data.periods} quarters), {total / 60:.1f} min in all.",
        "",
        "| measurement | database | body rows | seconds | × pandas floor | peak RSS (MiB) | phases (s) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = r.seconds / floor.seconds if r.what.startswith("mel") and floor.seconds else None
        times = "–" if ratio is None else f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}"
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r.phases.items()) or "–"
        rows = f"{r.rows:,}" if r.rows else "–"
        peak = f"{r.peak_rss_mib:,.0f}" if r.peak_rss_mib else "–"
        lines.append(f"| {r.what} | {r.backend} | {rows} | {r.seconds:,.2f} | {times} | {peak} | {phases} |")
    lines += ["", "Targets (each table from the store, every field and sector, communes rolled up; peak under"
              " 4 GiB):", ""]  # fmt: skip
    met_all = True
    for r in results:
        if not r.what.startswith("mel Table"):
            continue
        limit = TARGET_SECONDS[r.backend]
        ok = r.seconds <= limit and r.peak_rss_mib < TARGET_PEAK_MIB
        form = r.what.split()[2].rstrip(",")
        same = checks.get(f"{r.backend} {form}", False)
        met_all &= ok and same
        runs = (
            f" (median of {len(r.runs)}: {', '.join(f'{x:.2f}' for x in r.runs)} s)"
            if len(r.runs) > 1
            else ""
        )
        what = "every indicator listed" if form == "4.1" else "same actuals and rates as the pandas floor"
        verdict = f"{'met' if ok else 'NOT met'}; {what}: {'yes' if same else 'NO'}"
        lines.append(f"- {r.backend}, Table {form}: {r.seconds:.2f} s{runs} (target ≤ {limit:.0f} s), peak"
                     f" {r.peak_rss_mib:,.0f} MiB — {verdict}")  # fmt: skip
    lines += ["", f"**{'All targets met.' if met_all else 'Not every target is met (see above).'}**", "",
              "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()) + "."]  # fmt: skip
    return "\n".join(lines)


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


def write_readme(section: str, readme: Path = README, markers: tuple[str, str] = (BEGIN, END)) -> None:
    """Replace the text between the monitoring markers of ``readme`` (append them if missing)."""
    begin, end = markers
    text = readme.read_text(encoding="utf-8")
    block = f"{begin}\n{section}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
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
    parser.add_argument(
        "--observations", type=int, default=10_000_000,
        help="commune observations of the province phase (10 million; rounded down to whole communes)",
    )  # fmt: skip
    parser.add_argument("--province-only", action="store_true", help="run only the province phase")
    parser.add_argument("--skip-province", action="store_true", help="skip the province phase")
    args = parser.parse_args(argv)
    started = time.time()
    work = args.work.resolve()
    if args.province_only:
        run_province(args, work)
        return 0
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
    if not args.skip_province:
        run_province(args, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
