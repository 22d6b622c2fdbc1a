"""Whoosh's postings written and read a block at a time: the one module that uses Whoosh's inner names.

**Writing** (:func:`bulk_writer`). Whoosh's ``SegmentWriter`` puts every posting in a pool as a tuple, sorts the
pool when the segment is written, and hands the postings one by one to the codec, which checks and appends
each. At about 300 postings per document that Python work per posting is most of a build. :class:`BulkWriter`
appends a document's postings to one array per term (documents arrive in order, so each array is already
sorted), and when the segment is written cuts each term's arrays into the codec's blocks directly, through the
block buffers of Whoosh 2.7's ``W3PostingsWriter`` (``_ids``, ``_weights``, ``_write_block``). The files are
the ones Whoosh's own writer makes, read by Whoosh's own readers.

**Reading** (:func:`postings_arrays`). Whoosh's matchers give one posting per call (``id()``, ``weight()``,
``next()``); the whoosh3 codec's matcher holds a whole block in ``_ids`` and ``_weights``, about 100× fewer
Python calls per term.

The public paths (``MEL_PUBLIC_API=1``, or a Whoosh outside :data:`WHOOSH`'s range): Whoosh's own
``SegmentWriter`` with its default codec, and the matcher's ``id()``, ``weight()`` and ``next()``. Both give the
same documents, lengths and term frequencies, so the same search results and scores.
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from mel_core.adapters import Internals, use_internals
from mel_core.kb.analysis import TermFrequencies, index_terms

WHOOSH = Internals(
    "whoosh-reloaded",
    ">=2.7.5,<2.8",
    "SegmentWriter._flush_segment, W3PostingsWriter._write_block and W3LeafMatcher._read_ids",
)


class Codec(W3Codec):
    """Whoosh's codec without per-block length statistics, and blocks 8× larger.

    Whoosh looks up every posting's document length while writing, to record the shortest and longest
    document of each block for its own scorers' shortcuts; :mod:`mel_core.kb.engine` scores with its own
    length arrays, so the lookups (a quarter of the writing time) are skipped.
    """

    length_stats = False

    def __init__(self) -> None:
        # blocks of 1,024 postings (Whoosh: 128) read 8× fewer pickles when the engine loads a term's postings
        # whole; Whoosh's block skipping, which small blocks serve, is not used
        super().__init__(blocklimit=1024, compression=1)


def update_writer(ix: Any, limitmb: int) -> SegmentWriter:
    """Whoosh's own writer, for updates (deletions, merges): with :class:`Codec` on the fast path."""
    # compound=False: a segment stays as its files instead of being copied into one at the end
    if use_internals(WHOOSH):
        return SegmentWriter(ix, codec=Codec(), limitmb=limitmb, compound=False)
    return SegmentWriter(ix, limitmb=limitmb, compound=False)


def bulk_writer(ix: Any, limitmb: int) -> SegmentWriter:
    """A writer of one new segment of a full build: :class:`BulkWriter`, or Whoosh's own on the public path."""
    if use_internals(WHOOSH) and BulkWriter.accepts(ix.schema):
        return BulkWriter(ix)
    return update_writer(ix, limitmb)


class BulkWriter(SegmentWriter):
    """Adds documents to one new segment; every indexed field's format must carry no per-posting values."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, codec=Codec(), compound=False, **kwargs)
        # field → term → (doc numbers, weights); terms as text (UTF-8 keeps code point order when sorted)
        self._terms: dict[str, dict[str, tuple[array[int], array[float]]]] = {}
        if not self.accepts(self.schema):
            raise ValueError("BulkWriter needs indexed fields whose formats carry no posting values")

    @staticmethod
    def accepts(schema: Any) -> bool:
        return all(f.format.posting_size == 0 for _name, f in schema.items() if f.indexed)

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdoc, schema, docnum = self.perdocwriter, self.schema, self.docnum
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                if isinstance(field.format, TermFrequencies):
                    counts: Any = Counter(index_terms(value))
                else:
                    counts = {t.decode("utf-8"): 1 for t, *_rest in field.index(value)}
                if field.scorable:
                    length = sum(counts.values())
                terms = self._terms.setdefault(name, {})
                get = terms.get
                for term, n in counts.items():
                    entry = get(term)
                    if entry is None:
                        entry = terms[term] = (array("I"), array("f"))
                    entry[0].append(docnum)
                    entry[1].append(n)
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type is not None:  # as Whoosh's own add_document writes a column value
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self._terms):
            terms = self._terms[name]
            fw.start_field(name, self.schema[name])
            for term in sorted(terms):
                fw.start_term(term.encode("utf-8"))
                ids, weights = terms[term]
                _write_postings(fw, ids, weights)
                fw.finish_term()
            fw.finish_field()
        fw.close()
        self._terms.clear()


def _write_postings(fw: Any, ids: array[int], weights: array[float]) -> None:
    pw = getattr(fw, "_postwriter", None)
    limit = getattr(pw, "_blocklimit", None)
    if pw is None or limit is None or not hasattr(pw, "_write_block"):
        for docnum, weight in zip(ids, weights, strict=True):
            fw.add(docnum, weight, b"", 0)
        return
    for start in range(0, len(ids), limit):
        chunk_w = weights[start : start + limit]
        pw._ids, pw._weights, pw._values = ids[start : start + limit], chunk_w, []
        pw._minlength, pw._maxlength, pw._maxweight = None, 0, max(chunk_w)
        if start + limit < len(ids):
            pw._write_block()  # finish_postings writes the last block, marked as last
            pw._new_block()


def postings_arrays(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """Doc numbers and term frequencies of one segment's postings (a leaf matcher, deleted documents included)."""
    if not (hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_weights") and use_internals(WHOOSH)):
        found: list[int] = []
        frequencies: list[float] = []
        while matcher.is_active():
            found.append(matcher.id())
            frequencies.append(matcher.weight())
            matcher.next()
        return np.asarray(found, dtype=np.int32), np.asarray(frequencies, dtype=np.float32)
    ids: list[Any] = []
    weights: list[Any] = []
    while matcher.is_active():  # whoosh3 codec: whole blocks at once
        matcher._read_ids()
        matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int32))
        weights.append(np.asarray(matcher._weights, dtype=np.float32))
        matcher._next_block()
    if not ids:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    return np.concatenate(ids), np.concatenate(weights)
