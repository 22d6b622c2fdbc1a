"""``mel init``, ``mel import`` and ``mel export``: the store and the workbook formats."""

from __future__ import annotations

from pathlib import Path

import typer

from mel_core.cli.store import current_store, store_engine
from mel_core.i18n import language, message, render


def init() -> None:
    """Create or upgrade the store (Alembic) and load reference data (provinces, taxonomy).

    The store is MEL_DB_URL if set, else .mel/mel.db (SQLite) under MEL_HOME.

    Example: mel init  (a team store: MEL_DB_URL=postgresql://mel@localhost/mel mel init)
    """
    from mel_core.reference import init_store
    from mel_core.store.migrate import current_revision

    engine = store_engine()
    init_store(engine)
    revision, url = current_revision(engine), engine.url.render_as_string()
    typer.echo(render(message("cli.data.store_ready", revision=revision, url=url)))


def import_(
    path: Path = typer.Argument(
        ..., help="A folder of CSV files (programmes.csv, indicators.csv …) or one .xlsx workbook."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything and report; write nothing."),
) -> None:
    """Import programmes, indicators, targets, observations, expenditures, activities and survey records.

    Every row is checked first; if any has a problem, every problem is listed (file or sheet, row, column,
    value, reason) and nothing is written. Re-importing the same rows updates them, never duplicates.

    Example: mel import data/dien-bien-2015.xlsx --dry-run
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from mel_core.ingest import import_path

    engine = current_store()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                for earlier in tasks.values():  # one step at a time: the one before is over
                    bar.remove_task(earlier)
                tasks.clear()
                tasks[label] = bar.add_task(label, total=total or None)
            bar.update(tasks[label], completed=done, total=total or None)

        report = import_path(engine, path, dry_run=dry_run, progress=progress)
    for t in report.tables:
        if t.new is None:
            line = message("cli.data.rows_from", rows=t.rows, source=t.source)
        else:
            line = message(
                "cli.data.rows_new_updated", rows=t.rows, new=t.new, updated=t.updated, source=t.source
            )
        typer.echo(f"  {t.name:<21} {render(line)}")
    for warning in report.warnings:
        typer.echo(warning.render(language()), err=True)
    if report.warnings:
        count = len(report.warnings)
        typer.echo(render(message("cli.data.typed_figure_warnings", count=count)))
    total = sum(t.rows for t in report.tables)
    if dry_run:
        summary = message("cli.data.dry_run_ok", path=path, total=total)
    else:
        summary = message("cli.data.imported_ok", path=path, total=total)
    typer.echo(render(summary))


def export(
    path: Path = typer.Argument(..., help="A folder for CSV files, or a file name ending in .xlsx."),
) -> None:
    """Write the store back out in the import formats (round trip: import → export → import changes nothing).

    Example: mel export backup/2026-11.xlsx
    """
    from mel_core.ingest import export_path

    engine = current_store()
    for written in export_path(engine, path):
        typer.echo(render(message("cli.data.wrote", written=written)))
