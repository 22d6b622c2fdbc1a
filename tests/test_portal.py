"""The portal over a real store (SQLite and the embedded PostgreSQL): every route with every role, escaping,
CSRF, the sign-in throttle, headers, errors (httpx through Starlette's TestClient; the browser tests are in
tests/test_portal_browser.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select

from mel_core import audit
from mel_core.accounts.signin import SignInPolicy
from mel_core.evaluations.responses import respond
from mel_core.kb.search import close_all
from mel_core.lessons.completeness import outline_numbers
from mel_core.store import Lesson, User, make_engine, session_scope
from mel_core.vocabulary import ROLES
from mel_core.web.app import create_app
from tests.conftest import DemoRun, _fresh_pg_database
from tests.kb_support import add_lesson
from tests.portal_support import (
    ATTACHED,
    CALL,
    CONTACT_VALUES,
    DIEN_BIEN_LESSON,
    DRAFT,
    HOSTILE,
    INTERNAL,
    INTERNAL_CONTACT,
    INTERNAL_TITLE,
    PERSONAL,
    PERSONAL_CONTACT,
    PERSONAL_SECRETS,
    PUBLIC_WITH_CONTACT,
    SUBMITTED,
    PortalStore,
    build_portal_store,
    first_evaluation,
)

REPO = Path(__file__).resolve().parent.parent
ANONYMOUS = "anonymous"
WHO = (ANONYMOUS, *ROLES)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def portal_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_run: DemoRun
) -> Iterator[PortalStore]:
    home = tmp_path_factory.mktemp(f"portal-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'mel.db'}"
    else:
        url = _fresh_pg_database(request.getfixturevalue("pg_server"))
    store = build_portal_store(url, home, demo_run.home / "mel.db")
    yield store
    close_all()


def client_for(store: PortalStore, **kwargs: object) -> TestClient:
    return TestClient(create_app(store.settings, **kwargs), raise_server_exceptions=False)  # type: ignore[arg-type]


def csrf_of(client: TestClient, path: str = "/login") -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, f"no CSRF token in {path}"
    return found.group(1)


def sign_in(client: TestClient, store: PortalStore, role: str) -> TestClient:
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={
            "email": store.email(role),
            "password": store.passwords[role],
            "csrf_token": token,
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="module")
def clients(portal_store: PortalStore) -> dict[str, TestClient]:
    out = {ANONYMOUS: client_for(portal_store)}
    for role in ROLES:
        out[role] = sign_in(client_for(portal_store), portal_store, role)
    return out


def routes(store: PortalStore) -> list[str]:
    evaluation = first_evaluation(store.settings.db_url)
    paths = [
        "/",
        "/api/home",
        "/search?q=giam+ngheo",
        "/api/search?q=giam+ngheo",
        "/search?q=Nh%C3%B3m+ph%E1%BB%A5+n%E1%BB%AF+ti%E1%BA%BFt+ki%E1%BB%87m+kh%E1%BB%9Fi+nghi%E1%BB%87p",
        "/api/search?q=nhom+phu+nu+tiet+kiem+khoi+nghiep+buon",
        "/search?q=Mid-term+climate-resilient+aquaculture",
        "/recommendations",
        "/api/recommendations",
        "/programmes/DB-BSS-2011",
        "/api/programmes/DB-BSS-2011",
        f"/evaluations/{evaluation}",
        f"/api/evaluations/{evaluation}",
        f"/evaluations/{evaluation}/notebooks/impact.html",
        "/admin/users",
        "/api/admin/users",
        "/review",
        "/api/review",
        "/submit/lesson",
        "/api/submit/lesson",
        "/calls",
        "/api/calls",
        "/calls/1",
        "/api/calls/1",
        "/submit/workbook",
        "/api/submit/workbook",
        "/review/workbooks",
        "/api/review/workbooks",
        *TRADE_REPORTS,
        "/login",
        "/healthz",
        "/api/docs",
        "/api/openapi.json",
        *(f"/attachments/{number}" for number in ATTACHED),
    ]
    for key in (PUBLIC_WITH_CONTACT, INTERNAL, DRAFT, SUBMITTED, DIEN_BIEN_LESSON, HOSTILE, PERSONAL):
        paths += [f"/lessons/{key}", f"/api/lessons/{key}"]
    for role in ("contributor", "reviewer"):  # a workbook submission of each
        number = store.submissions[role]
        paths += [f"/submissions/{number}?by={role}", f"/api/submissions/{number}?by={role}"]
    return paths


#: "My reports" (trade promotion, seed 000): the list, a centre's quarterly report in the demo contributor's
#: province (Điện Biên, 11), and the programme's report by sector (beyond their province).
TRADE_REPORTS = (
    "/my-reports",
    "/api/my-reports",
    "/my-reports/XTTM-T11?kind=quarterly&period=2026-Q3",
    "/api/my-reports/XTTM-T11?kind=quarterly&period=2026-Q3",
    "/my-reports/XTTM?kind=sector&period=2026",
    "/api/my-reports/XTTM?kind=sector&period=2026",
)


def expected_status(path: str, who: str) -> int:
    if path.startswith(("/admin/", "/api/admin/")):
        if who == ANONYMOUS:
            return 401 if path.startswith("/api/") else 303
        return 200 if who == "admin" else 403
    if path.startswith(("/my-reports", "/api/my-reports")):
        if who == ANONYMOUS:
            return 401 if path.startswith("/api/") else 303
        return 403 if who == "contributor" and "/XTTM?" in path else 200
    if path.startswith(("/submit/", "/api/submit/")):
        if who == ANONYMOUS:
            return 401 if path.startswith("/api/") else 303
        return 200 if who in ("contributor", "reviewer", "admin") else 403
    if path.startswith(("/review", "/api/review", "/calls", "/api/calls")):
        if who == ANONYMOUS:
            return 401 if path.startswith("/api/") else 303
        return 200 if who in ("reviewer", "admin") else 403
    if path.startswith(("/submissions/", "/api/submissions/")):  # a contributor sees only their own
        if who == ANONYMOUS:
            return 401 if path.startswith("/api/") else 303
        if who in ("reader", "evaluator"):
            return 403
        return 404 if who == "contributor" and path.endswith("by=reviewer") else 200
    if path.endswith(f"/lessons/{SUBMITTED}"):  # not published yet; outside the contributor's province
        return 200 if who in ("reviewer", "admin") else 404
    if path.endswith(f"/lessons/{INTERNAL}"):
        return 404 if who in (ANONYMOUS, "contributor") else 200
    if path.endswith(f"/lessons/{DRAFT}"):
        return 200 if who in ("reviewer", "admin") else 404
    if path.startswith("/attachments/"):  # an internal file, and a file of the internal lesson
        return 404 if path != "/attachments/1" and who in (ANONYMOUS, "contributor") else 200
    return 200


def api_routes(app: object) -> list[APIRoute]:
    """Every route of the portal: the app's own and those of each router module (FastAPI 0.16x lists an
    included router as one entry of ``app.routes``, not its routes)."""
    import importlib
    import pkgutil

    import mel_core.web.routers as package

    found = [r for r in getattr(app, "routes", []) if isinstance(r, APIRoute)]
    for module in pkgutil.iter_modules(package.__path__):
        router = importlib.import_module(f"{package.__name__}.{module.name}").router
        found += [r for r in router.routes if isinstance(r, APIRoute)]
    assert len(found) > 40, "the portal's routes were not found"
    return found


def test_every_get_route_is_in_the_role_matrix(portal_store):
    app = create_app(portal_store.settings)
    tested = {re.sub(r"\?.*", "", p) for p in routes(portal_store)}
    for route in api_routes(app):
        if "GET" not in route.methods or route.path.startswith("/lang/"):
            continue
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", route.path) + "$")
        assert any(pattern.match(p) for p in tested), f"{route.path} has no case in the role matrix"


@pytest.mark.parametrize("who", WHO)
def test_every_route_with_every_role_shows_only_what_the_role_may_see(portal_store, clients, who):
    client = clients[who]
    for path in routes(portal_store):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == expected_status(path, who), f"{who} {path}: {response.status_code}"
        body = response.text
        if who not in ("reviewer", "admin"):
            for secret in (*CONTACT_VALUES, *INTERNAL_CONTACT, *PERSONAL_SECRETS):
                assert secret not in body, f"{who} sees contact data {secret!r} on {path}"
        if who in (ANONYMOUS, "contributor"):
            assert INTERNAL_TITLE not in body, f"{who} sees the internal lesson on {path}"
            if INTERNAL not in path:  # a page may echo the address it was asked for
                assert INTERNAL not in body, f"{who} sees the internal lesson's id on {path}"
        if who not in ("reviewer", "admin") and DRAFT not in path:
            assert DRAFT not in body, f"{who} sees the draft on {path}"
        assert "Traceback" not in body


def test_readers_find_internal_lessons_in_search_and_anonymous_visitors_do_not(clients):
    query = "/api/search?q=nhom+phu+nu+tiet+kiem+khoi+nghiep+buon&kind=lesson"
    keys = {who: [h["key"] for h in clients[who].get(query).json()["hits"]] for who in WHO}
    for who in ("reader", "evaluator", "reviewer", "admin"):
        assert INTERNAL in keys[who], who
    for who in (ANONYMOUS, "contributor"):
        assert INTERNAL not in keys[who], who


def test_contact_details_only_for_reviewers_and_admins(clients):
    for who in WHO:
        data = clients[who].get(f"/api/lessons/{PUBLIC_WITH_CONTACT}").json()
        if who in ("reviewer", "admin"):
            assert data["contact"]["phone"] == CONTACT_VALUES[0]
            assert CONTACT_VALUES[0] in clients[who].get(f"/lessons/{PUBLIC_WITH_CONTACT}").text
        else:
            assert "contact" not in data


def test_personal_data_in_a_lessons_text_is_blanked_out_except_for_reviewers(clients):
    for who in WHO:
        page = clients[who].get(f"/lessons/{PERSONAL}").text
        data = json.dumps(clients[who].get(f"/api/lessons/{PERSONAL}").json(), ensure_ascii=False)
        found = clients[who].get("/api/search?q=giu+giong+ga+tha+vuon").json()
        assert PERSONAL in [h["key"] for h in found["hits"]], who
        if who in ("reviewer", "admin"):
            assert all(secret in page for secret in PERSONAL_SECRETS), who
            assert PERSONAL_CONTACT["name"] in data
        else:
            for secret in (*PERSONAL_SECRETS, "Hoang Thi Mai", "3823"):
                assert secret not in page and secret not in data, (who, secret)
            assert "[…]" in page and "giữ giống gà" in page
        assert not any(s in json.dumps(found, ensure_ascii=False) for s in PERSONAL_SECRETS), who


def test_a_contributor_sees_the_lessons_of_their_province(portal_store, clients):
    assert clients["contributor"].get(f"/lessons/{DIEN_BIEN_LESSON}").status_code == 200
    assert clients[ANONYMOUS].get(f"/lessons/{INTERNAL}").status_code == 404


def test_a_lesson_links_to_its_programme(portal_store, clients):
    """Each lesson page names the programme the store files it under (read with the lesson, in one query)."""
    engine = make_engine(portal_store.settings.db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT l.key, p.code, p.title FROM lessons l LEFT JOIN programmes p ON p.id = l.programme_id"
                " WHERE l.visibility = 'public' AND l.status = 'published' ORDER BY l.key"
            )
        )
        pairs = {key: (code, title) for key, code, title in rows}
    engine.dispose()
    assert any(code for code, _t in pairs.values()) and any(code is None for code, _t in pairs.values())
    for key, (code, title) in pairs.items():
        shown = clients[ANONYMOUS].get(f"/api/lessons/{key}").json()["programme"]
        assert shown == ({"code": code, "title": title} if code else None), key
        if code:
            assert f'href="/programmes/{code}"' in clients[ANONYMOUS].get(f"/lessons/{key}").text


class Elements(HTMLParser):
    """The elements of a page as a browser parses them: (tag, attributes)."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def active_content(body: str) -> list[str]:
    """Whatever in a page could run script: inline scripts, event handlers, javascript: links, embeds."""
    problems = []
    for tag, attrs in Elements(body).found:
        if tag == "script" and not attrs.get("src", "").startswith("/static/"):
            problems.append(f"<script {attrs}>")
        if tag in ("svg", "img", "iframe", "object", "embed") and tag != "svg":
            problems.append(f"<{tag}>")
        if tag == "svg" and "onload" in attrs:
            problems.append("<svg onload>")
        problems += [f"<{tag} {k}=>" for k in attrs if k.startswith("on")]
        problems += [
            f"<{tag} {k}={v}>"
            for k, v in attrs.items()
            if k in ("href", "src") and "javascript:" in v.lower()
        ]
    return problems


def test_hostile_lesson_text_is_shown_inert(clients):
    for who in (ANONYMOUS, "admin"):
        for path in (f"/lessons/{HOSTILE}", "/search?q=bypass+alert", "/api/docs"):
            body = clients[who].get(path).text
            assert active_content(body) == [], path
        body = clients[who].get(f"/lessons/{HOSTILE}").text
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in body  # shown, as text
        assert "&lt;img src=x onerror=alert('img')&gt;" in body


def test_every_response_carries_a_strict_csp_and_hardening_headers(portal_store, clients):
    for path in ("/", "/search?q=bo", "/api/home", "/nope", "/static/portal.css", f"/lessons/{HOSTILE}"):
        response = clients[ANONYMOUS].get(path)
        csp = response.headers["content-security-policy"]
        script_src = re.search(r"script-src ([^;]+)", csp)
        assert script_src and "'unsafe-inline'" not in script_src.group(1) and "*" not in script_src.group(1)
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    notebook = next(p for p in routes(portal_store) if p.endswith("impact.html"))
    sandboxed = clients[ANONYMOUS].get(notebook).headers["content-security-policy"]
    assert "sandbox;" in sandboxed and "allow-scripts" not in sandboxed and "default-src 'none'" in sandboxed
    assert "script-src" not in sandboxed  # no script of any kind runs in an executed notebook


def test_pages_have_no_inline_script_or_style_and_no_foreign_asset(portal_store, clients):
    for path in routes(portal_store):
        response = clients["admin"].get(path)
        if "text/html" not in response.headers.get("content-type", "") or "/notebooks/" in path:
            continue
        body = response.text
        for tag in re.findall(r"<script[^>]*>", body):
            assert "src=" in tag, f"inline script on {path}"
        assert "<style" not in body and " style=" not in body, f"inline style on {path}"
        for tag, attrs in Elements(body).found:
            if tag in ("script", "link", "img"):
                source = attrs.get("src") or attrs.get("href") or ""
                assert source.startswith("/"), f"<{tag}> from elsewhere on {path}: {source}"


def test_a_form_posted_without_its_csrf_token_is_refused(portal_store, clients):
    anonymous = client_for(portal_store)
    response = anonymous.post(
        "/login", data={"email": portal_store.email("reader"), "password": portal_store.passwords["reader"]}
    )
    assert response.status_code == 403
    assert "mel_session" not in response.cookies
    # another browser's token does not do either
    other = csrf_of(client_for(portal_store))
    response = anonymous.post(
        "/login",
        data={
            "email": portal_store.email("reader"),
            "password": portal_store.passwords["reader"],
            "csrf_token": other,
        },
    )
    assert response.status_code == 403
    admin = clients["admin"]
    response = admin.post("/admin/users", data={"email": "csrf@test.example.org", "role": "admin"})
    assert response.status_code == 403
    assert "csrf@test.example.org" not in admin.get("/admin/users").text
    assert admin.post("/logout").status_code == 403
    assert admin.get("/api/admin/users").status_code == 200  # still signed in


def test_an_admin_adds_and_disables_a_user_in_the_browser_forms(portal_store, clients):
    admin = clients["admin"]
    token = csrf_of(admin, "/admin/users")
    response = admin.post(
        "/admin/users",
        data={"email": "New.User@Test.Example.org", "role": "reader", "csrf_token": token},
    )
    assert response.status_code == 200
    password = re.search(r'<code class="secret">([^<]+)</code>', response.text)
    assert password
    assert response.headers["cache-control"] == "no-store"
    newcomer = client_for(portal_store)
    token = csrf_of(newcomer)
    signed = newcomer.post(
        "/login",
        data={"email": "new.user@test.example.org", "password": password.group(1), "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert newcomer.get(f"/lessons/{INTERNAL}").status_code == 200
    token = csrf_of(admin, "/admin/users")
    changed = admin.post(
        "/admin/users/new.user@test.example.org/state",
        data={"action": "role", "role": "reviewer", "csrf_token": token},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    roles = {u["email"]: u["role"] for u in admin.get("/api/admin/users").json()["users"]}
    assert roles["new.user@test.example.org"] == "reviewer"
    bad = admin.post(
        "/admin/users/new.user@test.example.org/state",
        data={"action": "role", "role": "king", "csrf_token": csrf_of(admin, "/admin/users")},
    )
    assert bad.status_code == 400 and "king" in bad.text
    token = csrf_of(admin, "/admin/users")
    disabled = admin.post(
        "/admin/users/new.user@test.example.org/state",
        data={"action": "disable", "csrf_token": token},
        follow_redirects=False,
    )
    assert disabled.status_code == 303
    # the disabled user's open session ends at once: back to what anyone sees
    assert newcomer.get(f"/lessons/{INTERNAL}").status_code == 404
    assert newcomer.get("/api/admin/users").status_code == 401
    # each change is in the audit trail, by the admin who made it; the refused one is not
    engine = make_engine(portal_store.settings.db_url)
    with session_scope(engine) as session:
        trail = audit.history(session, "user", "new.user@test.example.org")
    engine.dispose()
    assert [(e.action, e.actor) for e in trail] == [
        (action, portal_store.email("admin")) for action in ("user.add", "user.set_role", "user.disable")
    ]
    assert trail[1].changes() == [("role", "reader", "reviewer")]


def test_sign_in_with_a_wrong_password_is_refused_then_throttled(portal_store):
    client = client_for(portal_store)
    email = portal_store.email("evaluator")
    for _ in range(SignInPolicy().max_failures):
        response = client.post(
            "/login", data={"email": email, "password": "wrong password!", "csrf_token": csrf_of(client)}
        )
        assert response.status_code == 401
        assert "mel_session" not in response.cookies
    right = {"email": email, "password": portal_store.passwords["evaluator"], "csrf_token": csrf_of(client)}
    response = client.post("/login", data=right, follow_redirects=False)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "mel_session" not in response.cookies
    # the throttle lives in the store: a second process (another app over the same store) refuses too
    second = client_for(portal_store)
    right["csrf_token"] = csrf_of(second)
    assert second.post("/login", data=right, follow_redirects=False).status_code == 429


def test_sessions_live_in_the_store_so_any_process_honours_them(portal_store, clients):
    cookie = clients["reader"].cookies.get("mel_session")
    other_process = client_for(portal_store)  # a second app: nothing shared in memory
    other_process.cookies.set("mel_session", cookie)
    assert other_process.get(f"/lessons/{INTERNAL}").status_code == 200
    forged = client_for(portal_store)
    forged.cookies.set("mel_session", cookie[:-4] + "abcd")
    assert forged.get(f"/lessons/{INTERNAL}").status_code == 404


def test_sign_out_ends_the_session(portal_store):
    client = sign_in(client_for(portal_store), portal_store, "reader")
    cookie = client.cookies.get("mel_session")
    token = csrf_of(client, "/")
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    replay = client_for(portal_store)
    replay.cookies.set("mel_session", cookie)
    assert replay.get(f"/lessons/{INTERNAL}").status_code == 404


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/search?q=bo&province=Atlantis", 400, "Atlantis"),
        ("/search?q=bo&year=next", 400, "next"),
        ("/search?q=bo&kind=poem", 400, "poem"),
        ("/search?q=bo&page=0", 400, ""),
        ("/search?q=" + "a" * 600, 400, ""),
        ("/lessons/no-such-lesson", 404, ""),
        ("/lessons/..%2F..%2Fetc%2Fpasswd", 404, ""),
        ("/programmes/NOPE", 404, ""),
        ("/evaluations/NOPE-1", 404, ""),
        ("/recommendations?state=maybe", 400, ""),
        ("/recommendations?as_of=2026-13-01", 400, ""),
        ("/no/such/page", 404, ""),
    ],
    ids=["province", "year", "kind", "page", "long", "lesson", "traversal", "programme", "evaluation", "state",
         "as_of", "page404"],
)  # fmt: skip
def test_bad_requests_get_a_clear_page_never_a_server_error(clients, path, status, text):
    response = clients[ANONYMOUS].get(path)
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]
    assert "Traceback" not in response.text
    assert text in response.text
    assert 'role="search"' in response.text  # the page keeps its layout and a search box


def test_search_facets_narrow_and_counts_match(clients):
    client = clients[ANONYMOUS]
    data = client.get("/api/search?q=giam+ngheo").json()
    assert data["total"] > 0
    sector = next(f for f in data["facets"] if f["name"] == "sector")["values"][0]
    narrowed = client.get(sector["url"].replace("/search", "/api/search")).json()
    assert narrowed["total"] == sector["count"] < data["total"]
    assert narrowed["filters"] == {"sector": [sector["value"]]}
    # pages: the second page holds the next hits, a shareable URL
    if data["total"] > 10:
        second = client.get("/api/search?q=giam+ngheo&page=2").json()
        assert {h["key"] for h in second["hits"]}.isdisjoint({h["key"] for h in data["hits"]})


def test_search_finds_old_provinces_under_todays(clients):
    # Quảng Bình (44) became part of Quảng Trị (45) in 2025: its lessons are found under 45
    data = clients[ANONYMOUS].get("/api/search?q=&province=45&kind=lesson").json()
    provinces = {p for h in data["hits"] for p in h["provinces"]}
    assert "44" in provinces


def test_english_switch_and_vietnamese_default(clients):
    client = clients[ANONYMOUS]
    assert 'lang="vi"' in client.get("/").text
    response = client.get("/lang/en?next=/recommendations", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/recommendations"
    english = TestClient(client.app)
    english.cookies.set("mel_lang", "en")
    assert "Recommendations" in english.get("/recommendations").text
    assert client.get("/lang/en?next=//evil.example.org", follow_redirects=False).headers["location"] == "/"


def test_mel_public_0_requires_a_sign_in_for_everything(portal_store):
    closed = client_for(portal_store, public=False)
    for path in ("/", "/search?q=bo", f"/lessons/{PUBLIC_WITH_CONTACT}", "/recommendations"):
        response = closed.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert closed.get("/api/home").status_code == 401
    assert closed.get("/login").status_code == 200 and closed.get("/healthz").status_code == 200
    sign_in(closed, portal_store, "reader")
    assert closed.get("/").status_code == 200


def test_users_are_stored_with_argon2_hashes_never_the_password(portal_store):
    engine = make_engine(portal_store.settings.db_url)
    try:
        with session_scope(engine) as session:
            hashes = {u.email: u.password_hash for u in session.exec(select(User))}
        stored = hashes[portal_store.email("reader")]
        assert stored.startswith("$argon2id$")
        assert portal_store.passwords["reader"] not in stored
    finally:
        engine.dispose()


def test_the_openapi_documents_every_api_route(clients):
    spec = clients[ANONYMOUS].get("/api/openapi.json").json()
    for path in ("/api/search", "/api/lessons/{key}", "/api/programmes/{code}", "/api/evaluations/{code}",
                 "/api/recommendations", "/api/home"):  # fmt: skip
        assert path in spec["paths"]


def test_vendored_assets_are_served(clients):
    for asset in ("/static/vendor/htmx/htmx.min.js", "/static/vendor/swagger-ui/swagger-ui-bundle.js"):
        response = clients[ANONYMOUS].get(asset)
        assert response.status_code == 200 and len(response.content) > 10_000
    assert Path("mel_core/web/static/vendor/VERSIONS").read_text().startswith("htmx.org")


def test_the_programme_page_shows_the_effectiveness_criterions_achievement(portal_store, clients):
    from mel_core.criteria.data import load_programme
    from mel_core.criteria.effectiveness import programme_achievement
    from mel_core.indicators.achievement import final_targets

    engine = make_engine(portal_store.settings.db_url)
    try:
        with session_scope(engine) as session:
            table = final_targets(programme_achievement(load_programme(session, "DB-BSS-2011")))
    finally:
        engine.dispose()
    expected = {r.indicator_code: (r.target, r.actual) for r in table.itertuples()}
    shown = {
        i["code"]: (i["final_target"], i["actual"])
        for level in clients[ANONYMOUS].get("/api/programmes/DB-BSS-2011").json()["results_framework"]
        for i in level["indicators"]
    }
    assert shown == expected
    assert all(actual is not None for _target, actual in shown.values())
    page = clients[ANONYMOUS].get("/programmes/DB-BSS-2011").text
    assert page.count('<svg class="bar"') == len(shown)


def test_the_public_index_never_holds_internal_lessons_and_neither_holds_contact_details(portal_store):
    from mel_core.kb.search import Filters, search

    settings = portal_store.settings
    internal = Filters.parse(kind=["lesson"])
    keys = {
        audience: {h.key for h in search(settings.index_dir_for(audience), INTERNAL_TITLE, internal).hits}
        for audience in ("public", "internal")
    }
    assert INTERNAL in keys["internal"] and INTERNAL not in keys["public"]
    for audience in ("public", "internal"):
        for secret in (*CONTACT_VALUES, *INTERNAL_CONTACT):
            found = search(settings.index_dir_for(audience), f'"{secret}"', limit=50)
            assert all(secret not in h.snippet and secret not in h.title for h in found.hits), (
                audience,
                secret,
            )
        assert DRAFT not in {
            h.key for h in search(settings.index_dir_for(audience), "aquaculture", limit=200).hits
        }


def test_every_word_key_a_template_builds_exists():
    """Status, kind and level words are looked up by key: each value the store allows has its word."""
    from mel_core.i18n import catalogue
    from mel_core.lessons.calls import INVITEE_STATES
    from mel_core.vocabulary import (
        ACTION_STATUSES,
        ACTIVITY_STATUSES,
        CONFIDENCE,
        EVALUATION_KINDS,
        EVALUATION_STATUSES,
        INDICATOR_LEVELS,
        LESSON_STATUSES,
        MANAGEMENT_RESPONSES,
        RECOMMENDATION_STATES,
    )

    words = {key.removeprefix("web."): both for key, both in catalogue().items() if key.startswith("web.")}

    keys = [f"status_{s}" for s in (*LESSON_STATUSES, *EVALUATION_STATUSES)]
    keys += [f"rec_{s}" for s in (*RECOMMENDATION_STATES, "overdue")] + [
        f"action_{s}" for s in ACTION_STATUSES
    ]
    keys += [f"response_{r}" for r in MANAGEMENT_RESPONSES] + [f"call_state_{s}" for s in INVITEE_STATES]
    keys += [f"activity_{s}" for s in ACTIVITY_STATUSES] + [f"evaluation_{k}" for k in EVALUATION_KINDS]
    keys += [f"confidence_{c}" for c in CONFIDENCE] + [f"level_{lv}" for lv in INDICATOR_LEVELS]
    keys += [
        f"kind_{k}" for k in ("lesson", "lesson_item", "finding", "recommendation", "rating", "programme")
    ]
    assert [k for k in keys if k not in words] == []
    for word in words.values():
        assert word["vi"] and word["vi"] != "" and word["en"]  # both languages


def test_an_unexpected_failure_is_a_page_without_a_traceback(tmp_path):
    from sqlalchemy import text

    from mel_core.config import Settings
    from mel_core.reference import init_store

    url = f"sqlite:///{tmp_path / 'mel.db'}"
    engine = make_engine(url)
    init_store(engine)
    client = TestClient(create_app(Settings(home=tmp_path, db_url=url)), raise_server_exceptions=False)
    assert client.get("/").status_code == 200
    no_index = client.get("/api/search?q=x")
    assert no_index.status_code == 503 and "mel kb index" in no_index.json()["error"]["message"]
    with engine.begin() as conn:  # a store broken behind the portal's back
        for table in ("lesson_sections", "lesson_themes", "lesson_provinces", "lessons"):
            conn.execute(text(f"DROP TABLE {table}"))
    engine.dispose()
    failed = client.get("/")
    assert failed.status_code == 500 and "text/html" in failed.headers["content-type"]
    assert "Đã có lỗi" in failed.text
    assert (
        "Traceback" not in failed.text and "sqlite3" not in failed.text and "no such table" not in failed.text
    )
    api = client.get("/api/home")
    assert api.status_code == 500 and "no such table" not in api.text


def test_concurrent_searches_in_one_process_give_the_serial_results(portal_store):
    """The portal's thread pool searches one opened index from many threads at once (Whoosh's readers share
    file handles: without the per-searcher lock, reads came back truncated or wrong)."""
    from concurrent.futures import ThreadPoolExecutor

    from mel_core.kb.search import Filters, search

    index = portal_store.settings.index_dir_for("internal")
    queries = [
        "giam ngheo",
        "chăn nuôi bò",
        "replication",
        "tiết kiệm",
        "rừng keo",
        "dạy nghề",
        "tôm",
        "",
    ] * 3
    sector = Filters.parse(sector=["livestock"])

    def run(q: str) -> tuple[int, list[str], list[tuple[str, int]]]:
        results = search(index, q, sector if len(q) % 2 else None, limit=20)
        counts = [(f"{f.name}:{v.value}", v.count) for f in results.facets for v in f.values]
        return results.total, [h.key + h.snippet for h in results.hits], counts

    serial = [run(q) for q in queries]
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(run, queries)) == serial


def test_similar_lessons_share_the_lessons_subject_and_respect_the_index(portal_store, clients):
    from mel_core.kb.search import LessonTraits, similar_lessons

    public = portal_store.settings.index_dir_for("public")
    traits = LessonTraits(
        DIEN_BIEN_LESSON, "Nuôi bò sinh sản cho hộ nghèo ở Điện Biên Đông", "livestock",
        ("empowerment", "process"), ("11",), 2013,
    )  # fmt: skip
    found = [key for key, _title in similar_lessons(public, traits)]
    assert found[0] == "2018-dien-bien-nhan-rong-bo"  # the same model replicated in the same district
    assert "2013-quang-binh-de-sinh-san" in found and DIEN_BIEN_LESSON not in found and len(found) == 5
    # the page shows them; an internal lesson is never offered to those who may not see it
    for who in WHO:
        shown = [
            s["key"]
            for s in clients[who].get("/api/lessons/2017-yen-bai-ga-nhom-tiet-kiem").json()["similar"]
        ]
        assert shown and "2017-yen-bai-ga-nhom-tiet-kiem" not in shown
        if who in (ANONYMOUS, "contributor"):
            assert INTERNAL not in shown
    internal = LessonTraits(INTERNAL, INTERNAL_TITLE, "non_farm", (), ("66",), 2019)
    assert INTERNAL not in [k for k, _t in similar_lessons(public, internal, limit=50)]


def test_similar_lessons_rank_as_the_plain_definition_does(portal_store):
    """Every lesson of the index, against a plain computation of the weights over every document's stored facets:
    the scoring in lesson space (places, cached per opened index) must rank exactly as the definition."""
    from mel_core import geo
    from mel_core.kb.analysis import words
    from mel_core.kb.search import (
        SIMILAR_WEIGHTS,
        SIMILAR_WORDS,
        LessonTraits,
        _open,
        _place_words,
        similar_lessons,
    )

    index = portal_store.settings.index_dir_for("internal")
    opened = _open(index)
    engine, known = opened.engine, geo.provinces()
    docs = {d: opened.searcher.stored_fields(d) for d in range(engine.size) if engine.live[d]}
    lessons = {d: f["info"] for d, f in docs.items() if f["kind"] == "lesson"}

    def today(codes: list[str] | tuple[str, ...]) -> set[str]:
        return {known[c].successor_code if c in known else c for c in codes}

    checked = 0
    for info in lessons.values():
        traits = LessonTraits(
            info["key"], next(f["title"] for f in docs.values() if f["info"] == info), info["sector"],
            tuple(info["themes"]), tuple(info["provinces"]), info["years"][0] if info["years"] else None,
        )  # fmt: skip
        rare = sorted(
            (engine.frequency("title", w), w)
            for w in {w.folded for w in words(traits.title)} - _place_words()
        )
        title_weight: dict[int, float] = {}
        for _n, word in [pair for pair in rare if pair[0] > 1][:SIMILAR_WORDS]:
            for d, w in zip(*engine.postings("title", word), strict=True):
                title_weight[int(d)] = title_weight.get(int(d), 0.0) + float(w)
        scores = {}
        for d, other in lessons.items():
            score = title_weight.get(d, 0.0)
            score += SIMILAR_WEIGHTS["sector"] * (bool(traits.sector) and other["sector"] == traits.sector)
            score += SIMILAR_WEIGHTS["theme"] * len(set(traits.themes) & set(other["themes"]))
            score += SIMILAR_WEIGHTS["province"] * bool(today(traits.provinces) & today(other["provinces"]))
            near = traits.year is not None and any(abs(y - traits.year) <= 1 for y in other["years"])
            score += SIMILAR_WEIGHTS["year"] * near
            if score > SIMILAR_WEIGHTS["year"] + 1e-6:
                scores[d] = score
        expected = [lessons[d]["key"] for d in sorted(scores, key=lambda d: (-round(scores[d], 4), d))]
        expected = [k for k in expected if k != traits.key][:5]
        found = [k for k, _title in similar_lessons(index, traits)]
        top = sorted(
            ((round(v, 3), d, lessons[d]["key"]) for d, v in scores.items()), key=lambda t: (-t[0], t[1])
        )
        assert found == expected, f"{traits.key}: found {found}; scores {top[:8]}"
        checked += 1
    assert checked >= 10


# ---------------------------------------------------------------------------------------------------- review
_VERSION = re.compile(r'name="version" value="([^"]+)"')


def test_the_review_queue_lists_what_waits_for_a_reviewer(clients):
    queue = clients["reviewer"].get("/api/review").json()
    assert SUBMITTED in [x["key"] for x in queue["queue"]]
    assert queue["counts"]["submitted"] >= 1 and queue["counts"]["published"] >= 10
    page = clients["admin"].get("/review").text
    assert f'href="/lessons/{SUBMITTED}"' in page
    assert 'href="/review"' in page and 'href="/review"' not in clients["reader"].get("/").text


def test_a_reviewer_publishes_a_submitted_lesson_in_the_browser_form(portal_store, clients):
    key = "2026-review-flow-bo-giong"
    engine = make_engine(portal_store.settings.db_url)
    add_lesson(
        engine,
        key,
        "Bình tuyển bò giống cộng đồng",
        [
            ("1", "Thông tin về mô hình", "Mô hình bình tuyển bò giống."),
            ("3", "Bài học", "- Dân tự bình tuyển."),
        ],
        status="submitted",
        provinces=("11",),
    )
    with session_scope(engine) as session:
        lesson = session.exec(select(Lesson).where(Lesson.key == key)).one()
        lesson.content_hash = "v1"
        session.add(lesson)
    engine.dispose()
    reviewer, anonymous = clients["reviewer"], clients[ANONYMOUS]
    assert anonymous.get(f"/lessons/{key}").status_code == 404
    assert key not in anonymous.get("/api/search?q=binh+tuyen+bo+giong").text
    page = reviewer.get(f"/lessons/{key}").text
    version = _VERSION.search(page)
    assert version and version.group(1) == "v1" and 'name="decision" value="publish"' in page
    # only a reviewer, only with this browser's token, only with a comment to return
    for who in ("reader", "contributor", "evaluator"):
        denied = clients[who].post(
            f"/lessons/{key}/review",
            data={"decision": "publish", "version": "v1", "csrf_token": csrf_of(clients[who], "/")},
        )
        assert denied.status_code == 403, who
    forged = reviewer.post(f"/lessons/{key}/review", data={"decision": "publish", "version": "v1"})
    assert forged.status_code == 403
    token = csrf_of(reviewer, f"/lessons/{key}")
    no_comment = reviewer.post(
        f"/lessons/{key}/review", data={"decision": "return", "version": "v1", "csrf_token": token}
    )
    assert no_comment.status_code == 400 and "cần ghi nhận xét" in no_comment.text  # Vietnamese by default
    stale = reviewer.post(
        f"/lessons/{key}/review", data={"decision": "publish", "version": "v0", "csrf_token": token}
    )
    assert stale.status_code == 409 and "đã thay đổi từ khi bạn đọc" in stale.text
    done = reviewer.post(
        f"/lessons/{key}/review",
        data={"decision": "publish", "version": "v1", "csrf_token": token, "comment": "Đạt."},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/lessons/{key}"
    again = reviewer.post(
        f"/lessons/{key}/review",
        data={"decision": "reject", "version": "v1", "csrf_token": token, "comment": "x"},
    )
    assert again.status_code == 409 and "đang ở trạng thái published" in again.text
    # public at once: the page, the search, the steps for the contributor of the province
    assert anonymous.get(f"/lessons/{key}").status_code == 200
    assert key in [h["key"] for h in anonymous.get("/api/search?q=binh+tuyen+bo+giong").json()["hits"]]
    steps = clients["contributor"].get(f"/api/lessons/{key}").json()["review"]["steps"]
    assert [(s["action"], s["by"], s["comment"]) for s in steps] == [
        ("publish", portal_store.email("reviewer"), "Đạt.")
    ]
    assert "review" not in anonymous.get(f"/api/lessons/{key}").json()
    trail = reviewer.get(f"/api/lessons/{key}").json()["audit"]
    assert [(e["action"], e["actor"]) for e in trail] == [("lesson.publish", portal_store.email("reviewer"))]


def test_the_recommendation_tracker_shows_responses_and_key_actions(portal_store, clients):
    evaluation = first_evaluation(portal_store.settings.db_url)
    engine = make_engine(portal_store.settings.db_url)
    ref = f"{evaluation}#1"
    due = date.today() - timedelta(days=1)
    with session_scope(engine) as session:
        respond(
            session,
            ref,
            "accepted",
            "Đồng ý.",
            portal_store.email("reviewer"),
            [("Sửa quy chế", "Sở NN", due)],
        )
        programme = session.execute(
            text(
                "SELECT p.code FROM programmes p JOIN evaluations e ON e.programme_id = p.id WHERE e.code = :c"
            ),
            {"c": evaluation},
        ).scalar()
    engine.dispose()
    tracked = clients[ANONYMOUS].get("/api/recommendations?state=overdue").json()
    [mine] = [r for r in tracked["recommendations"] if r["ref"] == ref]
    assert mine["state"] == "not_started" and mine["overdue"] and mine["actions"][0]["unit"] == "Sở NN"
    assert tracked["by_unit"]["Sở NN"] == {"not_started": 1, "overdue": 1}
    earlier = clients[ANONYMOUS].get(f"/api/recommendations?as_of={due - timedelta(days=1)}").json()
    assert [r["state"] for r in earlier["recommendations"] if r["ref"] == ref] == ["awaiting"]
    page = clients[ANONYMOUS].get("/recommendations?state=overdue").text
    assert "Sửa quy chế" in page and ("quá hạn" in page or "overdue" in page)  # in the client's language
    states = [
        r["state"] for r in clients["reader"].get(f"/api/programmes/{programme}").json()["recommendations"]
    ]
    assert "not_started" in states
    shown = clients["reader"].get(f"/api/evaluations/{evaluation}").json()["recommendations"]
    [answered] = [r for r in shown if r["ref"] == ref]
    assert answered["response"] == "accepted" and answered["response_text"] == "Đồng ý."


# ------------------------------------------------------------------------------------------- submissions
def lesson_form(token: str, action: str, *, complete: bool = True, **fields: object) -> dict[str, object]:
    """The submission form as a contributor of Điện Biên fills it."""
    data: dict[str, object] = {
        "csrf_token": token,
        "action": action,
        "kind": "state",
        "lang": "vi",
        "title": "Nuôi lợn đen bản địa cho hộ nghèo",
        "year": "2026",
        "provinces": ["11"],
        "sector": "livestock",
        "themes": ["process"],
        "funding": "state_budget",
        "visibility": "public",
        "submitted_by": "Phòng NN&PTNT huyện Điện Biên Đông",
        "contact_name": "Lò Thị Hoa",
        "contact_phone": "0912 000 111",
        "s_3": "- **Dân tự chọn giống.** Họp bản chọn lợn đen địa phương giúp giảm nghèo.",
    }
    if complete:
        for number in outline_numbers():
            data.setdefault(f"s_{number}", f"Nội dung mục {number}.")
    else:
        data["s_1.1"] = "Nuôi lợn đen."
    data.update(fields)
    return data


def test_a_contributor_submits_a_lesson_that_is_public_only_once_published(portal_store, clients):
    contributor, anonymous, reviewer = clients["contributor"], clients[ANONYMOUS], clients["reviewer"]
    form = contributor.get("/submit/lesson").text
    assert 'name="s_2.8"' in form and 'value="11"' in form and 'value="44"' not in form  # scope only
    token = csrf_of(contributor, "/submit/lesson")
    incomplete = contributor.post("/submit/lesson", data=lesson_form(token, "submit", complete=False))
    assert (
        incomplete.status_code == 400
        and "chưa đầy đủ" in incomplete.text
        and 'href="#s-2.8"' in incomplete.text
    )
    outside = contributor.post("/submit/lesson", data=lesson_form(token, "submit", provinces=["44"]))
    assert outside.status_code == 400 and "ngoài các tỉnh của bạn" in outside.text
    personal = contributor.post(
        "/submit/lesson", data=lesson_form(token, "submit", **{"s_1.2": "Gọi 0912 000 111"})
    )
    assert personal.status_code == 400 and "thông tin cá nhân" in personal.text
    preview = contributor.post("/submit/lesson", data=lesson_form(token, "preview"))
    assert preview.status_code == 200 and "Dân tự chọn giống" in preview.text
    draft = contributor.post(
        "/submit/lesson", data=lesson_form(token, "draft", complete=False), follow_redirects=False
    )
    assert draft.status_code == 303
    key = draft.headers["location"].rsplit("/", 1)[1]
    assert key.startswith("2026-nuoi-lon-den-ban-dia")
    assert anonymous.get(f"/lessons/{key}").status_code == 404
    mine = contributor.get("/api/submit/lesson").json()["mine"]
    assert [(m["key"], m["status"], m["editable"]) for m in mine if m["key"] == key] == [(key, "draft", True)]
    # the draft finished and submitted: in the reviewers' queue, still not public
    edit = contributor.get(f"/submit/lesson?key={key}").text
    assert "Nuôi lợn đen." in edit and f'name="key" value="{key}"' in edit
    sent = contributor.post(
        "/submit/lesson", data=lesson_form(token, "submit", key=key), follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/lessons/{key}"
    assert key in [x["key"] for x in reviewer.get("/api/review").json()["queue"]]
    assert anonymous.get(f"/lessons/{key}").status_code == 404
    assert contributor.get(f"/submit/lesson?key={key}").status_code == 404  # submitted: no longer editable
    # the reviewer sees the contact, publishes: public, contact still private
    page = reviewer.get(f"/lessons/{key}").text
    assert "Lò Thị Hoa" in page
    version = _VERSION.search(page)
    assert version
    published = reviewer.post(
        f"/lessons/{key}/review",
        data={
            "decision": "publish",
            "version": version.group(1),
            "csrf_token": csrf_of(reviewer, f"/lessons/{key}"),
        },
        follow_redirects=False,
    )
    assert published.status_code == 303
    public = anonymous.get(f"/lessons/{key}").text
    assert "Dân tự chọn giống" in public and "Lò Thị Hoa" not in public and "0912" not in public


def test_a_contributor_may_not_change_what_is_not_theirs(portal_store, clients):
    contributor = clients["contributor"]
    token = csrf_of(contributor, "/submit/lesson")
    assert contributor.get(f"/submit/lesson?key={DIEN_BIEN_LESSON}").status_code == 404  # a file's lesson
    taken = contributor.post("/submit/lesson", data=lesson_form(token, "submit", key=DIEN_BIEN_LESSON))
    assert taken.status_code == 403 and "bạn không sửa được" in taken.text
    assert (
        clients["reader"]
        .post("/submit/lesson", data=lesson_form(csrf_of(clients["reader"], "/"), "draft"))
        .status_code
        == 403
    )
    forged = contributor.post("/submit/lesson", data={**lesson_form(token, "draft"), "csrf_token": "x"})
    assert forged.status_code == 403


def test_a_word_or_markdown_file_is_read_into_the_form_within_the_limits(portal_store, clients):
    contributor = clients["contributor"]
    token = csrf_of(contributor, "/submit/lesson")
    sample = (REPO / "lessons" / "2013" / "2013-dien-bien-bo-sinh-san.md").read_bytes()
    read = contributor.post(
        "/submit/lesson",
        data={"csrf_token": token, "action": "upload"},
        files={"file": ("bao-cao.md", sample, "text/markdown")},
    )
    assert read.status_code == 200 and "Nuôi bò sinh sản" in read.text and 'name="s_3"' in read.text
    wrong = contributor.post(
        "/submit/lesson",
        data={"csrf_token": token, "action": "upload"},
        files={"file": ("virus.exe", b"MZ", "application/octet-stream")},
    )
    assert wrong.status_code == 400 and ".docx" in wrong.text
    bomb = zip_bomb_docx()
    refused = contributor.post(
        "/submit/lesson",
        data={"csrf_token": token, "action": "upload"},
        files={"file": ("bao-cao.docx", bomb, "application/octet-stream")},
    )
    assert refused.status_code == 400 and "MEL_LIMIT_" in refused.text
    with session_scope(make_engine(portal_store.settings.db_url)) as session:
        assert session.exec(select(Lesson).where(Lesson.title == "bao-cao")).first() is None


def zip_bomb_docx() -> bytes:
    """A .docx whose one part inflates 1,000 times (a few hundred KB that claim hundreds of MB)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (200 * 1024 * 1024) + b"</w:document>")
    return buffer.getvalue()


def test_a_reviewer_records_a_response_and_updates_its_key_action_in_the_browser_forms(portal_store, clients):
    evaluation = first_evaluation(portal_store.settings.db_url)
    reviewer = clients["reviewer"]
    shown = reviewer.get(f"/api/evaluations/{evaluation}").json()["recommendations"]
    ref = shown[-1]["ref"]
    position = ref.rsplit("#", 1)[1]
    page = reviewer.get(f"/evaluations/{evaluation}").text
    assert f'action="/recommendations/{evaluation}%23{position}/respond"' in page
    assert 'action="/recommendations/' not in clients["reader"].get(f"/evaluations/{evaluation}").text
    token = csrf_of(reviewer, f"/evaluations/{evaluation}")
    path = f"/recommendations/{evaluation}%23{position}"
    form = {"response": "partially_accepted", "text": "Đồng ý một phần.", "csrf_token": token}
    no_due = reviewer.post(
        f"{path}/respond", data={**form, "action_text": "Sửa định mức", "action_unit": "Sở TC"}
    )
    assert no_due.status_code == 400 and "cần có hạn" in no_due.text
    denied = clients["reader"].post(
        f"{path}/respond", data={**form, "csrf_token": csrf_of(clients["reader"], "/")}
    )
    assert denied.status_code == 403
    assert reviewer.post(f"{path}/respond", data={**form, "csrf_token": "x"}).status_code == 403
    done = reviewer.post(
        f"{path}/respond",
        data={**form, "action_text": "Sửa định mức", "action_unit": "Sở TC", "action_due": "2030-01-31"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/evaluations/{evaluation}#rec-{position}"
    updated = reviewer.post(
        f"{path}/actions/1", data={"status": "initiated", "comment": "Đang soạn.", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert updated.status_code == 303
    [mine] = [
        r for r in reviewer.get(f"/api/evaluations/{evaluation}").json()["recommendations"] if r["ref"] == ref
    ]
    assert (mine["response"], mine["state"], mine["actions"][0]["status"]) == (
        "partially_accepted",
        "initiated",
        "initiated",
    )
    assert mine["actions"][0]["history"][0]["comment"] == "Đang soạn."
    trail = reviewer.get(f"/api/evaluations/{evaluation}").json()["audit"]
    assert ("recommendation.update_action", ref) in [(e["action"], e["key"]) for e in trail]
    assert "audit" not in clients["reader"].get(f"/api/evaluations/{evaluation}").json()


def test_a_call_for_lessons_shows_who_submitted_who_is_late_and_what_was_returned(portal_store, clients):
    contributor, reviewer = clients["contributor"], clients["reviewer"]
    before = reviewer.get("/api/calls/1").json()
    assert before["code"] == CALL and before["counts"]["late"] == 3  # the deadline of 2013 has long passed
    form = contributor.get("/submit/lesson").text
    assert f'<option value="{CALL}"' in form
    token = csrf_of(contributor, "/submit/lesson")
    sent = contributor.post(
        "/submit/lesson",
        data=lesson_form(token, "submit", call=CALL, title="Trồng thảo quả dưới tán rừng", year="2013"),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    key = sent.headers["location"].rsplit("/", 1)[1]
    after = reviewer.get("/api/calls/1").json()
    states = {i["name"]: (i["state"], [x["key"] for x in i["lessons"]]) for i in after["invitees"]}
    assert states["Điện Biên"] == ("submitted", [key])
    assert states["Quảng Bình"] == ("late", []) and states["Oxfam Việt Nam"] == ("late", [])
    page = reviewer.get("/calls/1").text
    assert "quá hạn" in page and f'href="/lessons/{key}"' in page
    listed = reviewer.get("/api/calls").json()["calls"]
    assert [(c["code"], c["counts"]["submitted"], c["counts"]["late"]) for c in listed] == [(CALL, 1, 2)]
    version = _VERSION.search(reviewer.get(f"/lessons/{key}").text)
    assert version
    reviewer.post(
        f"/lessons/{key}/review",
        data={"decision": "return", "comment": "Bổ sung 2.8.", "version": version.group(1),
              "csrf_token": csrf_of(reviewer, f"/lessons/{key}")},
    )  # fmt: skip
    returned = {i["name"]: i["state"] for i in reviewer.get("/api/calls/1").json()["invitees"]}
    assert returned["Điện Biên"] == "returned"
    assert clients["contributor"].get("/api/calls/1").status_code == 403


def test_attached_files_are_listed_and_downloaded_as_files_by_those_who_may_see_them(clients):
    listed = {who: [a["id"] for a in clients[who].get("/api/programmes/DB-BSS-2011").json()["attachments"]]
              for who in WHO}  # fmt: skip
    assert listed[ANONYMOUS] == listed["contributor"] == [1]
    assert listed["reader"] == listed["admin"] == [1, 2]
    lesson = {who: clients[who].get(f"/api/lessons/{INTERNAL}").json().get("attachments") for who in WHO}
    assert [a["id"] for a in lesson["reader"]] == [3]
    page = clients["reader"].get("/programmes/DB-BSS-2011").text
    assert 'href="/attachments/2" download' in page and "Báo cáo số 2" in page
    response = clients[ANONYMOUS].get("/attachments/1")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Bao_cao_so_1.pdf"') and disposition.isascii()
    assert clients["reader"].get("/attachments/99").status_code == 404
    assert clients["reader"].get("/attachments/x").status_code == 400  # not a number


# --------------------------------------------------------------------------------------- attaching a file (#15)
def _upload_targets(store: PortalStore) -> dict[str, str]:
    """A programme (not the one whose files other tests count), a finished evaluation, and a draft lesson of the
    contributor (Điện Biên, written in the portal): where each role tries to attach a file."""
    from sqlalchemy import update

    from mel_core.store import Programme

    engine = make_engine(store.settings.db_url)
    try:
        with session_scope(engine) as session:
            programme = session.exec(
                select(Programme.code).where(Programme.code != "DB-BSS-2011").order_by(Programme.code)
            ).first()
        add_lesson(engine, "2026-attach-draft", "Bản nháp có tệp đính kèm", [("3", "Bài học", "- Một.")],
                   status="draft", provinces=("11",), year=2026)  # fmt: skip
        with engine.begin() as conn:
            conn.execute(
                update(Lesson)
                .where(Lesson.key == "2026-attach-draft")  # type: ignore[arg-type]
                .values(submitted_by_user=store.email("contributor"))
            )
    finally:
        engine.dispose()
    return {
        "programme": f"/programmes/{programme}",
        "evaluation": f"/evaluations/{first_evaluation(store.settings.db_url)}",
        "lesson": "/lessons/2026-attach-draft",
    }


def expected_upload(entity: str, who: str, api: bool) -> int:
    """The status of an attachment posted to ``entity``'s page by ``who`` (with a valid CSRF token)."""
    done = 201 if api else 303
    if who == ANONYMOUS:
        return 401
    if entity == "lesson":  # a draft: its author, reviewers and admins; others do not see it
        return done if who in ("contributor", "reviewer", "admin") else 404
    return done if who in ("evaluator", "reviewer", "admin") else 403


def test_every_upload_route_is_in_the_attachment_role_matrix(portal_store):
    from mel_core.web.routers.attaching import UPLOAD_PATH

    app = create_app(portal_store.settings)
    posted = {r.path for r in api_routes(app) if "POST" in r.methods and r.path.endswith("/attachments")}
    assert posted == {
        f"{api}/{kind}/{{key}}/attachments"
        for api in ("", "/api")
        for kind in ("programmes", "evaluations", "lessons")
    }
    assert all(UPLOAD_PATH.fullmatch(p.replace("{key}", "X")) for p in posted)  # each one's body is capped


def test_attaching_a_file_with_every_role(portal_store, clients):
    """The upload form of a programme's, an evaluation's and a lesson's page, by every role (#15): who may attach
    is who access.py says; a refusal writes nothing; an upload is kept, listed, downloadable and audited."""
    from mel_core.store import Attachment
    from tests.test_attachments import pdf_bytes

    targets = _upload_targets(portal_store)
    engine = make_engine(portal_store.settings.db_url)

    def count() -> int:
        with session_scope(engine) as session:
            return len(session.exec(select(Attachment.id)).all())

    try:
        for entity, path in targets.items():
            for who in WHO:
                for api in (False, True):
                    client = clients[who]
                    token = csrf_of(client, "/login")  # bound to the browser's session (or cookie)
                    before = count()
                    name = f"{who}-{entity}-{'api' if api else 'form'}.pdf"
                    files = {"file": (name, pdf_bytes(f"Okapi {name}"), "application/pdf")}
                    data = {"title": f"Báo cáo {name}", "visibility": "public"}
                    if api:
                        response = client.post(f"/api{path}/attachments", files=files, data=data,
                                               headers={"X-CSRF-Token": token}, follow_redirects=False)  # fmt: skip
                    else:
                        response = client.post(f"{path}/attachments", files=files,
                                               data={**data, "csrf_token": token}, follow_redirects=False)  # fmt: skip
                    expected = expected_upload(entity, who, api)
                    assert response.status_code == expected, (
                        f"{who} {entity} api={api}: {response.text[:300]}"
                    )
                    assert count() == before + (1 if expected in (201, 303) else 0), f"{who} {entity} {api}"
                    if expected == 303:
                        assert response.headers["location"].startswith(f"{path}#attachment-")
                    if expected == 201:
                        shown = response.json()
                        assert shown["uploaded_by"] == portal_store.email(who) and shown["file_name"] == name
                        download = client.get(f"/attachments/{shown['id']}")
                        assert download.status_code == 200 and download.content == files["file"][1]
                    if expected == 403 and not api:
                        assert "không được đính kèm tệp" in response.text  # why, in the reader's language
        # listed on the page, with the form for those who may attach and no form for the others
        admin_page = clients["admin"].get(targets["programme"]).text
        assert (
            "Báo cáo admin-programme-form.pdf" in admin_page and 'enctype="multipart/form-data"' in admin_page
        )
        assert 'enctype="multipart/form-data"' not in clients["reader"].get(targets["programme"]).text
        with session_scope(engine) as session:
            events = [e.action for e in audit.history(session, "lesson", "2026-attach-draft")]
        assert events.count("attachment.add") == 6  # contributor, reviewer, admin, each by form and API
    finally:
        engine.dispose()


def test_a_refused_attachment_says_why_and_writes_nothing(portal_store, clients, monkeypatch):
    from mel_core.store import Attachment
    from tests.test_attachments import pdf_bytes

    evaluator = clients["evaluator"]
    path = "/programmes/DB-BSS-2011"
    engine = make_engine(portal_store.settings.db_url)

    def count() -> int:
        with session_scope(engine) as session:
            return len(session.exec(select(Attachment.id)).all())

    def post(name: str, data: bytes, token: str | None = None, query: str = "") -> httpx.Response:
        return evaluator.post(
            f"{path}/attachments{query}",
            files={"file": (name, data, "application/octet-stream")},
            data={"csrf_token": token or csrf_of(evaluator, path), "visibility": "public"},
            follow_redirects=False,
        )

    try:
        before = count()
        kept = set((portal_store.settings.home / "attachments").iterdir())
        wrong = post("bao-cao.doc", b"\xd0\xcf\x11\xe0 old Word")
        assert wrong.status_code == 422 and "không phải tệp PDF, Word hay Excel" in wrong.text
        fake = post("bao-cao.pdf", b"<html>not a pdf</html>")
        assert fake.status_code == 422 and "%PDF-" in fake.text
        assert post("x.pdf", pdf_bytes("x"), token="forged").status_code == 403
        # larger than MEL_LIMIT_ATTACHMENT_MB: refused before the body is read, the limit named
        monkeypatch.setenv("MEL_LIMIT_ATTACHMENT_MB", "1")
        big = post("lon.pdf", b"%PDF-1.4\n" + b"0" * (3 << 20))
        assert big.status_code == 413 and "MEL_LIMIT_ATTACHMENT_MB" in big.text
        # within the framing allowance but over the limit: refused by the exact check
        edge = post("vua.pdf", b"%PDF-1.4\n" + b"0" * (1 << 20))
        assert edge.status_code == 413 and "MEL_LIMIT_ATTACHMENT_MB" in edge.text
        assert count() == before and set((portal_store.settings.home / "attachments").iterdir()) == kept
        english = post("bao-cao.doc", b"\xd0\xcf\x11\xe0", query="?lang=en")
        assert english.status_code == 422 and "is not a PDF, Word or Excel file" in english.text
    finally:
        engine.dispose()
