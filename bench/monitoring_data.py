"""Deterministic data of the monitoring benchmark, in the import formats (CSV), cached in the work folder.

- ``communes.csv``: synthetic communes (the packaged reference data has provinces only): codes ``C00001`` …,
  numbered province by province over the 63 pre-2025 provinces (``province_code``), as evenly as possible,
  loaded with :func:`mel_core.communes.load_communes`.
- ``frame/``: one programme working in every province, its indicators and its targets. Of the 50 indicators,
  40 are counts (hộ, người, triệu đồng, ha, lượt người: summed from communes to province) and 10 are rates (%)
  with method ``weighted_mean`` weighted by one of the counts (a province's rate is weighted by its communes'
  denominators, never a plain average). A third of them fall (direction ``decrease``). Targets are set per
  current province (the 34 after the 2025 merger), indicator and period: the plan is the province's.
- ``observations-NN/``: the commune figures (commune × indicator × period, unique natural keys by
  construction), in batches of one or more periods each, so that ``mel import`` takes them one batch at a time.

Periods are 20 quarters from 2021-Q1. Values come from a seeded numpy generator: counts are whole numbers from
0 to 499, rates have one decimal.
"""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mel_core import geo

FORMAT_VERSION = 2
PROGRAMME = "BENCH-MON"
INDICATORS = 50
RATES = 10  # the last 10 indicators are weighted rates
PERIODS = 20
UNITS = ("hộ", "người", "triệu đồng", "ha", "lượt người")
Log = Callable[[str], None]


@dataclass(frozen=True)
class MonitoringData:
    """The generated files."""

    folder: Path
    communes: int
    indicators: int
    periods: int
    batches: list[Path]

    @property
    def observations(self) -> int:
        return self.communes * self.indicators * self.periods


def quarters(count: int = PERIODS) -> list[str]:
    return [f"{2021 + k // 4}-Q{k % 4 + 1}" for k in range(count)]


def indicator_codes() -> list[str]:
    return [f"IND{k + 1:02d}" for k in range(INDICATORS)]


def weight_of(code: str) -> str | None:
    """The count that weighs a rate (IND41 by IND01 …), None for a count."""
    k = int(code[3:])
    return f"IND{k - (INDICATORS - RATES):02d}" if k > INDICATORS - RATES else None


def _write(folder: Path, communes: int, seed: int, per_batch: int, log: Log) -> None:
    rng = np.random.default_rng(seed)
    provinces = sorted(geo.provinces())
    folder.mkdir(parents=True)
    codes = [f"C{k + 1:05d}" for k in range(communes)]
    # numbered province by province, as the GSO numbers communes
    parent = [provinces[k * len(provinces) // communes] for k in range(communes)]
    pd.DataFrame({"code": codes, "name": [f"Xã thử nghiệm {k + 1}" for k in range(communes)],
                  "province_code": parent}).to_csv(folder / "communes.csv", index=False)  # fmt: skip
    frame = folder / "frame"
    frame.mkdir()
    current = sorted({geo.successor(p) for p in provinces})
    with (frame / "programmes.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "title", "kind", "sector", "funding", "start_date", "provinces"])
        w.writerow([PROGRAMME, "Chương trình giảm nghèo bền vững (dữ liệu thử tải)", "programme",
                    "social_protection", "state_budget", "2021-01-01", ";".join(provinces)])  # fmt: skip
    inds = indicator_codes()
    with (frame / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["programme_code", "code", "name", "level", "unit", "direction", "method", "components"])
        for k, code in enumerate(inds):
            weight = weight_of(code)
            w.writerow([PROGRAMME, code, f"Chỉ tiêu theo dõi số {k + 1}", ("output", "outcome")[k % 2],
                        "%" if weight else UNITS[k % len(UNITS)], "decrease" if k % 3 == 0 else "increase",
                        "weighted_mean" if weight else "", weight or ""])  # fmt: skip
    per_province = pd.Series(parent).map(geo.successor).value_counts()
    labels = quarters()
    rows = []
    for code in inds:
        for period in labels:
            for province in current:
                if weight_of(code):
                    value = round(float(rng.uniform(30, 70)), 1)
                else:
                    value = float(round(per_province.get(province, 0) * 250 * rng.uniform(0.8, 1.2)))
                rows.append([PROGRAMME, code, period, province, value])
    pd.DataFrame(rows, columns=["programme_code", "indicator_code", "period", "admin_unit", "value"]).to_csv(
        frame / "targets.csv", index=False
    )
    started = time.perf_counter()
    n = communes * len(inds)
    for b, first in enumerate(range(0, len(labels), per_batch)):
        batch = folder / f"observations-{b:02d}"
        batch.mkdir()
        periods = labels[first : first + per_batch]
        size = n * len(periods)
        values = rng.integers(0, 500, size).astype(float)
        rate = np.tile(np.array([weight_of(c) is not None for c in inds]).repeat(communes), len(periods))
        values[rate] = np.round(rng.uniform(0, 100, int(rate.sum())), 1)
        table = pd.DataFrame({
            "programme_code": PROGRAMME,
            "indicator_code": np.tile(np.repeat(inds, communes), len(periods)),
            "period": np.repeat(periods, n),
            "admin_unit": np.tile(codes, len(inds) * len(periods)),
            "value": values,
        })  # fmt: skip
        table.to_csv(batch / "observations.csv", index=False)
        log(f"  batch {b}: {len(table):,} observations ({time.perf_counter() - started:.0f} s)")


def monitoring_dataset(
    work: Path, communes: int, seed: int, per_batch: int, log: Log = print
) -> MonitoringData:
    """The cached data for ``communes`` communes and ``seed``, generated first when missing."""
    folder = work / f"monitoring-v{FORMAT_VERSION}-communes{communes}-seed{seed}-batch{per_batch}"
    if not (folder / "done").exists():
        log(f"generating {communes * INDICATORS * PERIODS:,} observations into {folder} …")
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _write(partial, communes, seed, per_batch, log)
        (partial / "done").write_text("ok", encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    else:
        log(f"reusing the generated data in {folder}")
    batches = sorted(folder.glob("observations-*"))
    return MonitoringData(folder, communes, INDICATORS, PERIODS, batches)
