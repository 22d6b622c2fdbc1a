"""The data an evaluation reads: one programme's records, and the portfolio of every programme for comparison.

Both are read once from the store into pandas frames, so the criteria are pure functions over frames and can be
tested on hand-made data. :attr:`ProgrammeData.fingerprint` is a hash of exactly what was read: the runner stores
it as provenance, so a later reader can tell whether the data changed since the evaluation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select
from sqlmodel import Session

from mel_core.communes import admin_parents
from mel_core.indicators.derived import OBS_COLUMNS, TARGET_COLUMNS
from mel_core.store import (
    Activity,
    Expenditure,
    Indicator,
    Objective,
    Observation,
    Organisation,
    Programme,
    SurveyRecord,
    SurveyValue,
    Target,
    read,
    table_of,
)
from mel_core.store.results import in_force

INDICATOR_COLUMNS = [
    "code", "name", "name_en", "level", "unit", "direction", "cumulative", "frequency", "baseline_value",
    "baseline_period", "data_source", "compiling_agency", "providing_agency", "national_code", "objective",
    "method", "components",
]  # fmt: skip
OBSERVATION_COLUMNS = OBS_COLUMNS  # the frames achievement() reads (mel_core.indicators.derived)
EXPENDITURE_COLUMNS = ["period", "period_start", "period_end", "source", "planned", "disbursed"]
ACTIVITY_COLUMNS = [
    "code", "type", "title", "planned_date", "actual_date", "status", "participants_officials",
    "participants_enterprises", "participants_households", "cost_planned", "cost_actual",
]  # fmt: skip
SURVEY_COLUMNS = ["respondent_id", "round", "year", "group", "admin_unit", "cluster"]


@dataclass
class ProgrammeData:
    """One programme's records as frames (column names as in the import formats, money in million VND).

    ``programme`` holds the programme's own fields (``code``, ``title``, ``sector``, ``funding``, ``start_date``,
    ``end_date``, ``households``, ``area_ha``, ``budget_million_vnd``, ``model_chosen_by``, ``parent_code`` …).
    Whole-programme rows of targets and observations have ``admin_unit`` ``"VN"``. ``survey`` is wide: one row
    per respondent and round, one column per variable.
    """

    programme: dict[str, Any]
    provinces: list[str]
    objectives: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame
    observations: pd.DataFrame
    expenditures: pd.DataFrame
    activities: pd.DataFrame
    survey: pd.DataFrame
    as_of: date
    period_start: date | None = None
    period_end: date | None = None
    fingerprint: str = ""
    parents: dict[str, str] = field(default_factory=dict)  # district, commune → the unit it rolls up into

    @property
    def code(self) -> str:
        return str(self.programme["code"])

    @property
    def running(self) -> bool:
        """True when the programme's end date is after the evaluation's reference date."""
        end = self.programme.get("end_date")
        return end is None or end > self.as_of


@dataclass
class Portfolio:
    """Every programme in the store, for comparisons (coherence, efficiency benchmarks).

    ``programmes``: one row per programme (code, title, sector, funding, kind, parent_code, start_date, end_date,
    households, budget_million_vnd, planned_million_vnd, disbursed_million_vnd (money of periods starting by the
    programme's end date), provinces as a list of codes).
    ``indicators``: programme_code, code, level, unit, national_code, name.
    ``observations``: programme_code, indicator_code, national_code, period, period_start, period_end, admin_unit
    (totals only, no disaggregation).
    """

    programmes: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame = field(default_factory=pd.DataFrame)


def _within(frame: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """Rows whose period lies inside [start, end] (either bound optional)."""
    if frame.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["period_start"] >= start
    if end is not None:
        keep &= frame["period_end"] <= end
    return frame[keep].reset_index(drop=True)


def fingerprint(*frames: pd.DataFrame, extra: Any = None) -> str:
    """SHA-256 of the frames' contents in a canonical text form (and of ``extra``)."""
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        digest.update(b"\x1e")
    digest.update(repr(extra).encode("utf-8"))
    return digest.hexdigest()


def load_programme(
    session: Session,
    code: str,
    period_start: date | None = None,
    period_end: date | None = None,
    as_of: date | None = None,
) -> ProgrammeData:
    """Read one programme and everything recorded about it.

    Args:
        session: an open session on the store.
        code: the programme's code.
        period_start, period_end: keep only targets, observations, expenditures (and activities planned) inside
            this window; None keeps everything.
        as_of: the evaluation's reference date (default: ``period_end``, else today); a programme ending after
            it is still running.

    Raises:
        NotFound: no programme has this code (:class:`mel_core.errors.NotFound`).
    """
    conn = session.connection()
    p = table_of(Programme)
    programme = read.programme_record(conn, code)
    pid = programme["id"]
    parent_code = None
    if programme["parent_id"] is not None:
        parent_code = conn.scalar(select(p.c.code).where(p.c.id == programme["parent_id"]))
    programme["parent_code"] = parent_code
    org = table_of(Organisation)
    programme["implementer"] = (
        conn.scalar(select(org.c.name).where(org.c.id == programme["implementer_id"]))
        if programme["implementer_id"]
        else None
    )
    provinces = read.programme_provinces(conn, [pid]).get(pid, [])
    ob = table_of(Objective)
    objectives = read.frame(
        conn, select(ob.c.number, ob.c.statement).where(ob.c.programme_id == pid).order_by(ob.c.number),
        ["number", "statement"],
    )  # fmt: skip
    i = table_of(Indicator)
    indicators = read.frame(
        conn,
        select(
            i.c.code, i.c.name, i.c.name_en, i.c.level, i.c.unit, i.c.direction, i.c.cumulative, i.c.frequency,
            i.c.baseline_value, i.c.baseline_period, i.c.data_source, i.c.compiling_agency, i.c.providing_agency,
            i.c.national_code, ob.c.number, i.c.method, i.c.components,
        )
        .select_from(i.outerjoin(ob, ob.c.id == i.c.objective_id))
        .where(i.c.programme_id == pid)
        .order_by(i.c.code),
        INDICATOR_COLUMNS,
        {"cumulative": bool},
    )  # fmt: skip
    t = table_of(Target)
    targets = read.frame(
        conn,
        select(
            i.c.code,
            t.c.period,
            t.c.period_start,
            t.c.period_end,
            t.c.admin_unit_code,
            *in_force(t),  # the adjusted plan where there is one
        )
        .join(i, i.c.id == t.c.indicator_id)
        .where(i.c.programme_id == pid)
        .order_by(i.c.code, t.c.period_start, t.c.period_end, t.c.admin_unit_code),
        TARGET_COLUMNS,
    )
    o = table_of(Observation)
    observations = read.frame(
        conn,
        select(
            i.c.code,
            o.c.period,
            o.c.period_start,
            o.c.period_end,
            o.c.admin_unit_code,
            o.c.disaggregation,
            o.c.value,
        )
        .join(i, i.c.id == o.c.indicator_id)
        .where(i.c.programme_id == pid)
        .order_by(i.c.code, o.c.period_start, o.c.period_end, o.c.admin_unit_code, o.c.disaggregation),
        OBSERVATION_COLUMNS,
    )
    e = table_of(Expenditure)
    expenditures = read.frame(
        conn,
        select(
            e.c.period,
            e.c.period_start,
            e.c.period_end,
            e.c.source,
            e.c.planned_million_vnd,
            e.c.disbursed_million_vnd,
        )
        .where(e.c.programme_id == pid)
        .order_by(e.c.period_start, e.c.source),
        EXPENDITURE_COLUMNS,
    )
    a = table_of(Activity)
    activities = read.frame(
        conn,
        select(
            a.c.code, a.c.type, a.c.title, a.c.planned_date, a.c.actual_date, a.c.status, a.c.participants_officials,
            a.c.participants_enterprises, a.c.participants_households, a.c.cost_planned_million_vnd,
            a.c.cost_actual_million_vnd,
        )
        .where(a.c.programme_id == pid)
        .order_by(a.c.code),
        ACTIVITY_COLUMNS,
    )  # fmt: skip
    survey = _survey(conn, pid)
    if programme["sector"] == "trade_promotion":
        survey, observations, indicators = _trade_evidence(
            conn, programme, survey, observations, targets, indicators
        )
    if period_start is not None or period_end is not None:
        targets = _within(targets, period_start, period_end)
        observations = _within(observations, period_start, period_end)
        expenditures = _within(expenditures, period_start, period_end)
        if not activities.empty:
            planned = activities["planned_date"]
            keep = pd.Series(True, index=activities.index)
            if period_start is not None:
                keep &= planned.isna() | (planned >= period_start)
            if period_end is not None:
                keep &= planned.isna() | (planned <= period_end)
            activities = activities[keep].reset_index(drop=True)
    reference = as_of or period_end or date.today()
    data = ProgrammeData(
        programme=programme,
        provinces=provinces,
        objectives=objectives,
        indicators=indicators,
        targets=targets,
        observations=observations,
        expenditures=expenditures,
        activities=activities,
        survey=survey,
        as_of=reference,
        period_start=period_start,
        period_end=period_end,
        parents=admin_parents(conn),
    )
    data.fingerprint = fingerprint(
        objectives, indicators, targets, observations, expenditures, activities, survey,
        extra=(sorted((k, str(v)) for k, v in programme.items()), provinces, period_start, period_end, reference),
    )  # fmt: skip
    return data


def _trade_evidence(
    conn: Connection,
    programme: dict[str, Any],
    survey: pd.DataFrame,
    observations: pd.DataFrame,
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A trade-promotion programme's evidence from its activity and enterprise records (seed 000): the
    indicators the framework computes take the values the records count (figures typed in for them give way,
    and so does a catalogue method such as the growth rate of XK_TT, which would recompute them from components
    the records do not file), and, without a survey, the enterprises before and after the programme's start,
    participants against the others, stand in for it (:mod:`mel_core.trade.evidence`)."""
    from mel_core.trade.evidence import counted_observations, enterprise_panel
    from mel_core.trade.indicators import COMPUTED
    from mel_core.trade.records import load_records

    records = load_records(conn)
    counted = counted_observations(records, programme["code"], targets)
    if not counted.empty:
        codes = set(counted["indicator_code"]) & set(COMPUTED)
        kept = observations[~observations["indicator_code"].isin(codes)]
        observations = pd.concat([kept, counted], ignore_index=True) if not kept.empty else counted
        if "method" in indicators.columns:
            indicators = indicators.assign(
                method=indicators["method"].where(~indicators["code"].isin(codes), None)
            )
    if survey.empty:
        panel = enterprise_panel(records, programme["code"], programme["start_date"])
        if not panel.empty:
            survey = panel
    return survey, observations, indicators


def _survey(conn: Connection, pid: int) -> pd.DataFrame:
    """The programme's survey, wide: respondent_id, round, year, group, admin_unit, cluster, then variables."""
    r = table_of(SurveyRecord)
    v = table_of(SurveyValue)
    records = read.frame(
        conn,
        select(
            r.c.id, r.c.respondent_id, r.c.round, r.c.year, r.c.study_group, r.c.admin_unit_code, r.c.cluster
        )
        .where(r.c.programme_id == pid)
        .order_by(r.c.id),
        ["record_id", *SURVEY_COLUMNS],
    )
    if records.empty:
        return pd.DataFrame(columns=SURVEY_COLUMNS)
    values = read.frame(
        conn,
        select(v.c.record_id, v.c.variable, v.c.value)
        .join(r, r.c.id == v.c.record_id)
        .where(r.c.programme_id == pid),
        ["record_id", "variable", "value"],
    )
    wide = values.pivot(index="record_id", columns="variable", values="value")
    wide = wide[sorted(wide.columns)]
    out = records.set_index("record_id").join(wide).reset_index(drop=True)
    out.columns.name = None
    return out


def load_portfolio(session: Session) -> Portfolio:
    """Every programme in the store with its provinces, money and indicators, for comparisons."""
    conn = session.connection()
    p = table_of(Programme)
    parent = p.alias("parent")
    programmes = read.frame(
        conn,
        select(
            p.c.id, p.c.code, p.c.title, p.c.sector, p.c.funding, p.c.kind, parent.c.code, p.c.start_date,
            p.c.end_date, p.c.households, p.c.area_ha, p.c.budget_million_vnd,
        )
        .select_from(p.outerjoin(parent, parent.c.id == p.c.parent_id))
        .order_by(p.c.code),
        ["id", "code", "title", "sector", "funding", "kind", "parent_code", "start_date", "end_date", "households",
         "area_ha", "budget_million_vnd"],
    )  # fmt: skip
    places = read.programme_provinces(conn)
    programmes["provinces"] = [places.get(pid, []) for pid in programmes["id"]]
    e = table_of(Expenditure)
    # money within the programme's own dates: what local budgets or communities pay after the end is
    # sustainability's evidence, not the programme's cost
    money = read.frame(
        conn,
        select(e.c.programme_id, e.c.planned_million_vnd, e.c.disbursed_million_vnd)
        .join(p, p.c.id == e.c.programme_id)
        .where((p.c.end_date.is_(None)) | (e.c.period_start <= p.c.end_date)),
        ["id", "planned", "disbursed"],
    )
    sums = money.groupby("id")[["planned", "disbursed"]].sum(min_count=1)
    programmes["planned_million_vnd"] = programmes["id"].map(sums["planned"]) if not sums.empty else None
    programmes["disbursed_million_vnd"] = programmes["id"].map(sums["disbursed"]) if not sums.empty else None
    i = table_of(Indicator)
    indicators = read.frame(
        conn,
        select(p.c.code, i.c.code, i.c.level, i.c.unit, i.c.national_code, i.c.name)
        .join(p, p.c.id == i.c.programme_id)
        .order_by(p.c.code, i.c.code),
        ["programme_code", "code", "level", "unit", "national_code", "name"],
    )
    o = table_of(Observation)
    observations = read.frame(
        conn,
        select(
            p.c.code,
            i.c.code,
            i.c.national_code,
            o.c.period,
            o.c.period_start,
            o.c.period_end,
            o.c.admin_unit_code,
        )
        .join(i, i.c.id == o.c.indicator_id)
        .join(p, p.c.id == i.c.programme_id)
        .where(o.c.disaggregation == "")
        .order_by(p.c.code, i.c.code, o.c.period_start),
        [
            "programme_code",
            "indicator_code",
            "national_code",
            "period",
            "period_start",
            "period_end",
            "admin_unit",
        ],
    )
    return Portfolio(programmes.drop(columns=["id"]), indicators, observations)
