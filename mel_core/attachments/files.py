"""An attached file: its kind (from the name's suffix, checked against its content), its limits, and its place.

A file is kept once by its content: ``MEL_HOME/attachments/<sha256>.<kind>``, where the kind is one of
:data:`MEDIA_TYPES` and never the text the file's name held. It is written to a temporary name in the same folder
and renamed into place, so a stopped process leaves either no file or the whole of it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from mel_core.attachments.errors import AttachmentRefused
from mel_core.files import inside
from mel_core.i18n import message
from mel_core.limits import Limits, check_upload, setting

ATTACHMENTS_DIR = "attachments"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ACCEPTED = message("attachments.files.accepted")


def kind_of(name: str) -> str:
    """``pdf``, ``docx`` or ``xlsx`` for a file named ``name``.

    Raises:
        AttachmentRefused: any other kind of file.
    """
    _, dot, suffix = name.rpartition(".")
    kind = suffix.lower() if dot else ""
    if kind not in MEDIA_TYPES:
        raise AttachmentRefused(
            message("attachments.files.not_pdf_word_excel", name=name),
            hint=ACCEPTED,
        )
    return kind


def read_file(path: Path, limits: Limits | None = None) -> bytes:
    """The bytes of ``path``, read only when they are within ``MEL_LIMIT_ATTACHMENT_MB``.

    Raises:
        AttachmentRefused: not a file, or too large.
    """
    limits = limits or Limits.from_environment()
    if not path.is_file():
        raise AttachmentRefused(message("attachments.files.not_file", path=path), hint=ACCEPTED)
    size = path.stat().st_size
    if size > limits.attachment_bytes:
        raise too_large(path.name, size, limits.attachment_bytes)
    with path.open("rb") as handle:
        data = handle.read(limits.attachment_bytes + 1)
    if len(data) > limits.attachment_bytes:  # it grew while being read
        raise too_large(path.name, len(data), limits.attachment_bytes)
    return data


def too_large(name: str, size: int, limit: int) -> AttachmentRefused:
    """The refusal of a file of ``size`` bytes, more than ``limit``."""
    variable = setting("attachment_bytes")
    return AttachmentRefused(
        message(
            "attachments.files.file_bytes_most_attached", name=name, size=size, limit=limit, variable=variable
        ),
        too_large=True,
    )


def check(data: bytes, kind: str, name: str, limits: Limits | None = None) -> None:
    """Hold ``data`` to the limits and to what its kind says, before anything reads it.

    Raises:
        AttachmentRefused: empty, too large, a PDF without the ``%PDF-`` header, or a Word or Excel file that
            :func:`mel_core.limits.check_upload` refuses (not a zip, a zip bomb, a DTD, a password …).
    """
    limits = limits or Limits.from_environment()
    if not data:
        raise AttachmentRefused(message("attachments.files.file_empty", name=name), hint=ACCEPTED)
    if len(data) > limits.attachment_bytes:
        raise too_large(name, len(data), limits.attachment_bytes)
    if kind == "pdf":
        if not data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
            raise AttachmentRefused(
                message("attachments.files.file_named_pdf_but", name=name),
                hint=ACCEPTED,
            )
        return
    problems = check_upload(data, "docx" if kind == "docx" else "xlsx", name=name, limits=limits)
    if problems:
        raise AttachmentRefused("; ".join(p.reason for p in problems), hint=ACCEPTED)


def kind_of_media(media_type: str) -> str:
    """``pdf``, ``docx`` or ``xlsx``: the kind of a kept file of ``media_type`` (one of :data:`MEDIA_TYPES`)."""
    return next(kind for kind, media in MEDIA_TYPES.items() if media == media_type)


_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_name(file_name: str, kind: str, fallback: str) -> str:
    """A safe file name for ``file_name``: ASCII letters, digits, ``.``, ``_`` and ``-`` only (diacritics
    dropped, đ → d), no folder, at most 100 characters before the suffix, ending in ``.kind``; ``fallback`` when
    nothing is left. What a download is called (the portal) and what a copy is named (the book)."""
    stem = file_name.rpartition(".")[0] or file_name
    folded = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    safe = _NOT_IN_NAME.sub("_", folded.encode("ascii", "ignore").decode()).strip("._-")[:100].strip("._-")
    return f"{safe or fallback}.{kind}"


def digest(data: bytes) -> str:
    """The SHA-256 of ``data``, in hexadecimal: the file's name in the store."""
    return hashlib.sha256(data).hexdigest()


def relative_path(sha256: str, kind: str) -> Path:
    """Where a file of this content and kind is kept, relative to ``MEL_HOME``."""
    if kind not in MEDIA_TYPES or len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a kept attachment: {sha256!r}.{kind!r}")
    return Path(ATTACHMENTS_DIR, f"{sha256}.{kind}")


def keep(home: Path, data: bytes, sha256: str, kind: str) -> Path:
    """Write ``data`` to its place by content (once: the same bytes already there are left as they are)."""
    root = Path(home, ATTACHMENTS_DIR)
    root.mkdir(parents=True, exist_ok=True)
    target = inside(root, Path(home, relative_path(sha256, kind)))
    if target.is_file() and target.stat().st_size == len(data):
        return target
    descriptor, name = tempfile.mkstemp(dir=root, suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target


def kept_file(home: Path, sha256: str, kind: str) -> Path:
    """The kept file of this content and kind (its path checked to lie under ``MEL_HOME/attachments``)."""
    return inside(Path(home, ATTACHMENTS_DIR), Path(home, relative_path(sha256, kind)))
