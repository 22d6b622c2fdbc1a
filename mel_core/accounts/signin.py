"""Signing in and out: the throttle, sessions in the store, and the portal's shared secret.

- :func:`sign_in` checks an e-mail and password and opens a session; after ``max_failures`` failed attempts
  for one e-mail (or ``5 × max_failures`` from one client address) within ``window``, every attempt is
  refused, a right password included, until the oldest of them leaves the window.
- A session is a random token: the browser's cookie holds it (signed, see :mod:`mel_core.web.security`), the
  store only its SHA-256, with the user and an expiry. :func:`viewer_of` turns a token into a
  :class:`~mel_core.access.Viewer` on every request, so a disabled user or a changed role holds at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mel_core.access import Viewer
from mel_core.accounts.errors import SignInRefused, SignInThrottled
from mel_core.accounts.passwords import hash_password, needs_rehash, verify_password
from mel_core.accounts.users import now
from mel_core.i18n import message
from mel_core.store import LoginAttempt, PortalSecret, User, WebSession
from mel_core.text import nfc


@dataclass(frozen=True)
class SignInPolicy:
    """How long sessions last and when sign-ins are throttled."""

    session_hours: float = 12.0
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def shared_secret(session: Session, name: str = "cookie_key") -> str:
    """The secret of ``name`` every portal process shares, created on first use (race-safe)."""
    found = session.get(PortalSecret, name)
    if found is not None:
        return found.value
    value = secrets.token_hex(32)
    try:
        with session.begin_nested():
            session.add(PortalSecret(name=name, value=value))
    except IntegrityError:  # another process created it first: take theirs
        found = session.get(PortalSecret, name)
        assert found is not None
        return found.value
    return value


def throttled_for(session: Session, email: str, client: str, policy: SignInPolicy) -> int:
    """Seconds until this e-mail (or client) may try again; 0 when it may now."""
    moment = now()
    since = moment - policy.window
    waits = []
    for column, value, limit in (
        (LoginAttempt.email, email, policy.max_failures),
        (LoginAttempt.client, client, policy.max_failures * 5),
    ):
        times = session.exec(
            select(LoginAttempt.at)
            .where(col(column) == value, col(LoginAttempt.at) >= since)
            .order_by(col(LoginAttempt.at).desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:
            free_at = _aware(times[-1]) + policy.window
            waits.append(max(1, int((free_at - moment).total_seconds() + 0.999)))
    return max(waits, default=0)


def _refused() -> SignInRefused:
    return SignInRefused(
        message("accounts.signin.wrong_e_mail_password"),
        hint=message("accounts.signin.check_both_try_again"),
    )


def sign_in(
    session: Session, email: str, password: str, client: str, policy: SignInPolicy | None = None
) -> tuple[User, str]:
    """Check a sign-in and open a session; returns the user and the session's token (the caller commits).

    Raises:
        SignInThrottled: too many failures within the window (checked before the password).
        SignInRefused: unknown e-mail, wrong password or disabled account (the failure is recorded and
            committed before this is raised).
    """
    policy = policy or SignInPolicy()
    address = nfc(email).strip().lower()[:254]
    client = client[:64]
    wait = throttled_for(session, address, client, policy)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise SignInThrottled(
            message("accounts.signin.too_many_failed_sign", minutes=minutes),
            retry_after_s=wait,
            hint=message("accounts.signin.administrator_can_reset_forgotten"),
        )
    user = session.exec(select(User).where(User.email == address)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        session.add(LoginAttempt(email=address, client=client, at=now()))
        session.commit()  # the failure must count even though the caller's transaction ends in an error
        raise _refused()
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.email) == address))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now()
    session.add(user)
    return user, open_session(session, user, policy)


def open_session(session: Session, user: User, policy: SignInPolicy | None = None) -> str:
    """A new session of ``user``; returns its token (only its hash is stored)."""
    policy = policy or SignInPolicy()
    token = secrets.token_urlsafe(32)
    moment = now()
    assert user.id is not None
    session.add(
        WebSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=moment,
            expires_at=moment + timedelta(hours=policy.session_hours),
        )
    )
    # expired sessions and attempts are dropped as new ones come: no table grows without end
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < moment))
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < moment - timedelta(days=1)))
    return token


def viewer_of(session: Session, token: str) -> Viewer | None:
    """The signed-in viewer of a session token; None when it is unknown, expired, or its user disabled."""
    found = session.exec(
        select(WebSession, User)
        .join(User, col(User.id) == col(WebSession.user_id))
        .where(WebSession.token_hash == _token_hash(token))
    ).first()
    if found is None:
        return None
    web_session, user = found
    if _aware(web_session.expires_at) <= now() or user.disabled:
        return None
    return Viewer(
        role=user.role,
        user_id=user.id,
        email=user.email,
        provinces=tuple(user.provinces or ()),
        organisation=user.organisation or "",
    )


def sign_out(session: Session, token: str) -> None:
    """End the session of ``token`` (nothing happens when there is none)."""
    session.execute(delete(WebSession).where(col(WebSession.token_hash) == _token_hash(token)))
