"""Write a year's Jupyter Book source: ``_config.yml``, ``_toc.yml`` and the pages, from :class:`BookContent`.

Pages (docnames), in the order of the table of contents:

- ``index`` (the foreword) and ``about``, kept by hand in ``book/`` (``foreword.vi.md``, ``about.en.md`` …);
- ``overview``: programmes evaluated, provinces, ratings by criterion with a chart;
- ``criteria/<criterion>``: the year's ratings and findings on one criterion, across evaluations;
- ``evaluations/<code>``: one notebook per evaluation, its executed criterion notebooks put together with the
  code hidden and the outputs shown (one page per evaluation keeps the book small: a Sphinx theme renders the
  navigation into every page, so the build time grows faster than the number of pages);
- ``lessons/<theme>``: the lessons, each in full on the page of its first theme (lesson kind) and listed on
  the pages of its other themes; ``lessons/provinces``: the lessons by today's province, former names noted;
- ``lesson-finder``: filters by province, sector, theme and year (plain JavaScript over a data file);
- ``recommendations``, ``attachments`` (when the book carries files) and ``glossary``; ``attachments/a<id>``
  (web edition, out of the navigation as lesson pages are): one attached file, its download and its text,
  which the book's search finds. The files are copied into ``_attachments/<sha256>/<safe name>``
  (:mod:`mel_core.book.attachment_pages`).

Everything that comes from a lesson file or the store is escaped by :mod:`mel_core.book.myst`. A file is
written only when its content changed, and files that are no longer part of the book are removed, so that
Sphinx's incremental build reads again only the pages a change touched.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from mel_core.book import myst
from mel_core.book.attachment_pages import attachment_page, attachments_page, page_name
from mel_core.book.cache import BuildCache, digest, file_stamp
from mel_core.book.common import sort_key
from mel_core.book.content import BookAttachment, BookContent
from mel_core.book.evaluation_pages import (
    criterion_page,
    docname,
    evaluation_notebook,
    overview_page,
    rating_counts,
    ratings_chart,
    recommendations_page,
)
from mel_core.book.lesson_pages import (
    THEMES,
    finder_data,
    finder_page,
    kind_page,
    lesson_page,
    provinces_page,
)
from mel_core.config import kb_dir
from mel_core.i18n import catalogue, t
from mel_core.reference import taxonomy
from mel_core.vocabulary import CRITERIA

STATIC_FILES = ("mel-book.css",)


class SourceWriter:
    """Writes files under ``root`` only when their bytes change, and remembers what belongs to the book."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.kept: set[Path] = set()
        self.changed: list[str] = []

    def write(self, relative: str, data: str | bytes) -> None:
        path = self.root / relative
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.kept.add(path)
        if path.is_file() and path.read_bytes() == raw:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(raw)
        tmp.replace(path)
        self.changed.append(relative)

    def copy(self, relative: str, source: Path) -> None:
        """Copy the file ``source`` to ``relative``, unless a file of the same size is there: for a copy whose
        place is named by its content's hash (an attached file), the same size is the same file."""
        path = self.root / relative
        self.kept.add(path)
        if path.is_file() and path.stat().st_size == source.stat().st_size:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(path)
        self.changed.append(relative)

    def keep(self, relative: str) -> bool:
        """Keep ``relative`` as it is (True), or say it is missing (False: it must be written)."""
        path = self.root / relative
        if not path.is_file():
            return False
        self.kept.add(path)
        return True

    def prune(self) -> list[str]:
        """Remove files under ``root`` that this run did not write (pages of lessons or evaluations now gone)."""
        removed: list[str] = []
        for path in sorted(self.root.rglob("*"), reverse=True):
            if path.is_file() and path not in self.kept:
                path.unlink()
                removed.append(str(path.relative_to(self.root)))
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return removed


def write_source(
    content: BookContent,
    root: Path,
    lang: str,
    skeleton: Path,
    *,
    edition: str = "web",
    cache: BuildCache | None = None,
) -> SourceWriter:
    """Write the book's source for ``content`` under ``root`` in ``lang``; returns what was written.

    The ``web`` edition gives each lesson a page of its own (``lessons/all/<id>``), listed by the kind and
    province pages but kept out of the navigation: a changed lesson rebuilds one small page, and the sidebar
    (rendered into every page) does not grow with the number of lessons. The ``print`` edition puts each
    lesson in full on the page of its first kind, so the single-page build printed to PDF holds every lesson.
    """
    if edition not in ("web", "print"):
        raise ValueError(f"edition is web or print, not {edition!r}")
    web = edition == "web"
    out = SourceWriter(root)
    cache = cache or BuildCache(None)
    section = f"pages:{edition}:{lang}"

    def cached(relative: str, fingerprint: str, make: Callable[[], str | bytes]) -> None:
        """Write ``relative`` unless a previous build wrote it from the same inputs (the expensive pages)."""
        if cache.get(section, relative, fingerprint) is not None and out.keep(relative):
            return
        out.write(relative, make())
        cache.put(section, relative, fingerprint, 1)

    year = content.span
    terms = taxonomy()
    out.write("_config.yml", _config(year, lang))
    out.write("index.md", _hand_page(skeleton, "foreword", lang, t("book.book_title", lang, year=year)))
    out.write("about.md", _hand_page(skeleton, "about", lang, None))
    out.write("overview.md", overview_page(content, lang))
    counts = {
        c: sorted((str(k), v) for k, v in n.items()) for c, n in rating_counts(content.evaluations).items()
    }
    cached("_static/ratings.png", digest(counts, lang), lambda: ratings_chart(content.evaluations, lang))
    for criterion in CRITERIA:
        out.write(f"criteria/{criterion}.md", criterion_page(content, criterion, lang))
    for ev in content.evaluations:
        files = content.attachments_of("evaluation", ev.code) if web else []
        inputs = digest(asdict(ev), [file_stamp(path) for _, path in ev.notebooks], _listed(files), lang)
        notebook = partial(evaluation_notebook, ev, lang, files)
        cached(f"evaluations/{docname(ev.code)}.ipynb", inputs, notebook)
    for theme in THEMES:
        out.write(f"lessons/{theme}.md", kind_page(content, theme, lang, terms, web))
    if web:
        for lesson in content.lessons:
            files = content.attachments_of("lesson", lesson.key)
            inputs = digest(asdict(lesson), _listed(files), lang)
            cached(f"lessons/all/{lesson.key}.md", inputs, partial(lesson_page, lesson, lang, terms, files))
    if content.attachments:
        out.write("attachments.md", attachments_page(content, lang, web))
    if web:
        for attachment in content.attachments:
            out.copy(attachment.copy, attachment.stored)
            inputs = digest(asdict(attachment), lang, [e.code for e in content.evaluations])
            page = partial(attachment_page, attachment, lang, content)
            cached(f"{page_name(attachment)}.md", inputs, page)
    out.write("lessons/provinces.md", provinces_page(content, lang, web))
    out.write("lesson-finder.md", finder_page(lang))
    static = Path(__file__).resolve().parent / "static"
    # the finder's scripts are copied as they are (html_extra_path), not added to every page as _static/ files are
    out.write("_extra/finder/mel-lessons.js", finder_data(content, lang, terms, web))
    out.write("_extra/finder/mel-finder.js", (static / "mel-finder.js").read_bytes())
    out.write("recommendations.md", recommendations_page(content, lang))
    out.write("glossary.md", _glossary_page(lang))
    for name in STATIC_FILES:
        out.write(f"_static/{name}", (static / name).read_bytes())
    out.write("_toc.yml", _toc(content, lang))
    if lang == "vi":
        out.write("_locale/vi/LC_MESSAGES/sphinx.js", _vietnamese_search_messages())
    return out


#: Messages of Sphinx's search page that its Vietnamese catalogue leaves empty (the page would show nothing):
#: Sphinx's message → its Vietnamese, from ``sphinx_search`` of ``mel_core/catalogue/book.yml``.
SEARCH_MESSAGES_VI = {
    words["en"]: words["vi"] for key, words in catalogue().items() if key.startswith("book.sphinx_search.")
}


def _vietnamese_search_messages() -> str:
    """Sphinx's Vietnamese browser catalogue with its empty messages filled in (the rest fall back to English).

    Sphinx looks for ``<locale_dirs>/vi/LC_MESSAGES/sphinx.js`` before its own copy.
    """
    from mel_core.adapters.sphinx_search import vietnamese_catalogue

    return vietnamese_catalogue(SEARCH_MESSAGES_VI)


# ------------------------------------------------------------------------------------------------ config, toc
def _config(year: str, lang: str) -> str:
    config: dict[str, Any] = {
        "title": t("book.book_title", lang, year=year),
        "author": t("book.author", lang),
        "copyright": str(year),
        # lesson pages are outside the table of contents on purpose (see write_source); stale files are pruned
        "only_build_toc_files": False,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "html": {
            "use_repository_button": False,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "use_multitoc_numbering": False,
            "home_page_in_navbar": True,
            "search_bar_text": t("book.search_placeholder", lang),
        },
        "launch_buttons": {"notebook_interface": "classic", "binderhub_url": "", "thebe": False},
        "sphinx": {
            "extra_extensions": ["mel_core.book.sphinx_ext"],
            "config": {
                "language": lang,
                "html_search_language": "vi",
                # the search page would fetch() each hit's page for a summary, which browsers refuse on file://
                "html_show_search_summary": False,
                "html_copy_source": False,
                "html_show_sourcelink": False,
                "html_static_path": ["_static"],
                "html_extra_path": ["_extra"],
                "locale_dirs": ["_locale"],
                # no navigation sidebar on the lesson pages: rendered into 500 pages it is half a clean build;
                # each lesson page links back to its kinds, its provinces and the lesson finder instead
                "html_sidebars": {
                    page: ["navbar-logo.html", "search-button-field.html"]
                    for page in ("lessons/all/*", "attachments/*")
                },
                "html_context": {"default_mode": "light"},
                "html_last_updated_fmt": None,
                "numfig": False,  # figure numbering walks every page on every build
                "nb_output_stderr": "remove",
                "nb_merge_streams": True,
                "suppress_warnings": ["myst.header"],
                "html_theme_options": {
                    "use_download_button": False,
                    "use_fullscreen_button": False,
                    "show_navbar_depth": 1,
                    "navigation_with_keys": False,
                    "show_toc_level": 2,
                },
            },
        },
    }
    return "# Generated by `mel book build`; edit book/ and the lesson files instead.\n" + yaml.safe_dump(
        config, allow_unicode=True, sort_keys=False
    )


def _toc(content: BookContent, lang: str) -> str:
    lang_parts: list[dict[str, Any]] = [
        {"caption": t("book.part_intro", lang), "chapters": [{"file": "about"}, {"file": "overview"}]},
        {"caption": t("book.part_criteria", lang), "chapters": [{"file": f"criteria/{c}"} for c in CRITERIA]},
    ]
    if content.evaluations:
        lang_parts.append(
            {
                "caption": t("book.part_evaluations", lang),
                "chapters": [{"file": f"evaluations/{docname(e.code)}"} for e in content.evaluations],
            }
        )
    lang_parts.append(
        {
            "caption": t("book.part_lessons", lang),
            "chapters": [
                *({"file": f"lessons/{t}"} for t in THEMES),
                {"file": "lessons/provinces"},
                {"file": "lesson-finder"},
            ],
        }
    )
    reference = [{"file": "recommendations"}, *([{"file": "attachments"}] if content.attachments else [])]
    lang_parts.append(
        {"caption": t("book.part_reference", lang), "chapters": [*reference, {"file": "glossary"}]}
    )
    toc = {"format": "jb-book", "root": "index", "parts": lang_parts}
    return yaml.safe_dump(toc, allow_unicode=True, sort_keys=False)


def _hand_page(skeleton: Path, name: str, lang: str, title: str | None) -> str:
    """A page kept by hand in ``book/`` (trusted MyST), in ``lang`` when there is one, else the other."""
    for candidate in (f"{name}.{lang}.md", f"{name}.{'en' if lang == 'vi' else 'vi'}.md", f"{name}.md"):
        path = skeleton / candidate
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            break
    else:
        text = f"# {name.title()}\n"
    if title is not None:
        text = re.sub(r"\A(\s*)# .*", lambda m: f"{m.group(1)}# {myst.inline(title)}", text, count=1)
    return text


# ----------------------------------------------------------------------------------------------------- helpers
def _listed(attachments: list[BookAttachment]) -> list[tuple[int, str, str, str, int]]:
    """What a page shows of the files it lists (a page is written again when one of them changes)."""
    return [(a.id, a.title, a.file_name, a.sha256, a.size) for a in attachments]


def _glossary_page(lang: str) -> str:
    data = yaml.safe_load((kb_dir() / "glossary.yml").read_text(encoding="utf-8"))
    groups = data.get("groups", []) if isinstance(data, dict) else []
    rows = []
    for g in groups:
        vi, en = [str(t) for t in g.get("vi") or []], [str(t) for t in g.get("en") or []]
        if not vi or not en:
            continue
        variants = ", ".join(vi[1:] + en[1:])
        rows.append([vi[0], en[0], variants])
    rows.sort(key=lambda r: sort_key(r[0] if lang == "vi" else r[1]))
    if lang == "en":
        rows = [[r[1], r[0], r[2]] for r in rows]
        header = [t("book.english", lang), t("book.vietnamese", lang), t("book.variants", lang)]
    else:
        header = [t("book.vietnamese", lang), t("book.english", lang), t("book.variants", lang)]
    return "\n".join(
        [
            f"# {myst.inline(t('book.glossary', lang))}",
            "",
            myst.inline(t("book.glossary_intro", lang)),
            "",
            myst.table(header, rows),
            "",
        ]
    )
