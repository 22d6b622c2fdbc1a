"""Where rows come from: a folder of CSV files or one .xlsx workbook, one table per file or sheet.

A source yields, per table, its header and its rows numbered as a spreadsheet shows them (header = 1), and
reports what is wrong with a file as a whole: beyond the limits of :mod:`mel_core.limits`, not UTF-8, empty,
unknown file or sheet names, two files or sheets for one table, formulas and merged cells (the importer reads
plain values only). The readers are :mod:`~mel_core.ingest.csv_files` and :mod:`~mel_core.ingest.workbook`;
the rows they read, :mod:`~mel_core.ingest.tables`.
"""

from __future__ import annotations

from pathlib import Path

from mel_core.errors import ImportValidationError, MelError, Problem
from mel_core.i18n import message
from mel_core.ingest.csv_files import read_csv
from mel_core.ingest.formats import BY_NAME
from mel_core.ingest.tables import IGNORED_PREFIX, PROGRESS_EVERY, Progress, Source, Table, gc_paused
from mel_core.ingest.workbook import read_xlsx

GIVE_A_FOLDER = message("ingest.sources.give_a_folder")


# ---------------------------------------------------------------------------------------------------- open


def open_source(path: Path, progress: Progress | None = None) -> Source:
    """Read every table at ``path`` (a folder of CSV files, one .csv file, or one .xlsx workbook).

    ``progress(label, rows_read, total)`` is told how the reading goes (total 0 when not known).

    Raises:
        MelError: the path does not exist or is of a kind the importer does not read.
        ImportValidationError: the folder holds no table at all.
    """
    path = Path(path)
    if not path.exists():
        raise MelError(message("ingest.sources.does_not_exist", path=path), hint=GIVE_A_FOLDER)
    with gc_paused():
        return _read_path(path, progress)


def _read_path(path: Path, progress: Progress | None) -> Source:
    source = Source(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.strip().lower() == ".csv")
        if not files:
            raise ImportValidationError(
                [
                    Problem(
                        str(path),
                        0,
                        "",
                        "",
                        message(
                            "ingest.sources.no_csv_files_folder",
                            files=", ".join(f"{n}.csv" for n in BY_NAME),
                        ),
                    )
                ],
                str(path),
            )
        for file in files:
            read_csv(file, source, progress)
    elif path.suffix.lower() == ".csv":
        read_csv(path, source, progress)
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        read_xlsx(path, source, progress)
    else:
        raise MelError(
            message("ingest.sources.cannot_import", path=path, suffix=path.suffix)
            if path.suffix
            else message("ingest.sources.cannot_import_file_without", path=path),
            hint=message("ingest.sources.give_folder_csv_files"),
        )
    return source


__all__ = [
    "IGNORED_PREFIX",
    "PROGRESS_EVERY",
    "Progress",
    "Source",
    "Table",
    "gc_paused",
    "open_source",
    "read_csv",
    "read_xlsx",
]
