"""The annual book without a browser: what goes in, what never does, escaping, errors and incremental builds.

Real components: a SQLite store, real lesson files, the real Jupyter Book/Sphinx build in its subprocess.
The browser and PDF checks are in tests/test_book_browser.py.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import zlib
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import text

from mel_core.book import myst
from mel_core.book.build import build_book
from mel_core.book.content import BookEvaluation
from mel_core.book.evaluation_pages import evaluation_notebook
from mel_core.book.sphinx_ext import FoldingSearch
from mel_core.errors import BookBuildError, BookInputError
from mel_core.store import make_engine
from tests.browser_support import needs_chromium, pdf_text
from tests.test_cli import run_mel

SAMPLE = Path(__file__).resolve().parents[1] / "lessons" / "2026" / "2026-tuyen-quang-ga-den-nguoi-mong.md"


def write_lesson(folder: Path, key: str, year: int = 2026, **changes: str) -> Path:
    """A valid lesson file made from a sample one: ``key`` and ``year`` set, front-matter lines replaced."""
    source = SAMPLE.read_text(encoding="utf-8")
    source = source.replace("2026-tuyen-quang-ga-den-nguoi-mong", key).replace("year: 2026", f"year: {year}")
    for field, value in changes.items():
        source = re.sub(rf"^{field}: .*$", f"{field}: {value}", source, count=1, flags=re.M)
    path = folder / str(year) / f"{key}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    return path


def all_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file()
    )


# ------------------------------------------------------------------------------------------------- escaping
def test_inline_escapes_every_markdown_and_myst_active_character():
    nasty = "<script>alert(1)</script> {raw}`html` $x$ [a](javascript:x) **b** {{ sub }} # h"
    escaped = myst.inline(nasty)
    assert "<" not in escaped.replace("\\<", "")
    for ch in "<>{}`$[]()*#":
        assert ch not in escaped.replace("\\" + ch, ""), ch
    assert myst.inline("Hoà  bình\n giảm nghèo") == "Hoà bình giảm nghèo"  # one line, NFC, no escapes needed


def test_blocks_keeps_structure_but_not_html_links_or_headings():
    body = (
        "# Heading\n\nA paragraph with <b>bold</b> and [a link](javascript:steal()).\n\n"
        "- first **point**\n- second `code`\n\n1. one\n2. two\n\n<script>x()</script>\n"
    )
    out = myst.blocks(body)
    assert "**Heading**" in out  # a heading inside a lesson is a bold line, not a section
    assert "\\<b\\>bold\\<\\/b\\>" in out
    # markdown-it refuses javascript: links, so the whole thing stays text; any other link keeps its words only
    assert "\\[a link\\]\\(javascript" in out
    assert "see" in myst.blocks("[see](https://example.org)") and "example.org" not in myst.blocks(
        "[see](https://example.org)"
    )
    assert "- first **point**" in out and "- second `code`" in out
    assert "1. one" in out and "2. two" in out
    assert "\\<script\\>x\\(\\)\\<\\/script\\>" in out
    assert "<script>" not in out


def test_blocks_can_keep_headings_below_the_books_own():
    assert myst.blocks("## Rating\n\ntext", headings_from=3).startswith("### Rating")
    assert myst.blocks("### Findings", headings_from=3).startswith("#### Findings")


def test_the_search_language_folds_words_as_the_knowledge_base_does():
    lang = FoldingSearch({})
    assert lang.stem("Giảm") == "giam" and lang.stem("nghèo") == "ngheo" and lang.stem("Đường") == "duong"
    assert lang.stem("hoà") == lang.stem("hòa") == "hoa"
    assert lang.word_filter("hộ") and lang.word_filter("ở") and lang.word_filter("2026")


# ---------------------------------------------------------------------------------------------- a real build
@pytest.fixture
def small_book(sqlite_engine, tmp_path):
    """Lesson files of 2026 (public, internal, draft, a former province) and 2025, in an empty store."""
    lessons = tmp_path / "lessons"
    write_lesson(lessons, "2026-public-one")
    write_lesson(lessons, "2026-former-province", provinces='["02"]', title="Bài học ở Hà Giang cũ")
    write_lesson(lessons, "2026-internal-one", visibility="internal", title="Bài học nội bộ không đăng")
    write_lesson(lessons, "2026-draft-one", status="draft", title="Bản nháp chưa đăng")
    write_lesson(lessons, "2025-last-year", year=2025, title="Bài học của năm trước")
    return sqlite_engine, lessons, tmp_path / "out"


def test_the_book_holds_the_years_public_lessons_and_never_contacts_internal_lessons_or_drafts(small_book):
    engine, lessons, out = small_book
    result = build_book(engine, 2026, lessons_dir=lessons, out=out)
    assert result.lessons == 2 and result.evaluations == 0
    assert result.index == out / "html" / "index.html" and result.index.is_file()
    html = out / "html"
    assert (html / "lessons" / "all" / "2026-public-one.html").is_file()
    assert (html / "lessons" / "all" / "2026-former-province.html").is_file()
    everything = all_text(html) + all_text(out / "source")
    for hidden in (
        "Bài học nội bộ không đăng",
        "Bản nháp chưa đăng",
        "Bài học của năm trước",
        "2026-internal-one",
    ):
        assert hidden not in everything, hidden
    # the sample's contact block: name, phone and e-mail never reach the book
    for private in ("Giàng Thị Sua", "0961 207 384", "sua.giang@vungcao.example.org"):
        assert private not in everything, private
    # today's province, with the former name the lesson used
    provinces = (html / "lessons" / "provinces.html").read_text(encoding="utf-8")
    assert "Tuyên Quang" in provinces and "trước đây: Hà Giang" in provinces
    # the lesson finder's data: both lessons, their province today and before, and links that exist
    data = (html / "finder" / "mel-lessons.js").read_text(encoding="utf-8")
    payload = json.loads(data.removeprefix("window.MEL_LESSONS = ").rstrip().rstrip(";"))
    found = {x["title"]: x for x in payload["lessons"]}
    assert set(found) == {
        "Bài học ở Hà Giang cũ",
        "Nuôi gà đen bản địa gắn với tổ hợp tác của phụ nữ Mông vùng cao nguyên đá",
    }
    assert found["Bài học ở Hà Giang cũ"]["provinces"] == ["Tuyên Quang"]
    assert found["Bài học ở Hà Giang cũ"]["former"] == ["Hà Giang"]
    for x in payload["lessons"]:
        assert (html / x["url"]).is_file(), x["url"]
    # the search index holds words without their diacritics, so "giam ngheo" meets "giảm nghèo"
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(index[index.index("(") + 1 : index.rindex(")")])["terms"]
    assert "ngheo" in terms and "nghèo" not in terms and "ga" in terms and "gà" not in terms


def test_lesson_text_cannot_become_html_in_the_book(small_book):
    engine, lessons, out = small_book
    path = lessons / "2026" / "2026-public-one.md"
    source = path.read_text(encoding="utf-8").replace(
        "Tổ hợp tác tự quản;",
        "Tổ hợp tác tự quản {raw}`html` $x$ [bấm](javascript:alert(1)) &lt;script&gt;alert(2)&lt;/script&gt;;",
    )
    path.write_text(source, encoding="utf-8")
    build_book(engine, 2026, lessons_dir=lessons, out=out)
    page = (out / "html" / "lessons" / "all" / "2026-public-one.html").read_text(encoding="utf-8")
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))  # the text a reader sees
    assert "{raw}html $x$ [bấm](javascript:alert(1)) <script>alert(2)</script>;" in shown
    assert 'href="javascript' not in page and "<script>alert" not in page


def test_a_lesson_with_raw_html_or_a_bad_field_fails_the_build_with_every_problem(small_book):
    engine, lessons, out = small_book
    path = lessons / "2026" / "2026-public-one.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("sector: livestock", "sector: livestok")
        + "\n<script>alert(1)</script>\n",
        encoding="utf-8",
    )
    with pytest.raises(BookInputError) as caught:
        build_book(engine, 2026, lessons_dir=lessons, out=out)
    problems = {(p.source, p.column) for p in caught.value.problems}
    assert (str(path), "sector") in problems
    assert any(p.source == str(path) and "<script>" in str(p.reason) for p in caught.value.problems)
    assert all(p.row > 0 for p in caught.value.problems if p.source == str(path))
    assert not (out / "html").exists()  # nothing was built


def test_the_cli_reports_a_broken_lesson_with_file_and_line_and_exit_65(tmp_path):
    assert run_mel("init", home=tmp_path).returncode == 0
    lessons = tmp_path / "lessons"
    broken = write_lesson(lessons, "2026-broken", themes="[empowermnt]")
    result = run_mel("book", "build", "--year", "2026", "--lessons", str(lessons), home=tmp_path)
    assert result.returncode == 65, result.stderr
    assert str(broken) in result.stderr and "themes" in result.stderr and "line" in result.stderr


def test_a_sphinx_warning_fails_the_build_and_the_next_build_reports_it_again(small_book, tmp_path):
    engine, lessons, out = small_book
    skeleton = tmp_path / "skeleton"
    skeleton.mkdir()
    (skeleton / "foreword.vi.md").write_text("# Lời nói đầu\n\nXem {ref}`nhan-khong-co`.\n", encoding="utf-8")
    for _ in range(2):  # a failed build must not hide its warning from the next (incremental) one
        with pytest.raises(BookBuildError) as caught:
            build_book(engine, 2026, lessons_dir=lessons, out=out, skeleton=skeleton)
        assert any("nhan-khong-co" in line and "index.md" in line for line in caught.value.problems)


def test_rebuilds_redo_only_what_changed_and_withdrawn_lessons_leave_the_site(small_book):
    engine, lessons, out = small_book
    first = build_book(engine, 2026, lessons_dir=lessons, out=out)
    assert "lessons/all/2026-public-one.md" in first.changed
    again = build_book(engine, 2026, lessons_dir=lessons, out=out)
    assert again.changed == []
    path = lessons / "2026" / "2026-public-one.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Sổ theo dõi đàn gà", "Sổ ghi chép đàn gà"), "utf-8"
    )
    changed = build_book(engine, 2026, lessons_dir=lessons, out=out)
    assert changed.changed == ["lessons/all/2026-public-one.md"]
    page = out / "html" / "lessons" / "all" / "2026-public-one.html"
    assert "Sổ ghi chép đàn gà" in page.read_text(encoding="utf-8")
    # made internal: its page is removed from the output too, not only from the index
    path.write_text(
        path.read_text(encoding="utf-8").replace("visibility: public", "visibility: internal"), "utf-8"
    )
    build_book(engine, 2026, lessons_dir=lessons, out=out)
    assert not page.exists()
    assert "2026-public-one" not in (out / "html" / "searchindex.js").read_text(encoding="utf-8")


def files_holding(folder: Path, word: str) -> list[str]:
    """The files under ``folder`` that hold ``word`` (ASCII, any case): a byte search of each file, Sphinx's
    ``objects.inv`` decompressed and the PDF's text extracted (both are compressed)."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".inv":  # four lines of header, then zlib
            data = zlib.decompress(data.split(b"\n", 4)[4])
        elif path.suffix == ".pdf":
            data = pdf_text(path).encode("utf-8")
        if word.encode("ascii") in data.lower():
            found.append(path.relative_to(folder).as_posix())
    return found


@needs_chromium  # the printed edition is rebuilt too
def test_a_withdrawn_lesson_leaves_every_file_of_the_book_and_the_rest_is_not_rebuilt(small_book):
    engine, lessons, out = small_book
    word = "quokkavjrz"  # on no other page, and the same once folded for the search index
    path = write_lesson(lessons, "2026-rut-lai", title="Bài học sẽ được rút lại")
    path.write_text(
        path.read_text(encoding="utf-8").replace("Tổ hợp tác tự quản;", f"Tổ {word} tự quản;"), "utf-8"
    )
    first = build_book(engine, 2026, lessons_dir=lessons, out=out, pdf=True)
    assert first.lessons == 3
    published = files_holding(out, word)
    for where in (
        "html/searchindex.js",
        ".doctrees-html/lessons/all/2026-rut-lai.doctree",
        "mel-book-2026-vi.pdf",
    ):
        assert where in published, published
    kept = out / ".doctrees-html" / "lessons" / "all" / "2026-public-one.doctree"
    read_at = kept.stat().st_mtime_ns
    path.write_text(
        path.read_text(encoding="utf-8").replace("visibility: public", "visibility: internal"), "utf-8"
    )
    again = build_book(engine, 2026, lessons_dir=lessons, out=out, pdf=True)
    assert again.lessons == 2
    assert files_holding(out, word) == []
    assert not (out / "html" / "lessons" / "all" / "2026-rut-lai.html").exists()
    assert "2026-rut-lai" not in "\n".join(str(p) for p in (out / "html").rglob("*"))
    # the other lessons are still published, and the incremental build did not read them again
    for key in ("2026-public-one", "2026-former-province"):
        assert (out / "html" / "lessons" / "all" / f"{key}.html").is_file()
    assert "lessons/all/2026-public-one.md" not in again.changed and kept.stat().st_mtime_ns == read_at
    index = (out / "html" / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(index[index.index("(") + 1 : index.rindex(")")])["terms"]
    assert "ngheo" in terms and [] not in terms.values()


def test_a_build_without_pdf_removes_the_previous_printed_edition(small_book):
    engine, lessons, out = small_book
    stale = [
        out / ".print-source" / "index.md",
        out / ".singlehtml" / "index.html",
        out / "mel-book-2026-vi.pdf",
    ]
    for path in stale:  # as a build with --pdf left them, before a lesson was withdrawn
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Bài học đã rút lại", encoding="utf-8")
    result = build_book(engine, 2026, lessons_dir=lessons, out=out)
    assert result.pdf is None
    assert [p for p in stale if p.exists()] == []
    assert not (out / ".doctrees-singlehtml").exists()


def test_notebook_outputs_keep_only_text_tables_and_pictures(tmp_path):
    hostile = "<img src=x onerror=alert(1)>"
    table = (
        f'<div><style scoped>td {{color: red}}</style><table border="1" class="dataframe"><tr style="text-align: '
        f'right;"><th>{html.escape(hostile)}</th><td onclick="alert(2)">1</td></tr></table>'
        f'<script>alert(3)</script>{hostile}<a href="javascript:alert(4)">x</a></div>'
    )
    data = {
        "text/html": table,
        "text/plain": "1",
        "application/javascript": "alert(5)",
        "image/svg+xml": '<svg onload="alert(6)"/>',
    }
    cell = nbformat.v4.new_code_cell(
        "show(result)", outputs=[nbformat.v4.new_output("display_data", data=data)]
    )
    notebook = tmp_path / "effectiveness.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)
    ev = BookEvaluation(
        "E-1", "final", "P-1", "Tên", "Name", "livestock", ("11",), None, [("effectiveness", notebook)]
    )
    book = nbformat.reads(evaluation_notebook(ev, "vi"), as_version=4)
    [shown] = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert set(shown["data"]) == {"text/html", "text/plain"}
    kept = shown["data"]["text/html"]
    assert "<table" in kept and 'class="dataframe"' in kept and "text-align:right" in kept
    assert html.escape(hostile) in kept  # store text that pandas escaped stays text
    for gone in ("<img", "onclick", "<script", "<style", "javascript:", "<a "):
        assert gone not in kept, gone


def test_the_book_of_the_demo_has_every_evaluation_and_its_notebooks_without_code(demo_run):
    assert demo_run.result.returncode == 0, demo_run.result.stderr
    html = demo_run.book / "html"
    engine = make_engine(f"sqlite:///{demo_run.home / 'mel.db'}")
    with engine.connect() as conn:
        codes = list(conn.scalars(text("SELECT code FROM evaluations WHERE status = 'succeeded'")))
    pages = sorted((html / "evaluations").glob("*.html"))
    assert len(pages) == len(codes) >= 8
    page = (html / "evaluations" / f"{codes[0].lower()}.html").read_text(encoding="utf-8")
    assert "criterion as criterion" not in page and "nb.emit(" not in page  # code hidden
    assert "<img" in page  # the charts are shown
    assert "sqlite:///" not in all_text(html)  # the store's address is machine-local
    stdout = demo_run.result.stdout.replace("\n", "")
    assert str(demo_run.book / "html" / "index.html") in stdout


def test_a_corrupt_evaluation_notebook_fails_the_build(demo_run, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(demo_run.home, home, ignore=shutil.ignore_patterns("_build", "index"))
    engine = make_engine(f"sqlite:///{home / 'mel.db'}")
    with engine.begin() as conn:
        for eid, folder in conn.execute(text("SELECT id, output_dir FROM evaluations")).all():
            moved = str(folder).replace(str(demo_run.home), str(home))
            conn.execute(text("UPDATE evaluations SET output_dir = :d WHERE id = :i"), {"d": moved, "i": eid})
        folder = Path(
            conn.scalar(text("SELECT output_dir FROM evaluations WHERE status = 'succeeded' LIMIT 1"))
        )
    (folder / "impact.ipynb").write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(BookInputError) as caught:
        build_book(engine, 2026, evaluation_year=2026, lessons_dir=None, out=tmp_path / "out")
    assert [p.source for p in caught.value.problems] == [str(folder / "impact.ipynb")]


def test_the_cumulative_edition_holds_every_years_public_lessons(small_book):
    """`mel book build --all-years` (#15): one offline book of every year; drafts and internal lessons still out."""
    engine, lessons, out = small_book
    result = build_book(engine, 2026, lessons_dir=lessons, out=out, all_years=True)
    assert result.lessons == 3 and result.year == "2025\u20132026"
    html = out / "html"
    for key in ("2026-public-one", "2026-former-province", "2025-last-year"):
        assert (html / "lessons" / "all" / f"{key}.html").is_file(), key
    everything = all_text(html)
    assert "Bài học nội bộ không đăng" not in everything and "Bản nháp chưa đăng" not in everything
    assert "2025\u20132026" in (html / "index.html").read_text(encoding="utf-8")
    by_year = build_book(engine, 2026, lessons_dir=lessons, out=out.parent / "one-year")
    assert by_year.lessons == 2  # the year's book is unchanged


# ------------------------------------------------------------------------------------------------- attachments
@pytest.fixture
def attached_book(small_book, tmp_path):
    """``small_book`` ingested and published in the store, with files attached (#15): to a published lesson (a
    public PDF, an internal one), to a draft lesson, to a programme (a Word file holding a phone number) and to
    its evaluation finished in 2026 (an Excel file)."""
    from datetime import UTC, date, datetime

    from mel_core.accounts.users import add_user
    from mel_core.attachments import attach, parse_target
    from mel_core.lessons.ingest import ingest_lessons
    from mel_core.store import Evaluation, Programme, session_scope
    from tests.test_attachments import docx_bytes, pdf_bytes, xlsx_bytes

    engine, lessons, out = small_book
    home = tmp_path / "home"
    notebooks = tmp_path / "runs" / "QB-DE-2012-final"
    notebooks.mkdir(parents=True)
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Tổng hợp\n\nKết quả chung.")]),
        notebooks / "synthesis.ipynb",
    )
    with session_scope(engine) as session:
        add_user(session, "thamdinh@molisa.example.vn", "reviewer", "a long enough password")
        add_user(session, "danhgia@molisa.example.vn", "evaluator", "a long enough password")
        programme = Programme(
            code="QB-DE-2012", title="Mô hình nuôi dê", sector="livestock", funding="ngo",
            start_date=date(2012, 1, 1), end_date=date(2014, 12, 31),
        )  # fmt: skip
        session.add(programme)
        session.flush()
        assert programme.id is not None
        session.add(
            Evaluation(
                code="QB-DE-2012-final",
                programme_id=programme.id,
                status="succeeded",
                finished_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
                output_dir=str(notebooks),
            )
        )
    ingest_lessons(engine, lessons, publish_as="thamdinh@molisa.example.vn")
    files = [
        ("lesson:2026-public-one", pdf_bytes("Report quokkapub"), "../../Báo cáo <b>.pdf", "public"),
        ("lesson:2026-public-one", pdf_bytes("Notes wombatint"), "ghi-chu.pdf", "internal"),
        ("lesson:2026-draft-one", pdf_bytes("Draft numbatdraft"), "nhap.pdf", "public"),
        ("programme:QB-DE-2012", docx_bytes("Hồ sơ chương trình dugongprog", "Liên hệ 0912 345 678"),
         "ho-so.docx", "public"),
        ("evaluation:QB-DE-2012-final", xlsx_bytes(), "so-lieu.xlsx", "public"),
    ]  # fmt: skip
    ids = {}
    with session_scope(engine) as session:
        for target, data, name, visibility in files:
            by = "thamdinh@molisa.example.vn" if target.startswith("lesson:") else "danhgia@molisa.example.vn"
            row = attach(session, home, parse_target(target), data, name, visibility=visibility, by=by)
            ids[name] = row.id
    return engine, lessons, out, home, ids


def test_the_cumulative_edition_carries_every_public_attachment_offline_and_searchable(attached_book):
    engine, lessons, out, home, ids = attached_book
    result = build_book(engine, 2026, lessons_dir=lessons, out=out, all_years=True, home=home)
    assert (result.lessons, result.evaluations, result.attachments) == (3, 1, 3)
    html = out / "html"
    # the file itself, downloadable from the lesson's page: a link to a copy in the book, byte for byte
    lesson_page = (html / "lessons" / "all" / "2026-public-one.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(\.\./\.\./_downloads/[^"]+)"', lesson_page)
    assert len(links) == 1 and links[0].endswith("/Bao_cao_b.pdf"), links
    copy = (html / "lessons" / "all" / links[0]).resolve()
    assert copy.is_relative_to(html.resolve()) and copy.read_bytes().startswith(b"%PDF-")
    assert b"quokkapub" in copy.read_bytes()
    # each file has a page with its text, found by the book's own search
    page = html / "attachments" / f"a{ids['../../Báo cáo <b>.pdf']}.html"
    assert "quokkapub" in page.read_text(encoding="utf-8")
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(index[index.index("(") + 1 : index.rindex(")")])["terms"]
    assert {"quokkapub", "dugongprog"} <= set(terms)
    # the attachments page groups them by programme, evaluation and lesson; the evaluation's page lists its own
    listing = (html / "attachments.html").read_text(encoding="utf-8")
    assert "Mô hình nuôi dê" in listing and "so-lieu.xlsx" in listing and "Bao_cao_b.pdf" in listing
    evaluation = (html / "evaluations" / "qb-de-2012-final.html").read_text(encoding="utf-8")
    assert "so-lieu.xlsx" in evaluation and "_downloads/" in evaluation
    # internal files and files of unpublished lessons are nowhere; a phone number in a public file's text is
    # blanked out of the book's pages and search
    assert files_holding(out, "wombatint") == [] and files_holding(out, "numbatdraft") == []
    assert "345 678" not in all_text(html / "attachments") and "345" not in terms
    # every file the book holds stays inside its folder, named by ASCII letters only
    for path in (html / "_downloads").rglob("*.*"):
        assert path.resolve().is_relative_to(html.resolve()) and path.name.isascii(), path
    # a year's book carries the attachments of what it publishes
    year = build_book(engine, 2026, lessons_dir=lessons, out=out.parent / "one-year", home=home)
    assert year.attachments == 3
    earlier = build_book(engine, 2025, lessons_dir=lessons, out=out.parent / "2025", home=home)
    assert earlier.attachments == 0 and not (out.parent / "2025" / "html" / "attachments.html").exists()


def test_an_attachment_made_internal_leaves_every_file_of_the_book(attached_book):
    from sqlalchemy import update

    from mel_core.store import Attachment

    engine, lessons, out, home, ids = attached_book
    build_book(engine, 2026, lessons_dir=lessons, out=out, all_years=True, home=home)
    published = files_holding(out, "quokkapub")
    assert "html/searchindex.js" in published
    assert any(p.startswith("html/_downloads/") for p in published) and any(
        p.startswith("source/_attachments/") for p in published
    ), published
    number = ids["../../Báo cáo <b>.pdf"]
    with engine.begin() as conn:
        conn.execute(update(Attachment).where(Attachment.id == number).values(visibility="internal"))  # type: ignore[arg-type]
    again = build_book(engine, 2026, lessons_dir=lessons, out=out, all_years=True, home=home)
    assert again.attachments == 2
    assert files_holding(out, "quokkapub") == []
    assert not (out / "html" / "attachments" / f"a{number}.html").exists()
    assert "_downloads" not in (out / "html" / "lessons" / "all" / "2026-public-one.html").read_text("utf-8")
    # the other files are still there
    assert files_holding(out, "dugongprog")


def test_a_missing_or_altered_kept_file_fails_the_build(attached_book):
    engine, lessons, out, home, _ = attached_book
    kept = sorted((home / "attachments").glob("*.pdf"))
    for path in kept:
        path.write_bytes(path.read_bytes() + b"%altered")
    (next(iter((home / "attachments").glob("*.docx")))).unlink()
    with pytest.raises(BookInputError) as caught:
        build_book(engine, 2026, lessons_dir=lessons, out=out, all_years=True, home=home)
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "has changed since it was attached" in reasons and "is missing" in reasons
