"""``mel book build``: the annual lessons-learned book (thin: mel_core.book does the work)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from mel_core.i18n import render, t

app = typer.Typer(
    help="The annual lessons-learned book: a website that works offline, and a PDF (Sách bài học kinh nghiệm).\n\n"
    "Example: mel book build --year 2026 --pdf",
    no_args_is_help=True,
)


@app.command("build")
def build(
    year: int = typer.Option(date.today().year, "--year", min=1990, max=2100, help="The year of the book."),
    lang: str = typer.Option("vi", "--lang", metavar="vi|en", help="Language of the book's own labels."),
    pdf: bool = typer.Option(
        False,
        "--pdf",
        help="Also print a PDF of the book (needs Chromium); without it, an earlier PDF is removed.",
    ),
    out: Path = typer.Option(
        None, "--out", help="Output folder (default book/_build/<year>/, book/_build/<year>-en/ in English)."
    ),
    lessons: Path = typer.Option(
        None, "--lessons", help="Folder of lesson files (default lessons/ here, else the sample lessons)."
    ),
    all_years: bool = typer.Option(
        False,
        "--all-years",
        help="The cumulative edition: every year's published lessons and evaluations (book/_build/all/).",
    ),
) -> None:
    """Build the book of YEAR from the store, the lesson files and the executed evaluation notebooks.

    The book holds the year's succeeded evaluations (a re-run replaces an earlier one of the same programme),
    their executed notebooks with the code hidden, the findings by criterion, the year's public lessons by
    kind and by province, a lesson finder, the recommendations and their status, the glossary, and the public
    files attached to its lessons, evaluations and programmes (copied from MEL_HOME/attachments, downloadable
    offline, their text in the book's search). Internal lessons and files, drafts and contact details never
    appear. Every lesson file is checked first, and the build
    fails with every problem listed. It runs Jupyter Book 1.x (Sphinx) with warnings as errors and executes
    nothing; a rebuild reads again only the pages that changed. Open OUT/html/index.html, also from a USB
    stick: the search box finds words typed without diacritics ("giam ngheo").

    With --all-years it builds the cumulative edition instead: every year's published lessons, succeeded
    evaluations and public attachments in one offline book, the archive a province keeps (what the
    programme's CD-ROM was).

    Example: mel book build --year 2026 --lang vi --pdf
    (the archive of every year: mel book build --all-years --pdf)
    """
    from rich.console import Console

    from mel_core.book.build import LANGUAGES, build_book
    from mel_core.cli.store import current_store
    from mel_core.config import load_settings, sample_lessons_dir

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: use vi or en", param_hint="--lang")
    folder = lessons
    if folder is None:
        folder = Path("lessons") if Path("lessons").is_dir() else sample_lessons_dir()
    engine = current_store()
    console = Console(stderr=True)
    with console.status(t("cli.book.building_book")) as status:
        result = build_book(
            engine,
            year,
            lang=lang,
            out=out,
            lessons_dir=folder,
            pdf=pdf,
            progress=lambda message: status.update(render(message) + " …"),
            all_years=all_years,
            home=load_settings().home,
        )
    typer.echo(render(result.summary()))
