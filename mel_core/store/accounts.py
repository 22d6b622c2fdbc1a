"""Accounts of the portal: users and their roles, signed-in sessions, sign-in attempts, the portal's secrets.

Everything the portal remembers lives here, in the store, so several ``mel serve`` processes (or machines
behind one load balancer) share it: nothing a second process needs is kept in a process's memory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from mel_core.store.base import one_of
from mel_core.vocabulary import ROLES


class User(SQLModel, table=True):
    """A person who signs in: one role; a contributor is scoped to provinces and/or an organisation."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES, nullable=False),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254, description="lower-cased, NFC; the sign-in name")
    role: str = Field(max_length=16)
    provinces: list[str] | None = Field(default=None, sa_column=Column(JSON))
    organisation: str | None = Field(default=None, max_length=256)
    password_hash: str = Field(description="Argon2id, in the PHC string format")
    disabled: bool = False
    created_at: datetime
    last_login_at: datetime | None = None


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries the token, the store only its SHA-256 (a leaked table opens
    no session)."""

    __tablename__ = "web_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime
    expires_at: datetime = Field(index=True)


class LoginAttempt(SQLModel, table=True):
    """A failed sign-in, kept for the throttle's window (by e-mail and by client address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    client: str = Field(max_length=64)
    at: datetime


class PortalSecret(SQLModel, table=True):
    """A secret the portal's processes share (the key that signs cookies and CSRF tokens)."""

    __tablename__ = "portal_secrets"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=128)
