"""File names made from data, and output paths that stay inside their folder.

A programme code may hold ``/`` and ``.`` (``QĐ/2013``, ``GOPA.2``): as a folder name, ``X/../../tmp`` would
climb out of the output folder. :func:`safe_name` turns any text into one path component, and
:func:`inside` checks that a path built from data is still under its root.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mel_core.errors import OutputError
from mel_core.i18n import message

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_NAME = 100


def safe_name(text: str) -> str:
    """One path component for ``text``: letters, digits, ``_ . -`` kept; anything else (``/``, ``\\``, spaces,
    control and non-ASCII characters) and leading dots replaced. A name that had to change gets a short hash of
    the original, so two codes never share a folder (``A/B`` → ``A_B-1b7e3c``, not the folder of ``A_B``)."""
    cleaned = _UNSAFE.sub("_", text).lstrip(".") or "_"
    cleaned = cleaned.replace("..", "_")
    if cleaned == text and len(text) <= MAX_NAME:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return f"{cleaned[:MAX_NAME]}-{digest}"


def inside(root: Path, path: Path) -> Path:
    """``path`` resolved, if it lies under ``root``.

    Raises:
        OutputError: it does not (a name made from data climbed out of its folder).
    """
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise OutputError(
            message("store.files.outside", path=path, root=root),
            hint=message("store.files.code_used_file_name"),
        )
    return resolved
