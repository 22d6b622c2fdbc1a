"""The built book in a real browser and its PDF: search without diacritics, the lesson finder, no console errors
and no network from ``file://``, lesson text that stays text, and Vietnamese text intact in the PDF.

The book is the one ``mel demo`` built (the session fixture ``demo_run``); two small books are built here from an
empty store and a few lesson files written by the tests. Chromium is Debian's ``chromium`` driven by Playwright.
Skipped only when no Chromium is found AND ``MEL_REQUIRE_CHROMIUM`` is unset; CI sets it, so there the tests
cannot be skipped without failing. Screenshots go to ``tests/_artifacts/book/``.
"""

from __future__ import annotations

import contextlib
import csv
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from mel_core import geo
from mel_core.book.build import build_book, skeleton_dir
from mel_core.config import sample_lessons_dir
from mel_core.errors import BookInputError
from mel_core.reference import init_store
from mel_core.store import make_engine
from mel_core.text import fold, nfc
from tests.browser_support import (
    ARTIFACTS,
    LAUNCH_ARGS,
    LOCAL_SCHEMES,
    SampleLesson,
    Watch,
    article_text,
    block_network,
    folded_words,
    local_path,
    needs_chromium,
    open_page,
    pdf_glyphs,
    pdf_text,
    readable,
    require_chromium,
    search,
    site_pages,
    vietnamese_letters,
    year_lessons,
)
from tests.test_cli import run_mel

pytestmark = [pytest.mark.slow, needs_chromium]
YEAR = 2026


# ------------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (Debian's, not a downloaded one)."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A fresh page whose console errors, page errors, failed loads and network requests are recorded."""
    watch = Watch()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    block_network(context, watch)
    page = watch.attach(context.new_page())
    yield page, watch
    context.close()


@pytest.fixture(scope="module")
def book(demo_run: Any) -> Path:
    """The book ``mel demo`` built (``book/_build/2026``)."""
    require_chromium()
    result = demo_run.result
    assert result.returncode == 0, f"mel demo failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert (demo_run.book / "html" / "index.html").is_file(), "mel demo built no book"
    return demo_run.book


@pytest.fixture(scope="module")
def site(book: Path) -> Path:
    return book / "html"


@pytest.fixture(scope="module")
def year_files() -> list[SampleLesson]:
    """Every 2026 sample lesson file (public or not), read from the files the demo's book was built from."""
    found = year_lessons(sample_lessons_dir(), YEAR)
    assert len(found) >= 2
    return found


@pytest.fixture(scope="module")
def public_lessons(year_files: list[SampleLesson]) -> list[SampleLesson]:
    public = [x for x in year_files if x.public]
    assert public and len(public) < len(year_files), "the sample year should have public and internal lessons"
    return public


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def demo_pdf_text(book: Path) -> str:
    """The text of the demo book's PDF (read once: the book has a few hundred pages)."""
    pdf = book / f"mel-book-{YEAR}-vi.pdf"
    assert pdf.is_file(), "mel demo printed no PDF although Chromium is installed"
    return pdf_text(pdf)


def lesson_page(site: Path, key: str) -> str:
    """The one page that holds lesson ``key`` in full (its anchor ``lesson-<key>``), relative to ``site``."""
    pages = [p for p in site_pages(site) if f'id="lesson-{key}"' in p.read_text(encoding="utf-8")]
    assert len(pages) == 1, f"lesson {key} is on {len(pages)} pages: {pages}"
    return pages[0].relative_to(site).as_posix()


# ------------------------------------------------------------------------------------------------- 1. search
def test_search_box_finds_giam_ngheo_typed_without_diacritics(watched, site, artifacts):
    page, watch = watched
    hits = search(page, site, "giam ngheo", typed=True)
    assert len(hits) > 0, "no result for 'giam ngheo'"
    page.screenshot(path=str(artifacts / "search-giam-ngheo.png"))
    found = set(hits)
    texts = {p.relative_to(site).as_posix(): article_text(p) for p in site_pages(site)}
    # every page with the phrase is found, and every hit holds both words (with or without diacritics)
    with_phrase = {name for name, text in texts.items() if "giảm nghèo" in text.casefold()}
    assert with_phrase, "the book has no page with 'giảm nghèo'"
    assert with_phrase <= found, f"pages with 'giảm nghèo' not found: {sorted(with_phrase - found)}"
    for name in found:
        assert {"giam", "ngheo"} <= folded_words(texts[name]), f"{name} does not hold 'giảm' and 'nghèo'"
    # the reader follows a hit and sees the words
    target = sorted(with_phrase)[0]
    page.locator(f'#search-results ul.search li > a[href^="{target}"]').first.click()
    page.wait_for_load_state("load")
    assert local_path(page.url) == (site / target).resolve()
    assert "giảm nghèo" in nfc(page.locator("article.bd-article").inner_text()).casefold()
    assert not watch.problems, watch.problems


def test_search_finds_a_lesson_by_a_word_only_its_page_has(watched, site, public_lessons):
    page, watch = watched
    lesson = next(x for x in public_lessons if "gà đen" in x.title)
    target = lesson_page(site, lesson.key)
    # "ga den" finds the black-chicken lesson ("đen" folds to "den", as "đến" does: many other pages match too)
    assert target in search(page, site, "ga den", typed=True)
    # a word of the lesson written with diacritics whose folded form is on no other page of the book
    words: dict[str, int] = {}
    for page_path in site_pages(site):
        for w in folded_words(article_text(page_path)):
            words[w] = words.get(w, 0) + 1
    candidates = sorted(
        {
            w
            for text in lesson.body_texts()
            for w in re.findall(r"\w+", text)
            if fold(w) != w.lower() and len(fold(w)) >= 4 and not w.isdigit() and words.get(fold(w)) == 1
        },
        key=lambda w: (-len(w), w),
    )
    assert candidates, "no word of the lesson is on its page alone"
    word = candidates[0]
    assert fold(word) in folded_words(article_text(site / target))
    assert search(page, site, fold(word), typed=True) == [target], f"searching {fold(word)!r} (for {word!r})"
    assert search(page, site, word) == [target], f"searching {word!r}"
    assert not watch.problems, watch.problems


def test_search_gives_the_same_hits_with_and_without_diacritics(watched, site):
    page, watch = watched
    plain = search(page, site, "giam ngheo")
    assert plain
    assert sorted(search(page, site, "giảm nghèo")) == sorted(plain)
    assert sorted(search(page, site, "GIẢM NGHÈO")) == sorted(plain)
    assert not watch.problems, watch.problems


def test_search_gives_the_same_hits_for_a_query_typed_in_decomposed_unicode(watched, site):
    page, watch = watched
    plain = search(page, site, "giam ngheo")
    decomposed = unicodedata.normalize("NFD", "giảm nghèo")
    assert decomposed != "giảm nghèo"
    assert sorted(search(page, site, decomposed)) == sorted(plain)
    assert not watch.problems, watch.problems


def test_search_page_says_how_many_pages_it_found_and_when_none(watched, site):
    page, watch = watched
    hits = search(page, site, "giam ngheo")
    status = page.locator("#search-results p.search-summary").inner_text().strip()
    assert str(len(hits)) in status, f"the search page does not show the count: {status!r}"
    assert search(page, site, "qzxqzx") == []
    assert page.locator("#search-results p.search-summary").inner_text().strip(), (
        "a search with no hit is blank"
    )
    assert not watch.problems, watch.problems


# ------------------------------------------------------------------------------------------ 2. lesson finder
def finder_state(page: Any) -> tuple[list[str], str]:
    titles = page.eval_on_selector_all("#mel-finder-results li > a", "els => els.map(a => a.textContent)")
    return sorted(nfc(t) for t in titles), nfc(page.locator("#mel-finder-count").inner_text())


def finder_options(page: Any, name: str) -> list[str]:
    values = page.eval_on_selector_all(f"select[name={name}] option", "els => els.map(o => o.value)")
    assert values[0] == "", f"the {name} filter has no 'all' choice first"
    return [nfc(v) for v in values[1:]]


def choose(page: Any, **chosen: str) -> tuple[list[str], str]:
    for name in ("province", "sector", "theme", "year"):
        page.select_option(f"select[name={name}]", value=chosen.get(name, ""))
    return finder_state(page)


def expect(lessons: list[SampleLesson], **chosen: str) -> list[str]:
    def matches(x: SampleLesson) -> bool:
        province = chosen.get("province")
        return (
            (not province or province in x.today_provinces | x.former_provinces)
            and (not chosen.get("sector") or chosen["sector"] == x.sector_label)
            and (not chosen.get("theme") or chosen["theme"] in x.theme_labels)
            and (not chosen.get("year") or chosen["year"] == str(x.meta["year"]))
        )

    return sorted(x.title for x in lessons if matches(x))


def test_lesson_finder_filters_by_province_sector_theme_and_year(watched, site, public_lessons, artifacts):
    page, watch = watched
    open_page(page, site / "lesson-finder.html")
    titles, count = finder_state(page)
    assert titles == sorted(x.title for x in public_lessons)
    assert re.search(rf"(?<!\d){len(public_lessons)}(?!\d)", count), count
    # the choices are today's provinces of the lessons and the former names they were filed under
    provinces = finder_options(page, "province")
    today = {p for x in public_lessons for p in x.today_provinces}
    former = {p for x in public_lessons for p in x.former_provinces}
    assert set(provinces) == today | former
    assert sorted(finder_options(page, "sector")) == sorted({x.sector_label for x in public_lessons})
    assert sorted(finder_options(page, "theme")) == sorted(
        {t for x in public_lessons for t in x.theme_labels}
    )
    assert finder_options(page, "year") == [str(YEAR)]
    for name in ("province", "sector", "theme", "year"):
        values = finder_options(page, name)
        for value in values:
            titles, count = choose(page, **{name: value})
            assert titles == expect(public_lessons, **{name: value}), f"{name} = {value}"
            assert re.search(rf"(?<!\d){len(titles)}(?!\d)", count), (value, count)
    # today's Tuyên Quang: the lessons filed under its code or a code that merged into it (Hà Giang's 02)
    tuyen_quang = geo.provinces()["08"].name
    assert tuyen_quang in provinces
    merged = set(geo.predecessors("08"))
    wanted = sorted(x.title for x in public_lessons if merged & set(x.codes))
    assert wanted and choose(page, province=tuyen_quang)[0] == wanted
    # combined filters: every province with every theme, then the year too
    for province in provinces:
        for theme in finder_options(page, "theme"):
            got = choose(page, province=province, theme=theme)[0]
            assert got == expect(public_lessons, province=province, theme=theme), (province, theme)
    theme = public_lessons[0].theme_labels[-1]
    province = sorted(public_lessons[0].today_provinces)[0]
    titles, _ = choose(page, province=province, theme=theme, year=str(YEAR))
    assert titles == expect(public_lessons, province=province, theme=theme, year=str(YEAR))
    assert public_lessons[0].title in titles
    titles, _ = choose(page, province=tuyen_quang, year=str(YEAR))
    assert titles == wanted
    page.screenshot(path=str(artifacts / "lesson-finder-tuyen-quang.png"), full_page=True)
    # a result link lands on the lesson
    lesson = next(x for x in public_lessons if x.title == wanted[0])
    page.locator("#mel-finder-results li > a", has_text=lesson.title).click()
    page.wait_for_load_state("load")
    assert local_path(page.url) == (site / lesson_page(site, lesson.key)).resolve()
    fragment = page.url.partition("#")[2]
    assert fragment in ("", f"lesson-{lesson.key}")
    assert page.locator(f"#lesson-{lesson.key}").count() == 1
    assert lesson.title in nfc(page.title())
    assert lesson.title in nfc(page.locator("article.bd-article h1").first.inner_text())
    assert not watch.problems, watch.problems


# -------------------------------------------------------------------------- 3. every page: no errors, offline
def test_every_page_opens_without_console_errors_or_network(watched, site, artifacts):
    page, watch = watched
    pages = site_pages(site)
    names = {p.relative_to(site).as_posix() for p in pages}
    assert {"index.html", "search.html", "lesson-finder.html", "glossary.html", "genindex.html"} <= names
    evaluations = sorted(p for p in pages if p.parent.name == "evaluations")
    assert evaluations, "the demo's book has no evaluation page"
    for path in pages:
        open_page(page, path)
        if path == site / "index.html":
            page.screenshot(path=str(artifacts / "index.png"))
        elif path == evaluations[0]:
            page.screenshot(path=str(artifacts / "evaluation.png"))
    assert not watch.problems, "\n".join(watch.problems)


# -------------------------------------------------------------------- 4. lessons' words stay words, privacy
LESSON_HEAD = """---
id: {key}
title: '{title}'
language: vi
year: 2026
submitted_by: '{submitted_by}'
submitter_kind: ngo
funding: ngo
provinces: ["{province}"]
sector: livestock
themes: [process]
visibility: {visibility}
status: published
contact: {{name: {name}, phone: "{phone}", email: {email}}}
---
## 1. Thông tin về mô hình

### 1.5. Mục tiêu
{goal}

## 3. Bài học kinh nghiệm

### Bài học thứ nhất
{lesson}
"""
#: Text the lesson checker lets through although MyST would act on it if it were copied as it is.
ACTIVE_GOAL = "Chuỗi `{raw}` và {raw}`html &lt;b&gt;đậm&lt;/b&gt;` cùng $x$ và $$y$$ phải hiện nguyên văn."
ACTIVE_LESSON = (
    "Liên kết [nhấn vào đây](javascript:window.__pwned=3) và <javascript:window.__pwned=5> không chạy;"
    " {download}`/etc/hostname` và {{ author }} cũng vậy.\n"
    "&lt;script&gt;window.__pwned=7&lt;/script&gt; hiện thành chữ."
)
SHOWN_AS_TEXT = [
    "{raw}",
    "$x$ và $$y$$ phải hiện nguyên văn",
    "<script>window.__pwned=7</script> hiện thành chữ",
    "{{ author }}",
    "{download}",
    "/etc/hostname",
    "javascript:window.__pwned=5",
]
PUBLIC = {
    "key": "2026-thu-an-toan",
    "title": "Mô hình thử `{raw}` $x$ [nhấn](javascript:window.__pwned=9) & *sao* ở Hà Giang",
    "submitted_by": "Nhóm {{ thử }} & cộng sự",
    "province": "02",  # Hà Giang, part of Tuyên Quang since 2025
    "visibility": "public",
    "name": "Trần Thị Kiểm Thử",
    "phone": "0912 345 678",
    "email": "kiem.thu@an-toan.example.org",
    "goal": ACTIVE_GOAL,
    "lesson": ACTIVE_LESSON,
}
INTERNAL = {
    "key": "2026-noi-bo-ao-tom",
    "title": "Bài học nội bộ tuyệt mật về ao tôm",
    "submitted_by": "Ban quản lý nội bộ",
    "province": "38",
    "visibility": "internal",
    "name": "Lê Văn Nội Bộ",
    "phone": "0237 111 222",
    "email": "noi.bo@noi-bo.example.vn",
    "goal": "Câu văn nội bộ này không bao giờ được in ra sách công khai.",
    "lesson": "Nội dung chỉ dành cho người trong ban quản lý.",
}


def write_lessons(folder: Path, *lessons: dict[str, str]) -> Path:
    for lesson in lessons:
        path = folder / "2026" / f"{lesson['key']}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LESSON_HEAD.format(**lesson), encoding="utf-8")
    return folder


@contextlib.contextmanager
def empty_store(folder: Path) -> Iterator[Any]:
    """A store at head with only the reference data: a book of lessons, no evaluations."""
    engine = make_engine(f"sqlite:///{folder / 'mel.db'}")
    init_store(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def safety_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A book (with its PDF) from one public lesson full of MyST-active text and one internal lesson."""
    require_chromium()
    home = tmp_path_factory.mktemp("safety-book")
    lessons = write_lessons(home / "lessons", PUBLIC, INTERNAL)
    with empty_store(home) as engine:
        result = build_book(engine, YEAR, out=home / "out", lessons_dir=lessons, pdf=True)
    assert result.lessons == 1 and result.evaluations == 0
    assert result.pdf is not None and result.pdf.is_file()
    return home / "out"


def test_raw_html_in_a_lesson_stops_the_build_with_file_and_line(tmp_path):
    lesson = dict(
        PUBLIC,
        goal="Mục tiêu <script>window.__pwned = 1</script> rõ ràng.",
        lesson='Ảnh <img src=x onerror="window.__pwned=2"> ở đây.',
    )
    folder = write_lessons(tmp_path / "lessons", lesson)
    path = folder / "2026" / f"{lesson['key']}.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    script_line = next(i for i, line in enumerate(lines, 1) if "<script>" in line)
    img_line = next(i for i, line in enumerate(lines, 1) if "<img" in line)
    with empty_store(tmp_path) as engine, pytest.raises(BookInputError) as raised:
        build_book(engine, YEAR, out=tmp_path / "out", lessons_dir=folder)
    where = {(Path(p.source).name, p.row) for p in raised.value.problems}
    assert {(path.name, script_line), (path.name, img_line)} <= where, raised.value.problems
    assert not (tmp_path / "out" / "html").exists(), "a page was built from a lesson with raw HTML"


def test_lesson_text_stays_text_in_the_browser(watched, safety_book):
    page, watch = watched
    site = safety_book / "html"
    target = site / lesson_page(site, PUBLIC["key"])
    # the pages that show the lesson's words: its page, the lists, the finder, the search page
    pages = [p for p in site_pages(site) if PUBLIC["key"] in p.read_text(encoding="utf-8")]
    pages += [site / "lesson-finder.html", site / "search.html"]
    assert target in pages and len(pages) >= 5, pages
    for path in pages:
        open_page(page, path)
        if path.name == "lesson-finder.html":
            page.select_option("select[name=province]", value=geo.provinces()["08"].name)
        assert_inert(page, path)
    open_page(page, target)
    shown = " ".join(nfc(page.locator("article.bd-article").inner_text()).split())
    missing = [
        text for text in [PUBLIC["title"], PUBLIC["submitted_by"], *SHOWN_AS_TEXT] if text not in shown
    ]
    assert not missing, f"not shown as written: {missing}\n{shown}"
    assert not (site / "_downloads").exists(), "a {download} role in a lesson copied a file into the book"
    # the search page shows the title as text when a reader searches for it (whole: a match of its heading too)
    name = target.relative_to(site).as_posix()
    assert name in search(page, site, PUBLIC["title"])
    assert page.evaluate("typeof window.__pwned") == "undefined"
    link = page.locator(f'#search-results ul.search li > a[href^="{name}"]').first
    assert nfc(PUBLIC["title"]) in nfc(link.inner_text())
    assert not watch.problems, "\n".join(watch.problems)


def assert_inert(page: Any, path: Path) -> None:
    """No text of the test lesson ran as code or became an element on the open page."""
    assert page.evaluate("typeof window.__pwned") == "undefined", f"a lesson's text ran as code on {path}"
    assert page.locator("a[href^='javascript:' i], img[src='x']").count() == 0, path
    scripts = page.eval_on_selector_all("script", "els => els.map(s => s.textContent)")
    assert not [s for s in scripts if "__pwned" in s], f"a lesson's text became a script on {path}"


def test_lesson_text_stays_text_in_the_page_printed_to_pdf(browser, safety_book):
    # Chromium runs a page's scripts while it prints it; what that page loads is checked by the test after this
    context = browser.new_context()
    try:
        page = context.new_page()
        context.route(lambda url: not url.startswith(LOCAL_SCHEMES), lambda route: route.abort())
        printed = safety_book / ".singlehtml" / "index.html"
        open_page(page, printed)
        assert_inert(page, printed)
        shown = " ".join(nfc(page.locator("article.bd-article").inner_text()).split())
        missing = [text for text in [PUBLIC["title"], *SHOWN_AS_TEXT] if text not in shown]
        assert not missing, f"not shown as written: {missing}"
    finally:
        context.close()


def test_the_page_printed_to_pdf_loads_nothing_from_the_network(watched, book):
    page, watch = watched
    open_page(page, book / ".singlehtml" / "index.html")
    assert not watch.problems, "\n".join(watch.problems)


def test_lesson_finder_finds_a_lesson_filed_under_a_former_province_code(watched, safety_book):
    page, watch = watched
    open_page(page, safety_book / "html" / "lesson-finder.html")
    assert geo.successor(PUBLIC["province"]) == "08" and PUBLIC["province"] != "08"
    today, former = geo.provinces()["08"].name, geo.provinces()[PUBLIC["province"]].name
    assert {today, former} <= set(finder_options(page, "province"))
    assert choose(page, province=today)[0] == [nfc(PUBLIC["title"])]
    assert choose(page, province=former)[0] == [nfc(PUBLIC["title"])]
    assert not watch.problems, watch.problems


def test_internal_lessons_and_contacts_are_nowhere_in_the_small_book(safety_book):
    secrets = [PUBLIC["name"], PUBLIC["phone"], PUBLIC["email"], INTERNAL["name"], INTERNAL["phone"]]
    secrets += [INTERNAL["email"], INTERNAL["title"], INTERNAL["goal"], INTERNAL["lesson"], INTERNAL["key"]]
    assert_nowhere(safety_book / "html", secrets)
    assert_nowhere(safety_book, [s for s in secrets if s != INTERNAL["key"]])
    text = pdf_text(safety_book / f"mel-book-{YEAR}-vi.pdf").casefold()
    assert not [s for s in secrets if " ".join(nfc(s).split()).casefold() in text]
    for shown in SHOWN_AS_TEXT[:3]:
        assert shown.casefold() in text, f"not in the PDF as written: {shown!r}"


def test_a_title_with_html_is_refused_or_stays_text_on_the_search_page(watched, tmp_path):
    page, watch = watched
    lesson = dict(PUBLIC, title='Mô hình <img src=x onerror="window.__pwned=8"> nuôi gà bản địa')
    folder = write_lessons(tmp_path / "lessons", lesson)
    try:
        with empty_store(tmp_path) as engine:
            build_book(engine, YEAR, out=tmp_path / "out", lessons_dir=folder)
    except BookInputError as refused:  # refusing the title at the door is as good as showing it as text
        assert any(p.column == "title" for p in refused.problems), refused.problems
        return
    site = tmp_path / "out" / "html"
    search(page, site, lesson["title"])
    assert page.evaluate("typeof window.__pwned") == "undefined", "the lesson's title ran as code"
    assert not watch.problems, "\n".join(watch.problems)


def assert_nowhere(folder: Path, secrets: list[str]) -> None:
    """None of ``secrets`` in any file under ``folder`` (the PDF aside: its text is compressed)."""
    wanted = [" ".join(nfc(s).split()).casefold() for s in secrets]
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pdf"):
        text = readable(path.read_bytes())
        leaks += [(str(path.relative_to(folder)), s) for s in wanted if s in text]
    assert not leaks, f"private or internal text in the book: {leaks}"


def test_internal_lessons_and_contacts_are_nowhere_in_the_demo_book(book, year_files, demo_pdf_text):
    internal = [x for x in year_files if not x.public]
    assert internal
    secrets = [v for x in year_files for v in x.contact_values()]
    secrets += [x.title for x in internal] + [s for x in internal for s in x.body_texts() if len(s) > 20]
    assert len(secrets) > len(year_files)
    assert_nowhere(book / "html", secrets + [x.key for x in internal])
    assert_nowhere(book, secrets)
    text = demo_pdf_text.casefold()
    leaks = [s for s in secrets if " ".join(s.split()).casefold() in text]
    assert not leaks, f"private or internal text in the PDF: {leaks}"


# ---------------------------------------------------------------------------------------------------- 5. PDF
def foreword_paragraph(home: Path) -> str:
    """The first plain paragraph of the foreword the demo's book used (``book/foreword.vi.md``)."""
    with contextlib.chdir(home):
        foreword = skeleton_dir() / "foreword.vi.md"
    paragraphs = [" ".join(p.split()) for p in nfc(foreword.read_text(encoding="utf-8")).split("\n\n")]
    return next(p for p in paragraphs if p and not re.search(r"[#*_`\[\]<>]", p))


def test_pdf_has_the_vietnamese_sentences_intact(book, demo_run, public_lessons, demo_pdf_text):
    text = demo_pdf_text
    mojibake = [s for s in ("\ufffd", "â€", "Ä‘", "áº", "á»") if s in text]
    assert not mojibake, f"broken characters in the PDF's text: {mojibake}"
    vietnamese = [x for x in public_lessons if x.meta.get("language") == "vi"]
    assert len(vietnamese) >= 2
    sentences = [x.first_sentence("1.5") for x in vietnamese[:2]] + [foreword_paragraph(demo_run.home)]
    sentences += [x.title for x in vietnamese]
    missing = [s for s in sentences if s not in text]
    assert not missing, f"not in the PDF's text as written: {missing}"
    # each Vietnamese letter is drawn with a real glyph of an embedded font, not an empty box
    glyphs = pdf_glyphs(book / f"mel-book-{YEAR}-vi.pdf")
    assert not glyphs.not_embedded, f"fonts not embedded as TrueType: {glyphs.not_embedded}"
    letters = vietnamese_letters(sentences)
    assert {"ả", "ệ", "ư", "ơ", "đ", "ộ"} <= letters
    assert not letters & glyphs.empty, f"drawn without a glyph: {sorted(letters & glyphs.empty)}"
    assert letters <= glyphs.drawn, f"not drawn: {sorted(letters - glyphs.drawn)}"


# ---------------------------------------------------------------------------- 6. hostile text from the store
#: Text that would run in a browser if written as it is: a programme's title and an indicator's name come in
#: through `mel import` (which has no HTML check), the rest is put into the store's evaluation rows.
HOSTILE = {
    "title": 'Bò <img src=x onerror=alert("title")> và <svg/onload=alert("svg")> ở Điện Biên',
    "title_en": "Cattle <IMG SRC=x ONERROR=alert('en')>",
    "indicator": "Hộ nghèo <img src=x onerror=alert('indicator')> được hỗ trợ",
    "finding": "Phát hiện <svg><animate onbegin=alert('finding') attributeName=x dur=1s>",
    "justification": "Lý do <img src=x onerror=alert('justification')>",
    "recommendation": "Khuyến nghị <details open ontoggle=alert('recommendation')>",
}
#: A lesson title the lesson check lets through (no tag in it) that only shows as written if it is escaped.
ENTITY_TITLE = "Giá &lt;svg onload=alert(1)&gt; & thu nhập a < b, <5 ha"
#: True when the page holds an element with an event-handler attribute, the form of the lesson finder aside.
HANDLERS = """() => [...document.querySelectorAll('*')]
  .filter(e => e.id !== 'mel-finder' && [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')))
  .map(e => e.outerHTML.slice(0, 120))"""


def _export_with(folder: Path, changes: dict[tuple[str, str, str], str]) -> Path:
    """The sample workbook exported as CSV files, with (file, code, column) cells replaced."""
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.ingest import export_path, import_path

    with empty_store(folder) as engine:
        import_path(engine, SAMPLE_WORKBOOK)
        export_path(engine, folder / "csv")
    for (name, code, column), value in changes.items():
        path = folder / "csv" / f"{name}.csv"
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        hits = [r for r in rows if r["code"] == code and r.get("programme_code", PROGRAMME) == PROGRAMME]
        assert len(hits) == 1, (name, code)
        hits[0][column] = value
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder / "csv"


PROGRAMME = "DB-BSS-2011"


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A book (with its PDF) of one evaluation whose store text is hostile, and a lesson titled with entities.

    The programme and its indicators come in through `mel import` from the sample exported as CSV; the programme
    is evaluated for real (Papermill); its findings, justification and recommendation are then rewritten.
    """
    require_chromium()
    from mel_core.evaluations.runner import evaluate
    from mel_core.store import Evaluation, Finding, Rating, Recommendation, table_of

    home = tmp_path_factory.mktemp("hostile-book")
    csv_folder = _export_with(
        home / "sample",
        {
            ("programmes", PROGRAMME, "title"): HOSTILE["title"],
            ("programmes", PROGRAMME, "title_en"): HOSTILE["title_en"],
            ("indicators", "OP1", "name"): HOSTILE["indicator"],
        },
    )
    assert run_mel("init", home=home).returncode == 0
    imported = run_mel("import", str(csv_folder), home=home)
    assert imported.returncode == 0, imported.stderr
    engine = make_engine(f"sqlite:///{home / 'mel.db'}")
    try:
        [outcome] = evaluate(engine, [PROGRAMME], criteria=["effectiveness"], out_root=home / "notebooks")
        assert outcome.status == "succeeded", outcome.error
        e, f, r, m = (table_of(x) for x in (Evaluation, Finding, Rating, Recommendation))
        with engine.begin() as conn:
            row = conn.execute(select(e.c.id, e.c.finished_at).where(e.c.code == outcome.code)).one()
            conn.execute(update(f).where(f.c.evaluation_id == row.id).values(statement=HOSTILE["finding"]))
            conn.execute(
                update(r).where(r.c.evaluation_id == row.id).values(justification=HOSTILE["justification"])
            )
            conn.execute(update(m).where(m.c.evaluation_id == row.id).values(text=HOSTILE["recommendation"]))
        lessons = write_lessons(home / "lessons", dict(PUBLIC, title=ENTITY_TITLE))
        result = build_book(
            engine,
            YEAR,
            out=home / "out",
            lessons_dir=lessons,
            pdf=True,
            evaluation_year=row.finished_at.year,
        )
    finally:
        engine.dispose()
    assert result.evaluations == 1 and result.lessons == 1 and result.pdf is not None
    return home / "out", outcome.code


def _open_watched(page: Any, path: Path, dialogs: list[str], media: str = "screen") -> list[str]:
    """Open ``path`` (as a screen or in print) and return the elements with event handlers it holds."""
    page.emulate_media(media=media)
    open_page(page, path)
    page.wait_for_timeout(300)  # an <animate> begins, an image fails to load, a <details> opens
    assert not dialogs, f"a dialog opened on {path} ({media}): {dialogs}"
    return page.evaluate(HANDLERS)


def test_hostile_store_text_stays_text_on_every_page_and_in_print(watched, hostile_book):
    page, watch = watched
    out, code = hostile_book
    site = out / "html"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    evaluation = site / "evaluations" / f"{code.lower()}.html"
    pages = [
        evaluation,
        site / "overview.html",
        site / "criteria" / "effectiveness.html",
        site / "recommendations.html",
        site / "lessons" / "all" / f"{PUBLIC['key']}.html",
    ]
    for path in pages:
        for media in ("screen", "print"):
            assert _open_watched(page, path, dialogs, media) == [], f"elements with handlers on {path}"
    printed = out / ".singlehtml" / "index.html"
    assert _open_watched(page, printed, dialogs, "print") == [], (
        "elements with handlers in the printed edition"
    )
    shown = " ".join(nfc(page.locator("article.bd-article").inner_text()).split())
    assert not [t for t in HOSTILE.values() if t != HOSTILE["title_en"] and t not in shown]
    # the title as written: in the page's heading, its print header and its tab
    page.emulate_media(media="print")
    open_page(page, evaluation)
    title = f"{PROGRAMME}: {HOSTILE['title']}"
    assert nfc(page.locator("#jb-print-docs-body h1").inner_text()) == title
    assert nfc(page.locator("article.bd-article h1").first.inner_text()).startswith(title)
    assert page.title().startswith(title)
    table = " ".join(nfc(page.locator("article.bd-article").inner_text()).split())
    assert HOSTILE["indicator"] in table  # the criterion's table (pandas' HTML, sanitised)
    open_page(page, site / "lessons" / "all" / f"{PUBLIC['key']}.html")
    assert nfc(page.locator("#jb-print-docs-body h1").inner_text()) == ENTITY_TITLE
    assert page.title().startswith(ENTITY_TITLE)
    assert not watch.problems, "\n".join(watch.problems)
