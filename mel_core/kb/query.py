"""A typed query as concepts to match: words, quoted phrases, glossary synonyms and spelling correction.

Each part of a query is a *concept*: a word, a "quoted phrase" or a glossary term (with its synonyms in both
languages). A document must match every concept (``all`` mode); when none does, search falls back to any
(``any`` mode). Within a concept:

- a word typed with diacritics asks for its exact form and its folded form; documents are ranked first by how
  many such words they hold exactly as typed, then by score, so exact matches rank above folded ones; typed
  without diacritics, a word asks for its folded form;
- a glossary term asks for the words as typed, or (weighted ``SYNONYM_BOOST``) any other term of its group;
- a quoted phrase asks for its words next to each other, in order;
- a province's name ("Quảng Trị", "quang binh") asks for the name as a phrase, or for documents filed under
  that province (today's name: also under the pre-2025 provinces it absorbed).
:mod:`mel_core.kb.engine` evaluates them.

A word absent from the index (a misspelling, "livestok") of six letters or more is replaced by the closest
indexed word within one edit (two from eight letters), the most frequent first, before the glossary is consulted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from mel_core import geo
from mel_core.kb.analysis import STOP_WORDS, Word, words
from mel_core.kb.engine import FIELD_WEIGHTS, Engine
from mel_core.kb.glossary import Glossary, glossary

SYNONYM_BOOST = 0.6
PLACE_SCORE = 3.0  # about what a word of the title adds; a province's name is also matched as a phrase
_QUOTED = re.compile(r'"([^"]*)"?')
Forms = list[tuple[str, str | None]]  # (folded, exact) of each word of a sequence


@dataclass
class Concept:
    """Alternatives (word sequences with a weight), any of which satisfies the concept; or one phrase."""

    alternatives: list[tuple[Forms, float]]
    phrase: bool = False
    place: tuple[str, str] | None = None  # a province named in the query: (facet field, code)


@dataclass
class ParsedQuery:
    """The concepts of a typed query and what a snippet marks."""

    text: str
    concepts: list[Concept] = field(default_factory=list)
    marked: set[str] = field(default_factory=set)  # folded forms of every word asked for
    corrected: list[tuple[str, str]] = field(default_factory=list)  # (typed, used instead)
    expanded: list[str] = field(default_factory=list)  # glossary keys used

    def exact_words(self, engine: Engine) -> np.ndarray:
        """How many of the words typed with diacritics each document holds exactly so (the ranking's first key)."""
        count = np.zeros(engine.size, dtype=np.int32)
        for concept in self.concepts:
            for _folded, exact in concept.alternatives[0][0]:  # the words as typed
                if exact is not None:
                    count += engine.present(exact)
        return count

    def scores(self, engine: Engine, searcher: Any, mode: str = "all") -> tuple[np.ndarray, np.ndarray]:
        """Which documents match (``all`` concepts, or ``any``) and their scores; every document if empty."""
        if not self.concepts:
            return engine.live.copy(), np.zeros(engine.size)
        total = np.zeros(engine.size)
        matched = np.ones(engine.size, dtype=bool) if mode == "all" else np.zeros(engine.size, dtype=bool)
        for concept in self.concepts:
            best = np.zeros(engine.size)
            for forms, weight in concept.alternatives:
                found = engine.phrase(searcher, forms) if concept.phrase else engine.sequence(forms)
                np.maximum(best, found * weight, out=best)
            if concept.place is not None:  # documents filed under the province (or one it absorbed)
                best[engine.facet_mask(concept.place[0], [concept.place[1]])] += PLACE_SCORE
            present = best > 0
            matched = matched & present if mode == "all" else matched | present
            total += best
        matched &= engine.live
        return matched, total


def _forms(ws: list[Word]) -> Forms:
    return [(w.folded, w.exact) for w in ws]


def _in_index(reader: Any, folded: str) -> bool:
    return any(reader.doc_frequency(name, folded) for name in FIELD_WEIGHTS)


def _correct(reader: Any, w: Word) -> Word | None:
    """The closest indexed word to a word the index lacks (one edit, two for longer words), or None."""
    # Vietnamese syllables are short and a folded one absent from the index is usually just absent (a name, a
    # rare word), not misspelt: only longer words, or words with letters Vietnamese lacks, are corrected.
    if not w.folded.isalpha() or (len(w.folded) < 6 and not set(w.folded) & set("fjwz")):
        return None
    best: tuple[int, int, str] | None = None
    for maxdist in (1, 2) if len(w.folded) >= 8 else (1,):
        for name in ("body", "title"):
            for candidate in reader.terms_within(name, w.folded, maxdist, prefix=1):
                if not candidate.isascii():
                    continue  # an exact form: its folded twin is a candidate too
                frequency = reader.doc_frequency(name, candidate)
                rank = (maxdist, -frequency, candidate)
                if best is None or rank < best:
                    best = rank
        if best is not None:
            break
    return Word(w.start, w.end, None, best[2]) if best else None


@cache
def _province_names() -> dict[tuple[str, ...], tuple[str, str]]:
    """Folded words of every province name → the facet that finds its documents."""
    names: dict[tuple[str, ...], tuple[str, str]] = {}
    for p in geo.provinces().values():
        names[tuple(w.folded for w in words(p.name))] = ("province", p.code)
    for p in geo.current_provinces():  # today's name (and codes) take precedence: they include the old ones
        names[tuple(w.folded for w in words(p.successor_name))] = ("province_now", p.code)
    return names


def _places(ws: list[Word]) -> dict[int, tuple[int, tuple[str, str]]]:
    """Province names in the query: start → (end, facet field and code), longest first."""
    names = _province_names()
    found: dict[int, tuple[int, tuple[str, str]]] = {}
    i = 0
    while i < len(ws):
        for length in (4, 3, 2):
            where = names.get(tuple(w.folded for w in ws[i : i + length]))
            if where is not None and i + length <= len(ws):
                found[i] = (i + length, where)
                i += length
                break
        else:
            i += 1
    return found


def parse_query(text: str, reader: Any = None, vocabulary: Glossary | None = None) -> ParsedQuery:
    """The concepts of ``text``; ``reader`` (a Whoosh reader) enables spelling correction.

    Args:
        text: the query as typed: words, "quoted phrases", any script or case.
        reader: the index reader whose vocabulary corrects misspellings (None: no correction).
        vocabulary: the glossary of synonyms (default: kb/glossary.yml).
    """
    gloss = vocabulary if vocabulary is not None else glossary()
    parsed = ParsedQuery(text=text)
    loose: list[str] = []
    for n, part in enumerate(_QUOTED.split(text)):
        if n % 2:  # inside quotes: one phrase, stop words kept
            ws = list(words(part))
            if len(ws) > 1:
                parsed.concepts.append(Concept([(_forms(ws), 1.0)], phrase=True))
                parsed.marked.update(w.folded for w in ws)
            else:
                loose.append(part)
        else:
            loose.append(part)
    ws = list(words(" ".join(loose)))
    if reader is not None:
        fixed: list[Word] = []
        for w in ws:
            if w.folded not in STOP_WORDS and not _in_index(reader, w.folded):
                better = _correct(reader, w)
                if better is not None:
                    parsed.corrected.append((w.exact or w.folded, better.folded))
                    w = better
            fixed.append(w)
        ws = fixed
    matches = {m.start: m for m in gloss.match(ws)}
    places = _places(ws)
    i = 0
    while i < len(ws):
        place = places.get(i)
        if place is not None:
            end, where = place
            span = ws[i:end]
            parsed.concepts.append(Concept([(_forms(span), 1.0)], phrase=True, place=where))
            parsed.marked.update(w.folded for w in span)
            i = end
            continue
        match = matches.get(i)
        if match is not None:
            span = ws[match.start : match.end]
            typed = tuple(w.folded for w in span)
            alternatives: list[tuple[Forms, float]] = [(_forms(span), 1.0)]
            for term in match.group.terms:
                if term.folded != typed:
                    alternatives.append(([(f, None) for f in term.folded], SYNONYM_BOOST))
                    parsed.marked.update(term.folded)
            parsed.concepts.append(Concept(alternatives))
            parsed.marked.update(typed)
            parsed.expanded.append(match.group.key)
            i = match.end
            continue
        w = ws[i]
        i += 1
        if w.folded in STOP_WORDS:
            continue
        parsed.concepts.append(Concept([(_forms([w]), 1.0)]))
        parsed.marked.add(w.folded)
    return parsed
