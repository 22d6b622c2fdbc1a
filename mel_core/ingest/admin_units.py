"""The ``admin_units`` table of an import: districts and communes with their parents and 2025 successors.

Rows are checked with the rest of the import (every problem with its file or sheet, row, column and reason;
nothing written when any is bad) and written before the figures that name them, so one workbook can bring a
province's districts, communes and their observations together. The 2025 reform is modelled as the provinces'
(:mod:`mel_core.communes`): a commune merged on 1 July 2025 names the commune it became part of in
``successor_code``; the new commune lies directly under its province; a district has no successor.

Importing the same rows again changes nothing (rows are keyed by ``code``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mel_core import geo
from mel_core.errors import Problem
from mel_core.i18n import Text, message, t
from mel_core.store import AdminUnit, table_of
from mel_core.text import fold
from mel_core.vocabulary import NATIONAL

if TYPE_CHECKING:
    from mel_core.ingest.sources import Source
    from mel_core.ingest.validate import Batch, Known

NAME = "admin_units"
LEVELS = ("district", "commune")
#: What the store knows of a unit: (level, parent code, successor code).
UnitFacts = tuple[str, str | None, str | None]


def store_units(conn: Connection) -> dict[str, UnitFacts]:
    """Every admin unit of the store (provinces and the country too) → (level, parent, successor)."""
    a = table_of(AdminUnit)
    query = select(a.c.code, a.c.level, a.c.parent_code, a.c.successor_code)
    return {code: (level, parent, successor) for code, level, parent, successor in conn.execute(query)}


def sheet_codes(source: Source) -> set[str]:
    """The codes the ``admin_units`` table of ``source`` brings (as typed, for the checks of other tables)."""
    table = source.tables.get(NAME)
    if table is None or "code" not in table.header:
        return set()
    at = table.header.index("code")
    return {str(row[at]).strip() for _, row in table.rows if at < len(row) and row[at] not in (None, "")}


def check_admin_units(source: Source, batch: Batch, known: Known) -> None:
    """Check the rows of the ``admin_units`` table against each other and the store; add every problem."""
    table = source.tables.get(NAME)
    rows = batch.rows(NAME)
    if table is None or not rows:
        return
    label = table.source
    problems = batch.problems
    provinces = geo.provinces()
    units: dict[str, UnitFacts] = {
        code: facts for code, facts in known.units.items() if facts[0] in LEVELS
    }  # what the store has, overridden by the rows
    units.update(
        {r["code"]: (r["level"], r["parent_code"], r["successor_code"]) for r in rows if r.get("code")}
    )

    def problem(r: dict[str, Any], column: str, reason: str) -> None:
        problems.append(Problem(label, r["_row"], column, str(r.get(column) or ""), reason))

    for r in rows:
        code, level, parent, successor = (
            r.get("code"),
            r.get("level"),
            r.get("parent_code"),
            r.get("successor_code"),
        )
        if not code or not level:
            continue
        if code in provinces or code.upper() == NATIONAL or known.units.get(code, (level,))[0] not in LEVELS:
            problem(
                r,
                "code",
                message("ingest.admin_units.code_province_s_country"),
            )
            continue
        if parent:
            parent_level = "province" if parent in provinces else units.get(parent, ("",))[0]
            allowed = ("province",) if level == "district" else ("province", "district")
            if parent == code:
                problem(
                    r,
                    "parent_code",
                    message("ingest.admin_units.unit_cannot_own_parent"),
                )
            elif not parent_level:
                problem(
                    r,
                    "parent_code",
                    message("ingest.admin_units.unknown_unit_parent_must"),
                )
            elif parent_level not in allowed:
                problem(
                    r,
                    "parent_code",
                    Text(
                        _misplaced(level, allowed, parent_level, "en"),
                        _misplaced(level, allowed, parent_level, "vi"),
                    ),
                )
        if successor:
            _check_successor(r, code, level, successor, units, problem)


def _check_successor(
    r: dict[str, Any], code: str, level: str, successor: str, units: dict[str, UnitFacts], problem: Any
) -> None:
    if level == "district":
        problem(
            r,
            "successor_code",
            message("ingest.admin_units.districts_abolished"),
        )
        return
    facts = units.get(successor)
    if successor == code:
        problem(
            r,
            "successor_code",
            message("ingest.admin_units.commune_cannot_merged_into"),
        )
    elif facts is None or facts[0] != "commune":
        problem(
            r,
            "successor_code",
            message("ingest.admin_units.unknown_commune_successor_must"),
        )
    elif facts[1] is not None and units.get(facts[1], ("",))[0] == "district":
        problem(
            r,
            "successor_code",
            message("ingest.admin_units.lies_district_commune_formed", successor=successor),
        )
    else:
        seen = {code}
        cursor: str | None = successor
        while cursor is not None:
            if cursor in seen:
                problem(r, "successor_code", message("ingest.admin_units.successors_form_cycle"))
                break
            seen.add(cursor)
            cursor = units.get(cursor, ("", None, None))[2]


def _level(level: str, lang: str) -> str:
    """The name of an administrative level in ``lang`` (province, district, commune)."""
    return (
        t(f"ingest.admin_units.level.{level}", lang)
        if level in ("province", "district", "commune")
        else level
    )


def _misplaced(level: str, allowed: Iterable[str], parent_level: str, lang: str) -> str:
    return t(
        "ingest.admin_units.misplaced",
        lang,
        level=_level(level, lang),
        allowed=t("ingest.admin_units.or_a", lang).join(_level(a, lang) for a in allowed),
        parent=_level(parent_level, lang),
    )


def load_admin_units(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert or update the units, each after the parent and successor it names (the store's keys require it)."""
    from mel_core.ingest.load import upsert

    if not rows:
        return
    records = {
        r["code"]: {
            "code": r["code"],
            "name": r["name"],
            "name_ascii": r.get("name_ascii") or fold(r["name"]),
            "level": r["level"],
            "parent_code": r["parent_code"],
            "successor_code": r.get("successor_code"),
        }
        for r in rows
    }
    done: set[str] = set()
    order: list[dict[str, Any]] = []

    def visit(code: str, trail: frozenset[str]) -> None:
        if code in done or code not in records or code in trail:
            return
        record = records[code]
        for ref in (record["parent_code"], record["successor_code"]):
            if ref:
                visit(ref, trail | {code})
        done.add(code)
        order.append(record)

    for code in records:
        visit(code, frozenset())
    upsert(conn, AdminUnit, order, ["code"])


def export_rows(conn: Connection) -> list[dict[str, Any]]:
    """The districts and communes of the store as rows of the ``admin_units`` table (districts first)."""
    a = table_of(AdminUnit)
    query = (
        select(a.c.code, a.c.name, a.c.level, a.c.parent_code, a.c.successor_code, a.c.name_ascii)
        .where(a.c.level.in_(LEVELS))
        .order_by(a.c.level.desc(), a.c.code)
    )
    return [dict(r) for r in conn.execute(query).mappings()]
