"""Text from lesson files and the store, written into the book's MyST pages so that it stays text.

MyST Markdown passes raw HTML through, and roles (``{raw}``), directives, substitutions and ``$math$`` would
all run if a lesson's words happened to spell them. So nothing submitted is copied into a page as it was
written: :func:`inline` backslash-escapes every ASCII punctuation character (CommonMark lets any of them be
escaped, and MyST shows the character itself), and :func:`blocks` parses a lesson's Markdown with HTML
switched off and writes back only paragraphs, lists, emphasis and code, their text escaped. A ``<script>``
in a lesson shows as the characters ``<script>`` in the book; it never becomes an element.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from mel_core.text import nfc

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_parser = MarkdownIt("commonmark", {"html": False})


def inline(text: object) -> str:
    """``text`` on one line with every Markdown/MyST-active character escaped (an empty string for None)."""
    if text is None:
        return ""
    flat = " ".join(nfc(str(text)).split())
    return _PUNCTUATION.sub(r"\\\1", flat)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table whose cells are escaped text (``|`` included)."""
    lines = ["| " + " | ".join(inline(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(inline(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def blocks(markdown: str, *, headings_from: int | None = None) -> str:
    """Markdown as safe MyST: structure kept, text escaped, no HTML, links as their text.

    Headings become bold lines (a lesson can never add a chapter or break the book's heading order), unless
    ``headings_from`` is given: then a heading of level *n* becomes one of level ``max(headings_from, n + 1)``
    (at most 6), which is how notebook outputs keep their structure under the book's own headings.
    """
    tokens = _parser.parse(nfc(markdown))
    out: list[str] = []
    _render(tokens, 0, len(tokens), out, indent="", headings_from=headings_from)
    return "\n".join(out).strip() + "\n"


def _render(
    tokens: list[Token], start: int, stop: int, out: list[str], indent: str, headings_from: int | None = None
) -> None:
    i = start
    while i < stop:
        tok = tokens[i]
        if tok.type in ("paragraph_open", "heading_open"):
            close = _closing(tokens, i)
            text = "".join(_inline(t) for t in tokens[i + 1 : close] if t.type == "inline")
            if tok.type == "heading_open" and text:
                if headings_from is None:
                    text = f"**{text}**"
                else:
                    level = min(6, max(headings_from, int(tok.tag[1]) + 1))
                    text = "#" * level + " " + text
            if text:
                out.append(indent + text)
                out.append("")
            i = close + 1
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            close = _closing(tokens, i)
            ordered = tok.type == "ordered_list_open"
            number = int(tok.attrGet("start") or 1) if ordered else 0
            j = i + 1
            while j < close:
                if tokens[j].type == "list_item_open":
                    item_close = _closing(tokens, j)
                    marker = f"{number}. " if ordered else "- "
                    number += 1
                    sub: list[str] = []
                    _render(tokens, j + 1, item_close, sub, indent="")
                    lines = [line for line in sub if line.strip()] or [""]
                    out.append(indent + marker + lines[0])
                    pad = indent + " " * len(marker)
                    out.extend(pad + line for line in lines[1:])
                    j = item_close + 1
                else:
                    j += 1
            out.append("")
            i = close + 1
        elif tok.type in ("fence", "code_block"):
            body = tok.content.rstrip("\n")
            ticks = "`" * max(3, _longest_run(body, "`") + 1)
            out += [f"{indent}{ticks}text", *(indent + line for line in body.split("\n")), indent + ticks, ""]
            i += 1
        elif tok.type == "blockquote_open":
            close = _closing(tokens, i)
            sub = []
            _render(tokens, i + 1, close, sub, indent="")
            out.extend(indent + "> " + line if line else indent + ">" for line in sub)
            out.append("")
            i = close + 1
        elif tok.type == "hr":
            out += [indent + "---", ""]
            i += 1
        elif tok.type == "html_block":  # only reachable if HTML parsing were on; kept as visible text
            out += [indent + inline(tok.content), ""]
            i += 1
        else:
            i += 1


def _inline(tok: Token) -> str:
    parts: list[str] = []
    for child in tok.children or []:
        kind = child.type
        if kind == "text":
            parts.append(_PUNCTUATION.sub(r"\\\1", child.content))
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "strong_open" or kind == "strong_close":
            parts.append("**")
        elif kind == "em_open" or kind == "em_close":
            parts.append("*")
        elif kind == "code_inline":
            ticks = "`" * (_longest_run(child.content, "`") + 1)
            pad = " " if child.content.startswith("`") or child.content.endswith("`") else ""
            parts.append(f"{ticks}{pad}{child.content}{pad}{ticks}")
        elif kind == "image" or kind in ("html_inline",):
            parts.append(_PUNCTUATION.sub(r"\\\1", child.content))
        # link_open/link_close: the link text stays, the address is dropped (no javascript: or file: links)
    return "".join(parts)


def _closing(tokens: list[Token], i: int) -> int:
    """The index of the token that closes ``tokens[i]`` (same nesting level)."""
    level = tokens[i].level
    close_type = tokens[i].type.replace("_open", "_close")
    for j in range(i + 1, len(tokens)):
        if tokens[j].type == close_type and tokens[j].level == level:
            return j
    return len(tokens) - 1


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)
