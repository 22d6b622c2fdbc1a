"""``mel book build``: the year's book as a static website (and a PDF), built offline.

Steps: read and check the year's content (:mod:`mel_core.book.content`), write the Jupyter Book source
(:mod:`mel_core.book.source`) into ``OUT/source``, build it with Jupyter Book 1.x's Sphinx build in a
subprocess (:mod:`mel_core.book.sphinx_build`: warnings are errors, nothing is executed) into ``OUT/html``,
and with ``pdf`` build a single-page edition into ``OUT/.singlehtml`` and print it to ``OUT/<name>.pdf`` with
headless Chromium (Debian's ``chromium``; fonts with Vietnamese glyphs, such as DejaVu, must be installed).

Builds are incremental: only pages whose source changed are read again. What the book no longer publishes (a
lesson withdrawn or made internal, an evaluation superseded, a file made internal) leaves the output folder with
the build: its pages, doctrees, notebook copies, images, downloads and search words (:mod:`mel_core.book.sphinx_ext`),
the copy of an attached file, and, on a build without a PDF, the previous printed edition. The website works from ``file://``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from mel_core.adapters import sphinx_search
from mel_core.book.cache import BuildCache
from mel_core.book.content import read_content
from mel_core.book.source import write_source
from mel_core.config import PACKAGE_DIR
from mel_core.errors import BookBuildError, ConfigurationError
from mel_core.i18n import message

LANGUAGES = ("vi", "en")
#: A build that takes longer than this is stopped (a 500-lesson year builds in well under a minute).
TIMEOUT_S = 1800
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_PROBLEM = re.compile(r"(WARNING|ERROR|CRITICAL|SEVERE|Exception|Error)\b")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class BookResult:
    """What a build produced: the site's index page, the PDF (or None), and counts and timings."""

    year: int | str  # a year, or the span of the cumulative edition (2013–2026)
    lang: str
    out: Path
    index: Path
    pdf: Path | None
    evaluations: int
    lessons: int
    changed: list[str]
    seconds: float
    held: list[str] = field(default_factory=list)
    attachments: int = 0

    def summary(self) -> str:
        lines = [
            message(
                "book.messages.summary",
                year=self.year,
                lang=self.lang,
                evaluations=self.evaluations,
                lessons=self.lessons,
                attachments=self.attachments,
                seconds=self.seconds,
            ),
            message("book.messages.website", index=self.index),
        ]
        if self.held:
            lines.append(message("book.messages.held_back", held=", ".join(self.held)))
        if self.pdf is not None:
            lines.append(message("book.messages.pdf", pdf=self.pdf))
        return "\n".join(lines)


def skeleton_dir() -> Path:
    """The hand-kept pages (``book/``): the working directory's when it has them, else the packaged copy."""
    local = Path.cwd() / "book"
    if (local / "foreword.vi.md").is_file() or (local / "foreword.en.md").is_file():
        return local
    packaged = PACKAGE_DIR / "_book"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "book"


def default_out(year: int | str, lang: str) -> Path:
    """``book/_build/<year>/`` for a Vietnamese book, ``book/_build/<year>-en/`` for an English one (``all`` for the
    cumulative edition)."""
    return Path("book") / "_build" / (str(year) if lang == "vi" else f"{year}-{lang}")


def build_book(
    engine: Engine,
    year: int,
    *,
    lang: str = "vi",
    out: Path | None = None,
    lessons_dir: Path | None = None,
    skeleton: Path | None = None,
    pdf: bool = False,
    progress: Callable[[str], None] | None = None,
    evaluation_year: int | None = None,
    all_years: bool = False,
    home: Path | None = None,
) -> BookResult:
    """Build the book of ``year``; raises BookInputError (bad inputs) or BookBuildError (Sphinx, Chromium).

    The evaluations are those that succeeded in ``evaluation_year`` (default ``year``). ``all_years``: the
    cumulative edition, every year's published lessons and evaluations in one book (``book/_build/all/``).
    The public files attached to what the book holds are copied from ``home``'s ``attachments/`` (default
    ``MEL_HOME``).
    """
    if lang not in LANGUAGES:
        raise ConfigurationError(message("book.messages.unknown_language", lang=lang))
    started = time.perf_counter()
    say_progress = progress or (lambda _: None)
    edition = "all" if all_years else str(year)
    out = (out or default_out(edition, lang)).resolve()
    say_progress(message("book.messages.reading"))
    cache = BuildCache(out / ".mel-book-cache.json")
    content = read_content(
        engine,
        year,
        lessons_dir,
        evaluation_year=evaluation_year,
        cache=cache,
        all_years=all_years,
        home=home,
    )
    say_progress(message("book.messages.writing"))
    written = write_source(content, out / "source", lang, skeleton or skeleton_dir(), cache=cache)
    written.prune()
    cache.save()
    say_progress(message("book.messages.building_website"))
    # the build deletes the pages, doctrees and search words of source pages that are gone (sphinx_ext)
    _sphinx(out / "source", out / "html", "html")
    pdf_path = None
    if not pdf:
        _remove_print_edition(out, out / f"mel-book-{edition}-{lang}.pdf")
    else:
        say_progress(message("book.messages.building_print"))
        # the print edition has every lesson in full on its kind's page (a single-page build leaves out pages
        # that are not in the table of contents, as the web edition's lesson pages are)
        printed = write_source(
            content, out / ".print-source", lang, skeleton or skeleton_dir(), edition="print"
        )
        printed.prune()
        cache.save()
        _sphinx(out / ".print-source", out / ".singlehtml", "singlehtml")
        # the theme's page template loads searchindex.js, which a single-page build does not write: a missing
        # file is a console error while printing, so the printed edition gets an empty one
        stub = out / ".singlehtml" / "searchindex.js"
        if not stub.is_file():
            stub.write_text("/* The printed edition has no search. */\n", encoding="utf-8")
        pdf_path = out / f"mel-book-{edition}-{lang}.pdf"
        say_progress(message("book.messages.printing_pdf"))
        print_pdf(out / ".singlehtml" / "index.html", pdf_path)
    return BookResult(
        year=content.span if all_years else year,
        lang=lang,
        out=out,
        index=out / "html" / "index.html",
        pdf=pdf_path,
        evaluations=len(content.evaluations),
        lessons=len(content.lessons),
        changed=written.changed,
        seconds=time.perf_counter() - started,
        held=content.held_lessons,
        attachments=len(content.attachments),
    )


def _remove_print_edition(out: Path, pdf: Path) -> None:
    """Delete the printed edition a previous build left (``--pdf``): it no longer matches the website, and it
    could still hold a lesson withdrawn since."""
    for name in (".print-source", ".singlehtml", ".doctrees-singlehtml"):
        shutil.rmtree(out / name, ignore_errors=True)
    pdf.unlink(missing_ok=True)


def _sphinx(source: Path, output: Path, builder: str) -> None:
    source, output = source.resolve(), output.resolve()
    sphinx_search.check()  # a Sphinx outside the adapter's range: the warning is shown here, in mel's process
    command = [sys.executable, "-m", "mel_core.book.sphinx_build", str(source), str(output), builder]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYDEVD_DISABLE_FILE_VALIDATION": "1", "NO_COLOR": "1"}
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT_S,
            env=env,
            cwd=source,  # Sphinx finds the browser catalogue of locale_dirs relative to the working directory
        )
    except subprocess.TimeoutExpired as exc:
        raise BookBuildError(
            message("book.messages.build_timeout", seconds=TIMEOUT_S),
        ) from exc
    if done.returncode != 0:
        # a page that warned is not read again by the next incremental build, so its warning would not be seen
        # again: the next build starts afresh
        shutil.rmtree(output.parent / f".doctrees-{builder}", ignore_errors=True)
        log = _ANSI.sub("", done.stderr + "\n" + done.stdout)
        lines = [line.strip() for line in log.splitlines() if _PROBLEM.search(line)]
        raise BookBuildError(
            message("book.messages.build_errors", builder=builder, count=len(lines))
            if lines
            else message("book.messages.build_error", builder=builder),
            hint=message("book.messages.build_failed_hint"),
            problems=lines[:50] or (done.stderr or done.stdout).strip().splitlines()[-20:],
        )


def find_chromium() -> str | None:
    """The Chromium to print with: ``MEL_CHROMIUM``, else the first of the usual names on PATH."""
    chosen = os.environ.get("MEL_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() or shutil.which(chosen) else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


#: Chromium flags for a headless, offline, throwaway run (no sandbox: CI runs as root; no background traffic).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)


def print_pdf(page: Path, pdf: Path) -> None:
    """Print ``page`` (a local HTML file) to ``pdf`` with headless Chromium."""
    chromium = find_chromium()
    if chromium is None:
        raise BookBuildError(
            message("book.messages.chromium_missing"),
            hint=message("book.messages.chromium_install_hint"),
        )
    pdf.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf.with_name(pdf.name + ".part")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="mel-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=20000",
            f"--print-to-pdf={partial}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=600)
        except subprocess.TimeoutExpired as exc:
            raise BookBuildError(message("book.messages.chromium_timeout")) from exc
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        raise BookBuildError(
            message("book.messages.chromium_failed", returncode=done.returncode),
            problems=done.stderr.strip().splitlines()[-10:],
        )
    partial.replace(pdf)
