"""What a report covers: one programme, or every programme working in a province, read from the store.

A province report gathers the programmes whose provinces include the province, by its current code: a
programme filed under a pre-2025 code (Quảng Bình, 44) belongs to today's Quảng Trị (45). Within the province,
a programme's figures are read at the level that describes the province:

- a programme working **only** in this province reports for it as a whole: its whole-programme rows (admin unit
  ``"VN"``) are the province's, with the province's own figures standing in where no ``"VN"`` figure exists;
- a programme working in **several** provinces reports the rows filed under this province (any of its codes,
  old or current) and the figures of its communes, rolled up to the province by the rules of
  :mod:`mel_core.indicators.rollup` (the province's own figure wins); its whole-programme targets are not the
  province's, so a plan missing for the province shows as missing.

A district report (before the 2025 reform) and a commune report gather the programmes that hold a plan or a
figure at the unit or below it, and read them at the unit: a district's figure is its own, else its communes'
rolled up; a commune's is its own, else (for the years before 1 July 2025) that of the communes merged into it.
A commune under a district rolls up through the district into the province, level by level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, select, text
from sqlmodel import Session

from mel_core import geo
from mel_core.communes import Unit, admin_tree, below, rollup_parents
from mel_core.errors import MelError
from mel_core.i18n import message
from mel_core.indicators.achievement import WHOLE
from mel_core.indicators.derived import OBS_COLUMNS, components_of
from mel_core.indicators.from_store import rolled_up, row_by_row_codes, weights_of
from mel_core.indicators.rollup import admin_rollup
from mel_core.periods import Period, parse_period
from mel_core.store import (
    Indicator,
    Objective,
    Observation,
    Organisation,
    Programme,
    ProgrammeProvince,
    Target,
    read,
    table_of,
)
from mel_core.store.results import in_force

#: The provincial department that keeps the plan and issues a province's reports: the Department of Finance
#: since the 2025 merger of the departments of planning and investment into it (the manual's DPI).
PLANNING_DEPARTMENT = "SỞ TÀI CHÍNH"


class ReportScopeError(MelError):
    """The programme or province asked for is unknown, or has nothing to report."""

    exit_code = 65  # EX_DATAERR


INDICATOR_COLUMNS = [
    "programme_code", "code", "name", "level", "unit", "direction", "cumulative", "baseline_value",
    "compiling_agency", "providing_agency", "objective_number", "objective", "method", "components",
]  # fmt: skip
VALUE_COLUMNS = ["programme_code", "indicator_code", "period", "period_start", "period_end", "admin_unit"]


@dataclass
class ProgrammeFigures:
    """One programme's framework and the figures that describe the scope (province or whole programme).

    ``targets`` and ``observations`` are in the frames :func:`mel_core.indicators.achievement.achievement`
    reads; ``unit`` is the admin unit those rows carry and ``single_unit`` the province whose figures stand in
    for ``unit`` when it is ``"VN"``.
    """

    programme: dict[str, Any]
    indicators: pd.DataFrame
    targets: pd.DataFrame
    observations: pd.DataFrame
    unit: str = WHOLE
    single_unit: str | None = None
    parents: dict[str, str] = field(default_factory=dict)  # communes rolled up into ``unit``
    # ``observations`` is the outline (periods and units, no values) until :func:`read_figures`
    outline: bool = False
    # objectives and their solutions (mel_core.reports.plan.add_plan)
    plan: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["objective", "objective_statement", "solution", "solution_statement"]
        )
    )

    # positions of the rows of ``targets`` by (indicator, period, admin unit), built once per targets frame
    _target_rows: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def code(self) -> str:
        return str(self.programme["code"])

    def targets_for(self, code: str, period: str) -> pd.DataFrame:
        """The rows of ``targets`` of indicator ``code`` for ``period`` at ``unit``, in their order.

        The same rows as filtering ``targets`` on the three columns, looked up in one grouping of the frame
        (made again when ``targets`` is replaced) instead of a scan of it per indicator.
        """
        t: pd.DataFrame = self.targets
        cache = self._target_rows
        size = t.shape[0]
        if cache.get("frame") is not t or cache.get("rows") != size:
            keys = ["indicator_code", "period", "admin_unit"]
            positions = t.groupby(keys, sort=False).indices if size else {}
            cache.update(frame=t, rows=size, positions=positions)
        found = cache["positions"].get((code, period, self.unit))
        return t.iloc[found] if found is not None else t.iloc[0:0]

    def target_rows(self, code: str, period: str) -> list[dict[str, Any]]:
        """The rows of :meth:`targets_for` as dicts (column → value), in their order.

        Made once per targets frame for every indicator and period: a form asks for one indicator and period at
        a time, hundreds of times, and a frame per question costs a millisecond each.
        """
        t: pd.DataFrame = self.targets
        size = t.shape[0]
        cache = self._target_rows
        if cache.get("records_of") is not t or cache.get("records_rows") != size:
            records: dict[tuple[str, str], list[dict[str, Any]]] = {}
            mine = t[t["admin_unit"] == self.unit] if size else t
            for row in mine.to_dict("records"):
                records.setdefault((str(row["indicator_code"]), str(row["period"])), []).append(row)
            cache.update(records_of=t, records_rows=size, records=records)
        return list(cache["records"].get((code, period), []))


@dataclass
class Scope:
    """The programmes of a report, and who issues it."""

    programmes: list[ProgrammeFigures]
    province: str | None = None  # the current province code of a province report (or of the unit's province)
    province_name: str | None = None
    unit: Unit | None = None  # the district or commune of a district or commune report
    issuer: list[str] = field(default_factory=list)
    subject: str = ""  # the programme title or "tỉnh Điện Biên"

    @property
    def observations(self) -> pd.DataFrame:
        frames = [p.observations for p in self.programmes if not p.observations.empty]
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=[*VALUE_COLUMNS, "value"])
        )

    @property
    def targets(self) -> pd.DataFrame:
        frames = [p.targets for p in self.programmes if not p.targets.empty]
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=[*VALUE_COLUMNS, "value"])
        )


def _programmes(conn: Connection, codes: list[str]) -> list[dict[str, Any]]:
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


def _figures(
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
        observations = outlined[pid]  # read for several programmes at once (:func:`_outlines`)
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
    """The observations' indicators, periods and units, without values (see :func:`_figures`)."""
    return _outlines(conn, [pid], own, children)[pid]


def _outlines(
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


def programme_scope(session: Session, code: str) -> Scope:
    """The scope of a programme report: the programme's whole-programme figures (admin unit ``"VN"``).

    Raises:
        NotFound: no programme has this code (:func:`mel_core.store.read.unknown_programme`).
    """
    conn = session.connection()
    found = _programmes(conn, [code])
    if not found:
        raise read.unknown_programme(conn, code)
    programme = found[0]
    single = programme["provinces"][0] if len(programme["provinces"]) == 1 else None
    units = [WHOLE] + ([single] if single else [])
    indicators, targets, observations = _figures(conn, programme, units)
    figures = ProgrammeFigures(programme, indicators, targets, observations, WHOLE, single)
    implementer = programme.get("implementer")
    issuer = [str(implementer).upper()] if implementer else ["BAN QUẢN LÝ CHƯƠNG TRÌNH"]
    return Scope([figures], issuer=issuer, subject=str(programme["title"]))


def current_province(code: str) -> geo.Province:
    """The current province of a province code (old or current), as a :class:`mel_core.geo.Province`.

    Raises:
        ReportScopeError: the code is not a GSO province code.
    """
    normalised = geo.normalise_code(code)
    known = geo.provinces()
    if normalised not in known:
        raise ReportScopeError(
            message("reports.scope.unknown_province", code=code),
            hint=message("reports.scope.unknown_province_hint"),
        )
    return known[known[normalised].successor_code]


def province_scope(session: Session, code: str, values: bool = True) -> Scope:
    """The scope of a province report: every programme working in the province (old codes included).

    ``values=False`` is for a table that shows no observed figures (Table 4.1): the observations of a
    programme's communes and districts are read as an outline (their periods, no values; see
    :func:`_figures`) rather than row by row.

    Raises:
        ReportScopeError: the code is not a province, or no programme works there.
    """
    province = current_province(code)
    codes = geo.predecessors(province.code)
    conn = session.connection()
    # districts and communes filed under the province's codes belong to it too, at any depth
    units_tree = admin_tree(conn)
    children = sorted(below(units_tree, set(codes)))
    units = codes + children
    pp, p = table_of(ProgrammeProvince), table_of(Programme)
    programme_codes = sorted(
        set(
            conn.scalars(
                select(p.c.code).join(pp, pp.c.programme_id == p.c.id).where(pp.c.admin_unit_code.in_(codes))
            )
        )
    )
    if not programme_codes:
        raise ReportScopeError(
            message("reports.scope.no_programme", code=province.code, name=province.name),
            hint=message("reports.scope.no_programme_hint"),
        )
    figures = []
    found = _programmes(conn, programme_codes)

    def inside_only(programme: dict[str, Any]) -> bool:
        return all(geo.successor(c) == province.code for c in programme["provinces"] if c in geo.provinces())

    outlined = None
    if not values and children:
        several = [programme["id"] for programme in found if not inside_only(programme)]
        outlined = _outlines(conn, several, codes, children) if several else None
    for programme in found:
        inside = inside_only(programme)
        if inside:
            own = [c for c in programme["provinces"] if c in codes]
            single = own[0] if len(own) == 1 else None
            at = [WHOLE] + ([single] if single else [])
            frames = _figures(conn, programme, at)
            figures.append(ProgrammeFigures(programme, *frames, unit=WHOLE, single_unit=single))
        else:
            outline = frozenset(children) if not values else frozenset()
            indicators, targets, observations = _figures(conn, programme, units, outline, outlined)
            unit = _one_unit(targets, observations, province.code, set(children))
            targets = targets[targets["admin_unit"] == unit]
            # a commune goes to its district, a district (or a commune under no district) to the province
            rollup = rollup_parents(units_tree, {c: unit for c in codes})
            figures.append(
                ProgrammeFigures(
                    programme,
                    indicators,
                    targets,
                    observations,
                    unit=unit,
                    parents=rollup,
                    outline=not values,
                )
            )
    name = province.successor_name
    return Scope(
        figures,
        province=province.code,
        province_name=name,
        issuer=[f"UBND TỈNH {name.upper()}", PLANNING_DEPARTMENT],
        subject=f"tỉnh {name}",
    )


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
            _, _, fig.observations = _figures(conn, fig.programme, codes + sorted(fig.parents))
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


def _one_unit(targets: pd.DataFrame, observations: pd.DataFrame, province: str, children: set[str]) -> str:
    """The one province code a multi-province programme's rows for the province are filed under.

    Communes roll up into it. Rows under two province codes (a pre-2025 code and the current one) are two
    provinces' figures before the merger: they are reported as an error rather than silently added.
    """
    found = (set(targets["admin_unit"]) | set(observations["admin_unit"])) - children
    if len(found) > 1:
        raise ReportScopeError(
            message("reports.scope.several_codes", province=province, codes=", ".join(sorted(found))),
            hint=message("reports.scope.several_codes_hint"),
        )
    return found.pop() if found else province


def report_date(today: date | None = None) -> date:
    """The date printed under the national heading (today unless given)."""
    return today or date.today()
