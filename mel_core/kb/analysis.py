"""Words of a text as search compares them: the one Vietnamese pipeline of :mod:`mel_core.text`, per token.

Every word (a run of letters and digits) is NFC, lowercase, with its tone mark in the one placement of
:func:`mel_core.text.place_tone` (hoà = hòa). It is indexed in its folded form (diacritics removed, đ→d) and,
when it has diacritics, also in its exact form at the same position, in the same field: "nghèo" is indexed as
``ngheo`` and ``nghèo``. A query typed with diacritics asks for both forms and weighs the exact one higher, so
exact matches rank above folded ones; a query typed without diacritics asks for the folded form only.

Folded forms of English words lose a plural ``-s`` (``households`` → ``household``): no Vietnamese syllable
ends in ``s``, so this never touches Vietnamese. The book reuses :func:`words` for its own search index.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Format
from whoosh.system import emptybytes

from mel_core.text import fold, place_tone

WORD = re.compile(r"[^\W_]+")

#: Words a query ignores outside quotes (they still count inside a quoted phrase and in the index).
STOP_WORDS = frozenset(
    {
        # English
        *[
            "a",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "by",
            "for",
            "from",
            "how",
            "in",
            "is",
            "it",
            "of",
            "on",
            "or",
            "the",
            "to",
            "what",
            "which",
            "with",
        ],
        # Vietnamese (folded: a folded query word is compared)
        *[
            "cac",
            "cua",
            "va",
            "la",
            "cho",
            "voi",
            "nhung",
            "mot",
            "trong",
            "duoc",
            "thi",
            "ma",
            "nay",
            "do",
            "ve",
        ],
    }
)


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text: where it is and its two forms (``exact`` is None when it has no diacritics)."""

    start: int
    end: int
    exact: str | None
    folded: str


_forms_cache: dict[str, tuple[str | None, str]] = {}
_CACHE_LIMIT = 500_000


def forms(token: str) -> tuple[str | None, str]:
    """The exact form (None when it equals the folded one) and the folded form of one token of NFC text."""
    cached = _forms_cache.get(token)
    if cached is not None:
        return cached
    lower = place_tone(token).lower()
    folded = fold(lower)
    if lower == folded:
        exact = None
        if len(folded) > 3 and folded.isascii() and folded.endswith("s") and folded[-2] not in "siu":
            folded = folded[:-3] + "y" if folded.endswith("ies") else folded[:-1]
    else:
        exact = lower
    if len(_forms_cache) >= _CACHE_LIMIT:
        _forms_cache.clear()
    result = _forms_cache[token] = (exact, folded)
    return result


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def words(text: str) -> Iterator[Word]:
    """Every word of ``text`` (NFC first) with its character offsets in the NFC text and its two forms."""
    for match in WORD.finditer(_nfc(text)):
        exact, folded = forms(match.group(0))
        yield Word(match.start(), match.end(), exact, folded)


class VietnameseTokenizer(Tokenizer):
    """Whoosh tokenizer of the pipeline: folded token, then the exact one at the same position if it differs."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        cache = _forms_cache
        for pos, match in enumerate(WORD.finditer(_nfc(value)), start_pos):
            token = match.group(0)
            pair = cache.get(token) or forms(token)
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            t.text = pair[1]
            if keeporiginal:
                t.original = token
            yield t
            if pair[0] is not None:
                t.text = pair[0]
                yield t


def index_terms(text: str) -> list[str]:
    """The terms a text is indexed as, in order: each word's folded form, then its exact one if it differs."""
    cache = _forms_cache
    out: list[str] = []
    append = out.append
    for token in WORD.findall(_nfc(text)):
        pair = cache.get(token) or forms(token)
        append(pair[1])
        if pair[0] is not None:
            append(pair[0])
    return out


class TermFrequencies(Format):
    """A posting format holding each term's frequency as its weight, and no positions.

    Whoosh's ``Positions`` format pickles a position list per posting and its analyzer chain builds a Token
    per word; this format counts :func:`index_terms` directly, which writes the index several times faster.
    Quoted phrases are checked against the stored text instead (:mod:`mel_core.kb.engine`).
    """

    posting_size = 0

    def __init__(self, field_boost: float = 1.0, **options: Any) -> None:
        self.field_boost = field_boost
        self.options = options

    def word_values(
        self, value: str, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        counts = Counter(index_terms(value))
        return ((w, n, float(n), emptybytes) for w, n in counts.items())

    def encode(self, value: Any) -> bytes:
        return emptybytes

    def decode_frequency(self, valuestring: bytes) -> int:
        return 1

    def decode_weight(self, valuestring: bytes) -> float:
        return self.field_boost


def analyzer() -> VietnameseTokenizer:
    """The analyzer of every text field of the index."""
    return VietnameseTokenizer()
