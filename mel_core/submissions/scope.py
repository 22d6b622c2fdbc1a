"""Rows of a workbook outside its contributor's scope, as problems of those rows.

Whose a row is, is decided by :func:`mel_core.access.workbook_row_scope` (the rules are in
:mod:`mel_core.access`); this module finds each row's programme and place, asks, and words the answer. A row's
programme is taken as it will be after the import: a programmes row of the same workbook stands for it, else
the store's. A district or commune counts as its province; ``VN`` (or no place) is the whole programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select

from mel_core import geo
from mel_core.access import (
    ProgrammeScope,
    Viewer,
    enterprise_row_scope,
    may,
    scope_codes,
    workbook_row_scope,
)
from mel_core.errors import Problem
from mel_core.i18n import Text, both, t
from mel_core.ingest import ExtraCheck
from mel_core.ingest.validate import Batch, Record
from mel_core.store import AdminUnit, Enterprise, Organisation, Programme, ProgrammeProvince, table_of

#: Tables whose rows name a place (``admin_unit``); the others' rows are about the whole programme.
PLACED = ("targets", "observations", "survey", "activities")
#: The column that names a row's place, where it is not ``admin_unit``.
PLACE_COLUMN = {"activities": "province"}
#: Tables of enterprise data: a row is for the enterprise's province (:func:`mel_core.access.enterprise_row_scope`).
ENTERPRISE_TABLES = ("enterprises", "enterprise_reports")
#: Tables whose rows belong to a programme by ``programme_code``, in the order problems are listed.
FIGURES = (
    "solutions",
    "indicators",
    "targets",
    "observations",
    "expenditures",
    "activities",
    "survey",
    "activity_participants",
    "activity_results",
)


def scope_check(uploader: Viewer) -> ExtraCheck | None:
    """The check of :func:`out_of_scope` for rows sent by ``uploader``; None for those without restriction."""
    if may(uploader, "review_workbooks"):
        return None

    def check(conn: Connection, batch: Batch, labels: Mapping[str, str]) -> list[Problem]:
        return out_of_scope(conn, uploader, batch, labels)

    return check


def out_of_scope(conn: Connection, viewer: Viewer, batch: Batch, labels: Mapping[str, str]) -> list[Problem]:
    """A problem for each row of ``batch`` that ``viewer`` may not submit (``labels``: each table's file or
    sheet). Rows whose programme is unknown are left to the formats' own check, which reports them."""
    stored = stored_programmes(conn)
    listed = {
        r["code"]: ProgrammeScope(r["code"], frozenset(r.get("provinces") or ()), r.get("implementer") or "")
        for r in batch.rows("programmes")
        if r.get("code")
    }
    programmes = {**stored, **listed}
    province_of = provinces_of_units(conn)
    _add_brought_units(province_of, batch)
    yours = _Yours.of(viewer)
    problems: list[Problem] = _units_out_of_scope(viewer, batch, labels, province_of, yours)
    for r in batch.rows("programmes"):
        code = r.get("code")
        if not code:
            continue
        for programme in (listed[code], stored.get(code)):
            why = workbook_row_scope(viewer, programme, None) if programme else ""
            if programme is not None and why:
                shown = ";".join(sorted(programme.provinces))
                problems.append(
                    Problem(
                        labels["programmes"], r["_row"], "provinces", shown, _reason(why, programme, yours)
                    )
                )
                break
    memo: dict[tuple[str, str | None], str] = {}
    for name in FIGURES:
        for r in batch.rows(name):
            programme = programmes.get(r.get("programme_code") or "")
            if programme is None:
                continue
            unit = r.get(PLACE_COLUMN.get(name, "admin_unit")) if name in PLACED else None
            province = province_of.get(unit) if unit else None
            key = (programme.code, province)
            if key not in memo:
                memo[key] = workbook_row_scope(viewer, programme, province)
            why = memo[key]
            if why:
                problems.append(_problem(labels[name], r, name, why, programme, yours))
    problems += _enterprises_out_of_scope(conn, viewer, batch, labels, province_of, yours)
    return problems


def _add_brought_units(province_of: dict[str, str | None], batch: Batch) -> None:
    """The province of each district or commune the batch brings (admin_units), up its parents in the batch or
    the store, so that the figures filed under it are judged by it."""
    brought = {r["code"]: r.get("parent_code") for r in batch.rows("admin_units") if r.get("code")}
    known = geo.provinces()
    for code in brought:
        cursor: str | None = code
        seen: set[str] = set()
        while cursor is not None and cursor in brought and cursor not in seen:
            seen.add(cursor)
            cursor = brought[cursor]
        if cursor is None:
            province_of[code] = None
        else:
            province_of[code] = cursor if cursor in known else province_of.get(cursor)


def _units_out_of_scope(
    viewer: Viewer, batch: Batch, labels: Mapping[str, str], province_of: dict[str, str | None], yours: _Yours
) -> list[Problem]:
    """A contributor adds districts and communes of their own provinces only."""
    mine = set(scope_codes(viewer))
    problems = []
    for r in batch.rows("admin_units"):
        province = province_of.get(r.get("code") or "")
        if province is None or province not in mine:
            problems.append(
                Problem(
                    labels["admin_units"],
                    r["_row"],
                    "parent_code",
                    r.get("parent_code") or "",
                    _outside("submissions.scope.unit_outside", province, yours),
                )
            )
    return problems


def _outside(key: str, code: str | None, yours: _Yours) -> str:
    """The message ``key`` about unit ``code`` (named) outside the scope ``yours``, in both languages."""
    return both(lambda lang: t(key, lang, unit=_names([code or "?"]), yours=yours.said(lang)))


def _enterprises_out_of_scope(
    conn: Connection,
    viewer: Viewer,
    batch: Batch,
    labels: Mapping[str, str],
    province_of: dict[str, str | None],
    yours: _Yours,
) -> list[Problem]:
    e = table_of(Enterprise)
    where = dict(conn.execute(select(e.c.tax_code, e.c.admin_unit_code)).all())
    where.update({r["tax_code"]: r.get("province") for r in batch.rows("enterprises") if r.get("tax_code")})
    problems = []
    for name in ENTERPRISE_TABLES:
        for r in batch.rows(name):
            unit = where.get(r.get("tax_code") or "")
            province = province_of.get(unit) if unit else None
            if enterprise_row_scope(viewer, province):
                column = "province" if name == "enterprises" else "tax_code"
                value = (r.get("province") if name == "enterprises" else r.get("tax_code")) or ""
                problems.append(
                    Problem(
                        labels[name],
                        r["_row"],
                        column,
                        value,
                        _outside("submissions.scope.enterprise_outside", unit, yours),
                    )
                )
    return problems


def stored_programmes(conn: Connection) -> dict[str, ProgrammeScope]:
    """Every programme of the store with its provinces (as listed) and its implementer's name."""
    p, pp, o = table_of(Programme), table_of(ProgrammeProvince), table_of(Organisation)
    places: dict[int, set[str]] = {}
    for pid, code in conn.execute(select(pp.c.programme_id, pp.c.admin_unit_code)):
        places.setdefault(pid, set()).add(code)
    return {
        code: ProgrammeScope(code, frozenset(places.get(pid, ())), implementer or "")
        for pid, code, implementer in conn.execute(
            select(p.c.id, p.c.code, o.c.name).select_from(p.outerjoin(o, o.c.id == p.c.implementer_id))
        )
    }


def provinces_of_units(conn: Connection) -> dict[str, str | None]:
    """Each admin unit's province (a province is its own; the country has none)."""
    a = table_of(AdminUnit)
    units = {
        code: (level, parent)
        for code, level, parent in conn.execute(select(a.c.code, a.c.level, a.c.parent_code))
    }
    out: dict[str, str | None] = {}
    for code in units:
        cursor: str | None = code
        seen: set[str] = set()
        while cursor is not None and cursor in units and units[cursor][0] not in ("province", "country"):
            if cursor in seen:  # a loop of parents: no province
                cursor = None
                break
            seen.add(cursor)
            cursor = units[cursor][1]
        out[code] = cursor if cursor is not None and units.get(cursor, ("",))[0] == "province" else None
    return out


def _names(codes: list[str]) -> str:
    known = geo.provinces()
    return ", ".join(f"{c} ({known[c].name})" if c in known else c for c in codes)


@dataclass(frozen=True)
class _Yours:
    """A contributor's scope, in words (English, Vietnamese) and as the province codes it covers."""

    en: str
    vi: str
    codes: frozenset[str]

    def said(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en

    @classmethod
    def of(cls, viewer: Viewer) -> _Yours:
        def described(lang: str) -> str:
            parts = []
            if viewer.provinces:
                parts.append(
                    t("submissions.scope.your_provinces", lang, shown=_names(sorted(viewer.provinces)))
                )
            if viewer.organisation:
                parts.append(t("submissions.scope.your_organisation", lang, organisation=viewer.organisation))
            return t("submissions.scope.scope_and", lang).join(parts) or t(
                "submissions.scope.scope_none", lang
            )

        return cls(described("en"), described("vi"), frozenset(scope_codes(viewer)))


def _problem(
    label: str, r: Record, table: str, why: str, programme: ProgrammeScope, yours: _Yours
) -> Problem:
    if why == "programme" or table not in PLACED:
        column, value = "programme_code", programme.code
    else:
        column = PLACE_COLUMN.get(table, "admin_unit")
        value = r.get(column) or ""
    return Problem(label, r["_row"], column, value, _reason(why, programme, yours, value))


def _reason(why: str, programme: ProgrammeScope, yours: _Yours, place: str = "") -> str:
    code = programme.code
    if why == "province":
        return Text(
            t("submissions.scope.place_outside", "en", place=_names([place]), yours=yours.en),
            t("submissions.scope.place_outside", "vi", place=_names([place]), yours=yours.vi),
        )
    if why == "whole":
        outside = _names(sorted(programme.provinces - yours.codes))
        return Text(
            t("submissions.scope.whole_programme", "en", code=code, outside=outside, yours=yours.en),
            t("submissions.scope.whole_programme", "vi", code=code, outside=outside, yours=yours.vi),
        )
    return Text(
        t("submissions.scope.programme_outside", "en", code=code, yours=yours.en),
        t("submissions.scope.programme_outside", "vi", code=code, yours=yours.vi),
    )
