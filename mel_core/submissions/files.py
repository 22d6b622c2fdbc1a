"""An upload received and kept: read in chunks up to the file limit, hashed, held to :mod:`mel_core.limits`
before anything parses it, and kept once by its content under ``MEL_HOME/submissions``.

The stored path is made from the SHA-256 of the bytes and, for a CSV file, the name of its table (one of the
formats' names, never the text the browser sent): ``submissions/<sha256>.xlsx`` or
``submissions/<sha256>/<table>.csv`` (the importer reads a CSV file's table from its name). The name the
contributor gave is only shown. A file is written to a temporary name in the same folder and renamed into
place, so a stopped server leaves either no file or the whole of it; the same bytes uploaded twice are kept
once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mel_core.errors import Problem
from mel_core.files import inside
from mel_core.i18n import message
from mel_core.ingest.formats import BY_NAME
from mel_core.ingest.tables import table_name
from mel_core.limits import Limits, check_upload, setting
from mel_core.submissions.errors import UploadRefused
from mel_core.text import nfc

SUBMISSIONS_DIR = "submissions"
INCOMING_DIR = ".incoming"
CHUNK = 1 << 20
MAX_NAME = 255
_NOT_SHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f]")

ACCEPTED = message("submissions.files.accepted", files=", ".join(f"{n}.csv" for n in BY_NAME))


@dataclass(frozen=True)
class Received:
    """An upload read to the end and within the limits, waiting in a temporary file to be kept."""

    name: str
    kind: str
    table: str | None
    sha256: str
    size: int
    path: Path


def shown_name(name: str) -> str:
    """The name a browser sent, as it is shown: its last path component, NFC, no control characters."""
    last = re.split(r"[/\\]", name or "")[-1]
    return _NOT_SHOWN.sub("", nfc(last)).strip()[:MAX_NAME] or "upload"


def upload_kind(name: str) -> tuple[str, str | None]:
    """(``xlsx``, None) or (``csv``, the table) for a file named ``name``.

    Raises:
        UploadRefused: neither a workbook nor a CSV file named after a table of the formats.
    """
    stem, dot, suffix = name.rpartition(".")
    suffix = suffix.lower() if dot else ""
    if suffix == "xlsx":
        return "xlsx", None
    if suffix == "csv" and table_name(stem) in BY_NAME:
        return "csv", table_name(stem)
    reason = (
        message("submissions.files.csv_file_read_table", name=name)
        if suffix == "csv"
        else message("submissions.files.neither_xlsx_workbook_nor", name=name)
    )
    raise UploadRefused(reason, [Problem(name, 0, "", "", reason)], hint=ACCEPTED)


def _folder(home: Path, *parts: str) -> Path:
    folder = Path(home, SUBMISSIONS_DIR, *parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def receive(stream: BinaryIO, name: str, home: Path, limits: Limits | None = None) -> Received:
    """Read ``stream`` (an upload named ``name``) into a temporary file under ``home``, then hold it to the
    limits before anything parses it.

    Raises:
        UploadRefused: a wrong kind of file, more bytes than ``MEL_LIMIT_FILE_MB`` (``too_large``; reading
            stops there), or what :func:`mel_core.limits.check_upload` finds (a zip bomb, a DTD …). Nothing is
            kept.
    """
    limits = limits or Limits.from_environment()
    shown = shown_name(name)
    kind, table = upload_kind(shown)
    digest = hashlib.sha256()
    size = 0
    descriptor, name_on_disk = tempfile.mkstemp(dir=_folder(home, INCOMING_DIR), suffix=".part")
    path = Path(name_on_disk)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limits.file_bytes:
                    raise too_large(shown, limits.file_bytes)
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if size == 0:
            reason = message("submissions.files.file_empty")
            raise UploadRefused(reason, [Problem(shown, 0, "", "", reason)], hint=ACCEPTED)
        problems = check_upload(path, "xlsx" if kind == "xlsx" else "csv", name=shown, limits=limits)
        if problems:
            raise UploadRefused(
                message("submissions.files.file_cannot_read_safely", shown=shown),
                problems,
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(shown, kind, table, digest.hexdigest(), size, path)


def too_large(name: str, limit: int) -> UploadRefused:
    """The refusal of an upload of more than ``limit`` bytes."""
    variable = setting("file_bytes")
    reason = message("submissions.files.file_larger_than_bytes", limit=limit, variable=variable)
    return UploadRefused(reason, [Problem(name, 0, "", "", reason)], too_large=True)


def keep(received: Received, home: Path) -> str:
    """Move ``received`` into its place by content; the path relative to ``home``.

    The same content is kept once: when it is already there, the temporary file is removed.
    """
    root = Path(home, SUBMISSIONS_DIR)
    if received.kind == "xlsx":
        relative = Path(SUBMISSIONS_DIR, f"{received.sha256}.xlsx")
    else:
        assert received.table in BY_NAME  # a name of the formats, never the browser's text
        relative = Path(SUBMISSIONS_DIR, received.sha256, f"{received.table}.csv")
    target = inside(root, Path(home, relative))
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.stat().st_size == received.size:
        received.path.unlink(missing_ok=True)
    else:
        os.replace(received.path, target)
    return relative.as_posix()


def stored_file(home: Path, relative: str) -> Path:
    """The kept file of a submission (its path checked to lie under ``MEL_HOME/submissions``)."""
    return inside(Path(home, SUBMISSIONS_DIR), Path(home, relative))
