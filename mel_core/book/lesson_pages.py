"""The book's pages about lessons: a page per lesson (web edition), the four kinds, the provinces, and the
lesson finder with its data."""

from __future__ import annotations

import json
from typing import Any

from mel_core.book import myst
from mel_core.book.attachment_pages import attachments_section
from mel_core.book.common import place_names, places_text, sort_key, term
from mel_core.book.content import BookAttachment, BookContent, BookLesson
from mel_core.i18n import t

THEMES = ("process", "empowerment", "building_on_existing", "leveraging_support")


# ------------------------------------------------------------------------------------------------------ lessons
def _anchor(lesson: BookLesson) -> str:
    return f"lesson-{lesson.key}"


def _lesson_meta(lesson: BookLesson, lang: str, terms: dict[str, Any]) -> str:
    places = places_text(lesson.provinces, lang)
    sector = term(terms, "sectors", lesson.sector, lang)
    meta = t("book.lesson_meta", lang, year=lesson.year, places=places, sector=sector)
    if lesson.submitted_by:
        meta += f" · {t('book.submitted_by', lang)}: {lesson.submitted_by}"
    return meta


def _lesson_link(lesson: BookLesson, web: bool, prefix: str = "") -> str:
    """A link to a lesson: its own page on the web, its anchor in the print edition."""
    if web:
        return f"[{myst.inline(lesson.title)}]({prefix}all/{lesson.key}.md)"
    return f"{{ref}}`{_anchor(lesson)}`"


def lesson_page(
    lesson: BookLesson, lang: str, terms: dict[str, Any], attachments: list[BookAttachment] | None = None
) -> str:
    """One lesson's page (web edition): out of the navigation (``orphan``), reached from the lists and search,
    with the files attached to it, and links back to the pages of its kinds, the provinces and the finder."""
    lines = _lesson_block(lesson, lang, terms, level=1)
    lines += attachments_section(attachments or [], lang, "../../")
    back = [
        f"[{myst.inline(term(terms, 'themes', t, lang))}](../{t}.md)" for t in lesson.themes if t in THEMES
    ]
    back.append(f"[{myst.inline(t('book.lessons_by_province', lang))}](../provinces.md)")
    back.append(f"[{myst.inline(t('book.lesson_finder', lang))}](../../lesson-finder.md)")
    lines += ["---", "", " · ".join(back), ""]
    return "---\norphan: true\n---\n" + "\n".join(lines)


def _lesson_block(lesson: BookLesson, lang: str, terms: dict[str, Any], level: int = 2) -> list[str]:
    lines = [f"({_anchor(lesson)})=", f"{'#' * level} {myst.inline(lesson.title)}", ""]
    lines += [f"*{myst.inline(_lesson_meta(lesson, lang, terms))}*", ""]
    kinds = ", ".join(term(terms, "themes", t, lang) for t in lesson.themes)
    lines += [f"**{myst.inline(t('book.theme', lang))}:** {myst.inline(kinds)}", ""]
    for number, heading, body in lesson.sections:
        title = myst.inline(f"{number}. {heading}".strip())
        if "." in number:
            lines += [f"**{title}**", ""]
        else:
            lines += [f"{'#' * (level + 1)} {title}", ""]
        if body.strip():
            lines += [myst.blocks(body), ""]
    return lines


def kind_page(content: BookContent, theme: str, lang: str, terms: dict[str, Any], web: bool) -> str:
    kind = term(terms, "themes", theme, lang)
    lines = [
        f"# {myst.inline(kind)}",
        "",
        myst.inline(t("book.kind_intro", lang, year=content.span, kind=kind)),
        "",
    ]
    primary = [x for x in content.lessons if x.themes and x.themes[0] == theme]
    secondary = [x for x in content.lessons if theme in x.themes[1:]]
    if not primary and not secondary:
        lines += [myst.inline(t("book.no_lessons", lang)), ""]
    if web:
        for lesson in primary + secondary:
            meta = myst.inline(_lesson_meta(lesson, lang, terms))
            lines += [f"- {_lesson_link(lesson, web)}  ", f"  *{meta}*"]
        lines.append("")
        return "\n".join(lines)
    for lesson in primary:
        lines += _lesson_block(lesson, lang, terms)
    if secondary:
        lines += [f"## {myst.inline(t('book.also_this_kind', lang))}", ""]
        lines += [f"- {_lesson_link(x, web)}" for x in secondary]
        lines.append("")
    return "\n".join(lines)


def provinces_page(content: BookContent, lang: str, web: bool) -> str:
    lines = [
        f"# {myst.inline(t('book.lessons_by_province', lang))}",
        "",
        myst.inline(t("book.province_intro", lang)),
        "",
    ]
    by_province: dict[str, list[tuple[BookLesson, str | None]]] = {}
    for lesson in content.lessons:
        for name, former in place_names(lesson.provinces, lang):
            by_province.setdefault(name, []).append((lesson, former))
    if not by_province:
        lines += [myst.inline(t("book.no_lessons", lang)), ""]
    for name in sorted(by_province, key=lambda n: (sort_key(n), n)):
        lines += [f"## {myst.inline(name)}", ""]
        for lesson, former in by_province[name]:
            note = f" ({myst.inline(t('book.formerly', lang, name=former))})" if former else ""
            lines.append(f"- {_lesson_link(lesson, web)}{note}")
        lines.append("")
    return "\n".join(lines)


def finder_page(lang: str) -> str:
    """The lesson finder: a form whose options and results the script fills from ``mel-lessons.js``."""
    return "\n".join(
        [
            f"# {myst.inline(t('book.lesson_finder', lang))}",
            "",
            myst.inline(t("book.finder_intro", lang)),
            "",
            "```{raw} html",
            '<form id="mel-finder" class="mel-finder" onsubmit="return false">',
            '  <label>{province}<select name="province"></select></label>'.format(
                province=t("book.provinces", lang)
            ),
            '  <label>{sector}<select name="sector"></select></label>'.format(sector=t("book.sector", lang)),
            '  <label>{theme}<select name="theme"></select></label>'.format(theme=t("book.theme", lang)),
            '  <label>{year}<select name="year"></select></label>'.format(year=t("book.year", lang)),
            "</form>",
            '<p id="mel-finder-count" class="mel-finder-count" aria-live="polite"></p>',
            '<ul id="mel-finder-results" class="mel-finder-results"></ul>',
            '<script src="finder/mel-lessons.js"></script>',
            '<script src="finder/mel-finder.js"></script>',
            "```",
            "",
        ]
    )


def finder_data(content: BookContent, lang: str, terms: dict[str, Any], web: bool) -> str:
    """The finder's data as a script (a ``fetch`` of JSON is refused on file://; a script tag is not)."""
    lessons = []
    for lesson in content.lessons:
        page = lesson.themes[0] if lesson.themes else THEMES[0]
        places = place_names(lesson.provinces, lang)
        lessons.append(
            {
                "title": lesson.title,
                "url": f"lessons/all/{lesson.key}.html" if web else f"lessons/{page}.html#{_anchor(lesson)}",
                "year": lesson.year,
                "provinces": sorted({name for name, _ in places}),
                "former": sorted({former for _, former in places if former}),
                "sector": term(terms, "sectors", lesson.sector, lang),
                "themes": [term(terms, "themes", t, lang) for t in lesson.themes],
            }
        )
    data = {
        "labels": {
            "all": t("book.all", lang),
            "shown": t("book.shown", lang, n="{n}"),
            "formerly": t("book.formerly", lang, name="{name}"),
        },
        "lessons": lessons,
    }
    # no "</script>" or "<!--" can close the script early: every "<" is written as \u003c
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return f"window.MEL_LESSONS = {payload};\n"
