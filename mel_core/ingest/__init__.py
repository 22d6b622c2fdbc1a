"""Import and export of the workbook formats (DESIGN.md): check everything, then write all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select
from sqlmodel import SQLModel

from mel_core import audit
from mel_core.errors import ImportValidationError, Problem
from mel_core.ingest.export import export_path
from mel_core.ingest.formats import TABLES
from mel_core.ingest.load import Progress, Provenance, known_from_store, load
from mel_core.ingest.sources import Source, open_source
from mel_core.ingest.validate import Batch, Known, sort_problems, validate
from mel_core.store import (
    Activity,
    ActivityParticipant,
    ActivityResult,
    AdminUnit,
    Enterprise,
    EnterpriseReport,
    Expenditure,
    Indicator,
    Observation,
    Programme,
    SurveyRecord,
    Target,
    table_of,
    writer_transaction,
)
from mel_core.store.programmes import Solution
from mel_core.trade.checks import import_warnings

_MODELS: dict[str, type[SQLModel]] = {
    "admin_units": AdminUnit,
    "programmes": Programme,
    "solutions": Solution,
    "indicators": Indicator,
    "targets": Target,
    "observations": Observation,
    "expenditures": Expenditure,
    "activities": Activity,
    "survey": SurveyRecord,
    "enterprises": Enterprise,
    "enterprise_reports": EnterpriseReport,
    "activity_participants": ActivityParticipant,
    "activity_results": ActivityResult,
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
    #: Figures typed in that disagree with what the records count (trade promotion, seed 000): reported, not
    #: refused (:mod:`mel_core.trade.checks`).
    warnings: list[Problem] = field(default_factory=list)


#: The step an import reports once its rows are checked, while it waits for its turn to write.
WAITING_TO_WRITE = "waiting for the store: one import writes at a time"

#: A rule beyond the formats' own (the portal's scope of a contributor): the problems of a checked batch, given
#: the store through a connection and the file or sheet each table was read from. Its rows may hold None where
#: a cell had a problem of its own.
ExtraCheck = Callable[[Connection, Batch, Mapping[str, str]], list[Problem]]
#: Work done in the writing transaction before the rows are written (a submission's change of state); raising
#: rolls the whole import back.
BeforeWrite = Callable[[Connection], None]


def check_path(
    engine: Engine, path: Path, progress: Progress | None = None, *, also: ExtraCheck | None = None
) -> tuple[Batch, dict[str, str]]:
    """Read and validate ``path`` against the store; raise with every problem if there is any.

    ``also``: a further rule whose problems are listed with the formats' own.
    """
    batch, sources, _source, _known = _checked(engine, path, progress, also)
    return batch, sources


def _checked(
    engine: Engine, path: Path, progress: Progress | None, also: ExtraCheck | None = None
) -> tuple[Batch, dict[str, str], Source, Known]:
    source = open_source(Path(path), progress)
    if progress:
        progress("checking every cell", 0, 0)
    with engine.connect() as conn:
        known = known_from_store(conn)
    batch = validate(source, known)
    sources = {name: t.source for name, t in source.tables.items()}
    if also is not None:
        with engine.connect() as conn:
            extra = also(conn, batch, sources)
        if extra:
            batch.problems = sort_problems(source, batch.problems + extra)
    if batch.problems:
        raise ImportValidationError(batch.problems, str(path))
    return batch, sources, source, known


def import_path(
    engine: Engine,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
    provenance: Provenance | None = None,
    also: ExtraCheck | None = None,
    before_write: BeforeWrite | None = None,
) -> ImportReport:
    """Import a folder of CSV files or one .xlsx workbook into the store: all rows or none.

    Every row is checked first, without holding up anyone. Then the import waits for its turn to write (one
    import writes at a time) and, if another one changed the store meanwhile, checks the rules that span rows
    again (parents and their cycles, references to programmes and indicators, objectives) inside the writing
    transaction, so two imports never break a rule together; the counts of new rows are taken inside it too.
    The import is an event of the audit trail (``actor``: who; default the account at the terminal).

    Args:
        provenance: who the figures come from (observations, targets and expenditures); default: ``actor``
            (or the account at the terminal) as submitter, no approver, no submission.
        also: a further rule (:data:`ExtraCheck`), checked with the rows and again inside the writing
            transaction, against the store as it is then.
        before_write: called inside the writing transaction once every check has passed, before any row is
            written: what it changes is committed with the rows or rolled back with them.

    Raises:
        ImportValidationError: with every problem found (file or sheet, row, column, value, reason);
            nothing was written.
    """
    batch, sources, source, known = _checked(engine, path, progress, also)
    report = ImportReport(Path(path), dry_run)
    names = [t.name for t in TABLES if t.name in batch.records]
    if dry_run:
        report.tables = [TableReport(n, sources[n], len(batch.records[n])) for n in names]
        with engine.connect() as conn:
            report.warnings = import_warnings(conn, batch, sources)
        return report
    if progress:
        progress(WAITING_TO_WRITE, 0, 0)
    with writer_transaction(engine) as conn:
        now = known_from_store(conn)
        if now != known:  # another import wrote since the check: what it wrote may clash with these rows
            if progress:
                progress("checking again: the store changed meanwhile", 0, 0)
            batch = validate(source, now)
            if batch.problems:
                raise ImportValidationError(batch.problems, str(path))
        if also is not None:  # what it rests on (programmes' provinces, say) may have changed since the check
            extra = also(conn, batch, sources)
            if extra:
                raise ImportValidationError(sort_problems(source, extra), str(path))
        if before_write is not None:
            before_write(conn)
        del source  # the cells as read are not needed any more: the write's peak memory stays what it was
        before = {
            n: conn.execute(select(func.count()).select_from(table_of(_MODELS[n]))).scalar_one()
            for n in names
        }
        warnings = import_warnings(conn, batch, sources)
        load(conn, batch, progress, provenance or Provenance(submitted_by=actor or audit.cli_actor()))
        after = {
            n: conn.execute(select(func.count()).select_from(table_of(_MODELS[n]))).scalar_one()
            for n in names
        }
        counts = {n: {"rows": len(batch.records[n]), "new": after[n] - before[n]} for n in names}
        audit.record(
            conn, "data.import", "import", Path(path).name, actor=actor, after=counts, note=str(path)
        )
    report.tables = [TableReport(n, sources[n], len(batch.records[n]), after[n] - before[n]) for n in names]
    report.warnings = warnings
    return report


__all__ = [
    "WAITING_TO_WRITE",
    "BeforeWrite",
    "ExtraCheck",
    "ImportReport",
    "Provenance",
    "TableReport",
    "check_path",
    "export_path",
    "import_path",
]
