"""What a previous build of the same book already checked and wrote, so a rebuild redoes only what changed.

One JSON file in the book's output folder, ``.mel-book-cache.json``: sections of ``key → [fingerprint,
value]``. A fingerprint is a file's path, size and modification time (or a hash of the data a page is made
from), combined with :data:`VERSION`, the vocabulary files and the catalogue of words, so a new release, a
changed taxonomy or a changed word invalidates everything. Only checks that passed are remembered: a file with a
problem is checked again on every build until it is fixed. Losing or corrupting the file only makes the next
build slower.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from mel_core import __version__, i18n
from mel_core.config import kb_dir

#: Bump when what is cached changes shape or meaning.
VERSION = "4"


def _vocabulary_stamp() -> str:
    parts = [VERSION, __version__]
    files = [kb_dir() / "taxonomy.yml", kb_dir() / "glossary.yml", *sorted(i18n.CATALOGUE_DIR.glob("*.yml"))]
    for path in files:
        name = path.name if path.parent == kb_dir() else f"catalogue/{path.name}"
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def file_stamp(path: Path) -> str:
    """A file's identity for the cache: resolved path, size and modification time."""
    st = path.stat()
    return f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"


def digest(*parts: Any) -> str:
    """A short hash of JSON-able parts (a page's inputs)."""
    data = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


class BuildCache:
    """The cache of one output folder; :meth:`save` writes it atomically."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stamp = _vocabulary_stamp()
        self._old: dict[str, dict[str, Any]] = {}
        self._new: dict[str, dict[str, Any]] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if isinstance(data, dict) and data.get("stamp") == self.stamp:
                self._old = data.get("sections", {})

    def get(self, section: str, key: str, fingerprint: str) -> Any | None:
        """The value stored under ``key`` when its fingerprint is still ``fingerprint``, else None."""
        entry = self._old.get(section, {}).get(key)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == fingerprint:
            self.put(section, key, fingerprint, entry[1])
            return entry[1]
        return None

    def put(self, section: str, key: str, fingerprint: str, value: Any) -> None:
        """Remember ``value`` for ``key`` (kept by the next :meth:`save`)."""
        self._new.setdefault(section, {})[key] = [fingerprint, value]

    def save(self) -> None:
        """Write what this build used or stored (entries not touched are dropped)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"stamp": self.stamp, "sections": self._new}, ensure_ascii=False), "utf-8")
        os.replace(tmp, self.path)
