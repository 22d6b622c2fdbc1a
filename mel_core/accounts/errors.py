"""Errors of accounts and sign-in."""

from __future__ import annotations

from mel_core.errors import MelError


class AccountError(MelError):
    """An account cannot be created or changed as asked (unknown user, e-mail taken, bad role or password)."""

    exit_code = 65  # EX_DATAERR


class SignInRefused(MelError):
    """A sign-in with an unknown e-mail, a wrong password or a disabled account (the message never says
    which)."""

    exit_code = 77  # EX_NOPERM


class SignInThrottled(SignInRefused):
    """Too many failed sign-ins for this e-mail or from this address within the window."""

    def __init__(self, message: str, retry_after_s: int, hint: str = "") -> None:
        super().__init__(message, hint)
        self.retry_after_s = retry_after_s
