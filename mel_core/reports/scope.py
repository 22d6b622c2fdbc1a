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

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from mel_core import geo
from mel_core.communes import Unit, admin_tree, below, rollup_parents
from mel_core.errors import MelError
from mel_core.i18n import message
from mel_core.indicators.achievement import WHOLE
from mel_core.reports.reading import VALUE_COLUMNS, outlines, programme_frames, programme_records
from mel_core.reports.reading import read_figures as read_figures  # importable from here as before
from mel_core.store import Programme, ProgrammeProvince, read, table_of

#: The provincial department that keeps the plan and issues a province's reports: the Department of Finance
#: since the 2025 merger of the departments of planning and investment into it (the manual's DPI).
PLANNING_DEPARTMENT = "SỞ TÀI CHÍNH"


class ReportScopeError(MelError):
    """The province, district or commune asked for is unknown, or has nothing to report."""

    exit_code = 65  # EX_DATAERR


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


def programme_scope(session: Session, code: str) -> Scope:
    """The scope of a programme report: the programme's whole-programme figures (admin unit ``"VN"``).

    Raises:
        NotFound: no programme has this code (:func:`mel_core.store.read.unknown_programme`).
    """
    conn = session.connection()
    found = programme_records(conn, [code])
    if not found:
        raise read.unknown_programme(conn, code)
    programme = found[0]
    single = programme["provinces"][0] if len(programme["provinces"]) == 1 else None
    units = [WHOLE] + ([single] if single else [])
    indicators, targets, observations = programme_frames(conn, programme, units)
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
    :func:`programme_frames`) rather than row by row.

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
    found = programme_records(conn, programme_codes)

    def inside_only(programme: dict[str, Any]) -> bool:
        return all(geo.successor(c) == province.code for c in programme["provinces"] if c in geo.provinces())

    outlined = None
    if not values and children:
        several = [programme["id"] for programme in found if not inside_only(programme)]
        outlined = outlines(conn, several, codes, children) if several else None
    for programme in found:
        inside = inside_only(programme)
        if inside:
            own = [c for c in programme["provinces"] if c in codes]
            single = own[0] if len(own) == 1 else None
            at = [WHOLE] + ([single] if single else [])
            frames = programme_frames(conn, programme, at)
            figures.append(ProgrammeFigures(programme, *frames, unit=WHOLE, single_unit=single))
        else:
            outline = frozenset(children) if not values else frozenset()
            indicators, targets, observations = programme_frames(conn, programme, units, outline, outlined)
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
