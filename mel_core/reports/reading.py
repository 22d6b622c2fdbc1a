"""How a report reads its programmes and their figures from the store, three ways.

- **Row by row** (:func:`programme_frames`): a programme's indicators, targets and total observations at the
  admin units of the scope, every row.
- **As an outline** (:func:`outlines`): for a table that shows no observed figures (Table 4.1), the periods and
  units the observations are filed under, without values, read by seeks in the index so the time does not grow
  with the number of commune rows.
- **Rolled up in the database** (:func:`read_figures`): the figures a form of a period reads of the programmes
  working in several provinces, their communes and districts grouped by their parent in the database
  (:func:`mel_core.indicators.from_store.rolled_up`) and rolled up to the province.

:mod:`mel_core.reports.scope` decides what a report covers and which of these it takes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, select, text
from sqlmodel import Session

from mel_core import geo
from mel_core.indicators.derived import OBS_COLUMNS, components_of
from mel_core.indicators.from_store import rolled_up, row_by_row_codes, weights_of
from mel_core.indicators.rollup import admin_rollup
from mel_core.periods import Period, parse_period
from mel_core.store import Indicator, Objective, Observation, Organisation, Programme, Target, read, table_of
from mel_core.store.results import in_force

if TYPE_CHECKING:
    from mel_core.reports.scope import ProgrammeFigures, Scope

#: The columns of a report's indicators (:func:`programme_frames`).
INDICATOR_COLUMNS = [
    "programme_code", "code", "name", "level", "unit", "direction", "cumulative", "baseline_value",
    "compiling_agency", "providing_agency", "objective_number", "objective", "method", "components",
]  # fmt: skip
#: The columns of a target or an observation before its value(s).
VALUE_COLUMNS = ["programme_code", "indicator_code", "period", "period_start", "period_end", "admin_unit"]


def programme_records(conn: Connection, codes: list[str]) -> list[dict[str, Any]]:
    """The programmes of ``codes`` that are in the store, by code: every column of ``programmes``, the name of
    the implementer (``implementer``) and the provinces in their workbook order (``provinces``)."""
    p, org = table_of(Programme), table_of(Organisation)
    rows = conn.execute(
        select(p, org.c.name.label("implementer"))
        .select_from(p.outerjoin(org, org.c.id == p.c.implementer_id))
        .where(p.c.code.in_(codes))
        .order_by(p.c.code)
    ).mappings()
    out = [dict(row) for row in rows]
    provinces = read.programme_provinces(conn, [programme["id"] for programme in out])
    for programme in out:
        programme["provinces"] = provinces.get(programme["id"], [])
    return out


def programme_frames(
    conn: Connection,
    programme: dict[str, Any],
    units: list[str],
    children: frozenset[str] = frozenset(),
    outlined: dict[int, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Indicators, targets and total observations of one programme at the given admin units.

    ``children`` (the districts and communes among ``units``) asks for the observations' outline only, for a
    table that shows no figures (Table 4.1): one row per indicator, period and unit outside ``children``, and
    one per indicator and period for all of ``children`` together (under the first of their codes), without
    values. That keeps what the report still reads from observations (their periods and the units they are
    filed under) without reading every commune's row.
    """
    i, ob, t, o = table_of(Indicator), table_of(Objective), table_of(Target), table_of(Observation)
    pid = programme["id"]
    indicators = read.frame(
        conn,
        select(
            i.c.code, i.c.name, i.c.level, i.c.unit, i.c.direction, i.c.cumulative, i.c.baseline_value,
            i.c.compiling_agency, i.c.providing_agency, ob.c.number, ob.c.statement, i.c.method,
            i.c.components,
        )
        .select_from(i.outerjoin(ob, ob.c.id == i.c.objective_id))
        .where(i.c.programme_id == pid)
        .order_by(i.c.code),
        INDICATOR_COLUMNS[1:],
        {"cumulative": bool},
    )  # fmt: skip
    indicators.insert(0, "programme_code", programme["code"])
    targets = read.frame(
        conn,
        select(i.c.code, t.c.period, t.c.period_start, t.c.period_end, t.c.admin_unit_code, *in_force(t))
        .join(i, i.c.id == t.c.indicator_id)
        .where(i.c.programme_id == pid, t.c.admin_unit_code.in_(units)),
        [*VALUE_COLUMNS[1:], "value", "value_high"],
    )  # fmt: skip
    if children and outlined is not None and pid in outlined:
        observations = outlined[pid]  # read for several programmes at once (:func:`outlines`)
    elif children:
        observations = _outline(conn, pid, [u for u in units if u not in children], sorted(children))
    else:
        observations = read.frame(
            conn,
            select(i.c.code, o.c.period, o.c.period_start, o.c.period_end, o.c.admin_unit_code,
                   o.c.disaggregation, o.c.value)
            .join(i, i.c.id == o.c.indicator_id)
            .where(i.c.programme_id == pid, o.c.admin_unit_code.in_(units), o.c.disaggregation == ""),
            [*VALUE_COLUMNS[1:], "disaggregation", "value"],
        )  # fmt: skip
    for frame in (targets, observations):
        frame.insert(0, "programme_code", programme["code"])
    return indicators, targets, observations


#: Every (indicator, period) of a programme with observations, by seeks in the index (the smallest period, then
#: the smallest after it …) rather than a scan of every row.
_PERIODS = """
WITH RECURSIVE r (id, period) AS (
    SELECT i.id, (SELECT min(o.period) FROM observations o WHERE o.indicator_id = i.id)
    FROM indicators i WHERE i.programme_id IN :pids
    UNION ALL
    SELECT r.id, (SELECT min(o.period) FROM observations o WHERE o.indicator_id = r.id AND o.period > r.period)
    FROM r WHERE r.period IS NOT NULL
)"""
#: The units' own rows of each (indicator, period): a seek per unit.
_OWN = """
SELECT r.id, r.period, o.admin_unit_code FROM r JOIN observations o
    ON o.indicator_id = r.id AND o.period = r.period AND o.admin_unit_code IN :own AND o.disaggregation = ''
"""
#: The first child with a row of each (indicator, period): the index's rows of the indicator and period in order
#: until one is a child's (the unit's code kept out of the index condition, which would seek every child).
_CHILD = """
SELECT r.id, r.period, (
    SELECT o.admin_unit_code FROM observations o
    WHERE o.indicator_id = r.id AND o.period = r.period AND o.disaggregation = '' AND {children}
    ORDER BY o.admin_unit_code LIMIT 1
) FROM r WHERE r.period IS NOT NULL
"""


def _outline(conn: Connection, pid: int, own: list[str], children: list[str]) -> pd.DataFrame:
    """The observations' indicators, periods and units, without values (see :func:`programme_frames`)."""
    return outlines(conn, [pid], own, children)[pid]


def outlines(
    conn: Connection, pids: list[int], own: list[str], children: list[str]
) -> dict[int, pd.DataFrame]:
    """:func:`_outline` of several programmes, in one statement for their own rows and one for their children's.

    Read by seeks in the index of observations (indicator, period, unit): the periods of each indicator one
    after the other, then for each period the units' own rows and the first child's, so the time does not grow
    with the number of commune rows. PostgreSQL gets the children as one array (planned once, looked up by hash).
    """
    i = table_of(Indicator)
    found = conn.execute(select(i.c.id, i.c.code, i.c.programme_id).where(i.c.programme_id.in_(pids))).all()
    codes = {key: code for key, code, _ in found}
    owner = {key: pid for key, _, pid in found}
    rows: list[tuple[Any, ...]] = []
    expand: Any = bindparam("pids", expanding=True)
    if own:
        query = text(_PERIODS + _OWN).bindparams(expand, bindparam("own", expanding=True))
        rows += conn.execute(query, {"pids": pids, "own": own}).all()
    if children:
        if conn.dialect.name == "sqlite":  # the unit's code kept out of the index condition by the unary plus
            query = text(_PERIODS + _CHILD.format(children="+o.admin_unit_code IN :children")).bindparams(
                expand, bindparam("children", expanding=True)
            )
        else:
            query = text(
                _PERIODS + _CHILD.format(children="(o.admin_unit_code || '') = ANY(:children)")
            ).bindparams(expand)
        rows += [
            r for r in conn.execute(query, {"pids": pids, "children": children}).all() if r[2] is not None
        ]
    spans = {label: parse_period(str(label)) for label in {r[1] for r in rows}}
    columns = [*VALUE_COLUMNS[1:], "disaggregation", "value"]
    by_pid: dict[int, list[tuple[Any, ...]]] = {pid: [] for pid in pids}
    for key, label, code in rows:
        by_pid[owner[key]].append(
            (codes[key], label, spans[label].start, spans[label].end, code, "", math.nan)
        )
    return {pid: pd.DataFrame(found_rows, columns=columns) for pid, found_rows in by_pid.items()}


#: Between a programme's code and an indicator's, in the codes of several programmes read at once.
SEP = "\x1e"


def read_figures(session: Session, scope: Scope, period: Period) -> None:
    """Replace each outline of a province scope (``province_scope(..., values=False)``) by the figures a form of
    ``period`` reads, the communes and districts rolled up in the database.

    What a form reads of a programme working in several provinces is, per indicator, the province's figure of
    the period, else the latest one inside it (by end, then start: :func:`mel_core.indicators.matching.match`),
    the communes' and districts' figures rolled up where the province has none of its own. So:

    - the communes come as partial aggregates grouped by their parent in the database, for the programmes of
      the province all at once (:func:`mel_core.indicators.from_store.rolled_up`), and are rolled up to the
      province by :func:`mel_core.indicators.rollup.admin_rollup` (a district's own figure wins over its
      communes', rates weighted by their weight, a rate the communes disagree on missing);
    - only the periods that can be the answer are read: for each indicator the period itself, then the periods
      inside it from the latest back, one at a time, until the province has a figure (a weighted mean's weight
      is read for the mean's periods too);
    - derived indicators and their components are read row by row, every period (a growth rate reads the period
      before), and rolled up with the form's own call, as before.

    The actuals are those of the same scope read row by row (``province_scope(session, code)``); the rows of
    the outline inside ``period`` stay (without values) so that the form still sees which programme had figures
    then. When the session has written and not committed, the rows are read row by row on its own connection
    instead (other connections would not see them), and so are they when a unit lies more than two levels below
    the province (the database groups a commune by its district and a district by its province).
    """
    if scope.province is None:
        return
    conn = session.connection()
    codes = geo.predecessors(scope.province)
    engine = session.get_bind()
    written = not isinstance(engine, Engine) or _has_written(conn)
    batches: dict[str, list[ProgrammeFigures]] = {}
    for fig in scope.programmes:
        if not fig.outline:
            continue
        if written or _deep(fig.parents) or not isinstance(engine, Engine):
            _, _, fig.observations = programme_frames(conn, fig.programme, codes + sorted(fig.parents))
            fig.outline = False
        else:
            batches.setdefault(fig.unit, []).append(fig)
    for unit, figs in batches.items():
        _read_rolled(conn, engine, figs, codes, unit, period)  # type: ignore[arg-type]


def _read_rolled(
    conn: Connection,
    engine: Engine,
    figs: list[ProgrammeFigures],
    codes: list[str],
    unit: str,
    period: Period,
) -> None:
    """:func:`read_figures` for the programmes whose figures are filed under ``unit`` (one rollup tree)."""
    by_pid = {fig.programme["id"]: fig for fig in figs}
    i = table_of(Indicator)
    found = conn.execute(select(i.c.programme_id, i.c.code, i.c.id).where(i.c.programme_id.in_(by_pid))).all()
    ids = {f"{by_pid[pid].code}{SEP}{code}": key for pid, code, key in found}
    indicators = pd.concat([_qualified(fig) for fig in figs], ignore_index=True)
    parents = figs[0].parents  # the same tree for every programme filed under ``unit``
    tops = {c: unit for c in codes}
    scope_units = {*codes, *parents}
    raw = row_by_row_codes(indicators, ids)
    frames: list[pd.DataFrame] = []
    if raw:
        rows, _ = rolled_up(engine, indicators, {k: ids[k] for k in raw}, parents, raw, tops=tops)
        frames.append(rows[rows["admin_unit"].isin(scope_units)])
    outline = pd.concat(
        [
            fig.observations.assign(indicator_code=fig.code + SEP + fig.observations["indicator_code"])
            for fig in figs
        ],
        ignore_index=True,
    )
    remaining = _candidates(outline, period, set(ids) - raw)
    weights = {m: w for m, w in weights_of(indicators).items() if m in ids and w in ids and m not in raw}
    rounds: list[pd.DataFrame] = []
    stand_ins: dict[str, str] = {}
    at_unit = pd.DataFrame(columns=OBS_COLUMNS)
    while remaining:
        want: dict[str, set[str]] = {key: {labels[0]} for key, labels in remaining.items()}
        for mean, weight in weights.items():  # a weighted mean needs its weight's figures of the same periods
            if mean in want:
                want.setdefault(weight, set()).update(want[mean])
        rows, up = rolled_up(
            engine, indicators, {k: ids[k] for k in want}, parents,
            periods={ids[k]: labels for k, labels in want.items()}, tops=tops,
        )  # fmt: skip
        rounds.append(rows)
        stand_ins.update({k: v for k, v in up.items() if v == unit})
        both = pd.concat(rounds, ignore_index=True).drop_duplicates(
            ["indicator_code", "period", "admin_unit"]
        )
        both = both[both["admin_unit"].isin({*codes, *stand_ins})]
        rolled = admin_rollup(indicators, both, stand_ins)
        at_unit = pd.concat([both[both["admin_unit"] == unit], rolled[rolled["admin_unit"] == unit]])
        valid = set(zip(at_unit["indicator_code"], at_unit["period"], strict=True))
        remaining = {
            key: labels[1:]
            for key, labels in remaining.items()
            if (key, labels[0]) not in valid and len(labels) > 1
        }
    frames.append(at_unit[at_unit["value"].notna()])
    inside = outline[[period.contains(parse_period(str(x))) for x in outline["period"]]]
    figures = pd.concat([*frames, inside[OBS_COLUMNS]], ignore_index=True)
    programme = figures["indicator_code"].str.split(SEP, n=1, regex=False)
    figures = figures.assign(programme_code=programme.str[0], indicator_code=programme.str[1])
    with_raw = {key.split(SEP, 1)[0] for key in raw}
    for fig in figs:
        mine = figures[figures["programme_code"] == fig.code]
        fig.observations = mine[[*VALUE_COLUMNS, "disaggregation", "value"]].reset_index(drop=True)
        fig.parents = parents if fig.code in with_raw else {}
        fig.outline = False


def _qualified(fig: ProgrammeFigures) -> pd.DataFrame:
    """A programme's indicators with their codes and components prefixed by the programme's code."""
    prefix = fig.code + SEP
    components = [
        ";".join(prefix + c for c in components_of(value)) or None for value in fig.indicators["components"]
    ]
    return fig.indicators.assign(code=prefix + fig.indicators["code"].astype(str), components=components)


def _candidates(outline: pd.DataFrame, period: Period, keys: set[str]) -> dict[str, list[str]]:
    """Each indicator's periods inside ``period`` in the order a form takes its actual from them: the period
    itself, then the latest by end and start (:func:`mel_core.indicators.matching.match`)."""
    spans = {label: parse_period(str(label)) for label in outline["period"].unique()}
    order: dict[str, list[str]] = {}
    pairs = outline[["indicator_code", "period"]].drop_duplicates()
    for key, label in zip(pairs["indicator_code"], pairs["period"], strict=True):
        if key in keys and period.contains(spans[label]):
            order.setdefault(key, []).append(str(label))
    return {
        key: sorted(
            labels, key=lambda x: (x != period.label, -spans[x].end.toordinal(), -spans[x].start.toordinal())
        )
        for key, labels in order.items()
    }


def _deep(parents: dict[str, str]) -> bool:
    """True when a unit lies more than two levels below the top (a commune under a commune under a district)."""
    return any(parents.get(parent) in parents for parent in parents.values())


def _has_written(conn: Connection) -> bool:
    """True when the connection's transaction has written something not committed yet."""
    if conn.dialect.name == "sqlite":
        return bool(conn.connection.driver_connection.in_transaction)  # type: ignore[union-attr]
    if conn.dialect.name == "postgresql":
        return conn.exec_driver_sql("SELECT pg_current_xact_id_if_assigned() IS NOT NULL").scalar() is True
    return True
