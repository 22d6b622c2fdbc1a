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
- ``recommendations`` and ``glossary``.

Everything that comes from a lesson file or the store is escaped by :mod:`mel_core.book.myst`. A file is
written only when its content changed, and files that are no longer part of the book are removed, so that
Sphinx's incremental build reads again only the pages a change touched.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import nbformat
import yaml

from mel_core import geo
from mel_core.book import myst
from mel_core.book.cache import BuildCache, digest, file_stamp
from mel_core.book.content import BookContent, BookEvaluation, BookLesson
from mel_core.book.labels import label
from mel_core.config import kb_dir
from mel_core.criteria.ratings import label as rating_label
from mel_core.evaluations.execute import RESULT_MIME
from mel_core.reference import taxonomy
from mel_core.vocabulary import CRITERIA

THEMES = ("process", "empowerment", "building_on_existing", "leveraging_support")
STATIC_FILES = ("mel-book.css",)
_STORE_ADDRESS = re.compile(r" · (?:store|kho dữ liệu) `[^`]*`")
_DOCNAME = re.compile(r"[^A-Za-z0-9_-]+")


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


def docname(code: str) -> str:
    """A file-system and URL safe page name for an evaluation code."""
    return _DOCNAME.sub("-", code).strip("-").lower() or "evaluation"


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

    year = content.year
    terms = taxonomy()
    out.write("_config.yml", _config(year, lang))
    out.write("index.md", _hand_page(skeleton, "foreword", lang, label("book_title", lang, year=year)))
    out.write("about.md", _hand_page(skeleton, "about", lang, None))
    out.write("overview.md", _overview(content, lang))
    counts = {
        c: sorted((str(k), v) for k, v in n.items()) for c, n in _rating_counts(content.evaluations).items()
    }
    cached("_static/ratings.png", digest(counts, lang), lambda: _ratings_chart(content.evaluations, lang))
    for criterion in CRITERIA:
        out.write(f"criteria/{criterion}.md", _criterion_page(content, criterion, lang))
    for ev in content.evaluations:
        inputs = digest(asdict(ev), [file_stamp(path) for _, path in ev.notebooks], lang)
        cached(f"evaluations/{docname(ev.code)}.ipynb", inputs, partial(_evaluation_notebook, ev, lang))
    for theme in THEMES:
        out.write(f"lessons/{theme}.md", _kind_page(content, theme, lang, terms, web))
    if web:
        for lesson in content.lessons:
            inputs = digest(asdict(lesson), lang)
            cached(f"lessons/all/{lesson.key}.md", inputs, partial(_lesson_page, lesson, lang, terms))
    out.write("lessons/provinces.md", _provinces_page(content, lang, web))
    out.write("lesson-finder.md", _finder_page(lang))
    static = Path(__file__).resolve().parent / "static"
    # the finder's scripts are copied as they are (html_extra_path), not added to every page as _static/ files are
    out.write("_extra/finder/mel-lessons.js", _finder_data(content, lang, terms, web))
    out.write("_extra/finder/mel-finder.js", (static / "mel-finder.js").read_bytes())
    out.write("recommendations.md", _recommendations_page(content, lang))
    out.write("glossary.md", _glossary_page(lang))
    for name in STATIC_FILES:
        out.write(f"_static/{name}", (static / name).read_bytes())
    out.write("_toc.yml", _toc(content, lang))
    if lang == "vi":
        out.write("_locale/vi/LC_MESSAGES/sphinx.js", _vietnamese_search_messages())
    return out


#: Messages of Sphinx's search page that its Vietnamese catalogue leaves empty (the page would show nothing).
SEARCH_MESSAGES_VI = {
    "Preparing search...": "Đang chuẩn bị tìm kiếm...",
    "Search Results": "Kết quả tìm kiếm",
    "Searching": "Đang tìm",
    "Search finished, found ${resultCount} page(s) matching the search query.": (
        "Tìm xong: ${resultCount} trang khớp với từ cần tìm."
    ),
    "Your search did not match any documents. Please make sure that all words are spelled correctly and that"
    " you've selected enough categories.": (
        "Không tìm thấy trang nào. Hãy kiểm tra chính tả (gõ có dấu hoặc không dấu đều được) hoặc thử từ khác."
    ),
    "Searching for multiple words only shows matches that contain\n    all words.": (
        "Khi tìm nhiều từ, chỉ những trang có đủ mọi từ mới được liệt kê."
    ),
    "Hide Search Matches": "Ẩn đánh dấu từ tìm kiếm",
    "Search Page": "Trang tìm kiếm",
    "Quick search": "Tìm nhanh",
    "search": "tìm kiếm",
    "Index": "Chỉ mục",
    "Table of Contents": "Mục lục",
    "This Page": "Trang này",
    "Collapse sidebar": "Thu gọn thanh bên",
    "Expand sidebar": "Mở rộng thanh bên",
    ", in ": ", trong ",
}


def _vietnamese_search_messages() -> str:
    """Sphinx's Vietnamese browser catalogue with its empty messages filled in (the rest fall back to English).

    Sphinx looks for ``<locale_dirs>/vi/LC_MESSAGES/sphinx.js`` before its own copy.
    """
    import sphinx

    own = Path(sphinx.__file__).resolve().parent / "locale" / "vi" / "LC_MESSAGES" / "sphinx.js"
    text = own.read_text(encoding="utf-8")
    start, end = text.index("("), text.rindex(")")
    catalogue = json.loads(text[start + 1 : end])
    messages = catalogue.get("messages", {})
    for key, value in list(messages.items()):
        if not value:
            if key in SEARCH_MESSAGES_VI:
                messages[key] = SEARCH_MESSAGES_VI[key]
            else:
                del messages[key]  # an empty string would be shown as nothing; without it, English is shown
    return text[: start + 1] + json.dumps(catalogue, ensure_ascii=False) + text[end:]


# ------------------------------------------------------------------------------------------------ config, toc
def _config(year: int, lang: str) -> str:
    config: dict[str, Any] = {
        "title": label("book_title", lang, year=year),
        "author": label("author", lang),
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
            "search_bar_text": label("search_placeholder", lang),
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
                "html_sidebars": {"lessons/all/*": ["navbar-logo.html", "search-button-field.html"]},
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
        {"caption": label("part_intro", lang), "chapters": [{"file": "about"}, {"file": "overview"}]},
        {"caption": label("part_criteria", lang), "chapters": [{"file": f"criteria/{c}"} for c in CRITERIA]},
    ]
    if content.evaluations:
        lang_parts.append(
            {
                "caption": label("part_evaluations", lang),
                "chapters": [{"file": f"evaluations/{docname(e.code)}"} for e in content.evaluations],
            }
        )
    lang_parts.append(
        {
            "caption": label("part_lessons", lang),
            "chapters": [
                *({"file": f"lessons/{t}"} for t in THEMES),
                {"file": "lessons/provinces"},
                {"file": "lesson-finder"},
            ],
        }
    )
    lang_parts.append(
        {
            "caption": label("part_reference", lang),
            "chapters": [{"file": "recommendations"}, {"file": "glossary"}],
        }
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
def _place_names(codes: Iterable[str], lang: str) -> list[tuple[str, str | None]]:
    """(today's province name, former name or None) of each code, in order, without repeats."""
    known = geo.provinces()
    out: list[tuple[str, str | None]] = []
    for code in codes:
        p = known.get(code)
        if p is None:
            continue
        item = (p.successor_name, None if p.is_current else p.name)
        if item not in out:
            out.append(item)
    return out


def _places_text(codes: Iterable[str], lang: str) -> str:
    parts = []
    for name, former in _place_names(codes, lang):
        parts.append(f"{name} ({label('formerly', lang, name=former)})" if former else name)
    return "; ".join(parts)


def _term(terms: dict[str, Any], vocabulary: str, key: str, lang: str) -> str:
    entry = terms.get(vocabulary, {}).get(key)
    return entry["vi" if lang == "vi" else "en"] if entry else key


def _rating_text(criterion: str, level: int | None, lang: str) -> str:
    return rating_label(criterion, level, lang) + (f" ({level}/4)" if level is not None else "")


def _programme_name(ev: BookEvaluation, lang: str) -> str:
    return ev.programme_name if lang == "vi" else ev.programme_name_en


# -------------------------------------------------------------------------------------------------- overview
def _overview(content: BookContent, lang: str) -> str:
    year, evs = content.year, content.evaluations
    lines = [f"# {myst.inline(label('overview', lang, year=year))}", ""]
    provinces = sorted({n for ev in evs for n, _ in _place_names(ev.provinces, lang)})
    provinces_lessons = sorted({n for x in content.lessons for n, _ in _place_names(x.provinces, lang)})
    lines += [
        myst.table(
            [label("in_this_book", lang), label("count", lang)],
            [
                [label("programmes_evaluated", lang), len(evs)],
                [label("lessons_count", lang), len(content.lessons)],
                [label("provinces", lang), len(set(provinces) | set(provinces_lessons))],
            ],
        ),
        "",
    ]
    if not evs:
        lines += [myst.inline(label("no_evaluations", lang, year=year)), ""]
    else:
        lines += [f"## {myst.inline(label('programmes_evaluated', lang))}", ""]
        rows = [
            [ev.programme, _programme_name(ev, lang), _places_text(ev.provinces, lang), _overall(ev, lang)]
            for ev in evs
        ]
        lines += [
            myst.table([label("programme", lang), "", label("provinces", lang), label("rating", lang)], rows)
        ]
        lines += ["", f"## {myst.inline(label('ratings_by_criterion', lang))}", ""]
        counts = _rating_counts(evs)
        header = [label("criterion", lang)] + [label("level", lang, n=n) for n in (4, 3, 2, 1)]
        header.append(label("not_rated", lang))
        table_rows = [
            [_term(taxonomy(), "criteria", c, lang)] + [counts[c][n] for n in (4, 3, 2, 1, None)]
            for c in (*CRITERIA, "overall")
        ]
        lines += [myst.table(header, table_rows), ""]
        lines += [f"![{myst.inline(label('ratings_chart_alt', lang))}](_static/ratings.png)", ""]
    if provinces or provinces_lessons:
        lines += [f"## {myst.inline(label('provinces', lang))}", ""]
        lines += [myst.inline(", ".join(sorted(set(provinces) | set(provinces_lessons)))), ""]
    return "\n".join(lines)


def _overall(ev: BookEvaluation, lang: str) -> str:
    rating = ev.rating("overall")
    return _rating_text("overall", rating.level if rating else None, lang)


def _rating_counts(evs: list[BookEvaluation]) -> dict[str, Counter[int | None]]:
    counts: dict[str, Counter[int | None]] = {c: Counter() for c in (*CRITERIA, "overall")}
    for ev in evs:
        for c in counts:
            rating = ev.rating(c)
            counts[c][rating.level if rating else None] += 1
    return counts


def _ratings_chart(evs: list[BookEvaluation], lang: str) -> bytes:
    """A stacked bar chart of rating levels by criterion, as PNG bytes (no timestamp: same data, same bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    counts = _rating_counts(evs)
    names = [_term(taxonomy(), "criteria", c, lang) for c in (*CRITERIA, "overall")]
    fig = Figure(figsize=(8, 3.6), dpi=110)
    ax = fig.add_subplot()
    left = [0] * len(names)
    colours = {4: "#1a7f37", 3: "#7fbf5f", 2: "#f0a040", 1: "#c0392b", None: "#bbbbbb"}
    for level in (4, 3, 2, 1, None):
        values = [counts[c][level] for c in (*CRITERIA, "overall")]
        text = label("level", lang, n=level) if level else label("not_rated", lang)
        ax.barh(names, values, left=left, color=colours[level], label=text)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel(label("programmes_evaluated", lang))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------- criteria
def _criterion_page(content: BookContent, criterion: str, lang: str) -> str:
    name = _term(taxonomy(), "criteria", criterion, lang)
    lines = [f"# {myst.inline(name)}", ""]
    lines += [myst.inline(label("criterion_intro", lang, criterion=name.lower(), year=content.year)), ""]
    if not content.evaluations:
        return "\n".join([*lines, myst.inline(label("no_evaluations", lang, year=content.year)), ""])
    rows = []
    for ev in content.evaluations:
        rating = ev.rating(criterion)
        rows.append(
            [
                ev.programme,
                _programme_name(ev, lang),
                _rating_text(criterion, rating.level if rating else None, lang),
            ]
        )
    lines += [myst.table([label("programme", lang), "", label("rating", lang)], rows), ""]
    for ev in content.evaluations:
        rating = ev.rating(criterion)
        lines += [f"## {myst.inline(ev.programme)}: {myst.inline(_programme_name(ev, lang))}", ""]
        level = _rating_text(criterion, rating.level if rating else None, lang)
        lines += [f"**{myst.inline(label('rating', lang))}:** {myst.inline(level)}", ""]
        if rating is not None:
            lines += [f"{myst.inline(label('justification', lang))}: {myst.inline(rating.justification)}", ""]
            if rating.override_reason:
                note = label(
                    "overridden",
                    lang,
                    computed=_rating_text(criterion, rating.computed_level, lang),
                    reason=rating.override_reason,
                )
                lines += [f"*{myst.inline(note)}*", ""]
        findings = [f for f in ev.findings if f.criterion == criterion]
        if findings:
            lines += [f"**{myst.inline(label('findings', lang))}**", ""]
            for f in findings:
                conf = (
                    f" *({myst.inline(label('confidence', lang))}: {myst.inline(f.confidence)})*"
                    if f.confidence
                    else ""
                )
                lines.append(f"- {myst.inline(f.statement)}{conf}")
            lines.append("")
        see = myst.inline(f"{label('see_chapter', lang)} {ev.code}")
        lines += [f"[{see}](../evaluations/{docname(ev.code)}.ipynb)", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- evaluations
def _evaluation_notebook(ev: BookEvaluation, lang: str) -> str:
    """The evaluation's notebooks as one: a title, then per criterion its narrative and outputs, code hidden."""
    date = ev.finished.date().isoformat() if ev.finished else "—"
    intro = [
        f"# {myst.inline(ev.programme)}: {myst.inline(_programme_name(ev, lang))}",
        "",
        myst.inline(label("evaluation_intro", lang, code=ev.code, date=date)),
        "",
        myst.table(
            [label("criterion", lang), label("rating", lang)],
            [
                [
                    _term(taxonomy(), "criteria", c, lang),
                    _rating_text(c, r.level if (r := ev.rating(c)) else None, lang),
                ]
                for c in (*CRITERIA, "overall")
            ],
        ),
    ]
    cells = [nbformat.v4.new_markdown_cell("\n".join(intro))]
    for name, path in ev.notebooks:
        nb = nbformat.read(path, as_version=4)
        heading = _term(taxonomy(), "criteria", name if name != "synthesis" else "overall", lang)
        cells.append(nbformat.v4.new_markdown_cell(f"## {myst.inline(heading)}"))
        cells.extend(_book_cells(nb))
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(book.cells):
        cell["id"] = f"c{i}"
    return nbformat.writes(book)


def _book_cells(nb: Any) -> list[Any]:
    """A criterion notebook's cells as the book shows them: narrative and outputs, no code, no parameters."""
    cells: list[Any] = []
    first_markdown = True
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove-cell" in tags:  # how to run the template, the machine-readable result: not for readers
            continue
        if cell.cell_type == "markdown":
            source = cell.source
            if first_markdown:  # the template's own title: the book's heading above replaces it
                source = re.sub(r"\A\s*# [^\n]*\n?", "", source)
                first_markdown = False
            source = _demote(source)
            if source.strip():
                cells.append(nbformat.v4.new_markdown_cell(source))
        elif cell.cell_type == "code" and not tags & {"parameters", "injected-parameters"}:
            outputs = [o for o in (_book_output(o) for o in cell.get("outputs", [])) if o is not None]
            if outputs:
                code = nbformat.v4.new_code_cell(source=cell.source, outputs=outputs)
                code.metadata = {"tags": ["remove-input"]}
                cells.append(code)
    return cells


def _book_output(output: Any) -> Any | None:
    """One output as the book shows it, or None: no machine-readable result, no stderr, markdown made safe."""
    if output.output_type == "stream":
        return output if output.get("name") == "stdout" else None
    if output.output_type not in ("display_data", "execute_result"):
        return None
    data = dict(output.get("data", {}))
    if RESULT_MIME in data:
        return None
    data = {k: v for k, v in data.items() if not k.startswith("application/vnd.jupyter.widget")}
    if "text/markdown" in data:
        markdown = data["text/markdown"]
        text = "".join(markdown) if isinstance(markdown, list) else markdown
        data["text/markdown"] = myst.blocks(_STORE_ADDRESS.sub("", text), headings_from=3)
    if not data:
        return None
    kept = copy.deepcopy(output)
    kept["data"] = data
    if kept.output_type == "execute_result":
        kept["output_type"] = "display_data"
        kept.pop("execution_count", None)
    return kept


def _demote(markdown: str) -> str:
    """Headings one level down, at least ``###`` (the criterion's heading is ``##``)."""

    def shift(m: re.Match[str]) -> str:
        return "#" * min(6, max(3, len(m.group(1)) + 1)) + " "

    return re.sub(r"^(#{1,6}) ", shift, markdown, flags=re.M)


# ------------------------------------------------------------------------------------------------------ lessons
def _anchor(lesson: BookLesson) -> str:
    return f"lesson-{lesson.key}"


def _lesson_meta(lesson: BookLesson, lang: str, terms: dict[str, Any]) -> str:
    places = _places_text(lesson.provinces, lang)
    sector = _term(terms, "sectors", lesson.sector, lang)
    meta = label("lesson_meta", lang, year=lesson.year, places=places, sector=sector)
    if lesson.submitted_by:
        meta += f" · {label('submitted_by', lang)}: {lesson.submitted_by}"
    return meta


def _lesson_link(lesson: BookLesson, web: bool, prefix: str = "") -> str:
    """A link to a lesson: its own page on the web, its anchor in the print edition."""
    if web:
        return f"[{myst.inline(lesson.title)}]({prefix}all/{lesson.key}.md)"
    return f"{{ref}}`{_anchor(lesson)}`"


def _lesson_page(lesson: BookLesson, lang: str, terms: dict[str, Any]) -> str:
    """One lesson's page (web edition): out of the navigation (``orphan``), reached from the lists and search,
    with links back to the pages of its kinds, the provinces and the finder."""
    lines = _lesson_block(lesson, lang, terms, level=1)
    back = [
        f"[{myst.inline(_term(terms, 'themes', t, lang))}](../{t}.md)" for t in lesson.themes if t in THEMES
    ]
    back.append(f"[{myst.inline(label('lessons_by_province', lang))}](../provinces.md)")
    back.append(f"[{myst.inline(label('lesson_finder', lang))}](../../lesson-finder.md)")
    lines += ["---", "", " · ".join(back), ""]
    return "---\norphan: true\n---\n" + "\n".join(lines)


def _lesson_block(lesson: BookLesson, lang: str, terms: dict[str, Any], level: int = 2) -> list[str]:
    lines = [f"({_anchor(lesson)})=", f"{'#' * level} {myst.inline(lesson.title)}", ""]
    lines += [f"*{myst.inline(_lesson_meta(lesson, lang, terms))}*", ""]
    kinds = ", ".join(_term(terms, "themes", t, lang) for t in lesson.themes)
    lines += [f"**{myst.inline(label('theme', lang))}:** {myst.inline(kinds)}", ""]
    for number, heading, body in lesson.sections:
        title = myst.inline(f"{number}. {heading}".strip())
        if "." in number:
            lines += [f"**{title}**", ""]
        else:
            lines += [f"{'#' * (level + 1)} {title}", ""]
        if body.strip():
            lines += [myst.blocks(body), ""]
    return lines


def _kind_page(content: BookContent, theme: str, lang: str, terms: dict[str, Any], web: bool) -> str:
    kind = _term(terms, "themes", theme, lang)
    lines = [
        f"# {myst.inline(kind)}",
        "",
        myst.inline(label("kind_intro", lang, year=content.year, kind=kind)),
        "",
    ]
    primary = [x for x in content.lessons if x.themes and x.themes[0] == theme]
    secondary = [x for x in content.lessons if theme in x.themes[1:]]
    if not primary and not secondary:
        lines += [myst.inline(label("no_lessons", lang)), ""]
    if web:
        for lesson in primary + secondary:
            meta = myst.inline(_lesson_meta(lesson, lang, terms))
            lines += [f"- {_lesson_link(lesson, web)}  ", f"  *{meta}*"]
        lines.append("")
        return "\n".join(lines)
    for lesson in primary:
        lines += _lesson_block(lesson, lang, terms)
    if secondary:
        lines += [f"## {myst.inline(label('also_this_kind', lang))}", ""]
        lines += [f"- {_lesson_link(x, web)}" for x in secondary]
        lines.append("")
    return "\n".join(lines)


def _provinces_page(content: BookContent, lang: str, web: bool) -> str:
    lines = [
        f"# {myst.inline(label('lessons_by_province', lang))}",
        "",
        myst.inline(label("province_intro", lang)),
        "",
    ]
    by_province: dict[str, list[tuple[BookLesson, str | None]]] = {}
    for lesson in content.lessons:
        for name, former in _place_names(lesson.provinces, lang):
            by_province.setdefault(name, []).append((lesson, former))
    if not by_province:
        lines += [myst.inline(label("no_lessons", lang)), ""]
    for name in sorted(by_province, key=lambda n: (geo_sort_key(n), n)):
        lines += [f"## {myst.inline(name)}", ""]
        for lesson, former in by_province[name]:
            note = f" ({myst.inline(label('formerly', lang, name=former))})" if former else ""
            lines.append(f"- {_lesson_link(lesson, web)}{note}")
        lines.append("")
    return "\n".join(lines)


def geo_sort_key(name: str) -> str:
    """Vietnamese names sorted as a reader expects: by their letters without diacritics first."""
    from mel_core.text import fold

    return fold(name)


def _finder_page(lang: str) -> str:
    """The lesson finder: a form whose options and results the script fills from ``mel-lessons.js``."""
    return "\n".join(
        [
            f"# {myst.inline(label('lesson_finder', lang))}",
            "",
            myst.inline(label("finder_intro", lang)),
            "",
            "```{raw} html",
            '<form id="mel-finder" class="mel-finder" onsubmit="return false">',
            '  <label>{province}<select name="province"></select></label>'.format(
                province=label("provinces", lang)
            ),
            '  <label>{sector}<select name="sector"></select></label>'.format(sector=label("sector", lang)),
            '  <label>{theme}<select name="theme"></select></label>'.format(theme=label("theme", lang)),
            '  <label>{year}<select name="year"></select></label>'.format(year=label("year", lang)),
            "</form>",
            '<p id="mel-finder-count" class="mel-finder-count" aria-live="polite"></p>',
            '<ul id="mel-finder-results" class="mel-finder-results"></ul>',
            '<script src="finder/mel-lessons.js"></script>',
            '<script src="finder/mel-finder.js"></script>',
            "```",
            "",
        ]
    )


def _finder_data(content: BookContent, lang: str, terms: dict[str, Any], web: bool) -> str:
    """The finder's data as a script (a ``fetch`` of JSON is refused on file://; a script tag is not)."""
    lessons = []
    for lesson in content.lessons:
        page = lesson.themes[0] if lesson.themes else THEMES[0]
        places = _place_names(lesson.provinces, lang)
        lessons.append(
            {
                "title": lesson.title,
                "url": f"lessons/all/{lesson.key}.html" if web else f"lessons/{page}.html#{_anchor(lesson)}",
                "year": lesson.year,
                "provinces": sorted({name for name, _ in places}),
                "former": sorted({former for _, former in places if former}),
                "sector": _term(terms, "sectors", lesson.sector, lang),
                "themes": [_term(terms, "themes", t, lang) for t in lesson.themes],
            }
        )
    data = {
        "labels": {
            "all": label("all", lang),
            "shown": label("shown", lang, n="{n}"),
            "formerly": label("formerly", lang, name="{name}"),
        },
        "lessons": lessons,
    }
    # no "</script>" or "<!--" can close the script early: every "<" is written as \u003c
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return f"window.MEL_LESSONS = {payload};\n"


# ------------------------------------------------------------------------------------- recommendations, glossary
_STATUS_KEYS = {
    "accepted": "status_accepted",
    "partially_accepted": "status_partially",
    "partial": "status_partially",
    "rejected": "status_rejected",
    "implemented": "status_implemented",
    "in_progress": "status_in_progress",
}


def _recommendations_page(content: BookContent, lang: str) -> str:
    lines = [f"# {myst.inline(label('recommendations', lang))}", ""]
    any_rows = False
    for ev in content.evaluations:
        if not ev.recommendations:
            continue
        any_rows = True
        lines += [f"## {myst.inline(ev.programme)}: {myst.inline(_programme_name(ev, lang))}", ""]
        rows = []
        for r in ev.recommendations:
            status = (
                label(_STATUS_KEYS[r.status], lang)
                if r.status in _STATUS_KEYS
                else (r.status or label("awaiting", lang))
            )
            criterion = _term(taxonomy(), "criteria", r.criterion, lang) if r.criterion else ""
            rows.append([r.text, criterion, status, r.management_response or "", r.due_date or ""])
        header = [label("recommendation", lang), label("criterion", lang), label("status", lang)]
        header += [label("management_response", lang), label("due", lang)]
        lines += [myst.table(header, rows), ""]
    if not any_rows:
        lines += [myst.inline(label("no_recommendations", lang)), ""]
    return "\n".join(lines)


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
    rows.sort(key=lambda r: geo_sort_key(r[0] if lang == "vi" else r[1]))
    if lang == "en":
        rows = [[r[1], r[0], r[2]] for r in rows]
        header = [label("english", lang), label("vietnamese", lang), label("variants", lang)]
    else:
        header = [label("vietnamese", lang), label("english", lang), label("variants", lang)]
    return "\n".join(
        [
            f"# {myst.inline(label('glossary', lang))}",
            "",
            myst.inline(label("glossary_intro", lang)),
            "",
            myst.table(header, rows),
            "",
        ]
    )


def copy_tree_if_changed(src: Path, dst: Path) -> None:
    """Copy a folder's files into another, leaving identical files untouched (kept for the skeleton's assets)."""
    for path in src.rglob("*"):
        if path.is_file():
            target = dst / path.relative_to(src)
            if not target.is_file() or target.read_bytes() != path.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
