"""What can go wrong when a file is attached."""

from __future__ import annotations

from mel_core.errors import MelError


class AttachmentError(MelError):
    """An attachment that cannot be made: an unknown programme, evaluation or lesson, a user who may not attach
    files, the same file attached twice."""

    exit_code = 65  # EX_DATAERR


class AttachmentRefused(AttachmentError):
    """A file refused before anything read it (a wrong kind, too large, not what its name says, a zip bomb):
    nothing was kept. ``too_large`` tells the portal to answer 413."""

    def __init__(self, message: str, *, too_large: bool = False, hint: str = "") -> None:
        super().__init__(message, hint)
        self.too_large = too_large


class AttachmentForbidden(AttachmentError):
    """A user who may not attach files to this programme, evaluation or lesson (the portal answers 403)."""
