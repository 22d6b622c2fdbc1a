"""Write the store back out in the import formats (a folder of CSV files or one .xlsx workbook).

Import → export → import leaves the store identical: every value is written the way the importer reads it.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from mel_core.errors import OutputError
from mel_core.i18n import message
from mel_core.ingest.admin_units import export_rows
from mel_core.ingest.formats import TABLES, Kind, TableFormat
from mel_core.ingest.spreadsheet_text import formula_like, to_csv
from mel_core.store import (
    Activity,
    ActivityIndicator,
    ActivityParticipant,
    ActivityResult,
    Enterprise,
    EnterpriseReport,
    Expenditure,
    Indicator,
    Objective,
    Observation,
    Organisation,
    Programme,
    ProgrammeDonor,
    ProgrammeProvince,
    SurveyRecord,
    SurveyValue,
    Target,
    table_of,
)
from mel_core.store.programmes import Solution
from mel_core.vocabulary import NATIONAL

Row = dict[str, Any]


def cell_text(value: Any) -> str:
    """The CSV text of a value, written so that the importer reads back exactly the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def _admin(code: str | None) -> str | None:
    return None if code in (None, NATIONAL) else code


def _programmes(conn: Connection) -> Iterator[Row]:
    p = table_of(Programme)
    orgs = dict(conn.execute(select(table_of(Organisation).c.id, table_of(Organisation).c.name)).all())
    codes = dict(conn.execute(select(p.c.id, p.c.code)).all())
    lists: dict[str, dict[int, list[str]]] = {
        "provinces": defaultdict(list),
        "donors": defaultdict(list),
        "objectives": defaultdict(list),
    }
    pp, pd, o = table_of(ProgrammeProvince), table_of(ProgrammeDonor), table_of(Objective)
    for pid, code in conn.execute(select(pp.c.programme_id, pp.c.admin_unit_code).order_by(pp.c.position)):
        lists["provinces"][pid].append(code)
    for pid, oid in conn.execute(select(pd.c.programme_id, pd.c.organisation_id).order_by(pd.c.position)):
        lists["donors"][pid].append(orgs[oid])
    for pid, statement in conn.execute(select(o.c.programme_id, o.c.statement).order_by(o.c.number)):
        lists["objectives"][pid].append(statement)
    for r in conn.execute(select(p).order_by(p.c.id)).mappings():
        yield {
            **r,
            "parent_code": codes.get(r["parent_id"]),
            "implementer": orgs.get(r["implementer_id"]),
            **{name: values.get(r["id"], []) for name, values in lists.items()},
        }


def _solutions(conn: Connection) -> Iterator[Row]:
    s, o, p = table_of(Solution), table_of(Objective), table_of(Programme)
    query = (
        select(p.c.code, o.c.number, s.c.number, s.c.statement)
        .join(o, o.c.id == s.c.objective_id)
        .join(p, p.c.id == o.c.programme_id)
        .order_by(p.c.id, o.c.number, s.c.number)
    )
    for code, objective, number, statement in conn.execute(query):
        yield {
            "programme_code": code,
            "objective": str(objective),
            "solution": number,
            "statement": statement,
        }


def _indicators(conn: Connection) -> Iterator[Row]:
    i, p, o = table_of(Indicator), table_of(Programme), table_of(Objective)
    numbers = dict(conn.execute(select(o.c.id, o.c.number)).all())
    solutions = dict(conn.execute(select(table_of(Solution).c.id, table_of(Solution).c.number)).all())
    query = (
        select(i, p.c.code.label("programme_code"))
        .join(p, p.c.id == i.c.programme_id)
        .order_by(p.c.id, i.c.id)
    )
    for r in conn.execute(query).mappings():
        number = numbers.get(r["objective_id"])
        yield {**r, "objective": str(number) if number else None, "solution": solutions.get(r["solution_id"])}


def _by_indicator(conn: Connection, model: Any) -> Iterator[Row]:
    t, i, p = table_of(model), table_of(Indicator), table_of(Programme)
    query = (
        select(t, p.c.code.label("programme_code"), i.c.code.label("indicator_code"))
        .join(i, i.c.id == t.c.indicator_id)
        .join(p, p.c.id == i.c.programme_id)
        .order_by(t.c.id)
    )
    for r in conn.execute(query).mappings():
        yield {**r, "admin_unit": _admin(r["admin_unit_code"])}


def _by_programme(conn: Connection, model: Any) -> Iterator[Row]:
    t, p = table_of(model), table_of(Programme)
    query = select(t, p.c.code.label("programme_code")).join(p, p.c.id == t.c.programme_id).order_by(t.c.id)
    yield from (dict(r) for r in conn.execute(query).mappings())


def _survey(conn: Connection) -> tuple[list[str], list[Row]]:
    s, v, p = table_of(SurveyRecord), table_of(SurveyValue), table_of(Programme)
    values: dict[int, dict[str, float]] = defaultdict(dict)
    for rid, name, value in conn.execute(select(v.c.record_id, v.c.variable, v.c.value)):
        values[rid][name] = value
    variables = sorted({name for vals in values.values() for name in vals})
    query = select(s, p.c.code.label("programme_code")).join(p, p.c.id == s.c.programme_id).order_by(s.c.id)
    rows = [
        {**r, "group": r["study_group"], "admin_unit": r["admin_unit_code"], **values.get(r["id"], {})}
        for r in conn.execute(query).mappings()
    ]
    return variables, rows


def _activities(conn: Connection) -> Iterator[Row]:
    ai, i, o = table_of(ActivityIndicator), table_of(Indicator), table_of(Objective)
    numbers = dict(conn.execute(select(o.c.id, o.c.number)).all())
    served: dict[int, list[str]] = defaultdict(list)
    for aid, code in conn.execute(
        select(ai.c.activity_id, i.c.code).join(i, i.c.id == ai.c.indicator_id).order_by(i.c.id)
    ):
        served[aid].append(code)
    for r in _by_programme(conn, Activity):
        number = numbers.get(r["objective_id"])
        yield {
            **r,
            "province": r["admin_unit_code"],
            "outcome": str(number) if number else None,
            "indicators": served.get(r["id"]) or None,
        }


def _enterprises(conn: Connection) -> Iterator[Row]:
    e = table_of(Enterprise)
    for r in conn.execute(select(e).order_by(e.c.id)).mappings():
        yield {**r, "province": r["admin_unit_code"]}


def _by_enterprise(conn: Connection, model: Any, with_activity: bool) -> Iterator[Row]:
    t, e, a, p = table_of(model), table_of(Enterprise), table_of(Activity), table_of(Programme)
    query = select(t, e.c.tax_code).join(e, e.c.id == t.c.enterprise_id)
    if with_activity:
        query = query.add_columns(p.c.code.label("programme_code"), a.c.code.label("activity_code"))
        query = query.join(a, a.c.id == t.c.activity_id).join(p, p.c.id == a.c.programme_id)
    yield from (dict(r) for r in conn.execute(query.order_by(t.c.id)).mappings())


def _participants(conn: Connection) -> Iterator[Row]:
    t, a, p = table_of(ActivityParticipant), table_of(Activity), table_of(Programme)
    query = (
        select(t, p.c.code.label("programme_code"), a.c.code.label("activity_code"))
        .join(a, a.c.id == t.c.activity_id)
        .join(p, p.c.id == a.c.programme_id)
        .order_by(t.c.id)
    )
    yield from (dict(r) for r in conn.execute(query).mappings())


def collect(conn: Connection) -> dict[str, tuple[list[str], list[Row]]]:
    """Every table as (header, rows) in the import formats."""
    tables: dict[str, tuple[list[str], list[Row]]] = {}
    sources = {
        "admin_units": lambda: export_rows(conn),
        "programmes": lambda: list(_programmes(conn)),
        "solutions": lambda: list(_solutions(conn)),
        "indicators": lambda: list(_indicators(conn)),
        "targets": lambda: list(_by_indicator(conn, Target)),
        "observations": lambda: list(_by_indicator(conn, Observation)),
        "expenditures": lambda: list(_by_programme(conn, Expenditure)),
        "activities": lambda: list(_activities(conn)),
        "enterprises": lambda: list(_enterprises(conn)),
        "enterprise_reports": lambda: list(_by_enterprise(conn, EnterpriseReport, False)),
        "activity_participants": lambda: list(_participants(conn)),
        "activity_results": lambda: list(_by_enterprise(conn, ActivityResult, True)),
    }
    for fmt in TABLES:
        if fmt.name == "survey":
            variables, rows = _survey(conn)
            tables[fmt.name] = (fmt.names + variables, rows)
        else:
            tables[fmt.name] = (fmt.names, sources[fmt.name]())
    return tables


def _value(fmt: TableFormat, name: str, row: Row) -> Any:
    value = row.get(name)
    if name in fmt.names and fmt.column(name).kind is Kind.PERIOD and value is not None:
        return str(value)
    return value


def _csv_field(value: Any) -> str:
    """A CSV field; text a spreadsheet would run as a formula gets an apostrophe (spreadsheet_text)."""
    shown = cell_text(value)
    return to_csv(shown) if isinstance(value, str | list) else shown


def write_csv_folder(tables: dict[str, tuple[list[str], list[Row]]], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in TABLES:
        header, rows = tables[fmt.name]
        path = folder / f"{fmt.name}.csv"
        with _replacing(path) as partial, partial.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow([_csv_field(_value(fmt, name, row)) for name in header])
        written.append(path)
    return written


def write_workbook(tables: dict[str, tuple[list[str], list[Row]]], path: Path) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    path.parent.mkdir(parents=True, exist_ok=True)
    # the file is opened before the workbook is built, so an unwritable place fails before any work
    with _replacing(path) as partial, partial.open("wb") as fh:
        workbook = Workbook(write_only=True)
        for fmt in TABLES:
            header, rows = tables[fmt.name]
            sheet = workbook.create_sheet(fmt.name)
            sheet.append(header)
            numeric = {
                c.name for c in fmt.columns if c.kind in (Kind.NUMBER, Kind.MONEY, Kind.INT, Kind.YEAR)
            }
            for row in rows:
                out = []
                for name in header:
                    value = _value(fmt, name, row)
                    keep_number = (name in numeric or name not in fmt.names) and isinstance(
                        value, int | float
                    )
                    if keep_number and not isinstance(value, bool):
                        out.append(value)
                        continue
                    shown = cell_text(value)
                    if shown and formula_like(shown):  # a string cell: text, never a formula
                        cell = WriteOnlyCell(sheet, value=shown)
                        cell.data_type = "s"
                        out.append(cell)
                    else:
                        out.append(shown or None)
                sheet.append(out)
        workbook.save(fh)
    return [path]


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it only once it is completely written.

    An export that fails half-way (disk full, interrupted) leaves the previous file as it was.
    """
    partial = path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def export_path(engine: Engine, path: Path) -> list[Path]:
    """Write every table to ``path``: a .xlsx workbook if it ends in .xlsx, else a folder of CSV files.

    Each file is written whole or not at all (a temporary file renamed into place).

    Raises:
        OutputError: ``path`` names a single CSV or another kind of file, or cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix != ".xlsx" and (suffix in {".csv", ".xls", ".xlsm", ".ods", ".txt"} or path.is_file()):
        raise OutputError(
            message("ingest.export.export_holds_tables_which", path=path, n=len(TABLES)),
            hint=message("ingest.export.give_name_ending_xlsx"),
        )
    with engine.connect() as conn:
        tables = collect(conn)
    try:
        if suffix == ".xlsx":
            return write_workbook(tables, path)
        return write_csv_folder(tables, path)
    except OSError as exc:
        raise OutputError(
            message("ingest.export.cannot_write", path=path, reason=exc.strerror or exc),
            hint=message("ingest.export.choose_place"),
        ) from None
