"""What the book's page writers share: province names then and now, vocabulary labels, sorting."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mel_core import geo
from mel_core.i18n import t

_DOCNAME = re.compile(r"[^A-Za-z0-9_-]+")


def docname(code: str) -> str:
    """A file-system and URL safe page name for an evaluation code."""
    return _DOCNAME.sub("-", code).strip("-").lower() or "evaluation"


def place_names(codes: Iterable[str], lang: str) -> list[tuple[str, str | None]]:
    """(today's province name, former name or None) of each code, in order, without repeats."""
    known = geo.provinces()
    out: list[tuple[str, str | None]] = []
    for code in codes:
        p = known.get(code)
        if p is None:
            continue
        item = (p.successor_name, None if p.is_current else p.name)
        if item not in out:
            out.append(item)
    return out


def places_text(codes: Iterable[str], lang: str) -> str:
    parts = []
    for name, former in place_names(codes, lang):
        parts.append(f"{name} ({t('book.formerly', lang, name=former)})" if former else name)
    return "; ".join(parts)


def term(terms: dict[str, Any], vocabulary: str, key: str, lang: str) -> str:
    entry = terms.get(vocabulary, {}).get(key)
    return entry["vi" if lang == "vi" else "en"] if entry else key


def sort_key(name: str) -> str:
    """Vietnamese names sorted as a reader expects: by their letters without diacritics first."""
    from mel_core.text import fold

    return fold(name)
