"""Small hand-made ProgrammeData and Portfolio frames for the effectiveness and efficiency tests, and the sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from mel_core.criteria.data import (
    ACTIVITY_COLUMNS,
    EXPENDITURE_COLUMNS,
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    TARGET_COLUMNS,
    Portfolio,
    ProgrammeData,
)
from mel_core.periods import parse_period


def indicator(code: str, level: str, *, direction: str = "increase", cumulative: bool = False,
              baseline: float | None = None, unit: str = "hộ") -> dict[str, Any]:  # fmt: skip
    row: dict[str, Any] = dict.fromkeys(INDICATOR_COLUMNS)
    row.update(code=code, name=f"Chỉ số {code}", name_en=f"Indicator {code}", level=level, unit=unit,
               direction=direction, cumulative=cumulative, baseline_value=baseline)  # fmt: skip
    return row


def _dated(period: str) -> tuple[date, date]:
    p = parse_period(period)
    return p.start, p.end


def target(code: str, period: str, value: float, high: float | None = None, unit: str = "VN") -> list[Any]:
    return [code, period, *_dated(period), unit, value, high]


def obs(code: str, period: str, value: float, unit: str = "VN", split: str = "") -> list[Any]:
    return [code, period, *_dated(period), unit, split, value]


def money(period: str, source: str, planned: float, disbursed: float | None) -> list[Any]:
    return [period, *_dated(period), source, planned, disbursed]


def activity(code: str, planned: date, actual: date | None, status: str = "done") -> list[Any]:
    return [code, "training", f"Hoạt động {code}", planned, actual, status, None, None, None, 10.0, 10.0]


def programme_data(
    *,
    indicators: list[dict[str, Any]] = (),  # type: ignore[assignment]
    targets: list[list[Any]] = (),  # type: ignore[assignment]
    observations: list[list[Any]] = (),  # type: ignore[assignment]
    expenditures: list[list[Any]] = (),  # type: ignore[assignment]
    activities: list[list[Any]] = (),  # type: ignore[assignment]
    start: date = date(2011, 1, 1),
    end: date = date(2015, 12, 31),
    as_of: date = date(2020, 1, 1),
    provinces: tuple[str, ...] = ("11",),
    code: str = "P1",
    sector: str = "livestock",
    households: int | None = 100,
) -> ProgrammeData:
    return ProgrammeData(
        programme={
            "code": code,
            "title": code,
            "sector": sector,
            "start_date": start,
            "end_date": end,
            "households": households,
        },
        provinces=list(provinces),
        objectives=pd.DataFrame(columns=["number", "statement"]),
        indicators=pd.DataFrame(list(indicators), columns=INDICATOR_COLUMNS),
        targets=pd.DataFrame(list(targets), columns=TARGET_COLUMNS),
        observations=pd.DataFrame(list(observations), columns=OBSERVATION_COLUMNS),
        expenditures=pd.DataFrame(list(expenditures), columns=EXPENDITURE_COLUMNS),
        activities=pd.DataFrame(list(activities), columns=ACTIVITY_COLUMNS),
        survey=pd.DataFrame(),
        as_of=as_of,
    )


def portfolio(rows: list[tuple[str, str, date, float, float]]) -> Portfolio:
    """Programmes as (code, sector, end_date, households, disbursed)."""
    frame = pd.DataFrame(rows, columns=["code", "sector", "end_date", "households", "disbursed_million_vnd"])
    return Portfolio(programmes=frame, indicators=pd.DataFrame())


def sample_engine(tmp: Path) -> Any:
    """A SQLite store in ``tmp`` with the reference data and the embedded sample workbook."""
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    engine = make_engine(f"sqlite:///{tmp / 'mel.db'}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    return engine
