"""A cap on the body of an upload, applied before anything reads it to the end.

Starlette spools a multipart body to a temporary file as it arrives, whatever its size, and a route's form is
parsed before any of its dependencies run. :class:`BodyLimit` sits in front: a body that declares more than the
cap (``Content-Length``) is refused without being read, and one that sends more than it declares (or is sent in
chunks) is refused when the cap is passed. Either way the route answers 413 through the portal's error page.
The cap is the file limit of :mod:`mel_core.limits` (``MEL_LIMIT_FILE_MB``; for attached files
``MEL_LIMIT_ATTACHMENT_MB``) and room for the form's framing; the route itself holds the file to the exact limit
while it copies it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mel_core.i18n import message
from mel_core.limits import Limits, setting

#: What a multipart form adds to its file: boundaries, part headers, the CSRF token.
FRAMING_BYTES = 1 << 20


def upload_cap() -> int:
    """The most bytes an upload request may send (read from the environment at each request)."""
    return Limits.from_environment().file_bytes + FRAMING_BYTES


def attachment_cap() -> int:
    """The most bytes a request attaching a file may send (``MEL_LIMIT_ATTACHMENT_MB`` and the framing)."""
    return Limits.from_environment().attachment_bytes + FRAMING_BYTES


class BodyTooLarge(HTTPException):
    """413: the request's body is larger than an upload may be."""

    def __init__(self, cap: int, limit: str = "file_bytes") -> None:
        variable = setting(limit)
        super().__init__(
            status_code=413,
            detail=message("web.upload_too_large", bytes=cap - FRAMING_BYTES, variable=variable),
        )


class BodyLimit:
    """Refuses (413) a request to one of ``paths`` (or a path ``pattern`` matches) whose body is larger than
    ``cap()`` bytes; ``limit`` names the setting the refusal tells the operator to raise."""

    def __init__(
        self,
        app: ASGIApp,
        paths: tuple[str, ...] = (),
        cap: Callable[[], int] = upload_cap,
        pattern: re.Pattern[str] | None = None,
        limit: str = "file_bytes",
    ) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.cap = cap
        self.pattern = pattern
        self.limit = limit

    def _capped(self, path: str) -> bool:
        return path in self.paths or (self.pattern is not None and self.pattern.fullmatch(path) is not None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._capped(scope["path"]):
            await self.app(scope, receive, send)
            return
        cap = self.cap()
        declared = _content_length(scope)
        if declared is not None and declared > cap:

            async def refuse() -> Message:
                raise BodyTooLarge(cap, self.limit)

            await self.app(scope, refuse, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge(cap, self.limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
