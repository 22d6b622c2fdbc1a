"""The rows read from one CSV file or sheet, and what every reader shares: naming a table, adding its rows
within the limits, one table per name.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mel_core.errors import Problem
from mel_core.i18n import message
from mel_core.ingest.cells import Raw
from mel_core.limits import Limits, setting
from mel_core.text import clean_cell

IGNORED_PREFIX = "_"  # sheets like `_about` carry notes for people and are not imported

#: ``progress(label, done, total)``: how a long step goes (total 0 when it is not known).
Progress = Callable[[str, int, int], None]
#: How many rows go by between two reports of progress while reading.
PROGRESS_EVERY = 5_000


@dataclass
class Table:
    """The rows of one table as read from one CSV file or sheet."""

    name: str
    source: str
    header: list[str]
    rows: list[tuple[int, list[Raw]]] = field(default_factory=list)


@dataclass
class Source:
    """Every table found at a path, and the problems of the files themselves, read within ``limits``."""

    path: Path
    tables: dict[str, Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits.from_environment)
    #: table name → the file or sheet that holds it (also for tables refused, so a third claim names the first)
    claimed: dict[str, str] = field(default_factory=dict)

    def claim(self, name: str, where: str, label: str) -> bool:
        """Whether ``where`` (a file or sheet, ``label`` as its name is written) may hold the table ``name``:
        False, with a problem naming both, when another file or sheet already holds it.

        Names are compared as tables are named (:func:`table_name`: case and surrounding spaces aside), so
        ``programmes.csv`` and ``PROGRAMMES.csv``, or sheets ``Targets`` and ``targets ``, would otherwise be
        one table read twice, the rows of one lost without a word.
        """
        first = self.claimed.setdefault(name, where)
        if first == where:
            return True
        self.problems.append(
            Problem(
                where,
                0,
                "",
                label,
                message("ingest.tables.holds_table_already_names", first=first, name=name),
            )
        )
        return False


def table_name(name: str) -> str:
    """The table a file stem or sheet name stands for: NFC, trimmed, case-folded."""
    return clean_cell(name).casefold()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds millions of objects that all stay alive.

    Each full collection walks every object built so far and frees none of them, which makes reading,
    checking and writing a large table several times slower. Reference counting still frees everything
    as usual; only the search for reference cycles waits until the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def trim(cells: list[Raw]) -> list[Raw]:
    """``cells`` without the empty ones at the end."""
    last = cells[-1] if cells else None
    if last.__class__ is str and last and not last.isspace():  # the usual case: nothing to trim
        return cells
    end = len(cells)
    while end:
        cell = cells[end - 1]
        if cell is None or (isinstance(cell, str) and not str(cell).strip()):
            end -= 1
        else:
            break
    return cells[:end]


def header(cells: list[Raw]) -> list[str]:
    return [clean_cell(str(c)) if c is not None else "" for c in trim(cells)]


def add_rows(
    table: Table,
    rows: Iterator[tuple[int, list[Raw]]],
    problems: list[Problem],
    limits: Limits,
    *,
    last_row: int | None = None,
    progress: Progress | None = None,
    total: int = 0,
) -> None:
    """Add the rows that hold anything to ``table``; stop, with a problem, at a row beyond ``limits`` (its
    number over ``limits.rows + 1``, or ``last_row`` if smaller; more than ``limits.columns`` cells)."""
    label = f"reading {table.source}"
    most = limits.rows + 1 if last_row is None else min(last_row, limits.rows + 1)
    columns = limits.columns
    number = 0
    for number, cells in rows:
        if number > most:
            problems.append(_beyond_rows(table, number, most, limits))
            break
        cells = trim(cells)
        if cells:  # blank lines (often at the end of a sheet) are not rows
            if len(cells) > columns:
                problems.append(_beyond_columns(table, number, len(cells), limits))
                break
            table.rows.append((number, cells))
        if progress and number % PROGRESS_EVERY == 0:
            progress(label, number, total)
    if progress:
        progress(label, number, number)


def too_wide(table: Table, limits: Limits) -> Problem | None:
    """A problem when the header has more columns than ``limits`` allow."""
    return (
        _beyond_columns(table, 1, len(table.header), limits) if len(table.header) > limits.columns else None
    )


def _beyond_rows(table: Table, number: int, most: int, limits: Limits) -> Problem:
    if most <= limits.rows:  # the sheet's own end
        reason = message("ingest.tables.row_beyond_last_row", number=number, most=most)
    else:
        variable = setting("rows")
        reason = message("ingest.tables.table_more_than_rows", rows=limits.rows, variable=variable)
    return Problem(table.source, number, "", "", reason)


def _beyond_columns(table: Table, number: int, width: int, limits: Limits) -> Problem:
    variable = setting("columns")
    return Problem(
        table.source,
        number,
        "",
        "",
        message(
            "ingest.tables.row_columns_most_read", width=width, columns=limits.columns, variable=variable
        ),
    )
