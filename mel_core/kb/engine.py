"""Query evaluation over Whoosh's postings with numpy: every hit counted, the best ranked, in milliseconds.

Whoosh stores the index (postings, lengths, stored fields, the writer); evaluating a query through Whoosh's
own matchers costs Python work per posting per query, about 2.6× SQLite FTS5 at 100k documents. Here each
term's postings are read once per opened index (a block at a time: :mod:`mel_core.adapters.whoosh_postings`)
into arrays with their BM25 weight already computed (BM25 depends on the term and the document, never on the
query), kept in a bounded cache, and a query is combined with vector operations over all documents at once:

- a word scores the sum over fields of ``field weight × BM25``, its exact form (diacritics as typed) adding
  ``EXACT_BOOST`` × its own BM25 on top of the folded form's;
- a sequence of words (a glossary term) matches documents holding every word and scores their sum;
- a concept (a word, a glossary term with its synonyms, a quoted phrase) scores its best alternative;
- a query matches documents matching every concept (``all``) or any (``any``) and scores the sum.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from typing import Any

import numpy as np

from mel_core.adapters.whoosh_postings import postings_arrays
from mel_core.text import fold_pattern

FIELD_WEIGHTS = {"title": 2.0, "body": 1.0, "meta": 0.7}
EXACT_BOOST = 1.0  # the exact form's BM25 counts again, so exact matches rank above folded ones
K1, B = 1.2, 0.75
#: Facet-value masks kept (one bool per document each: 100 kB at 100,000 documents).
CACHE_MASKS = 512
#: Document frequencies kept (a title's words are looked up again and again by similar lessons).
CACHE_FREQUENCIES = 500_000
CACHE_POSTINGS = (
    30_000_000  # postings kept in memory at most: 8 bytes each (int32 id, float32 weight), 240 MB
)


class Engine:
    """The arrays of one opened index reader: lengths, live documents, cached term postings with BM25."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        self.live = np.zeros(self.size, dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        self.lengths: dict[str, np.ndarray] = {}
        self.average: dict[str, float] = {}
        for name in FIELD_WEIGHTS:
            lengths = np.zeros(self.size, dtype=np.float32)
            for docnum in range(self.size):
                lengths[docnum] = reader.doc_field_length(docnum, name, 0) or 0
            self.lengths[name] = lengths
            self.average[name] = max(float(lengths[self.live].mean()) if self.live.any() else 0.0, 1.0)
        self._terms: dict[str, list[str]] = {}
        self._priors: dict[tuple[tuple[str, float], ...], np.ndarray] = {}
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._masks: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._frequencies: dict[tuple[str, str], int] = {}

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Doc numbers holding ``term`` in ``field`` (deleted ones included) and their BM25 weights.

        For a facet field the weights are 1.
        """
        key = (field, term)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        ids_parts, tf_parts = [], []
        for leaf, offset in self.reader.leaf_readers():
            if (field, term) not in leaf:
                continue
            matcher = leaf.postings(field, term)
            ids, tfs = postings_arrays(getattr(matcher, "child", matcher))  # deleted documents: see self.live
            ids_parts.append(ids + offset)
            tf_parts.append(tfs)
        if ids_parts:
            ids, tfs = np.concatenate(ids_parts), np.concatenate(tf_parts)
        else:
            ids, tfs = np.zeros(0, np.int32), np.zeros(0, np.float32)
        if field in self.lengths:
            n = int(self.live[ids].sum()) if ids.size else 0
            idf = math.log(1 + (self.live.sum() - n + 0.5) / (n + 0.5))
            norm = K1 * (1 - B + B * self.lengths[field][ids] / self.average[field])
            scores = (idf * tfs * (K1 + 1) / (tfs + norm)).astype(np.float32)
        else:  # a facet field: presence only
            scores = tfs
        self._cache[key] = (ids, scores)
        self._cached += ids.size
        while self._cached > CACHE_POSTINGS and len(self._cache) > 1:
            _, (old, _s) = self._cache.popitem(last=False)
            self._cached -= old.size
        return ids, scores

    def word(self, folded: str, exact: str | None) -> np.ndarray:
        """Scores of one word over all documents (0 where absent)."""
        parts_ids, parts_scores = [], []
        for name, weight in FIELD_WEIGHTS.items():
            for form, factor in ((folded, 1.0), (exact, EXACT_BOOST)):
                if form is None:
                    continue
                ids, scores = self.postings(name, form)
                if ids.size:
                    parts_ids.append(ids)
                    parts_scores.append(scores * (weight * factor))
        if not parts_ids:
            return np.zeros(self.size, dtype=np.float64)
        return np.bincount(np.concatenate(parts_ids), np.concatenate(parts_scores), minlength=self.size)

    def sequence(self, forms: list[tuple[str, str | None]]) -> np.ndarray:
        """Scores of documents holding every word of ``forms`` (folded, exact): the sum; 0 elsewhere."""
        total = np.zeros(self.size, dtype=np.float64)
        present = np.ones(self.size, dtype=bool)
        for folded, exact in forms:
            scores = self.word(folded, exact)
            present &= scores > 0
            total += scores
        total[~present] = 0.0
        return total

    def phrase(self, searcher: Any, forms: list[tuple[str, str | None]]) -> np.ndarray:
        """Scores of documents whose title or text holds the words in this order (a quoted phrase).

        The index keeps no positions (they would triple its writing time), so the documents holding every
        word are checked against their stored text.
        """
        scores = self.sequence(forms)
        pattern = re.compile(
            r"(?<![^\W_])" + r"[\W_]+".join(fold_pattern(f) for f, _e in forms) + r"(?![^\W_])"
        )
        for docnum in np.flatnonzero(scores):
            stored = searcher.stored_fields(int(docnum))
            if not pattern.search(f"{stored.get('title', '')}\n{stored.get('body', '')}"):
                scores[docnum] = 0.0
        return scores

    def terms(self, field: str) -> list[str]:
        """Every term of a (facet) field, read once per opened index."""
        if field not in self._terms:
            self._terms[field] = [
                t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in self.reader.lexicon(field)
            ]
        return self._terms[field]

    def present(self, term: str) -> np.ndarray:
        """Documents holding ``term`` (an exact or folded form) in any text field."""
        mask = np.zeros(self.size, dtype=bool)
        for name in FIELD_WEIGHTS:
            mask[self.postings(name, term)[0]] = True
        return mask

    def facet_mask(self, field: str, values: list[str]) -> np.ndarray:
        """Documents holding any of ``values`` in a facet field (a new array: the caller may change it)."""
        if len(values) == 1:
            return self.value_mask(field, values[0]).copy()
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            mask |= self.value_mask(field, value)
        return mask

    def value_mask(self, field: str, value: str) -> np.ndarray:
        """Documents holding one facet value, kept for the next call (facets have few values; read-only)."""
        key = (field, value)
        mask = self._masks.get(key)
        if mask is not None:
            self._masks.move_to_end(key)
            return mask
        mask = np.zeros(self.size, dtype=bool)
        mask[self.postings(field, value)[0]] = True
        mask.flags.writeable = False
        self._masks[key] = mask
        while len(self._masks) > CACHE_MASKS:
            self._masks.popitem(last=False)
        return mask

    def frequency(self, field: str, term: str) -> int:
        """The number of documents holding ``term`` in ``field``, kept for the next call (a few bytes each)."""
        key = (field, term)
        found = self._frequencies.get(key)
        if found is None:
            if len(self._frequencies) >= CACHE_FREQUENCIES:
                self._frequencies.clear()
            # from the term's entry in each segment's term table (Whoosh's public doc_frequency), without
            # reading its postings: a lesson page looks up the frequency of every word of a title
            found = self._frequencies[key] = int(self.reader.doc_frequency(field, term))
        return found

    def priors(self, weights: dict[str, float]) -> np.ndarray:
        """A weight per document from its kind (1 for kinds not named), computed once per opened index."""
        key = tuple(sorted(weights.items()))
        if key not in self._priors:
            prior = np.ones(self.size)
            for kind, weight in weights.items():
                prior[self.facet_mask("kind", [kind])] = weight
            self._priors[key] = prior
        return self._priors[key]
