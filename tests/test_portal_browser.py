"""The portal in a real browser (Debian's Chromium driven by Playwright) against ``mel serve`` itself, on
SQLite (two server processes) and on the embedded PostgreSQL server: search as ministry staff type it, facets
that narrow, sign-in as each role, a wrong password refused then throttled, a phone-sized screen, and no CSP
violation or request that leaves the machine. Screenshots go to ``tests/_artifacts/portal/`` (with
``MEL_UPDATE_SCREENSHOTS=1`` the README's is replaced too)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mel_core.accounts.users import add_user
from mel_core.lessons.completeness import outline_numbers
from mel_core.store import make_engine, session_scope
from mel_core.vocabulary import ROLES
from tests.browser_support import LAUNCH_ARGS, Watch, needs_chromium, require_chromium
from tests.conftest import DemoRun, _fresh_pg_database
from tests.portal_support import (
    CONTACT_VALUES,
    INTERNAL,
    INTERNAL_TITLE,
    PUBLIC_WITH_CONTACT,
    PortalStore,
    build_portal_store,
)

pytestmark = [pytest.mark.slow, needs_chromium]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts" / "portal"
README_SCREENSHOT = ROOT / "docs" / "images" / "portal-search.png"
MEL = str(Path(sys.executable).with_name("mel"))
THROTTLED = "throttle@test.example.org"


@dataclass
class Served:
    base: str
    store: PortalStore
    throttled_password: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_run: DemoRun
) -> Iterator[Served]:
    """``mel serve`` over a portal store (two processes on SQLite, one on PostgreSQL)."""
    home = tmp_path_factory.mktemp(f"served-{request.param}")
    if request.param == "sqlite":
        url, workers = f"sqlite:///{home / 'mel.db'}", "2"
    else:
        url, workers = _fresh_pg_database(request.getfixturevalue("pg_server")), "1"
    store = build_portal_store(url, home, demo_run.home / "mel.db")
    engine = make_engine(url)
    with session_scope(engine) as session:
        add_user(session, THROTTLED, "reader", "throttled password")
    engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEL_")}
    env.update({"MEL_HOME": str(home), "MEL_DB_URL": url})
    log = (home / "serve.log").open("w")
    process = subprocess.Popen(
        [MEL, "serve", "--port", str(port), "--workers", workers], env=env, stdout=log, stderr=log, cwd=home
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"mel serve did not start: {(home / 'serve.log').read_text()}")
        time.sleep(0.2)
    yield Served(base, store, "throttled password")
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_context(browser: Any, served: Served) -> Iterator[Any]:
    """A function that opens a fresh browser context (its own cookies) whose problems are all recorded:
    console errors (CSP violations among them), page errors, failed loads, and any request off this server."""
    opened: list[tuple[Any, Watch]] = []

    def make(width: int = 1280, height: int = 900) -> tuple[Any, Watch]:
        watch = Watch()
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")

        def refuse(route: Any) -> None:
            watch.problems.append(f"network request: {route.request.url}")
            route.abort()

        context.route(lambda url: not url.startswith(served.base), refuse)
        page = watch.attach(context.new_page())
        opened.append((context, watch))
        return page, watch

    yield make
    for context, watch in opened:
        context.close()
        assert [p for p in watch.problems if not _expected(p)] == []


def _expected(problem: str) -> bool:
    """A page refused on purpose (a wrong password, a throttled sign-in, a page the role may not open, an unknown
    id, a file of the wrong kind or too large), which Chromium logs as an error, or the favicon's load cancelled
    because the test moved on to the next page; a refused script or style sheet is still a problem, and so is any
    other failure."""
    if problem.startswith("failed request:") and "/static/favicon.svg net::ERR_ABORTED" in problem:
        return True
    return bool(re.search(r"status of (401|403|404|413|422|429) \(", problem)) and "/static/" not in problem


def sign_in(page: Any, served: Served, email: str, password: str) -> None:
    page.goto(f"{served.base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state("load")


def test_anonymous_search_for_giam_ngheo_finds_the_vietnamese_lessons_of_every_year(served, open_context):
    page, _watch = open_context()
    page.goto(served.base + "/")
    page.fill("header input[name=q]", "giam ngheo")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=giam\+ngheo"))
    total = int(page.inner_text(".summary .total"))
    assert total > 10
    titles = page.locator(".hit .title").all_inner_texts()
    assert any("nghèo" in t for t in titles), titles
    assert page.locator(".hit mark").count() > 0  # highlighted snippets
    years = page.locator(".facet[data-facet=year] a").all_inner_texts()
    assert len(years) >= 5, years  # lessons of many years, not one book's
    kinds = page.locator(".facet[data-facet=kind] a").evaluate_all("els => els.map(e => e.dataset.value)")
    assert "lesson" in kinds
    assert INTERNAL_TITLE not in page.content()
    # the next page is a shareable address
    page.click("nav.pages a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".hit").count() > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def test_facet_clicks_narrow_the_counts(served, open_context):
    page, _watch = open_context()
    page.goto(f"{served.base}/search?q=giam+ngheo")
    before = int(page.inner_text(".summary .total"))
    link = page.locator(".facet[data-facet=sector] a").first
    value = link.get_attribute("data-value")
    expected = int(link.locator(".count").inner_text())
    link.click()
    page.wait_for_url(re.compile(rf"sector={value}"))
    page.wait_for_selector(".facet[data-facet=sector] a.active")
    after = int(page.inner_text(".summary .total"))
    assert after == expected < before
    province = page.locator(".facet[data-facet=province] a").first
    expected = int(province.locator(".count").inner_text())
    province.click()
    page.wait_for_url(re.compile(r"province="))
    page.wait_for_selector(".facet[data-facet=province] a.active")
    assert int(page.inner_text(".summary .total")) == expected <= after
    page.screenshot(path=str(ARTIFACTS / "search-facets.png"), full_page=True)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_sees_what_it_may(served, open_context, role):
    page, _watch = open_context()
    sign_in(page, served, served.store.email(role), served.store.passwords[role])
    assert role in page.inner_text("header .who")
    page.goto(f"{served.base}/lessons/{INTERNAL}")
    if role == "contributor":
        assert page.locator("h1").inner_text() == "Không tìm thấy"
    else:
        assert page.locator("h1").inner_text() == INTERNAL_TITLE
    page.goto(f"{served.base}/lessons/{PUBLIC_WITH_CONTACT}")
    has_contact = page.locator("dd.contact").count() > 0
    assert has_contact == (role in ("reviewer", "admin"))
    assert (CONTACT_VALUES[0] in page.content()) == has_contact
    users_link = page.locator("header nav a[href='/admin/users']").count() > 0
    assert users_link == (role == "admin")
    page.goto(f"{served.base}/admin/users")
    assert (page.locator("table.users").count() > 0) == (role == "admin")
    # sign-out: back to what anyone sees
    page.click("header form[action='/logout'] button")
    page.wait_for_load_state("load")
    page.goto(f"{served.base}/lessons/{INTERNAL}")
    assert page.locator("h1").inner_text() == "Không tìm thấy"


def test_anonymous_visitors_do_not_see_internal_lessons(served, open_context):
    page, _watch = open_context()
    page.goto(f"{served.base}/lessons/{INTERNAL}")
    assert page.locator("h1").inner_text() == "Không tìm thấy"
    page.goto(f"{served.base}/search?q=nhom+phu+nu+tiet+kiem+khoi+nghiep")
    assert INTERNAL_TITLE not in page.content()


def test_a_wrong_password_is_refused_and_then_throttled(served, open_context):
    page, _watch = open_context()
    for _ in range(5):
        sign_in(page, served, THROTTLED, "not the password")
        assert "Sai e-mail hoặc mật khẩu" in page.inner_text(".problem")
    sign_in(page, served, THROTTLED, served.throttled_password)
    assert "quá nhiều lần" in page.inner_text(".problem")
    assert page.locator("header .who").count() == 0


def test_the_portal_fits_a_phone_screen_and_switches_to_english(served, open_context):
    page, _watch = open_context(width=390, height=844)
    page.goto(f"{served.base}/search?q=giam+ngheo")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=False)
    page.click("header a.lang")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "results" in page.inner_text(".summary")
    page.goto(f"{served.base}/programmes/DB-BSS-2011")
    page.screenshot(path=str(ARTIFACTS / "programme-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("svg.bar").count() > 0  # achievement charts, no script needed


def test_screenshot_of_the_search_page_for_the_readme(served, open_context):
    page, _watch = open_context(width=1280, height=860)
    page.goto(f"{served.base}/search?q=giam+ngheo+chan+nuoi")
    page.wait_for_selector(".hit")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "search.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("MEL_UPDATE_SCREENSHOTS") == "1" and "sqlite" in served.store.settings.db_url:
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, README_SCREENSHOT)


def test_a_contributor_submits_a_lesson_and_a_reviewer_publishes_it(served, open_context):
    """The path of issue #15 in the browser: written in the outline's form, not public while in review, published
    by a reviewer from the queue, then found by anyone."""
    title = f"Nuôi ong lấy mật ở bản vùng cao {served.base[-5:]}"
    page, _watch = open_context()
    sign_in(page, served, served.store.email("contributor"), served.store.passwords["contributor"])
    page.click("header nav a[href='/submit/lesson']")
    page.fill("input[name=title]", title)
    page.fill("input[name=year]", "2026")
    page.check("input[name=provinces][value='11']")
    page.select_option("select[name=sector]", "livestock")
    page.check("input[name=themes][value='process']")
    page.select_option("select[name=funding]", "state_budget")
    page.fill("input[name=submitted_by]", "Phòng NN&PTNT huyện Mường Nhé")
    page.fill("input[name=contact_name]", "Giàng A Páo")
    for number in outline_numbers():
        text = (
            "- **Chọn giống ong nội.** Đàn ong nội chịu rét, giảm nghèo."
            if number == "3"
            else f"Mục {number}."
        )
        page.fill(f"textarea[name='s_{number}']", text)
    page.click("button[name=action][value=preview]")
    assert page.locator("section.preview").count() == 1 and page.locator("section.missing").count() == 0
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == title
    lesson_url = page.url
    assert "đã gửi" in page.inner_text("dl.facts")
    anonymous, _ = open_context()
    anonymous.goto(lesson_url)
    assert anonymous.locator("h1").inner_text() == "Không tìm thấy"
    reviewer, _ = open_context()
    sign_in(reviewer, served, served.store.email("reviewer"), served.store.passwords["reviewer"])
    reviewer.click("header nav a[href='/review']")
    reviewer.click(f"table.queue a:has-text('{title}')")
    assert "Giàng A Páo" in reviewer.inner_text("dd.contact")
    reviewer.fill("textarea[name=comment]", "Đạt yêu cầu.")
    reviewer.click("button[name=decision][value=publish]")
    reviewer.wait_for_load_state("load")
    assert "đã công bố" in reviewer.inner_text("dl.facts") and "Đạt yêu cầu." in reviewer.inner_text(
        "section.review"
    )
    anonymous.goto(lesson_url)
    assert anonymous.locator("h1").inner_text() == title
    assert "Giàng A Páo" not in anonymous.content()
    anonymous.goto(f"{served.base}/search?q=nuoi+ong+lay+mat+ban+vung+cao")
    assert title in anonymous.content()


def test_a_contributor_sends_figures_and_a_reviewer_approves_them(served, open_context, tmp_path):
    """A workbook with a mistake lists its problems (nothing is written); the corrected one is approved from the
    queue and its figures remember who sent and who approved them."""
    from sqlalchemy import select as core_select

    from mel_core.store import Observation, table_of
    from tests.datasets import write_xlsx
    from tests.test_submissions import figures

    tables = figures("2045")
    tables["observations"][1][4] = "nhiều"  # not a number
    wrong = write_xlsx(tmp_path / "so-lieu-sai.xlsx", tables)
    right = write_xlsx(tmp_path / "so-lieu.xlsx", figures("2045"))
    page, _watch = open_context()
    sign_in(page, served, served.store.email("contributor"), served.store.passwords["contributor"])
    page.goto(f"{served.base}/submit/workbook")
    page.set_input_files("input[name=file]", str(wrong))
    page.click("form[action='/submit/workbook'] button[type=submit]")
    page.wait_for_load_state("load")
    assert "nhiều" in page.inner_text("table.problems") and "cần một số" in page.inner_text("table.problems")
    page.goto(f"{served.base}/submit/workbook")
    page.set_input_files("input[name=file]", str(right))
    page.click("form[action='/submit/workbook'] button[type=submit]")
    page.wait_for_load_state("load")
    submission_url = page.url
    assert page.locator("table.problems").count() == 0
    reviewer, _ = open_context()
    sign_in(reviewer, served, served.store.email("reviewer"), served.store.passwords["reviewer"])
    reviewer.goto(f"{served.base}/review/workbooks")
    reviewer.click(f"table.queue a[href='{submission_url.removeprefix(served.base)}']")
    reviewer.click("button[name=decision][value=approve]")
    reviewer.wait_for_load_state("load")
    engine = make_engine(served.store.settings.db_url)
    with engine.connect() as conn:
        o = table_of(Observation)
        rows = conn.execute(
            core_select(o.c.value, o.c.submitted_by, o.c.approved_by).where(o.c.period == "2045")
        ).all()
    engine.dispose()
    assert sorted(r.value for r in rows) == [21.25, 42.5]
    assert {(r.submitted_by, r.approved_by) for r in rows} == {
        (served.store.email("contributor"), served.store.email("reviewer"))
    }


def test_a_reviewer_records_managements_response_and_the_tracker_shows_it(served, open_context):
    from tests.portal_support import first_evaluation

    evaluation = first_evaluation(served.store.settings.db_url)
    reviewer, _ = open_context()
    sign_in(reviewer, served, served.store.email("reviewer"), served.store.passwords["reviewer"])
    reviewer.goto(f"{served.base}/evaluations/{evaluation}")
    first = reviewer.locator("ol.recs > li").first
    first.locator("details.respond summary").click()
    first.locator("select[name=response]").select_option("accepted")
    first.locator("textarea[name=text]").fill("Đồng ý, Sở sẽ ban hành quy chế.")
    first.locator("input[name=action_text]").fill("Ban hành quy chế quay vòng")
    first.locator("input[name=action_unit]").fill("Sở NN&PTNT Điện Biên")
    first.locator("input[name=action_due]").fill("2030-06-30")
    first.locator("form.stacked button[type=submit]").click()
    reviewer.wait_for_load_state("load")
    first = reviewer.locator("ol.recs > li").first
    assert "Ban hành quy chế quay vòng" in first.inner_text()
    first.locator("form.inline-form select[name=status]").select_option("initiated")
    first.locator("form.inline-form button[type=submit]").click()
    reviewer.wait_for_load_state("load")
    anonymous, _ = open_context()
    anonymous.goto(f"{served.base}/recommendations?state=initiated")
    assert "Ban hành quy chế quay vòng" in anonymous.inner_text("table.recs")
    assert "Sở NN&PTNT Điện Biên" in anonymous.inner_text("table.recs")


def test_an_evaluator_attaches_a_pdf_and_anyone_downloads_it(served, open_context, tmp_path):
    """The upload form of a programme's page (#15): a file of the wrong kind is refused with why (nothing kept);
    a PDF is attached with its title, listed, and downloaded byte for byte, by its uploader and by an anonymous
    visitor; an internal one is listed only for the signed-in."""
    from tests.test_attachments import docx_bytes, pdf_bytes

    report = tmp_path / "Báo cáo giữa kỳ.pdf"
    report.write_bytes(pdf_bytes("Bao cao giua ky Okapi"))
    old_word = tmp_path / "bao-cao-cu.doc"
    old_word.write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    notes = tmp_path / "ghi-chu-noi-bo.docx"
    notes.write_bytes(docx_bytes("Ghi chú nội bộ"))
    programme = f"{served.base}/programmes/DB-BSS-2011"
    page, _watch = open_context()
    sign_in(page, served, served.store.email("evaluator"), served.store.passwords["evaluator"])
    page.goto(programme)
    form = "form.attach"
    page.set_input_files(f"{form} input[name=file]", str(old_word))
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state("load")
    assert "không phải tệp PDF, Word hay Excel" in page.inner_text("section.attachments [role=alert]")
    page.set_input_files(f"{form} input[name=file]", str(report))
    page.fill(f"{form} input[name=title]", "Báo cáo giữa kỳ (Okapi)")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state("load")
    assert "#attachment-" in page.url
    link = page.get_by_role("link", name="Báo cáo giữa kỳ (Okapi)")
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "Báo cáo giữa kỳ.pdf"  # its own name (filename*), ASCII for others
    assert Path(download.path()).read_bytes() == report.read_bytes()
    page.goto(programme)
    page.set_input_files(f"{form} input[name=file]", str(notes))
    page.check(f"{form} input[name=visibility][value=internal]")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state("load")
    assert "ghi-chu-noi-bo.docx" in page.inner_text("section.attachments")
    visitor, _ = open_context()
    visitor.goto(programme)
    listed = visitor.inner_text("section.attachments")
    assert "Báo cáo giữa kỳ (Okapi)" in listed and "ghi-chu-noi-bo" not in listed
    assert visitor.locator("form.attach").count() == 0  # an anonymous visitor attaches nothing
    with visitor.expect_download() as downloading:
        visitor.get_by_role("link", name="Báo cáo giữa kỳ (Okapi)").click()
    assert Path(downloading.value.path()).read_bytes() == report.read_bytes()
