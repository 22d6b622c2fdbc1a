"""Building and updating the search index from the store (the index is derived: the store is the truth).

- :func:`build_index` writes every public document into a new generation folder and swaps it in at the end.
- :func:`update_index` compares the store with the index's manifest and re-indexes only what changed
  (a full build when there is no index yet, or one of an older schema).
- :func:`update_lessons` re-indexes the given lessons only (and their items): the fast path after one edit.

One writer at a time: each takes the index's lock and raises :class:`IndexLockedError` when another holds it.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from mel_core import geo
from mel_core.adapters.whoosh_postings import bulk_writer, update_writer
from mel_core.i18n import message
from mel_core.kb.documents import Document, attachment_documents, lesson_documents, store_documents
from mel_core.kb.errors import IndexMissingError
from mel_core.kb.storage import (
    SCHEMA_VERSION,
    current_generation,
    new_generation,
    read_manifest,
    shown_value,
    swap_in,
    write_manifest,
    writer_lock,
)

#: Documents per segment of a full build: a segment's postings are held in memory until it is written (about
#: 540 MiB at the peak of a 100,000-document build, 480 with 5,000), and the query engine reads all segments'
#: postings of a term into one array, so they are left unmerged. But every term looked up is looked up in every
#: segment: with 5,000 (20 segments at 100,000 documents) a lesson page's similar lessons spent three times as
#: long finding their title words' frequencies and postings (bench/README.md, "Portal").
SEGMENT_DOCS = 25_000
WRITER_LIMIT_MB = 512
#: An update merges small segments (Whoosh's MERGE_SMALL) once the index has more than this many.
MAX_SEGMENTS = 40
Progress = Callable[[int], None]


@dataclass
class IndexReport:
    """What a build or an update did."""

    index_dir: Path
    rebuilt: bool
    documents: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for a person, in both languages."""
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        if self.rebuilt:
            return message(
                "kb.messages.index_built",
                documents=self.documents,
                kinds=kinds,
                seconds=self.seconds,
                index_dir=self.index_dir,
            )
        return message(
            "kb.messages.index_updated",
            added=self.added,
            updated=self.updated,
            removed=self.removed,
            documents=self.documents,
            kinds=kinds,
            seconds=self.seconds,
            index_dir=self.index_dir,
        )


def fields_of(doc: Document) -> dict[str, Any]:
    """The Whoosh fields of a document (facet values joined by spaces; provinces with their successors)."""
    known = geo.provinces()
    now = sorted({known[c].successor_code if c in known else c for c in doc.provinces})
    years = [str(y) for y in doc.years]
    fields: dict[str, Any] = {
        "id": doc.doc_id,
        "kind": doc.kind,
        "title": doc.title,
        "body": doc.body,
        "meta": doc.meta,
        "shown": shown_value(doc.key, doc.title),
        "info": {
            "key": doc.key,
            "parent": doc.parent,
            "language": doc.language,
            "provinces": list(doc.provinces),
            "sector": doc.sector,
            "themes": list(doc.themes),
            "criterion": doc.criterion,
            "years": list(doc.years),
            "funding": doc.funding,
        },
    }
    optional = {
        "lesson": doc.parent if doc.kind == "lesson_item" else (doc.key if doc.kind == "lesson" else ""),
        "province": " ".join(doc.provinces),
        "province_now": " ".join(now),
        "sector": doc.sector,
        "theme": " ".join(doc.themes),
        "criterion": doc.criterion,
        "year": " ".join(years),
        "funding": doc.funding,
        "language": doc.language,
    }
    fields.update({k: v for k, v in optional.items() if v})
    return fields


def _writer(folder: Path) -> SegmentWriter:
    return update_writer(whoosh_index.open_dir(str(folder)), WRITER_LIMIT_MB)


def build_index(
    engine: Engine, index_dir: Path, progress: Progress | None = None, audience: str = "public"
) -> IndexReport:
    """Build the whole index from the store into a new folder and swap it in when complete.

    Args:
        engine: the store.
        index_dir: the index folder (``Settings.index_dir`` or ``Settings.index_dir_for(audience)``); created
            when missing.
        progress: called with the number of documents written so far, every 500 documents.
        audience: ``public`` (public lessons only: what anyone may read) or ``internal`` (internal lessons too:
            the portal's signed-in readers); see :mod:`mel_core.access`.

    Raises:
        IndexLockedError: another process is writing the index.
    """
    started = time.perf_counter()
    with writer_lock(index_dir):
        folder = new_generation(index_dir)
        try:
            fingerprints: dict[str, str] = {}
            kinds: Counter[str] = Counter()
            writer: SegmentWriter | None = None
            with engine.connect() as conn:
                for doc in store_documents(conn, audience):
                    writer = writer or bulk_writer(whoosh_index.open_dir(str(folder)), WRITER_LIMIT_MB)
                    writer.add_document(**fields_of(doc))
                    fingerprints[doc.doc_id] = doc.fingerprint()
                    kinds[doc.kind] += 1
                    if len(fingerprints) % SEGMENT_DOCS == 0:
                        writer.commit(merge=False)
                        writer = None
                    if progress is not None and len(fingerprints) % 500 == 0:
                        progress(len(fingerprints))
            if writer is not None:
                writer.commit(merge=False)
            write_manifest(
                folder, {"schema_version": SCHEMA_VERSION, "audience": audience, "documents": fingerprints}
            )
        except BaseException:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            raise
        swap_in(index_dir, folder)
    if progress is not None:
        progress(len(fingerprints))
    return IndexReport(
        index_dir=index_dir,
        rebuilt=True,
        documents=len(fingerprints),
        added=len(fingerprints),
        seconds=time.perf_counter() - started,
        by_kind=dict(kinds),
    )


def _apply(
    folder: Path, docs: Iterable[Document], drop: Callable[[SegmentWriter, dict[str, str]], set[str]]
) -> tuple[int, int, int, dict[str, str]]:
    """Write changed documents into the current generation; ``drop`` deletes and names what it deleted."""
    manifest = read_manifest(folder)
    old: dict[str, str] = manifest.get("documents", {})
    new = dict(old)
    writer = _writer(folder)
    try:
        candidates = drop(writer, old)
        added = updated = 0
        for doc in docs:
            fingerprint = doc.fingerprint()
            candidates.discard(doc.doc_id)
            if old.get(doc.doc_id) == fingerprint:
                continue
            if doc.doc_id in old:
                writer.delete_by_term("id", doc.doc_id)
                updated += 1
            else:
                added += 1
            writer.add_document(**fields_of(doc))
            new[doc.doc_id] = fingerprint
        for doc_id in candidates:
            writer.delete_by_term("id", doc_id)
            new.pop(doc_id, None)
        removed = len(candidates)
    except BaseException:
        writer.cancel()
        raise
    if added or updated or removed:
        # each update adds a small segment; merging only now and then keeps one update well under a second
        writer.commit(merge=len(writer.segments) > MAX_SEGMENTS)
        write_manifest(folder, {**manifest, "documents": new})
    else:
        writer.cancel()
    return added, updated, removed, new


def update_index(
    engine: Engine, index_dir: Path, progress: Progress | None = None, audience: str = "public"
) -> IndexReport:
    """Bring the index in step with the store, re-indexing only documents that changed.

    Builds the whole index (:func:`build_index`) when there is none yet, or it is of an older schema or of
    another ``audience``.

    Raises:
        IndexLockedError: another process is writing the index.
    """
    try:
        folder = current_generation(index_dir)
    except IndexMissingError:
        return build_index(engine, index_dir, progress, audience)
    if read_manifest(folder).get("audience", "public") != audience:
        return build_index(engine, index_dir, progress, audience)
    started = time.perf_counter()
    with writer_lock(index_dir), engine.connect() as conn:
        added, updated, removed, now = _apply(
            folder, store_documents(conn, audience), lambda _writer, old: set(old)
        )
    return IndexReport(
        index_dir=index_dir,
        rebuilt=False,
        documents=len(now),
        added=added,
        updated=updated,
        removed=removed,
        seconds=time.perf_counter() - started,
        by_kind=dict(Counter(doc_id.split(":", 1)[0] for doc_id in now)),
    )


def update_lessons(
    engine: Engine, index_dir: Path, keys: Iterable[str], audience: str = "public", wait_s: float = 0.0
) -> IndexReport:
    """Re-index the lessons of ``keys`` (and their items) as the store holds them now.

    A lesson gone from the store, or now internal or not published, leaves the index. ``wait_s``: how long to
    wait for another writer of the index to finish.

    Raises:
        IndexMissingError: there is no index yet (run :func:`build_index` first).
        IndexLockedError: another process is writing the index.
    """
    keys = list(dict.fromkeys(keys))
    folder = current_generation(index_dir)
    started = time.perf_counter()

    def drop(writer: SegmentWriter, old: dict[str, str]) -> set[str]:
        lessons = {f"lesson:{k}" for k in keys}
        items = tuple(f"lesson_item:{k}#" for k in keys) + tuple(f"attachment:lesson:{k}/" for k in keys)
        return {d for d in old if d in lessons or d.startswith(items)}

    with writer_lock(index_dir, wait_s), engine.connect() as conn:
        documents = itertools.chain(
            lesson_documents(conn, keys, audience), attachment_documents(conn, audience, lesson_keys=keys)
        )
        added, updated, removed, now = _apply(folder, documents, drop)
    return IndexReport(
        index_dir=index_dir,
        rebuilt=False,
        documents=len(now),
        added=added,
        updated=updated,
        removed=removed,
        seconds=time.perf_counter() - started,
        by_kind=dict(Counter(doc_id.split(":", 1)[0] for doc_id in now)),
    )
