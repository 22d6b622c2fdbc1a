"""Districts and communes as admin units under their province, for rollup from commune to district to province.

Before 1 July 2025 local government had three levels: province (tỉnh), district (huyện) and commune (xã). The
reform of 2025 abolished the districts and merged the communes, which now sit directly under the (merged)
provinces. The store models it as it models the provinces: a unit keeps its code and its parent of the time
(a commune its district, a district its province), and a commune merged in 2025 names the new commune it
became part of (``successor_code``), so figures filed under the old commune count for the new one. A district
has no successor: its communes went on, the district did not. Districts and communes come in through
``mel import`` (the ``admin_units`` sheet, docs/import-formats.md) or, communes only, from a CSV file here.

The packaged reference data holds provinces only. Communes come from a CSV file with the columns ``code``,
``name`` and ``province_code`` (optionally ``name_ascii`` and ``level``: ``commune`` or ``district``), UTF-8;
:func:`load_communes` checks every row (file, row, column, reason) and writes all of them or none. Observations
may then name the commune's code, and :func:`admin_parents` maps each commune to the unit it rolls up into (its
district, or the province today): a commune filed under a pre-2025 province (Hà Giang, 02) rolls up to its 2025
successor (Tuyên Quang, 08).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from mel_core import geo
from mel_core.errors import ImportValidationError, Problem
from mel_core.i18n import message
from mel_core.ingest.load import upsert
from mel_core.store import AdminUnit, table_of
from mel_core.text import fold, nfc

COLUMNS = ("code", "name", "province_code")
LEVELS = ("commune", "district")
#: The day the two-level local government began: districts abolished, communes merged (Resolution 202/2025/QH15).
REFORM = date(2025, 7, 1)
BEFORE_REFORM = date(2025, 6, 30)


@dataclass(frozen=True)
class Unit:
    """A district or a commune in the store."""

    code: str
    name: str
    level: str
    parent_code: str | None
    successor_code: str | None

    @property
    def until(self) -> date | None:
        """The last day the unit existed: districts and merged communes ended on 30 June 2025."""
        if self.level == "district" or self.successor_code:
            return BEFORE_REFORM
        return None


def admin_tree(conn: Connection) -> dict[str, Unit]:
    """Every district and commune of the store by code."""
    a = table_of(AdminUnit)
    query = select(a.c.code, a.c.name, a.c.level, a.c.parent_code, a.c.successor_code).where(
        a.c.level.in_(LEVELS)
    )
    return {row[0]: Unit(*row) for row in conn.execute(query)}


def province_of(tree: dict[str, Unit], code: str) -> str | None:
    """The province code (as filed, maybe pre-2025) a district or commune lies in, up its chain of parents."""
    seen: set[str] = set()
    cursor: str | None = code
    while cursor in tree and cursor not in seen:
        seen.add(cursor)
        cursor = tree[cursor].parent_code
    return cursor if cursor is not None and cursor in geo.provinces() else None


def below(tree: dict[str, Unit], tops: set[str]) -> dict[str, str]:
    """Every unit under ``tops`` (at any depth) → its parent: the tree a rollup into ``tops`` follows."""
    inside: dict[str, str] = {}
    for code in tree:
        chain: list[str] = []
        cursor: str | None = code
        while cursor in tree and cursor not in tops and cursor not in chain:
            chain.append(cursor)
            cursor = tree[cursor].parent_code
        if cursor in tops:
            for unit in chain:
                inside[unit] = tree[unit].parent_code  # type: ignore[assignment]
    return inside


def merged_into(tree: dict[str, Unit], code: str) -> dict[str, str]:
    """The communes merged into ``code`` in 2025 (and those merged into them) → what each was merged into."""
    out: dict[str, str] = {}
    frontier = [code]
    while frontier:
        current = frontier.pop()
        for unit in tree.values():
            if unit.successor_code == current and unit.code not in out and unit.code != code:
                out[unit.code] = current
                frontier.append(unit.code)
    return out


def read_communes(path: Path) -> list[dict[str, str | None]]:
    """The rows of a communes CSV as admin-unit records; raise with every problem found.

    Raises:
        ImportValidationError: a missing column, an empty code or name, an unknown province, a repeated code.
    """
    problems: list[Problem] = []
    source = str(path)
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        for column in COLUMNS:
            if column not in header:
                problems.append(
                    Problem(source, 1, column, "", message("ingest.communes.required_column_missing"))
                )
        if problems:
            raise ImportValidationError(problems, source)
        provinces = geo.provinces()
        seen: dict[str, int] = {}
        records: list[dict[str, str | None]] = []
        for number, raw in enumerate(reader, start=2):
            row = {k.strip(): nfc((v or "").strip()) for k, v in raw.items() if k}
            code, name = row.get("code", ""), row.get("name", "")
            province = geo.normalise_code(row.get("province_code", ""))
            level = row.get("level") or "commune"
            for column, value in (("code", code), ("name", name)):
                if not value:
                    problems.append(
                        Problem(
                            source,
                            number,
                            column,
                            "",
                            message("ingest.communes.required_value_empty"),
                        )
                    )
            if province not in provinces:
                problems.append(
                    Problem(
                        source,
                        number,
                        "province_code",
                        province,
                        message("ingest.communes.not_gso_province_code"),
                    )
                )
            if level not in LEVELS:
                problems.append(
                    Problem(
                        source,
                        number,
                        "level",
                        level,
                        message("ingest.communes.use_commune_district"),
                    )
                )
            if code in provinces or code in seen:
                where = f"row {seen[code]}" if code in seen else "the province list"
                problems.append(
                    Problem(
                        source,
                        number,
                        "code",
                        code,
                        message("ingest.communes.code_already_used", where=where),
                    )
                )
            seen.setdefault(code, number)
            ascii_name = row.get("name_ascii") or fold(name)
            records.append(
                {
                    "code": code,
                    "name": name,
                    "name_ascii": ascii_name,
                    "level": level,
                    "parent_code": province,
                }
            )
    if problems:
        raise ImportValidationError(problems, source)
    return records


def load_communes(engine: Engine, path: Path) -> int:
    """Insert or update the communes of ``path`` under their provinces; returns how many rows were read."""
    records = read_communes(path)
    with engine.begin() as conn:
        upsert(conn, AdminUnit, records, ["code"])
    return len(records)


def rollup_parents(tree: dict[str, Unit], tops: dict[str, str]) -> dict[str, str]:
    """The parents a rollup into provinces follows: a commune → its district, a unit under a province → ``tops``.

    ``tops`` maps a province code (as filed, maybe pre-2025) to the unit its districts and communes roll up
    into (the province today, or the code a report reads the province under). A commune under a district
    goes to the district, never straight to the province, so that the district's own figure can win over its
    communes' (:func:`mel_core.indicators.rollup.tree_rollup`); units under no province of ``tops`` are left
    out. The report forms and the database rollup both read this tree.
    """
    return {child: tops.get(parent, parent) for child, parent in below(tree, set(tops)).items()}


def admin_parents(conn: Connection) -> dict[str, str]:
    """Every commune or district code → the unit it rolls up into (:func:`rollup_parents`).

    A commune under a district → the district; a district, or a commune directly under a province → the
    province today (the 2025 successor of the province it was filed under).
    """
    provinces = geo.provinces()
    return rollup_parents(admin_tree(conn), {code: p.successor_code for code, p in provinces.items()})
