"""Users of the portal: add, list, disable, enable, change role or password (``mel users``, /admin/users)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from mel_core import audit, geo
from mel_core.access import Viewer, may
from mel_core.accounts.errors import AccountError
from mel_core.accounts.passwords import hash_password
from mel_core.i18n import message
from mel_core.store import User, WebSession
from mel_core.text import nfc
from mel_core.vocabulary import ROLES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def now() -> datetime:
    """The current time in UTC (every timestamp of accounts is UTC)."""
    return datetime.now(UTC)


def normalise_email(email: str) -> str:
    """An e-mail as the store keeps it: NFC, trimmed, lower-cased.

    Raises:
        AccountError: it is not an e-mail address.
    """
    value = nfc(email).strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise AccountError(
            message("accounts.users.not_e_mail_address", email=email),
            hint=message("accounts.users.write_name_example_org"),
        )
    return value


def check_role(role: str) -> str:
    """``role`` if it is one of the portal's roles.

    Raises:
        AccountError: it is not.
    """
    value = role.strip().lower()
    if value not in ROLES:
        raise AccountError(
            message("accounts.users.not_role", role=role),
            hint=message("accounts.users.use_one_of", roles=", ".join(ROLES)),
        )
    return value


def check_provinces(codes: Iterable[str]) -> list[str]:
    """GSO province codes (old or current) as the store keeps them.

    Raises:
        AccountError: a code is not a province's.
    """
    known = geo.provinces()
    out: list[str] = []
    bad: list[str] = []
    for code in codes:
        normal = geo.normalise_code(code)
        (out if normal in known else bad).append(normal if normal in known else code)
    if bad:
        raise AccountError(
            message("accounts.users.not_province_codes", bad=", ".join(bad)),
            hint=message("accounts.users.use_codes_such_11"),
        )
    return sorted(set(out))


@dataclass(frozen=True)
class UserInfo:
    """A user as listed (never the password hash)."""

    email: str
    role: str
    provinces: tuple[str, ...]
    organisation: str
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            email=user.email,
            role=user.role,
            provinces=tuple(user.provinces or ()),
            organisation=user.organisation or "",
            disabled=user.disabled,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


def find_user(session: Session, email: str) -> User | None:
    """The user of an e-mail (any case), or None."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def get_user(session: Session, email: str) -> User:
    """The user of an e-mail.

    Raises:
        AccountError: there is none.
    """
    user = find_user(session, email)
    if user is None:
        raise AccountError(
            message("accounts.users.no_user", email=email),
            hint=message("accounts.users.mel_users_list_shows"),
        )
    return user


def acting_user(session: Session, email: str, permission: str) -> User | None:
    """The enabled user ``email`` if they hold ``permission`` (:mod:`mel_core.access`), else None.

    Who acts at a terminal names themselves (``--by EMAIL``); this is the one place that checks it, so every
    command and page applies the same rule. The caller raises its own error, which says what the act needed.
    """
    try:
        address = normalise_email(email)
    except AccountError:
        return None
    user = session.exec(select(User).where(col(User.email) == address)).first()
    if user is None or user.disabled or not may(Viewer(role=user.role), permission):
        return None
    return user


def add_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    provinces: Iterable[str] = (),
    organisation: str = "",
    *,
    actor: str | None = None,
) -> User:
    """Create a user (the caller commits); ``actor`` (who did it) goes into the audit trail.

    Raises:
        AccountError: the e-mail is taken or invalid, the role or a province unknown, the password too short.
    """
    address = normalise_email(email)
    if find_user(session, address) is not None:
        raise AccountError(
            message("accounts.users.user_exists_already", address=address),
            hint=message("accounts.users.change_their_role_mel"),
        )
    user = User(
        email=address,
        role=check_role(role),
        provinces=check_provinces(provinces) or None,
        organisation=nfc(organisation).strip() or None,
        password_hash=hash_password(password),
        created_at=now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.add", "user", address, actor=actor, after=_scope(user))
    return user


def _scope(user: User) -> dict[str, Any]:
    """What the audit trail keeps of a user: never the password's hash."""
    return {
        "role": user.role,
        "provinces": list(user.provinces or []),
        "organisation": user.organisation,
        "disabled": user.disabled,
    }


def list_users(session: Session) -> list[UserInfo]:
    """Every user, by e-mail."""
    return [UserInfo.of(u) for u in session.exec(select(User).order_by(col(User.email)))]


def _end_sessions(session: Session, user: User) -> None:
    session.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))


def set_disabled(session: Session, email: str, disabled: bool = True, *, actor: str | None = None) -> User:
    """Disable (or enable again) a user; disabling signs them out everywhere at once."""
    user = get_user(session, email)
    action = "user.disable" if disabled else "user.enable"
    audit.record(
        session,
        action,
        "user",
        user.email,
        actor=actor,
        before={"disabled": user.disabled},
        after={"disabled": disabled},
    )
    user.disabled = disabled
    if disabled:
        _end_sessions(session, user)
    session.add(user)
    return user


def set_role(
    session: Session,
    email: str,
    role: str,
    provinces: Iterable[str] | None = None,
    organisation: str | None = None,
    *,
    actor: str | None = None,
) -> User:
    """Change a user's role (and, when given, scope); their open sessions end, so the change holds at once."""
    user = get_user(session, email)
    before = _scope(user)
    user.role = check_role(role)
    if provinces is not None:
        user.provinces = check_provinces(provinces) or None
    if organisation is not None:
        user.organisation = nfc(organisation).strip() or None
    audit.record(session, "user.set_role", "user", user.email, actor=actor, before=before, after=_scope(user))
    _end_sessions(session, user)
    session.add(user)
    return user


def set_password(session: Session, email: str, password: str, *, actor: str | None = None) -> User:
    """Replace a user's password; their open sessions end. The trail records that it changed, not the hash."""
    user = get_user(session, email)
    user.password_hash = hash_password(password)
    audit.record(session, "user.set_password", "user", user.email, actor=actor)
    _end_sessions(session, user)
    session.add(user)
    return user
