"""``/login`` and ``/logout``: sign-in with the throttle, a session cookie, sign-out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mel_core.accounts.errors import SignInRefused, SignInThrottled
from mel_core.accounts.signin import sign_in, sign_out
from mel_core.i18n import render
from mel_core.store.engine import session_scope
from mel_core.web.deps import check_csrf, client_address, lang_of, portal, session_token
from mel_core.web.render import page
from mel_core.web.routers.home import local_path
from mel_core.web.security import SESSION_COOKIE, sign

router = APIRouter(tags=["accounts"])


def _sentence(exc: SignInRefused, lang: str) -> str:
    """An error and its hint as sentences for the page."""
    message = render(exc.message, lang)
    return f"{message[:1].upper()}{message[1:]}. {render(exc.hint, lang)}".strip()


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return page(request, "login.html", {"next": local_path(next), "error": None, "email": ""})


@router.post("/login", dependencies=[Depends(check_csrf)], response_model=None, include_in_schema=False)
def login(
    request: Request,
    email: str = Form(..., max_length=254),
    password: str = Form(..., max_length=1024),
    next: str = Form("/"),
) -> Response:
    """Check the e-mail and password; on success a session cookie and back to ``next``."""
    lang = lang_of(request)
    the_portal = portal(request)
    try:
        with session_scope(the_portal.engine) as session:
            _user, token = sign_in(session, email, password, client_address(request), the_portal.policy)
    except SignInThrottled as exc:
        response = page(
            request,
            "login.html",
            {"next": local_path(next), "error": _sentence(exc, lang), "email": email},
            status_code=429,
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except SignInRefused as exc:
        return page(
            request,
            "login.html",
            {"next": local_path(next), "error": _sentence(exc, lang), "email": email},
            status_code=401,
        )
    signed_in = RedirectResponse(local_path(next), status_code=303)
    signed_in.set_cookie(
        SESSION_COOKIE,
        sign(the_portal.secret, token),
        max_age=int(the_portal.policy.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=the_portal.secure_cookies,
        path="/",
    )
    return signed_in


@router.post("/logout", dependencies=[Depends(check_csrf)], include_in_schema=False)
def logout(request: Request) -> RedirectResponse:
    """End this browser's session."""
    token = session_token(request)
    if token:
        with session_scope(portal(request).engine) as session:
            sign_out(session, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
