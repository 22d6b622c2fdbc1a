"""``mel demo``: the main job on the embedded sample."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from mel_core.config import Settings, sample_lessons_dir
from mel_core.i18n import language


def demo(
    workers: int = typer.Option(
        min(2, os.cpu_count() or 1), "--workers", "-w", min=1, help="Evaluation notebooks run at once."
    ),
    out: Path = typer.Option(
        None, "--out", help="Folder of the evaluation records (default notebooks/evaluations here)."
    ),
    book: bool = typer.Option(True, "--book/--no-book", help="Build the sample year's book at the end."),
    pdf: bool = typer.Option(
        True, "--pdf/--no-pdf", help="Print the book's PDF too (when Chromium is there)."
    ),
) -> None:
    """Build a fresh SQLite store (MEL_HOME/mel.db) from the embedded, illustrative sample workbook and summarise it.

    The sample (dữ liệu minh hoạ) holds programmes of the kinds in the source documents: breeding cattle and
    goats for poor households, crop and forestry models, vocational training, trade promotion, governance and an
    NGO livelihood model, with results frameworks, targets, observations, expenditures, activities and surveys.

    It creates one portal account per role (reader@example.org …) with random passwords printed once at the
    end, ingests the sample lessons (lessons/; the demo reviewer publishes those whose file says published, the
    others wait in the review queue), evaluates every sample programme on every criterion (executed notebooks
    and their HTML under notebooks/evaluations/, ratings, findings and recommendations in the store), builds
    the search index (MEL_HOME/index) over lessons, programmes and the evaluations' findings, builds the sample
    year's book (book/_build/<year>/html/index.html, and its PDF when Chromium is there), and says how to
    serve the portal (mel serve).

    Example: mel demo  (elsewhere: MEL_HOME=/tmp/mel-demo mel demo --out /tmp/mel-demo/evaluations)
    """
    from rich import box
    from rich.table import Table

    from mel_core.config import load_settings
    from mel_core.demo.run import run_demo
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    console = Console()
    settings = load_settings()
    console.print(
        f"Sample workbook (illustrative data / dữ liệu minh hoạ): {SAMPLE_WORKBOOK}", soft_wrap=True
    )
    with console.status("Creating the store and importing the sample …"):
        result = run_demo(settings)
    table = Table(
        title="Programmes in the store (illustrative sample)",
        caption="survey: respondent rounds · disbursed: million VND",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("code", no_wrap=True)
    table.add_column("years", no_wrap=True)
    for column in ("indicators", "observations", "survey", "disbursed"):
        table.add_column(column, justify="right")
    for p in result.programmes:
        table.add_row(
            p.code,
            p.years,
            str(p.counts.get("indicators", 0)),
            str(p.counts.get("observations", 0)),
            str(p.counts.get("survey records", 0)),
            f"{p.disbursed_million_vnd:,.0f}",
        )
    console.print(table)
    for p in result.programmes:
        console.print(f"  {p.code:<15} {p.title}", soft_wrap=True)
        console.print(f"  {'':<15} {p.sector} · {'; '.join(p.provinces)}", soft_wrap=True, style="dim")
    console.print()
    for t in result.report.tables:
        if t.rows:  # the sample workbook's empty sheets (enterprises …): their rows come in the lines below
            console.print(f"  {t.name:<13} {t.rows:>7} rows")
    if result.trade is not None:
        rows = ", ".join(f"{t.rows} {t.name}" for t in result.trade.tables if t.rows)
        console.print(
            f"  {'trade':<13} the illustrative trade-promotion programme XTTM (seed 000; fictitious enterprises):"
            f" {rows}. Reports: mel trade report quarterly XTTM-T11 --period 2026-Q3 · mel trade report sector"
            " XTTM --period 2026 · mel trade indicators XTTM-T11 --period 2026",
            soft_wrap=True,
        )
        for warning in result.trade.warnings:  # the one figure typed in that disagrees on purpose
            console.print(f"  {'':<13} {warning.render(language())}", soft_wrap=True, style="dim")
    if result.frameworks:
        console.print(
            f"  {'frameworks':<13} the plan of Điện Biên as the manual draws it (objectives, solutions, indicators"
            " in their own sectors, every field, a plan adjusted in July 2013): "
            f"{' · '.join(str(p) for p in result.frameworks)}. More: mel report annual --province 11 --sector"
            " agriculture --period 2013 · mel report five-year --province 11 --period 2011-2015",
            soft_wrap=True,
        )
    if result.levels is not None:
        rows = ", ".join(f"{t.rows} {t.name}" for t in result.levels.tables if t.rows)
        console.print(
            f"  {'levels':<13} Điện Biên's districts and communes (illustrative; the 2025 mergers) and quarterly"
            f" figures: {rows}. Written: {' · '.join(str(p) for p in result.reports)}. More: mel report annual"
            " --commune 11-NS --period 2015 · mel report compare GOPA --period 2013 · mel report commune-plan"
            " --commune 11-NS --year 2026",
            soft_wrap=True,
        )
    if result.lessons is not None:
        console.print(
            f"  {'lessons':<13} {len(result.lessons.added):>7} files ({sample_lessons_dir()}):"
            f" {len(result.lessons.published)} published by the demo reviewer; the others are drafts or wait in"
            " the review queue",
            soft_wrap=True,
        )
    console.print(f"Store: {result.db_url}", soft_wrap=True)
    _evaluate(console, settings, out, workers)
    _index(console, settings)
    if book:
        _book(console, settings, pdf)
    _portal(console, settings, result.accounts)
    console.print(
        "Next: mel evaluate show DB-BSS-2011  ·  mel export sample-out.xlsx  ·  mel --help", soft_wrap=True
    )


def _portal(console: Console, settings: Settings, accounts: dict[str, str]) -> None:
    """Show the demo's accounts (one per role) and say how to serve the portal on the demo store."""
    console.print(
        "Portal accounts of the demo store, one per role (passwords shown only this once;"
        " tài khoản thử, mật khẩu chỉ hiện một lần):",
        soft_wrap=True,
    )
    for email, password in accounts.items():
        console.print(f"  {email:<26} {password}", soft_wrap=True, highlight=False)
    home = "" if settings.home.resolve() == (Path.cwd() / ".mel").resolve() else f"MEL_HOME={settings.home} "
    console.print(
        f'Serve the knowledge base: {home}mel serve  → open http://127.0.0.1:8000 and search "giam ngheo"',
        soft_wrap=True,
        highlight=False,
    )


def _book(console: Console, settings: Settings, pdf: bool) -> None:
    """Build the sample year's book (and its PDF when Chromium is there) and print where it is."""
    from mel_core.book.build import find_chromium
    from mel_core.demo.run import SAMPLE_YEAR, demo_book
    from mel_core.i18n import render

    with_pdf = pdf and find_chromium() is not None
    with console.status(f"Building the {SAMPLE_YEAR} book …") as status:
        result = demo_book(settings, pdf=with_pdf, progress=lambda m: status.update(render(m) + " …"))
    console.print(render(result.summary()), soft_wrap=True)
    if pdf and not with_pdf:
        console.print(
            "No PDF: Chromium was not found (Debian: apt-get install chromium fonts-dejavu-core;"
            " or set MEL_CHROMIUM).",
            soft_wrap=True,
        )
    console.print(
        f'Open {result.index} and search "giam ngheo"; the lesson finder is in the book\'s lessons part.',
        soft_wrap=True,
    )


def _index(console: Console, settings: Settings) -> None:
    """Build the search index of the demo store and show a search to try."""
    from mel_core.demo.run import demo_index
    from mel_core.i18n import render

    with console.status("Building the search index …"):
        report = demo_index(settings)
    console.print(render(report.summary()), soft_wrap=True)
    console.print(
        'Try: mel kb search "giam ngheo chan nuoi"  ·  mel kb search "replication" --province 45',
        soft_wrap=True,
    )


def _evaluate(console: Console, settings: Settings, out: Path | None, workers: int) -> None:
    """Evaluate every sample programme with a progress bar, then list the ratings and where the notebooks are."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mel_core.cli.outcomes import print_outcomes
    from mel_core.demo.run import demo_evaluations
    from mel_core.evaluations.runner import default_output_root
    from mel_core.i18n import language

    lang = language()
    root = (out or default_output_root()).resolve()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("Evaluating the sample programmes", total=None)

        def progress(programme: str, criterion: str, state: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{programme} · {criterion}")

        outcomes = demo_evaluations(settings, root, workers=workers, lang=lang, progress=progress)
    print_outcomes(outcomes, lang)
    console.print(f"Evaluations (notebooks and HTML): {root}", soft_wrap=True)
