"""The bilingual glossary of ``kb/glossary.yml``: synonym groups for search, term pairs for the book.

A group is one concept with its Vietnamese and English terms. :meth:`Glossary.match` finds, in the words of a
query, the longest spans that are a term of some group, comparing folded forms when the query has no
diacritics and exact forms when it has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from mel_core.config import kb_dir
from mel_core.errors import ConfigurationError
from mel_core.i18n import both, message, render, t
from mel_core.kb.analysis import Word, words
from mel_core.text import nfc

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Term:
    """One term of a group, as written and as its words' exact and folded forms."""

    text: str
    language: str
    exact: tuple[str, ...]
    folded: tuple[str, ...]

    @property
    def has_diacritics(self) -> bool:
        return self.exact != self.folded


@dataclass(frozen=True)
class Group:
    """A concept: its key and its terms, Vietnamese first, the first of each language the preferred one."""

    key: str
    vi: tuple[str, ...]
    en: tuple[str, ...]
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Match:
    """A span of query words (``start`` inclusive, ``end`` exclusive) that is a term of ``group``."""

    start: int
    end: int
    group: Group


def _term(text: str, language: str) -> Term:
    ws = list(words(text))
    return Term(
        text=nfc(text),
        language=language,
        exact=tuple(w.exact or w.folded for w in ws),
        folded=tuple(w.folded for w in ws),
    )


class Glossary:
    """The synonym groups, indexed by the folded words of their terms."""

    def __init__(self, groups: list[Group]) -> None:
        self.groups = groups
        self._by_folded: dict[tuple[str, ...], list[tuple[Term, Group]]] = {}
        for group in groups:
            for term in group.terms:
                self._by_folded.setdefault(term.folded, []).append((term, group))
        self._longest = max((len(k) for k in self._by_folded), default=0)

    def __len__(self) -> int:
        return len(self.groups)

    def _group_at(self, query: list[Word], start: int, length: int) -> Group | None:
        span = query[start : start + length]
        candidates = self._by_folded.get(tuple(w.folded for w in span), [])
        typed_plain = all(w.exact is None for w in span)
        for term, group in candidates:
            if typed_plain:
                # without diacritics a one-word Vietnamese term is ambiguous ("bo": bò, bỏ, bộ)
                if len(term.folded) > 1 or not term.has_diacritics:
                    return group
            elif tuple(w.exact or w.folded for w in span) == term.exact:
                return group
        return None

    def match(self, query: list[Word]) -> list[Match]:
        """The longest glossary terms in ``query``, left to right, never overlapping."""
        found: list[Match] = []
        i = 0
        while i < len(query):
            for length in range(min(self._longest, len(query) - i), 0, -1):
                group = self._group_at(query, i, length)
                if group is not None:
                    found.append(Match(i, i + length, group))
                    i += length
                    break
            else:
                i += 1
        return found


def _problem(source: Path, where: str, reason: str) -> ConfigurationError:
    return ConfigurationError(
        both(
            lambda lang: t(
                "kb.glossary.problem", lang, source=source, where=where, reason=render(reason, lang)
            )
        ),
        hint=message("kb.messages.glossary_hint"),
    )


def read_glossary(path: Path) -> Glossary:
    """Read and check a glossary file; every problem is a :class:`ConfigurationError` naming the group."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _problem(path, "file", message("kb.glossary.missing")) from exc
    except yaml.YAMLError as exc:
        raise _problem(path, "file", message("kb.glossary.not_yaml", error=exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise _problem(path, "file", message("kb.glossary.no_groups"))
    groups: list[Group] = []
    seen: set[str] = set()
    for n, entry in enumerate(data["groups"], 1):
        where = f"group {n}"
        if not isinstance(entry, dict) or not _KEY.match(str(entry.get("key", ""))):
            raise _problem(path, where, message("kb.glossary.bad_key"))
        key = str(entry["key"])
        if key in seen:
            raise _problem(path, f"{where} ({key})", message("kb.glossary.key_twice"))
        seen.add(key)
        unknown = set(entry) - {"key", "vi", "en"}
        if unknown:
            raise _problem(
                path, f"{where} ({key})", message("kb.glossary.unknown_fields", fields=sorted(unknown))
            )
        vi = tuple(nfc(str(t)).strip() for t in entry.get("vi") or [])
        en = tuple(nfc(str(t)).strip() for t in entry.get("en") or [])
        terms = tuple(_term(t, "vi") for t in vi) + tuple(_term(t, "en") for t in en)
        if len(terms) < 2 or any(not t.folded for t in terms):
            raise _problem(path, f"{where} ({key})", message("kb.glossary.too_few_terms"))
        groups.append(Group(key=key, vi=vi, en=en, terms=terms))
    return Glossary(groups)


@cache
def glossary() -> Glossary:
    """The project's glossary, ``kb/glossary.yml`` (read once per process)."""
    return read_glossary(kb_dir() / "glossary.yml")
