"""Helpers for the book's real-browser and PDF tests (tests/test_book_browser.py).

Headless Chromium is Debian's ``chromium`` (the one :func:`mel_core.book.build.find_chromium` finds), driven by
Playwright's Python API. Nothing here is mocked: pages are opened from ``file://`` as a reader opens them.
"""

from __future__ import annotations

import html
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from mel_core import geo
from mel_core.book.build import CHROMIUM_FLAGS, find_chromium
from mel_core.lessons.check import lesson_files
from mel_core.lessons.parse import LessonFile, read_lesson
from mel_core.reference import taxonomy
from mel_core.text import fold, nfc

CHROMIUM = find_chromium()
REQUIRED = bool(os.environ.get("MEL_REQUIRE_CHROMIUM"))
SKIP_REASON = (
    "Chromium is not installed (apt: chromium fonts-dejavu-core, or set MEL_CHROMIUM);"
    " set MEL_REQUIRE_CHROMIUM=1 to make this a failure"
)
#: Playwright adds its own headless switch; the rest are the book's offline, throwaway flags.
LAUNCH_ARGS = [flag for flag in CHROMIUM_FLAGS if flag != "--headless"]
#: Screenshots of a test run (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts" / "book"
#: Schemes a page may load without using the network.
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

needs_chromium = pytest.mark.skipif(CHROMIUM is None and not REQUIRED, reason=SKIP_REASON)

#: True once the Sphinx search page has shown its results: ``_finishSearch`` replaces the heading's text,
#: which removes the pulsing dots ``<span>`` that ``performSearch`` put into it (in every language).
SEARCH_DONE = """() => {
  const out = document.getElementById('search-results');
  const heading = out && out.querySelector('h2');
  return !!(heading && !heading.querySelector('span') && out.querySelector('ul.search'));
}"""


def require_chromium() -> str:
    """The Chromium to drive; a test failure when ``MEL_REQUIRE_CHROMIUM`` is set and there is none."""
    if CHROMIUM is None:
        pytest.fail(
            "MEL_REQUIRE_CHROMIUM is set but Chromium was not found (apt: chromium fonts-dejavu-core)"
        )
    return CHROMIUM


# --------------------------------------------------------------------------------------------- browser watch
@dataclass
class Watch:
    """What went wrong while pages were open: console errors, uncaught exceptions, network, missing files."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> Any:
        page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text} ({page.url})")
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed request: {r.url} {r.failure}"))
        return page


def block_network(context: Any, watch: Watch) -> None:
    """Abort, and record as a problem, every request of ``context`` that would leave the machine."""

    def refuse(route: Any) -> None:
        watch.problems.append(f"network request: {route.request.url}")
        route.abort()

    context.route(lambda url: not url.startswith(LOCAL_SCHEMES), refuse)


#: Resolves once the page has painted twice and then a moment has passed (its load handlers ran).
SETTLED = """() => new Promise(
  done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100))))"""


def open_page(page: Any, path: Path) -> None:
    """Open a local file and wait until its scripts, those run on load included, have run."""
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.evaluate(SETTLED)


def local_path(url: str) -> Path:
    """The file a ``file://`` URL points to (query and fragment dropped)."""
    parts = urlsplit(url)
    assert parts.scheme == "file", url
    return Path(unquote(parts.path))


def search(page: Any, root: Path, query: str, *, typed: bool = False) -> list[str]:
    """Search from the book's index page as a reader does; the hits as page paths relative to ``root``.

    The theme's search button opens a dialog with ``input[name=q]``; Enter goes to ``search.html?q=…``.
    ``typed`` presses keys one by one (an ASCII query as typed on a keyboard without a Vietnamese input
    method); otherwise the text is put into the box as it is, byte for byte (NFC or NFD).
    """
    open_page(page, root / "index.html")
    page.locator("button.search-button__button:visible").first.click()
    box = page.locator("input[name=q]:visible")
    if typed:
        box.press_sequentially(query)
    else:
        box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?"))
    page.wait_for_function(SEARCH_DONE)
    hrefs = page.eval_on_selector_all("#search-results ul.search li > a", "els => els.map(a => a.href)")
    return [local_path(h).relative_to(root.resolve()).as_posix() for h in hrefs]


# ----------------------------------------------------------------------------------------------- built pages
class _Text(HTMLParser):
    """The text of an HTML fragment, scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


ARTICLE = '<article class="bd-article">'


def article_text(page: Path) -> str:
    """The NFC text of a built page's ``<article class="bd-article">`` (what Sphinx indexed), white space
    collapsed; empty for a page without one (the search page)."""
    source = page.read_text(encoding="utf-8")
    start, end = source.find(ARTICLE), source.rfind("</article>")
    if not 0 <= start < end:
        return ""
    parser = _Text()
    parser.feed(source[start + len(ARTICLE) : end])
    parser.close()
    return " ".join(nfc(" ".join(parser.parts)).split())


def folded_words(text: str) -> set[str]:
    """The words of ``text`` as the book's search indexes them (``\\w+``, then folded)."""
    return {fold(w) for w in re.findall(r"\w+", nfc(text))}


def site_pages(root: Path) -> list[Path]:
    """Every HTML page of a built site (``_static`` holds theme template fragments, not pages)."""
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)


def readable(data: bytes) -> str:
    """A built file's text as a reader or a script would see it: JS ``\\uXXXX`` escapes and HTML entities
    decoded, NFC, white space collapsed, case folded."""
    text = data.decode("utf-8", errors="replace")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return " ".join(nfc(html.unescape(text)).split()).casefold()


# ---------------------------------------------------------------------------------------------- lesson files
@dataclass(frozen=True)
class SampleLesson:
    """A lesson file as the tests read it, independently of the book's own reading."""

    path: Path
    lesson: LessonFile

    @property
    def meta(self) -> dict[str, Any]:
        return self.lesson.meta

    @property
    def key(self) -> str:
        return str(self.meta["id"])

    @property
    def title(self) -> str:
        return nfc(str(self.meta["title"]))

    @property
    def public(self) -> bool:
        return self.meta.get("visibility", "public") == "public" and self.meta.get("status") == "published"

    @property
    def codes(self) -> list[str]:
        return [geo.normalise_code(c) for c in self.meta.get("provinces") or []]

    @property
    def today_provinces(self) -> set[str]:
        known = geo.provinces()
        return {known[c].successor_name for c in self.codes}

    @property
    def former_provinces(self) -> set[str]:
        known = geo.provinces()
        return {known[c].name for c in self.codes if not known[c].is_current}

    @property
    def sector_label(self) -> str:
        return taxonomy()["sectors"][self.meta["sector"]]["vi"]

    @property
    def theme_labels(self) -> list[str]:
        return [taxonomy()["themes"][t]["vi"] for t in self.meta.get("themes") or []]

    def contact_values(self) -> list[str]:
        contact = self.meta.get("contact") or {}
        return [nfc(str(v)) for v in contact.values() if v] if isinstance(contact, dict) else [str(contact)]

    def first_sentence(self, number: str) -> str:
        """The first sentence of section ``number`` (e.g. ``1.5``), white space collapsed."""
        section = self.lesson.section(number)
        assert section is not None and section.body.strip(), f"{self.path}: no section {number}"
        text = " ".join(nfc(section.body).split())
        return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]

    def body_texts(self) -> list[str]:
        """Each section's text, white space collapsed."""
        return [" ".join(nfc(s.body).split()) for s in self.lesson.sections if s.body.strip()]


def year_lessons(folder: Path, year: int) -> list[SampleLesson]:
    """The lesson files of ``year`` under ``folder``, read with the lesson parser."""
    files, problems = lesson_files([folder])
    assert not problems, problems
    found = [SampleLesson(p, read_lesson(p)) for p in files]
    return sorted((x for x in found if x.meta.get("year") == year), key=lambda x: x.key)


# ---------------------------------------------------------------------------------------------------- the PDF
def pdf_text(pdf: Path) -> str:
    """The PDF's text (pypdf), NFC, white space collapsed."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    return " ".join(nfc("\n".join(page.extract_text() or "" for page in reader.pages)).split())


def _to_unicode(cmap: str) -> dict[int, str]:
    """Glyph id → text of a ``/ToUnicode`` CMap (bfchar and bfrange entries)."""
    out: dict[int, str] = {}

    def text(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, rest in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block
        ):
            first, last = int(lo, 16), int(hi, 16)
            if rest.startswith("["):
                for k, dst in enumerate(re.findall(r"<([0-9A-Fa-f]+)>", rest)):
                    out[first + k] = text(dst)
            else:
                start = text(rest[1:-1])
                for k in range(last - first + 1):
                    out[first + k] = start[:-1] + chr(ord(start[-1]) + k)
    return out


@dataclass
class GlyphReport:
    """Which characters the PDF draws with a real outline, and which it draws as an empty or missing glyph."""

    drawn: set[str] = field(default_factory=set)
    empty: set[str] = field(default_factory=set)
    fonts: set[str] = field(default_factory=set)
    not_embedded: set[str] = field(default_factory=set)


def pdf_glyphs(pdf: Path) -> GlyphReport:
    """Check each font of the PDF: every character its ``/ToUnicode`` maps must have an outline in the font.

    Chromium embeds TrueType subsets as Identity-H CID fonts whose CIDs are the font's glyph ids; a glyph the
    fonts lack is drawn as ``.notdef`` (glyph 0) or an empty glyph. Such a character still extracts as text,
    which is why the text test alone cannot see a missing Vietnamese glyph.
    """
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    report = GlyphReport()
    seen: set[int] = set()
    reader = PdfReader(pdf)
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        for ref in fonts.get_object().values() if fonts is not None else ():
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            font = ref.get_object()
            name = str(font.get("/BaseFont"))
            report.fonts.add(name)
            if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
                report.not_embedded.add(name)
                continue
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2")
            if program is None or str(descendant.get("/CIDToGIDMap", "/Identity")) != "/Identity":
                report.not_embedded.add(name)
                continue
            tt = TTFont(io.BytesIO(program.get_object().get_data()))
            order = tt.getGlyphOrder()
            glyf = tt["glyf"]
            for gid, chars in _to_unicode(
                font["/ToUnicode"].get_object().get_data().decode("latin-1")
            ).items():
                outline = gid < len(order) and gid != 0 and glyf[order[gid]].numberOfContours != 0
                (report.drawn if outline else report.empty).update(c for c in chars if not c.isspace())
    return report


def vietnamese_letters(texts: Iterable[str]) -> set[str]:
    """The letters of ``texts`` that are not ASCII (the ones a Latin-only font would lack)."""
    return {c for t in texts for c in nfc(t) if c.isalpha() and not c.isascii()}
