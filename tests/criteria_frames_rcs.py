"""Small hand-built ProgrammeData / Portfolio frames and the sample store, for the relevance, coherence and
sustainability tests."""

from __future__ import annotations

import tempfile
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import Session

from mel_core.criteria.data import (
    ACTIVITY_COLUMNS,
    EXPENDITURE_COLUMNS,
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    SURVEY_COLUMNS,
    TARGET_COLUMNS,
    Portfolio,
    ProgrammeData,
    load_portfolio,
    load_programme,
)
from mel_core.periods import parse_period


def _period(label: str) -> tuple[date, date]:
    p = parse_period(label)
    return p.start, p.end


def indicator(code: str, level: str = "outcome", **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(INDICATOR_COLUMNS)
    row.update(code=code, name=code, level=level, unit="%", direction="increase", cumulative=False,
               frequency="annual", baseline_value=10.0, data_source="survey")  # fmt: skip
    row.update(fields)
    return row


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def observations(rows: list[tuple[str, str, str, float]], disaggregation: str = "") -> pd.DataFrame:
    """(indicator, period, admin unit, value) rows as the observations frame."""
    out = []
    for code, period, unit, value in rows:
        start, end = _period(period)
        out.append(dict(indicator_code=code, period=period, period_start=start, period_end=end, admin_unit=unit,
                        disaggregation=disaggregation, value=value))  # fmt: skip
    return frame(out, OBSERVATION_COLUMNS)


def targets(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    out = []
    for code, period, value in rows:
        start, end = _period(period)
        out.append(dict(indicator_code=code, period=period, period_start=start, period_end=end, admin_unit="VN",
                        value=value))  # fmt: skip
    return frame(out, TARGET_COLUMNS)


def expenditures(rows: list[tuple[str, str, float | None, float | None]]) -> pd.DataFrame:
    """(period, source, planned, disbursed) rows."""
    out = []
    for period, source, planned, disbursed in rows:
        start, end = _period(period)
        out.append(dict(period=period, period_start=start, period_end=end, source=source, planned=planned,
                        disbursed=disbursed))  # fmt: skip
    return frame(out, EXPENDITURE_COLUMNS)


def activities(rows: list[tuple[str, str]]) -> pd.DataFrame:
    """(title, status) rows."""
    return frame(
        [dict(code=f"A{i}", type="other", title=t, status=s) for i, (t, s) in enumerate(rows, 1)],
        ACTIVITY_COLUMNS,
    )


def survey(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Respondent rows: round, group and variables (respondent ids and years filled in)."""
    out = []
    for i, r in enumerate(rows):
        row = {"respondent_id": f"R{i}", "year": 2011, "admin_unit": "11", "cluster": "c1", **r}
        out.append(row)
    columns = list(dict.fromkeys([*SURVEY_COLUMNS, *(k for r in out for k in r)]))
    return pd.DataFrame(out, columns=columns)


def data(
    code: str = "P1",
    *,
    provinces: list[str] | None = None,
    start: date = date(2011, 1, 1),
    end: date | None = date(2015, 12, 31),
    as_of: date = date(2020, 1, 1),
    sector: str = "livestock",
    parent_code: str | None = None,
    chosen_by: str | None = None,
    indicators: list[dict[str, Any]] | None = None,
    target_rows: pd.DataFrame | None = None,
    observation_rows: pd.DataFrame | None = None,
    expenditure_rows: pd.DataFrame | None = None,
    activity_rows: pd.DataFrame | None = None,
    survey_rows: pd.DataFrame | None = None,
) -> ProgrammeData:
    programme = {"code": code, "title": code, "sector": sector, "start_date": start, "end_date": end,
                 "parent_code": parent_code, "model_chosen_by": chosen_by}  # fmt: skip
    return ProgrammeData(
        programme=programme,
        provinces=provinces or ["11"],
        objectives=pd.DataFrame(columns=["number", "statement"]),
        indicators=frame(indicators or [], INDICATOR_COLUMNS),
        targets=target_rows if target_rows is not None else frame([], TARGET_COLUMNS),
        observations=observation_rows if observation_rows is not None else frame([], OBSERVATION_COLUMNS),
        expenditures=expenditure_rows if expenditure_rows is not None else frame([], EXPENDITURE_COLUMNS),
        activities=activity_rows if activity_rows is not None else frame([], ACTIVITY_COLUMNS),
        survey=survey_rows if survey_rows is not None else pd.DataFrame(columns=SURVEY_COLUMNS),
        as_of=as_of,
    )


def portfolio(
    programmes: list[dict[str, Any]],
    observation_rows: list[tuple[str, str, str | None, str, str]] | None = None,
) -> Portfolio:
    """Programmes as dicts (code, sector, start_date, end_date, provinces, parent_code); observations as
    (programme, indicator, national code, period, admin unit)."""
    cols = [
        "code",
        "title",
        "sector",
        "funding",
        "kind",
        "parent_code",
        "start_date",
        "end_date",
        "provinces",
    ]
    progs = pd.DataFrame([{c: p.get(c) for c in cols} for p in programmes], columns=cols)
    obs = []
    for prog, ind, national, period, unit in observation_rows or []:
        start, end = _period(period)
        obs.append(dict(programme_code=prog, indicator_code=ind, national_code=national, period=period,
                        period_start=start, period_end=end, admin_unit=unit))  # fmt: skip
    obs_cols = ["programme_code", "indicator_code", "national_code", "period", "period_start", "period_end",
                "admin_unit"]  # fmt: skip
    return Portfolio(progs, pd.DataFrame(columns=["programme_code", "code", "level", "unit", "national_code", "name"]),
                     pd.DataFrame(obs, columns=obs_cols))  # fmt: skip


@cache
def sample_store() -> tuple[Portfolio, dict[str, ProgrammeData]]:
    """The illustrative sample imported once per test process into a temporary SQLite file, read back."""
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    folder = Path(tempfile.mkdtemp(prefix="mel-rcs-"))
    engine = make_engine(f"sqlite:///{folder / 'mel.db'}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    with Session(engine) as session:
        pf = load_portfolio(session)
        programmes = {code: load_programme(session, code) for code in pf.programmes["code"]}
    engine.dispose()
    return pf, programmes
