"""Communes (and districts) as admin units under their province, for rollup from commune to province.

The packaged reference data holds provinces only. Communes come from a CSV file with the columns ``code``,
``name`` and ``province_code`` (optionally ``name_ascii`` and ``level``: ``commune`` or ``district``), UTF-8;
:func:`load_communes` checks every row (file, row, column, reason) and writes all of them or none. Observations
may then name the commune's code, and :func:`admin_parents` maps each commune to the province it rolls up to
today: a commune filed under a pre-2025 province (Hà Giang, 02) rolls up to its 2025 successor (Tuyên Quang, 08).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from mel_core import geo
from mel_core.errors import ImportValidationError, Problem
from mel_core.i18n import say
from mel_core.ingest.load import upsert
from mel_core.store import AdminUnit, table_of
from mel_core.text import fold, nfc

COLUMNS = ("code", "name", "province_code")
LEVELS = ("commune", "district")


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
                    Problem(source, 1, column, "", say("required column is missing", "thiếu cột bắt buộc"))
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
                            say("required value is empty", "giá trị bắt buộc trống"),
                        )
                    )
            if province not in provinces:
                problems.append(
                    Problem(
                        source,
                        number,
                        "province_code",
                        province,
                        say("not a GSO province code", "không phải mã tỉnh theo Tổng cục Thống kê"),
                    )
                )
            if level not in LEVELS:
                problems.append(
                    Problem(
                        source,
                        number,
                        "level",
                        level,
                        say("use commune or district", "ghi commune hoặc district"),
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
                        say(f"code already used in {where}", f"mã đã dùng ở {where}"),
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


def admin_parents(conn: Connection) -> dict[str, str]:
    """Every commune or district code → the code of the province it rolls up to today (2025 successor)."""
    a = table_of(AdminUnit)
    query = select(a.c.code, a.c.parent_code).where(a.c.level.in_(LEVELS), a.c.parent_code.is_not(None))
    provinces = geo.provinces()
    return {
        code: provinces[parent].successor_code if parent in provinces else parent
        for code, parent in conn.execute(query)
    }
