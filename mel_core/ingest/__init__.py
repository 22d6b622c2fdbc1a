"""Import and export of the workbook formats (DESIGN.md): check everything, then write all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from mel_core.errors import ImportValidationError
from mel_core.ingest.export import export_path
from mel_core.ingest.formats import TABLES
from mel_core.ingest.load import Progress, known_from_store, load
from mel_core.ingest.sources import open_source
from mel_core.ingest.validate import Batch, validate
from mel_core.store import (
    Activity,
    Expenditure,
    Indicator,
    Observation,
    Programme,
    SurveyRecord,
    Target,
    table_of,
)

_MODELS: dict[str, type[SQLModel]] = {
    "programmes": Programme,
    "indicators": Indicator,
    "targets": Target,
    "observations": Observation,
    "expenditures": Expenditure,
    "activities": Activity,
    "survey": SurveyRecord,
}


@dataclass
class TableReport:
    name: str
    source: str
    rows: int
    new: int | None = None  # None on a dry run

    @property
    def updated(self) -> int | None:
        return None if self.new is None else self.rows - self.new


@dataclass
class ImportReport:
    path: Path
    dry_run: bool
    tables: list[TableReport] = field(default_factory=list)


def check_path(engine: Engine, path: Path, progress: Progress | None = None) -> tuple[Batch, dict[str, str]]:
    """Read and validate ``path`` against the store; raise with every problem if there is any."""
    source = open_source(Path(path), progress)
    if progress:
        progress("checking every cell", 0, 0)
    with engine.connect() as conn:
        known = known_from_store(conn)
    batch = validate(source, known)
    if batch.problems:
        raise ImportValidationError(batch.problems, str(path))
    return batch, {name: t.source for name, t in source.tables.items()}


def import_path(
    engine: Engine, path: Path, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a folder of CSV files or one .xlsx workbook into the store: all rows or none.

    Raises:
        ImportValidationError: with every problem found (file or sheet, row, column, value, reason);
            nothing was written.
    """
    batch, sources = check_path(engine, path, progress)
    report = ImportReport(Path(path), dry_run)
    names = [t.name for t in TABLES if t.name in batch.records]
    if dry_run:
        report.tables = [TableReport(n, sources[n], len(batch.records[n])) for n in names]
        return report
    with engine.begin() as conn:
        before = {
            n: conn.execute(select(func.count()).select_from(table_of(_MODELS[n]))).scalar_one()
            for n in names
        }
        load(conn, batch, progress)
        after = {
            n: conn.execute(select(func.count()).select_from(table_of(_MODELS[n]))).scalar_one()
            for n in names
        }
    report.tables = [TableReport(n, sources[n], len(batch.records[n]), after[n] - before[n]) for n in names]
    return report


__all__ = ["ImportReport", "TableReport", "check_path", "export_path", "import_path"]
