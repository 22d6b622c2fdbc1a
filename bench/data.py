"""Deterministic benchmark data in the import formats: one .xlsx workbook and the same rows as CSV files.

The observations cover indicator × month × province × disaggregation, so their natural keys (programme_code,
indicator_code, period, admin_unit, disaggregation) are unique by construction. Files are cached in the work
folder under a name made of the row count, the seed and :data:`FORMAT_VERSION`; a re-run reuses them.
"""

from __future__ import annotations

import csv
import math
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mel_core import geo
from mel_core.ingest.formats import BY_NAME

#: Bump when the generated content changes, so that cached files are not reused.
FORMAT_VERSION = 1
PROGRAMMES = 5
INDICATORS_PER_PROGRAMME = 10
DISAGGREGATIONS = ("", "sex=female", "sex=male", "ethnicity=minority", "ethnicity=kinh")
FIRST_MONTH = (2015, 7)
SOURCES = ("", "", "Báo cáo tỉnh", "Điều tra hộ", "Sở LĐTBXH")
NOTES = ("",) * 9 + ("số liệu sơ bộ",)

PROGRAMME_HEADER = ["code", "title", "kind", "sector", "funding", "start_date", "provinces", "objectives"]
INDICATOR_HEADER = ["programme_code", "code", "name", "level", "unit", "direction", "frequency"]
OBSERVATION_HEADER = list(BY_NAME["observations"].names)  # every column, in the format's order
_SECTORS = ("livestock", "crops", "forestry", "non_farm", "vocational_training")
_FUNDING = ("state_budget", "oda", "ngo", "mixed", "state_budget")
_LEVELS = ("input", "output", "outcome", "impact")
_UNITS = ("%", "hộ", "triệu đồng", "người", "ha")

Row = list[Any]
Log = Callable[[str], None]


@dataclass(frozen=True)
class Dataset:
    """The generated files: one workbook and one folder of CSV files with the same rows."""

    rows: int
    seed: int
    workbook: Path
    csv_folder: Path


def province_codes() -> list[str]:
    """The 63 pre-2025 GSO province codes, sorted."""
    return sorted(geo.provinces())


def months(count: int) -> list[str]:
    """``count`` month labels from :data:`FIRST_MONTH` on (``2015-07``, ``2015-08``, …)."""
    year, month = FIRST_MONTH
    labels = []
    for k in range(count):
        y, m = divmod(month - 1 + k, 12)
        labels.append(f"{year + y}-{m + 1:02d}")
    return labels


def programme_rows() -> list[Row]:
    """A few programmes, each over a share of the provinces."""
    codes = province_codes()
    rows = []
    for p in range(PROGRAMMES):
        provinces = codes[p::PROGRAMMES]
        rows.append(
            [
                f"BENCH-P{p + 1}",
                f"Chương trình giảm nghèo bền vững số {p + 1}",
                "programme",
                _SECTORS[p % len(_SECTORS)],
                _FUNDING[p % len(_FUNDING)],
                "2015-01-01",
                ";".join(provinces),
                "Tăng thu nhập;Giảm tỷ lệ hộ nghèo",
            ]
        )
    return rows


def indicator_rows() -> list[Row]:
    """:data:`INDICATORS_PER_PROGRAMME` indicators per programme."""
    rows = []
    for p in range(PROGRAMMES):
        for i in range(INDICATORS_PER_PROGRAMME):
            n = p * INDICATORS_PER_PROGRAMME + i
            rows.append(
                [
                    f"BENCH-P{p + 1}",
                    f"IND{i + 1:02d}",
                    f"Chỉ số theo dõi số {n + 1}",
                    _LEVELS[n % len(_LEVELS)],
                    _UNITS[n % len(_UNITS)],
                    "decrease" if n % 3 == 0 else "increase",
                    "monthly",
                ]
            )
    return rows


def observation_rows(count: int, seed: int) -> Iterator[Row]:
    """``count`` observations with unique natural keys; ``None`` stands for an empty cell.

    The key space is indicator × month × province × disaggregation, enumerated with the disaggregation
    fastest; the number of months grows with ``count``. Values, sources and notes come from a seeded
    generator, so the same ``count`` and ``seed`` always give the same rows.
    """
    indicators = [(r[0], r[1]) for r in indicator_rows()]
    provinces = province_codes()
    per_month = len(indicators) * len(provinces) * len(DISAGGREGATIONS)
    labels = months(max(1, math.ceil(count / per_month)))
    per_indicator = len(labels) * len(provinces) * len(DISAGGREGATIONS)
    rng = np.random.default_rng(seed)
    step = 100_000
    for start in range(0, count, step):
        n = min(step, count - start)
        values = np.round(rng.uniform(-50.0, 1000.0, n), 2).tolist()
        sources = rng.integers(0, len(SOURCES), n).tolist()
        notes = rng.integers(0, len(NOTES), n).tolist()
        for j in range(n):
            k = start + j
            ind, rest = divmod(k, per_indicator)
            month, rest = divmod(rest, len(provinces) * len(DISAGGREGATIONS))
            province, dis = divmod(rest, len(DISAGGREGATIONS))
            programme_code, indicator_code = indicators[ind]
            yield [
                programme_code,
                indicator_code,
                labels[month],
                provinces[province],
                values[j],
                DISAGGREGATIONS[dis] or None,
                SOURCES[sources[j]] or None,
                NOTES[notes[j]] or None,
            ]


def _blank(row: Row) -> Row:
    return ["" if v is None else v for v in row]


def _write(folder: Path, count: int, seed: int, log: Log) -> None:
    """Write ``bench.xlsx`` and ``csv/`` into ``folder`` in one pass over the rows."""
    from openpyxl import Workbook

    (folder / "csv").mkdir(parents=True)
    workbook = Workbook(write_only=True)
    for name, header, rows in (
        ("programmes", PROGRAMME_HEADER, programme_rows()),
        ("indicators", INDICATOR_HEADER, indicator_rows()),
    ):
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        with (folder / "csv" / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                sheet.append(row)
                writer.writerow(row)
    sheet = workbook.create_sheet("observations")
    sheet.append(OBSERVATION_HEADER)
    started = time.perf_counter()
    with (folder / "csv" / "observations.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(OBSERVATION_HEADER)
        for n, row in enumerate(observation_rows(count, seed), start=1):
            sheet.append(row)
            writer.writerow(_blank(row))
            if n % 200_000 == 0:
                log(f"  generated {n:,} of {count:,} rows ({time.perf_counter() - started:.0f} s)")
    log("  saving the workbook …")
    workbook.save(folder / "bench.xlsx")


def dataset(work: Path, count: int, seed: int, log: Log = print) -> Dataset:
    """The cached dataset of ``count`` observations for ``seed``, generated first when missing."""
    folder = work / f"data-v{FORMAT_VERSION}-rows{count}-seed{seed}"
    if not (folder / "bench.xlsx").exists():
        log(f"generating {count:,} observations (seed {seed}) into {folder} …")
        started = time.perf_counter()
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _write(partial, count, seed, log)
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
        log(f"  generated in {time.perf_counter() - started:.0f} s")
    else:
        log(f"reusing the generated data in {folder}")
    return Dataset(count, seed, folder / "bench.xlsx", folder / "csv")
