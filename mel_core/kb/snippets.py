"""Highlighted snippets: the passage of a text where the query's words are densest, with those words marked.

Words are compared by their folded forms, so "giam ngheo" marks "giảm nghèo". The text is folded letter for
text is searched with one regular expression of every spelling of the query's words
(:func:`mel_core.text.fold_pattern`), so a snippet costs microseconds, not a pass of Python over every word. Marks are
:data:`MARK_OPEN` and :data:`MARK_CLOSE` around a word; :func:`to_html` turns them into ``<mark>`` elements.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from mel_core.text import fold_chars, fold_pattern, nfc

MARK_OPEN, MARK_CLOSE = "«", "»"
WINDOW = 220  # characters in a snippet, about 40 words
_MARKUP = re.compile(r"(?:^|(?<=\s))(?:#+|[-+*>])(?=\s)|\*\*|__|`")  # Markdown signs, not text


def _variants(folded: str) -> str:
    """Every spelling of a folded word, with the English plural the index folded away."""
    if folded.isascii() and folded.isalpha() and len(folded) > 2:
        if folded.endswith("y"):
            return f"{fold_pattern(folded[:-1])}(?:[yY]|[iI][eE][sS])"
        return f"{fold_pattern(folded)}(?:[eE]?[sS])?"
    return fold_pattern(folded)


@lru_cache(maxsize=256)
def _pattern(marked: frozenset[str]) -> re.Pattern[str] | None:
    if not marked:
        return None
    alternatives = "|".join(_variants(w) for w in sorted(marked, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


def find(text: str, marked: Iterable[str]) -> list[tuple[int, int]]:
    """Offsets (start, end) in ``text`` (NFC) of every word whose folded form is in ``marked``."""
    pattern = _pattern(frozenset(marked))
    if pattern is None:
        return []
    return [m.span() for m in pattern.finditer(text)]


def snippet(text: str, marked: Iterable[str], window: int = WINDOW) -> str:
    """About ``window`` characters of ``text`` holding the most distinct marked words, marks around them.

    Falls back to the start of the text when no word is marked.
    """
    text = nfc(text)
    spans = find(text, marked)
    best, best_score = 0, (0, 0)
    keys = [fold_chars(text[a:b]) for a, b in spans]
    for i, (start, _end) in enumerate(spans):  # windows starting at each match
        j = i
        while j < len(spans) and spans[j][1] <= start + window:
            j += 1
        score = (len(set(keys[i:j])), j - i)
        if score > best_score:
            best, best_score = i, score
    start = max(0, spans[best][0] - 30) if spans and len(text) > window else 0
    if start:  # begin at a word
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[best][0] else start
    end = min(len(text), start + window)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces: list[str] = ["… "] if start else []
    cursor = start
    for a, b in spans:
        if a < start or b > end:
            continue
        pieces += [text[cursor:a], MARK_OPEN, text[a:b], MARK_CLOSE]
        cursor = b
    pieces.append(text[cursor:end])
    if end < len(text):
        pieces.append(" …")
    return " ".join(_MARKUP.sub(" ", "".join(pieces)).split())


def to_html(marked_snippet: str) -> str:
    """A snippet as HTML: text escaped, marked words in ``<mark>``."""
    escaped = html.escape(marked_snippet)
    return escaped.replace(html.escape(MARK_OPEN), "<mark>").replace(html.escape(MARK_CLOSE), "</mark>")
