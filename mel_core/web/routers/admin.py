"""``/admin/users``: the administrator's list of users, with add, disable, enable and change of role."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from mel_core.access import Viewer
from mel_core.accounts.errors import AccountError
from mel_core.accounts.passwords import random_password
from mel_core.accounts.users import add_user, list_users, set_disabled, set_role
from mel_core.i18n import render
from mel_core.vocabulary import ROLES
from mel_core.web.deps import check_csrf, db, lang_of, require
from mel_core.web.render import page, twin

router = APIRouter(tags=["accounts"])
admin_only = require("manage_users")


def users_data(session: Session) -> dict[str, Any]:
    return {
        "roles": list(ROLES),
        "users": [
            {
                "email": u.email,
                "role": u.role,
                "provinces": list(u.provinces),
                "organisation": u.organisation,
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat(timespec="minutes"),
                "last_login_at": u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else None,
            }
            for u in list_users(session)
        ],
    }


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(
    request: Request, _viewer: Viewer = Depends(admin_only), session: Session = Depends(db)
) -> HTMLResponse:
    """Every user, and a form to add one."""
    return page(request, "admin_users.html", {**users_data(session), "error": None, "created": None})


@router.get("/api/admin/users")
def users_api(_viewer: Viewer = Depends(admin_only), session: Session = Depends(db)) -> JSONResponse:
    """Every user as JSON (never a password hash)."""
    return twin(users_data(session))


@router.post(
    "/admin/users", dependencies=[Depends(check_csrf)], response_class=HTMLResponse, include_in_schema=False
)
def add_user_form(
    request: Request,
    email: str = Form(..., max_length=254),
    role: str = Form(...),
    provinces: str = Form(""),
    organisation: str = Form("", max_length=256),
    viewer: Viewer = Depends(admin_only),
    session: Session = Depends(db),
) -> HTMLResponse:
    """Add a user with a random password, shown once on the page that answers."""
    password = random_password()
    try:
        user = add_user(session, email, role, password, _codes(provinces), organisation, actor=viewer.email)
    except AccountError as exc:
        session.rollback()
        message = render(exc.message, lang_of(request))
        return page(
            request,
            "admin_users.html",
            {**users_data(session), "error": message, "created": None},
            status_code=400,
        )
    session.commit()
    created = {"email": user.email, "password": password}
    return page(request, "admin_users.html", {**users_data(session), "error": None, "created": created})


@router.post(
    "/admin/users/{email}/state",
    dependencies=[Depends(check_csrf)],
    response_model=None,
    include_in_schema=False,
)
def change_user(
    email: str,
    request: Request,
    action: str = Form(...),
    role: str = Form(""),
    viewer: Viewer = Depends(admin_only),
    session: Session = Depends(db),
) -> Response:
    """Disable, enable or change the role of a user."""
    try:
        if action in ("disable", "enable"):
            set_disabled(session, email, disabled=action == "disable", actor=viewer.email)
        elif action == "role":
            set_role(session, email, role, actor=viewer.email)
        else:
            raise AccountError(f"unknown action {action!r}")
    except AccountError as exc:
        session.rollback()
        message = render(exc.message, lang_of(request))
        return page(
            request,
            "admin_users.html",
            {**users_data(session), "error": message, "created": None},
            status_code=400,
        )
    return RedirectResponse("/admin/users", status_code=303)
