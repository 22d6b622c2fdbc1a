"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mel_core.accounts.errors import AccountError
from mel_core.i18n import message

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing a megabyte-long "password" would be a cheap denial of service

_hasher = PasswordHasher()
#: A hash of no one's password, verified when the e-mail is unknown so that a wrong e-mail takes as long as a
#: wrong password (the time of a refusal must not tell which accounts exist).
_DECOY = _hasher.hash(secrets.token_urlsafe(16))


def check_password(password: str) -> None:
    """Refuse a password too short or too long to be set.

    Raises:
        AccountError: the password has fewer than 12 or more than 1024 characters.
    """
    if len(password) < MIN_LENGTH:
        raise AccountError(
            message(
                "accounts.passwords.password_characters_needs_least", n=len(password), min_length=MIN_LENGTH
            ),
            hint=message("accounts.passwords.choose_longer_password_leave"),
        )
    if len(password) > MAX_LENGTH:
        raise AccountError(
            message("accounts.passwords.password_longer_than_characters", max_length=MAX_LENGTH)
        )


def hash_password(password: str) -> str:
    """The Argon2id hash (PHC string) of a password that :func:`check_password` accepts."""
    check_password(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; with no hash, a decoy is verified and False returned."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DECOY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether a hash was made with weaker parameters than today's (it is replaced at the next sign-in)."""
    return _hasher.check_needs_rehash(stored_hash)


def random_password() -> str:
    """A random password of 20 URL-safe characters (about 120 bits), to be shown once."""
    return secrets.token_urlsafe(15)
