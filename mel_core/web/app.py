"""The portal's application: ``create_app()`` builds it over the store and the search indexes.

``mel serve`` runs it with uvicorn (``mel_core.web.app:create_app``, a factory, so each worker process builds
its own from the environment: ``MEL_HOME``, ``MEL_DB_URL``, ``MEL_PUBLIC``, ``MEL_COOKIE_SECURE``,
``MEL_SECRET_KEY``). Nothing one process needs from another is kept in memory: users, sessions, sign-in
failures and the cookie key are in the store, the indexes on disk.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mel_core import __version__
from mel_core.config import Settings, load_settings
from mel_core.errors import NotFound
from mel_core.i18n import render, t
from mel_core.store import make_engine
from mel_core.store.migrate import require_current
from mel_core.web.deps import Portal, lang_of
from mel_core.web.render import page
from mel_core.web.routers import (
    admin,
    api_docs,
    attaching,
    attachments,
    auth,
    calls,
    evaluations,
    home,
    lessons,
    programmes,
    review,
    search,
    submissions,
    submit,
    trade,
)
from mel_core.web.security import CSP, CSRF_COOKIE, HEADERS, SESSION_COOKIE, sign
from mel_core.web.uploads import BodyLimit, attachment_cap

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("mel.web")


class SecurityHeaders:
    """Adds the CSP and hardening headers to every response, ``no-store`` to signed-in pages, and the
    ``mel_csrf`` cookie to a browser that has none (pure ASGI: no extra task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                cookies = scope_cookies(scope)
                if SESSION_COOKIE in cookies or scope["path"].startswith(("/admin", "/api/admin", "/login")):
                    headers.append((b"cache-control", b"no-store"))
                new_csrf = state.get("new_csrf")
                secret = state.get("secret")
                if new_csrf and secret:
                    value = sign(secret, new_csrf)
                    headers.append(
                        (b"set-cookie", f"{CSRF_COOKIE}={value}; HttpOnly; Path=/; SameSite=Lax".encode())
                    )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def scope_cookies(scope: Scope) -> set[str]:
    """The names of the cookies a request carries."""
    names: set[str] = set()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            names.update(part.split("=", 1)[0].strip() for part in value.decode("latin-1").split(";"))
    return names


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


_ERRORS = {
    400: ("web.bad_request", "web.bad_request"),
    401: ("web.sign_in_needed", "web.sign_in_needed_text"),
    403: ("web.forbidden", "web.forbidden_text"),
    404: ("web.not_found", "web.not_found_text"),
    405: ("web.bad_request", "web.bad_request"),
    413: ("web.too_large", "web.too_large_text"),
    500: ("web.error", "web.error_text"),
}


def error_response(request: Request, status: int, detail: str = "") -> Response:
    """The page (or JSON) of an error: never a traceback."""
    lang = lang_of(request)
    heading_key, text_key = _ERRORS.get(status, _ERRORS[400] if status < 500 else _ERRORS[500])
    text = t(text_key, lang)
    if status == 403 and detail == "csrf":
        text = t("web.csrf_text", lang)
    if status == 413 and detail:  # says how large an upload may be, and what raises the limit
        text = render(detail, lang)
    if _wants_json(request):
        return JSONResponse({"error": t(heading_key, lang), "detail": text}, status_code=status)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method == "GET":
            return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    return page(
        request, "error.html", {"heading": t(heading_key, lang), "text": text, "status": status}, status
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if exc.status_code == 400 and detail and not detail.startswith(("Bad Request",)):
        response = error_response(request, 400, detail)
        return response
    return error_response(request, exc.status_code, detail)


async def _not_found(request: Request, exc: Exception) -> Response:
    """A code that names nothing in the store (:class:`~mel_core.errors.NotFound`): the page of a 404."""
    return error_response(request, 404)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    return error_response(request, 400)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected failure on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500)


#: Threads of a server process that run routes (each waits for the store or computes a page). Pages are mostly
#: computation under one interpreter lock: a few threads serve them as fast as many, and with less switching.
THREADS = 8


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = int(
        os.environ.get("MEL_THREADS") or THREADS
    )
    yield


def create_app(settings: Settings | None = None, public: bool | None = None) -> FastAPI:
    """The portal over the store of ``settings`` (default: from the environment).

    Args:
        settings: where the store and the indexes are (default :func:`mel_core.config.load_settings`).
        public: whether anonymous visitors may browse public content (default: ``MEL_PUBLIC`` is not ``0``).

    Raises:
        StoreError: the store is missing or not at the package's schema revision (run ``mel init``).
    """
    settings = settings or load_settings()
    engine = make_engine(settings.db_url)
    require_current(engine)
    if public is None:
        public = os.environ.get("MEL_PUBLIC", "1").strip() != "0"
    app = FastAPI(
        lifespan=_lifespan,
        title="MEL knowledge base",
        version=__version__,
        description="Lessons learned and evaluations of poverty-reduction programmes in Vietnam: every page of"
        " the portal as JSON.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.portal = Portal(
        settings=settings,
        engine=engine,
        public=public,
        secure_cookies=os.environ.get("MEL_COOKIE_SECURE", "0").strip() == "1",
    )

    _ = app.state.portal.secret  # read (or made) now: requests never wait for it
    app.add_middleware(BodyLimit, paths=submissions.UPLOAD_PATHS)
    app.add_middleware(BodyLimit, pattern=attaching.UPLOAD_PATH, cap=attachment_cap, limit="attachment_bytes")
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    routers = (
        home,
        search,
        lessons,
        review,
        calls,
        submit,
        submissions,
        programmes,
        evaluations,
        auth,
        admin,
        api_docs,
        attachments,
        attaching,
        trade,
    )
    for module in routers:
        app.include_router(module.router)
    return app
