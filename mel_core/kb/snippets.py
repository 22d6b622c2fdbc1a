"""Highlighted snippets: the passage of a text where the query's words are densest, with those words marked.

Words are compared by their folded forms, so "giam ngheo" marks "giảm nghèo". Marks are :data:`MARK_OPEN`
and :data:`MARK_CLOSE` around a word; :func:`to_html` turns them into ``<mark>`` elements.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from mel_core.kb.analysis import words

MARK_OPEN, MARK_CLOSE = "«", "»"
WINDOW = 32  # words in a snippet
_MARKUP = re.compile(r"(?:^|(?<=\s))(?:#+|[-+*>])(?=\s)|\*\*|__|`")  # Markdown signs, not text


def snippet(text: str, marked: set[str], window: int = WINDOW) -> str:
    """The ``window`` words of ``text`` holding the most distinct marked words, marks around them.

    Falls back to the start of the text when no word is marked.
    """
    from mel_core.text import nfc

    text = nfc(text)
    ws = list(words(text))
    if not ws:
        return ""
    hits = [w.folded in marked for w in ws]
    best_start, best_score = 0, (-1, -1)
    seen: Counter[str] = Counter()
    for i, w in enumerate(ws):  # a sliding window over the words: distinct marked words, then all of them
        if hits[i]:
            seen[w.folded] += 1
        j = i - window
        if j >= 0 and hits[j]:
            seen[ws[j].folded] -= 1
            if not seen[ws[j].folded]:
                del seen[ws[j].folded]
        score = (len(seen), sum(seen.values()))
        if score > best_score:
            best_start, best_score = max(0, i - window + 1), score
    if best_score[0] <= 0:
        best_start = 0
    chosen = ws[best_start : best_start + window]
    out: list[str] = ["…"] if best_start > 0 else []
    cursor = chosen[0].start
    for k, w in enumerate(chosen, best_start):
        out.append(text[cursor : w.start])
        piece = text[w.start : w.end]
        out.append(f"{MARK_OPEN}{piece}{MARK_CLOSE}" if hits[k] else piece)
        cursor = w.end
    tail = text[cursor : cursor + 1] if cursor < len(text) and not text[cursor].isspace() else ""
    out.append(tail)
    if best_start + window < len(ws):
        out.append(" …")
    return " ".join(_MARKUP.sub(" ", "".join(out)).split())


def to_html(marked_snippet: str) -> str:
    """A snippet as HTML: text escaped, marked words in ``<mark>``."""
    escaped = html.escape(marked_snippet)
    return escaped.replace(html.escape(MARK_OPEN), "<mark>").replace(html.escape(MARK_CLOSE), "</mark>")
