"""What every route depends on: the portal's state, who is asking, the language, access and CSRF checks.

Access is decided by one dependency, :func:`require`, which asks :func:`mel_core.access.may`; routes never
compare roles themselves.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlmodel import Session

from mel_core.access import ANONYMOUS, Viewer, may
from mel_core.accounts.signin import SignInPolicy, shared_secret, viewer_of
from mel_core.config import Settings
from mel_core.store.engine import session_scope
from mel_core.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    LANG_COOKIE,
    SESSION_COOKIE,
    csrf_token,
    csrf_valid,
    unsign,
)

T = TypeVar("T")


@dataclass
class Portal:
    """The state one portal process holds: settings and an engine (every other thing is in the store)."""

    settings: Settings
    engine: Engine
    public: bool = True
    secure_cookies: bool = False
    policy: SignInPolicy = field(default_factory=SignInPolicy)
    _secret: str = ""

    @property
    def secret(self) -> str:
        """The cookie key, read from the store once (every process reads the same row)."""
        if not self._secret:
            with session_scope(self.engine) as session:
                self._secret = os.environ.get("MEL_SECRET_KEY") or shared_secret(session)
        return self._secret


def portal(request: Request) -> Portal:
    return request.app.state.portal


def _finish(session: Session, ok: bool) -> None:
    try:
        if ok:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def db(request: Request) -> AsyncIterator[Session]:
    """A session of the store for one request, committed when the route returns without an error.

    Opening a session does no I/O (it connects at its first query, in the route's thread); only its end goes to
    a worker thread: one thread hop instead of the two of a synchronous dependency.
    """
    session = Session(portal(request).engine)
    ok = False
    try:
        yield session
        ok = True
    finally:
        await run_in_threadpool(_finish, session, ok)


async def read_in_worker(request: Request, work: Callable[[Session], T]) -> T:
    """``work(session)`` in one worker thread, with a session of the store that is closed there, not committed.

    For read-only routes: a synchronous route with :func:`db` takes two thread hops (the route, then the
    session's end); this takes one.
    """

    def run() -> T:
        with Session(portal(request).engine) as session:
            return work(session)

    return await run_in_threadpool(run)


def lang_of(request: Request) -> str:
    """The language of a request: ``?lang=`` for one page, else the ``mel_lang`` cookie, else Vietnamese."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "vi"
    return chosen if chosen in ("vi", "en") else "vi"


def session_token(request: Request) -> str | None:
    """The session token of the signed ``mel_session`` cookie, or None."""
    return unsign(portal(request).secret, request.cookies.get(SESSION_COOKIE))


def current_viewer(request: Request) -> Viewer:
    """Who is asking: the user of a live session, else anonymous (looked up once per request)."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    token = session_token(request)
    viewer = ANONYMOUS
    if token:
        with session_scope(portal(request).engine) as session:
            viewer = viewer_of(session, token) or ANONYMOUS
    request.state.viewer = viewer
    return viewer


async def viewer_dependency(request: Request) -> Viewer:
    """:func:`current_viewer` as a dependency: no thread for an anonymous visitor, one for a session's look-up."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    if session_token(request) is None:
        request.state.viewer = ANONYMOUS
        return ANONYMOUS
    return await run_in_threadpool(current_viewer, request)


class Denied(HTTPException):
    """Access refused: 401 for an anonymous visitor (who may sign in), 403 for a signed-in one."""


def require(permission: str) -> Callable[..., Awaitable[Viewer]]:
    """A dependency that lets a request through only when its viewer holds ``permission``."""

    async def check(request: Request, viewer: Viewer = Depends(viewer_dependency)) -> Viewer:
        if not may(viewer, permission, public_site=portal(request).public):
            raise Denied(status_code=403 if viewer.signed_in else 401)
        return viewer

    return check


def csrf_binding(request: Request) -> str:
    """What a CSRF token of this browser is bound to: its session token, else its ``mel_csrf`` cookie (a new
    one is made here, and set on the response by the middleware)."""
    token = session_token(request)
    if token:
        return f"session:{token}"
    anon = unsign(portal(request).secret, request.cookies.get(CSRF_COOKIE))
    if not anon:
        anon = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(24)
        request.state.new_csrf = anon
        request.state.secret = portal(request).secret  # SecurityHeaders signs the new cookie with it
    return f"anon:{anon}"


def csrf_for(request: Request) -> str:
    """The CSRF token to put into this page's forms."""
    return csrf_token(portal(request).secret, csrf_binding(request))


async def check_csrf(request: Request) -> None:
    """Refuse (403) an unsafe request whose CSRF token is missing or not this browser's."""
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    token = session_token(request)
    anon = unsign(portal(request).secret, request.cookies.get(CSRF_COOKIE))
    binding = f"session:{token}" if token else (f"anon:{anon}" if anon else None)
    if not csrf_valid(portal(request).secret, binding, sent):
        raise HTTPException(status_code=403, detail="csrf")


def client_address(request: Request) -> str:
    """The client's address as the server saw it (behind a proxy, uvicorn's --forwarded-allow-ips sets it)."""
    return request.client.host if request.client else "unknown"
