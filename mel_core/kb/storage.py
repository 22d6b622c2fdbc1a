"""Where the index lives on disk: the schema, generations swapped in whole, and the one-writer lock.

Layout of ``MEL_HOME/index/``::

    CURRENT          the name of the generation searches read (replaced atomically)
    writer.lock      held (flock) by the one process writing
    gen-…/           a Whoosh index, its manifest.json (document fingerprints) and VERSION (of the schema)

A full build writes a new generation folder and swaps it in by replacing ``CURRENT`` at the end, so a search
never sees half an index; an update changes the current generation in place (Whoosh keeps readers on the
segments they opened).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Existence

from mel_core.kb.analysis import TermFrequencies, analyzer
from mel_core.kb.errors import IndexLockedError, IndexMissingError

#: Bump when the schema or the analysis changes: an older index is then rebuilt, never misread.
SCHEMA_VERSION = 2  # 2: the ``shown`` column
FACET_FIELDS = ("kind", "province", "province_now", "sector", "theme", "criterion", "year", "funding")


def schema() -> Schema:
    """The fields of the index: three texts (title, body, meta), the facets, and what a hit shows.

    ``shown`` holds a document's key and title again, as JSON, in a column: read by document number in a few
    microseconds, where the stored fields are one compressed record with the whole body (similar lessons show five
    titles of lessons that are not hits).
    """
    text = analyzer()

    def searchable(stored: bool) -> TEXT:
        field = TEXT(analyzer=text, stored=stored, phrase=False)
        field.format = TermFrequencies()
        return field

    def keywords() -> KEYWORD:
        field = KEYWORD()
        field.format = Existence()  # presence only, like ID (Whoosh's KEYWORD counts frequencies)
        return field

    return Schema(
        id=ID(unique=True),
        lesson=ID(),  # the lesson key of a lesson and of its items, to replace them together
        kind=ID(stored=True),
        title=searchable(stored=True),
        body=searchable(stored=True),
        meta=searchable(stored=False),
        province=keywords(),
        province_now=keywords(),
        sector=ID(),
        theme=keywords(),
        criterion=ID(),
        year=keywords(),
        funding=ID(),
        language=ID(),
        info=STORED(),  # key, parent and facet values of a hit, as a dict
        shown=COLUMN(),  # [key, title] as JSON (UTF-8): see shown_value
    )


def shown_value(key: str, title: str) -> bytes:
    """The ``shown`` column's value of a document."""
    return json.dumps([key, title], ensure_ascii=False).encode("utf-8")


def read_shown(value: bytes) -> tuple[str, str] | None:
    """A ``shown`` value read back as (key, title); None for a document written without one."""
    if not value:
        return None
    key, title = json.loads(value)
    return str(key), str(title)


def current_generation(index_dir: Path) -> Path:
    """The generation folder searches read; :class:`IndexMissingError` when there is none."""
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(index_dir) from None
    folder = index_dir / name
    try:  # a small file: the manifest, with every document's fingerprint, is only read by updates
        version = (folder / "VERSION").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        version = ""
    if version != str(SCHEMA_VERSION):
        raise IndexMissingError(index_dir, "built by another version of mel")
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a generation (empty when it has none)."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Replace a generation's manifest atomically."""
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / "manifest.json")
    (folder / "VERSION").write_text(str(manifest.get("schema_version", "")), encoding="utf-8")


def new_generation(index_dir: Path) -> Path:
    """A new, empty Whoosh index in a fresh generation folder (not yet current)."""
    folder = index_dir / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    folder.mkdir(parents=True)
    whoosh_index.create_in(str(folder), schema())
    return folder


def swap_in(index_dir: Path, folder: Path) -> None:
    """Make ``folder`` the current generation and remove the older ones (readers keep open files)."""
    tmp = index_dir / "CURRENT.tmp"
    tmp.write_text(folder.name, encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")
    for old in index_dir.glob("gen-*"):
        if old != folder and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _try_lock(fh: Any) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def writer_lock(index_dir: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the index's one-writer lock, or raise :class:`IndexLockedError` (after ``wait_s`` seconds).

    The operating system releases the lock when its process ends, so a crashed writer never blocks others.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / "writer.lock"
    with path.open("a+", encoding="utf-8") as fh:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fh):
            if time.monotonic() >= deadline:
                fh.seek(0)
                raise IndexLockedError(index_dir, fh.read().strip())
            time.sleep(0.1)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
