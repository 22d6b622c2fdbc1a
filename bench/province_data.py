"""Deterministic store of the provincial benchmark: a province's plan of every field and sector, its districts and
communes, and millions of commune observations, bulk-loaded and cached in the work folder.

- **The plan** (``frame/``, CSV in the import formats, loaded with ``mel import``): one programme per sector of
  the plan (``plan_sectors`` of kb/taxonomy.yml, so every field and sector of the province's framework has one),
  each working in the province (Điện Biên, 11) and its neighbour (Lai Châu, 12), so that the province's figures
  are its communes' rolled up. Each programme has two objectives with two solutions each and
  ``INDICATORS_PER_PROGRAMME`` indicators placed in its own sector, at the output, outcome and impact levels; a
  fifth of them are rates in % with method ``weighted_mean``, each weighted by one of the programme's counts (a
  province's rate is weighted by its communes' denominators), the others counts (summed); a third fall. Targets
  are the province's: for each indicator one per year of 2016-2020 and one for the span ``2016-2020``.
- **The units** (``frame/admin_units.csv``): ``DISTRICTS`` synthetic districts ``H001`` … under the province and
  the communes ``X00001`` … numbered district by district.
- **The observations**: commune × indicator × quarter (20 quarters from 2016-Q1), as many communes as make the
  number asked for (``observations // (indicators × 20)``). They are written straight into the ``observations``
  table in one transaction, in the order of its unique index, by ``executemany`` on SQLite and ``COPY`` on
  PostgreSQL, with progress printed: ``mel import`` validates row by row and would take an hour for 10 million
  rows (the monitoring benchmark times that path). Values come from a seeded numpy generator, one block of
  communes × quarters per indicator: counts are whole numbers from 0 to 499, rates have one decimal.

The SQLite store is cached as ``bench/_work/province-<observations>-<seed>-<hash>/mel.db``, keyed by a hash of
this file and of the store's code (models and migrations) and the importer, so a change to any of them builds it
again; :func:`frames` gives the same rows as pandas frames (for the in-memory floor).
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PROVINCE, NEIGHBOUR = "11", "12"
DISTRICTS = 10
INDICATORS_PER_PROGRAMME = 20
RATE_EVERY = 5  # every fifth indicator is a weighted rate
FIRST_YEAR, YEARS = 2016, 5
SPAN = f"{FIRST_YEAR}-{FIRST_YEAR + YEARS - 1}"
UNITS = ("hộ", "người", "triệu đồng", "ha", "lượt người")
LEVELS = ("output", "outcome", "impact")
CHUNK = 200_000
Log = Callable[[str], None]


@dataclass(frozen=True)
class ProvinceData:
    """The generated store and what it holds."""

    folder: Path
    programmes: int
    indicators: int
    communes: int
    periods: int

    @property
    def db(self) -> Path:
        return self.folder / "mel.db"

    @property
    def observations(self) -> int:
        return self.indicators * self.communes * self.periods


def quarters() -> list[str]:
    return [f"{FIRST_YEAR + k // 4}-Q{k % 4 + 1}" for k in range(4 * YEARS)]


def _quarter_dates(label: str) -> tuple[date, date]:
    year, q = int(label[:4]), int(label[-1])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def plan_sectors() -> list[tuple[str, str, str]]:
    """(plan sector key, its first sub-sector, its Vietnamese label), in the taxonomy's order."""
    import yaml

    taxonomy = yaml.safe_load((ROOT / "kb" / "taxonomy.yml").read_text(encoding="utf-8"))
    return [(key, spec["sectors"][0], spec["vi"]) for key, spec in taxonomy["plan_sectors"].items()]


def weight_of(k: int) -> int | None:
    """The position of the count that weighs indicator ``k`` of a programme (0-based), None for a count."""
    return k - 1 if k % RATE_EVERY == RATE_EVERY - 1 else None


def indicator_rows() -> list[dict[str, Any]]:
    """Every indicator of the plan: programme, code, unit, direction, weight (code or None)."""
    rows = []
    for p, (key, sector, label) in enumerate(plan_sectors(), start=1):
        programme = f"BENCH-{p:02d}"
        for k in range(INDICATORS_PER_PROGRAMME):
            code = f"{programme}-{k + 1:02d}"
            w = weight_of(k)
            rows.append({
                "programme_code": programme, "code": code, "sector": sector, "plan_sector": key,
                "name": f"Chỉ tiêu {k + 1} ngành {label}", "level": LEVELS[k % len(LEVELS)],
                "unit": "%" if w is not None else UNITS[k % len(UNITS)],
                "direction": "decrease" if k % 3 == 0 else "increase",
                "weight": f"{programme}-{w + 1:02d}" if w is not None else None,
                "objective": 1 + (k % 2), "solution": 1 + (k // 2) % 2,
            })  # fmt: skip
    return rows


def code_hash() -> str:
    """A hash of the generator and the code its store depends on (models, migrations, importer, taxonomy)."""
    digest = hashlib.sha256(b"province-bench-1")
    files = [Path(__file__).resolve(), ROOT / "mel_core" / "reference.py", ROOT / "kb" / "taxonomy.yml"]
    for folder in ("mel_core/store", "mel_core/ingest"):
        files += sorted((ROOT / folder).rglob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def communes_for(observations: int) -> int:
    per_commune = len(plan_sectors()) * INDICATORS_PER_PROGRAMME * 4 * YEARS
    return max(1, observations // per_commune)


def unit_codes(communes: int) -> tuple[list[str], list[str], list[str]]:
    """District codes, commune codes and each commune's district (numbered district by district)."""
    districts = [f"H{d + 1:03d}" for d in range(DISTRICTS)]
    codes = [f"X{c + 1:05d}" for c in range(communes)]
    parent = [districts[c * DISTRICTS // communes] for c in range(communes)]
    return districts, codes, parent


def _write_frame(folder: Path, communes: int, seed: int) -> None:
    """The plan and the units as CSV files in the import formats."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    districts, codes, parent = unit_codes(communes)

    def write(name: str, header: list[str], rows: list[list[Any]]) -> None:
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)

    write("admin_units", ["code", "name", "level", "parent_code"],
          [[d, f"Huyện thử nghiệm {k + 1}", "district", PROVINCE] for k, d in enumerate(districts)]
          + [[c, f"Xã thử nghiệm {k + 1}", "commune", parent[k]] for k, c in enumerate(codes)])  # fmt: skip
    sectors = plan_sectors()
    write("programmes",
          ["code", "title", "kind", "sector", "funding", "start_date", "end_date", "provinces", "objectives",
           "general_objective"],
          [[f"BENCH-{p:02d}", f"Chương trình ngành {label} (dữ liệu thử tải)", "programme", sector,
            "state_budget", f"{FIRST_YEAR}-01-01", f"{FIRST_YEAR + YEARS - 1}-12-31", f"{PROVINCE};{NEIGHBOUR}",
            f"Mục tiêu cụ thể 1 ngành {label};Mục tiêu cụ thể 2 ngành {label}",
            f"Phát triển ngành {label} bền vững"]
           for p, (_, sector, label) in enumerate(sectors, start=1)])  # fmt: skip
    write("solutions", ["programme_code", "objective", "solution", "statement"],
          [[f"BENCH-{p:02d}", o, s, f"Giải pháp {s} của mục tiêu {o}"]
           for p in range(1, len(sectors) + 1) for o in (1, 2) for s in (1, 2)])  # fmt: skip
    indicators = indicator_rows()
    write("indicators",
          ["programme_code", "code", "name", "level", "unit", "direction", "method", "components", "objective",
           "solution", "sector", "frequency", "timing", "collection_method"],
          [[i["programme_code"], i["code"], i["name"], i["level"], i["unit"], i["direction"],
            "weighted_mean" if i["weight"] else "", i["weight"] or "", i["objective"], i["solution"], i["sector"],
            "quarterly", "cuối mỗi quý", "báo cáo của xã"] for i in indicators])  # fmt: skip
    targets = []
    for i in indicators:
        for period in [*(str(FIRST_YEAR + y) for y in range(YEARS)), SPAN]:
            if i["weight"]:
                value = round(float(rng.uniform(30, 70)), 1)
            else:
                value = float(round(communes * 250 * rng.uniform(0.8, 1.2)))
            targets.append([i["programme_code"], i["code"], period, PROVINCE, value])
    write("targets", ["programme_code", "indicator_code", "period", "admin_unit", "value"], targets)


def observation_blocks(communes: int, seed: int) -> Iterator[tuple[str, np.ndarray]]:
    """Per indicator, in the order of the store's ids: its code and values (quarters × communes, row-major)."""
    rng = np.random.default_rng(seed + 1)
    periods = 4 * YEARS
    for i in indicator_rows():
        if i["weight"]:
            values = np.round(rng.uniform(0, 100, periods * communes), 1)
        else:
            values = rng.integers(0, 500, periods * communes).astype(float)
        yield i["code"], values.reshape(periods, communes)


def frames(data: ProvinceData, seed: int) -> dict[str, pd.DataFrame]:
    """The generated rows as frames: indicators, targets, communes (with district) and observations."""
    _, codes, parent = unit_codes(data.communes)
    labels = quarters()
    indicators = pd.DataFrame(indicator_rows())
    targets = pd.read_csv(data.folder / "frame" / "targets.csv", dtype={"admin_unit": str})
    blocks = []
    for code, values in observation_blocks(data.communes, seed):
        blocks.append(pd.DataFrame({
            "indicator_code": code, "period": np.repeat(labels, data.communes),
            "admin_unit": np.tile(codes, len(labels)), "value": values.ravel(),
        }))  # fmt: skip
    obs = pd.concat(blocks, ignore_index=True)
    for column in ("indicator_code", "period", "admin_unit"):
        obs[column] = obs[column].astype("category")
    communes = pd.DataFrame({"code": codes, "district": parent})
    return {"indicators": indicators, "targets": targets, "communes": communes, "obs": obs}


def _rows(ids: dict[str, int], communes: int, seed: int, log: Log) -> Iterator[tuple[Any, ...]]:
    """The observation rows (indicator id, period, start, end, commune, '', value) with progress lines."""
    _, codes, _ = unit_codes(communes)
    labels = quarters()
    dates = [tuple(d.isoformat() for d in _quarter_dates(p)) for p in labels]
    total = len(ids) * len(labels) * communes
    done, shown, started = 0, 0, time.perf_counter()
    for code, values in observation_blocks(communes, seed):
        iid = ids[code]
        for q, label in enumerate(labels):
            start, end = dates[q]
            for c, value in zip(codes, values[q].tolist(), strict=True):
                yield (iid, label, start, end, c, "", value)
        done += values.size
        if done - shown >= 500_000 or done == total:
            shown = done
            elapsed = time.perf_counter() - started
            log(
                f"    {done:,} of {total:,} observations ({elapsed:.0f} s, {done / max(elapsed, 1e-9):,.0f}/s)"
            )


def _chunks(rows: Iterator[tuple[Any, ...]], size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


COLUMNS = "indicator_id, period, period_start, period_end, admin_unit_code, disaggregation, value"


def load_observations(url: str, communes: int, seed: int, log: Log) -> int:
    """Write the observations into the store at ``url`` in one transaction; return how many."""
    from sqlalchemy import select

    from mel_core.store import Indicator, make_engine, table_of

    engine = make_engine(url)
    i = table_of(Indicator)
    with engine.connect() as conn:
        ids = {code: iid for code, iid in conn.execute(select(i.c.code, i.c.id))}
    raw = engine.raw_connection()
    count = 0
    try:
        cursor = raw.cursor()
        rows = _rows(ids, communes, seed, log)
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY observations ({COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            cursor.execute("PRAGMA synchronous = OFF")  # a benchmark's cache: rebuilt if lost
            for chunk in _chunks(rows):
                cursor.executemany(
                    f"INSERT INTO observations ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", chunk
                )
                count += len(chunk)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return count


def build_store(url: str, frame: Path, communes: int, seed: int, log: Log) -> dict[str, float]:
    """An empty store at ``url``, the plan and units by ``mel import``, then the observations in bulk."""
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    engine = make_engine(url)
    init_store(engine)
    started = time.perf_counter()
    import_path(engine, frame)
    engine.dispose()
    framed = time.perf_counter()
    log(f"  plan, districts and communes imported ({framed - started:.1f} s); observations …")
    count = load_observations(url, communes, seed, log)
    done = time.perf_counter()
    return {"frame": framed - started, "observations": done - framed, "rows": float(count)}


def province_dataset(work: Path, observations: int, seed: int, log: Log = print) -> ProvinceData:
    """The cached SQLite store (and plan files) for about ``observations`` rows, built first when missing."""
    communes = communes_for(observations)
    indicators = len(plan_sectors()) * INDICATORS_PER_PROGRAMME
    folder = work / f"province-{observations}-{seed}-{code_hash()}"
    data = ProvinceData(folder, len(plan_sectors()), indicators, communes, 4 * YEARS)
    if (folder / "done").exists():
        log(f"reusing the generated store in {folder}")
        return data
    log(f"generating the province's store ({data.observations:,} observations: {communes:,} communes ×"
        f" {indicators} indicators × {data.periods} quarters) into {folder} …")  # fmt: skip
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    _write_frame(partial / "frame", communes, seed)
    phases = build_store(f"sqlite:///{partial / 'mel.db'}", partial / "frame", communes, seed, log)
    (partial / "done").write_text(repr(phases), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return data
