"""Facets: the filters of a search and the counts of each facet value among its hits.

Facets: ``province`` (counted by today's province; a filter by today's province also finds documents filed
under the pre-2025 provinces it absorbed, a filter by a pre-2025 code only those filed under it), ``sector``,
``theme``, ``criterion``, ``year``, ``funding`` and ``kind`` of document. Filters of different facets must all
hold; several values of one facet mean any of them. A count is what the hits would be with that value added
as a filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mel_core import geo
from mel_core.i18n import language, t
from mel_core.kb.documents import KINDS
from mel_core.kb.engine import Engine
from mel_core.kb.errors import FilterError
from mel_core.reference import taxonomy
from mel_core.text import fold_search

FACETS = ("province", "sector", "theme", "criterion", "year", "funding", "kind")
#: facet → (index field counted, taxonomy vocabulary of its labels)
_COUNTED = {
    "province": ("province_now", ""),
    "sector": ("sector", "sectors"),
    "theme": ("theme", "themes"),
    "criterion": ("criterion", "criteria"),
    "year": ("year", ""),
    "funding": ("funding", "funding"),
    "kind": ("kind", ""),
}


def _vocabulary_key(facet: str, vocabulary: str, value: str) -> str:
    terms = taxonomy()[vocabulary]
    wanted = value.strip()
    if wanted in terms:
        return wanted
    folded = fold_search(wanted)
    for key, labels in terms.items():
        if folded in (
            fold_search(key.replace("_", " ")),
            fold_search(labels["vi"]),
            fold_search(labels["en"]),
        ):
            return key
    raise FilterError(facet, value, ", ".join(terms))


def province_term(value: str) -> tuple[str, str]:
    """The filter of one province given by GSO code (old or current) or name, with or without diacritics.

    Returns the index field and code: ``province_now`` for today's provinces (their pre-2025 ones included),
    ``province`` for a pre-2025 code (only documents filed under it).
    """
    known = geo.provinces()
    code = geo.normalise_code(value)
    if code not in known:
        folded = fold_search(value)
        current = [p for p in known.values() if fold_search(p.successor_name) == folded]
        named = [p for p in known.values() if fold_search(p.name) == folded]
        if current:
            code = current[0].successor_code
        elif named:
            code = named[0].code
        else:
            accepted = "GSO codes such as 11, 45 or names such as 'Điện Biên', 'Quang Tri'"
            raise FilterError("province", value, accepted)
    if known[code].is_current:
        return ("province_now", code)
    return ("province", code)


def _years(value: str) -> list[str]:
    text = value.strip()
    first, _, last = text.partition("-")
    try:
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise FilterError("year", value, "a year (2013) or a span (2011-2015)") from None
    if not (1900 <= lo <= hi <= 2100):
        raise FilterError("year", value, "years between 1900 and 2100, the first not after the last")
    return [str(y) for y in range(lo, hi + 1)]


@dataclass(frozen=True)
class Filters:
    """Checked filter values, facet by facet (keys, codes and years as the index holds them)."""

    province: tuple[tuple[str, str], ...] = ()
    sector: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    criterion: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    funding: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    shown: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, **values: Iterable[str] | str | int | None) -> Filters:
        """Filters from what a person typed: ``Filters.parse(province=["Quang Tri"], year=["2011-2015"])``.

        Raises:
            FilterError: a value is not a known province, sector key or label, theme, criterion, year,
                funding or kind of document.
        """
        unknown = set(values) - set(FACETS)
        if unknown:
            raise TypeError(f"unknown facets {sorted(unknown)}; use {FACETS}")
        lists = {
            k: [str(v)] if isinstance(v, str | int) else [str(x) for x in v or []] for k, v in values.items()
        }
        checked: dict[str, Any] = {"shown": {k: tuple(v) for k, v in lists.items() if v}}
        checked["province"] = tuple(province_term(v) for v in lists.get("province", []))
        checked["year"] = tuple(y for v in lists.get("year", []) for y in _years(v))
        for facet, vocabulary in (("sector", "sectors"), ("theme", "themes"), ("criterion", "criteria")):
            checked[facet] = tuple(_vocabulary_key(facet, vocabulary, v) for v in lists.get(facet, []))
        checked["funding"] = tuple(_vocabulary_key("funding", "funding", v) for v in lists.get("funding", []))
        kinds = []
        for v in lists.get("kind", []):
            if v.strip() not in KINDS:
                raise FilterError("kind", v, ", ".join(KINDS))
            kinds.append(v.strip())
        checked["kind"] = tuple(kinds)
        return cls(**checked)

    @property
    def active(self) -> bool:
        return any(getattr(self, facet) for facet in FACETS)

    def mask(self, engine: Engine) -> np.ndarray:
        """The documents every filter lets through (all of them when nothing is filtered)."""
        mask = engine.live.copy()
        if self.province:
            mask &= engine.facet_mask("province", [t for f, t in self.province if f == "province"]) | (
                engine.facet_mask("province_now", [t for f, t in self.province if f == "province_now"])
            )
        for facet in ("sector", "theme", "criterion", "year", "funding", "kind"):
            values: Sequence[str] = getattr(self, facet)
            if values:
                mask &= engine.facet_mask(_COUNTED[facet][0], list(values))
        return mask


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet among the hits: its key, label and count."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    """A facet and its values among the hits, most frequent first (years newest first)."""

    name: str
    values: list[FacetValue]


def _label(facet: str, value: str, lang: str) -> str:
    if facet == "province":
        p = geo.provinces().get(value)
        return p.successor_name if p else value
    if facet == "kind":
        return t(f"kb.kind.{value}", lang) if value in KINDS else value
    vocabulary = _COUNTED[facet][1]
    if vocabulary:
        labels = taxonomy().get(vocabulary, {}).get(value)
        if labels:
            return labels[lang]
    return value


def facet_counts(engine: Engine, mask: np.ndarray, lang: str | None = None) -> list[Facet]:
    """Every facet's values among the documents of ``mask`` (the hits), each with its count."""
    lang = lang or language()
    out: list[Facet] = []
    for facet, (fieldname, _vocabulary) in _COUNTED.items():
        values = []
        for value in engine.terms(fieldname):
            ids, _weights = engine.postings(fieldname, value)
            count = int(np.count_nonzero(mask[ids]))
            if count:
                values.append(FacetValue(value, _label(facet, value, lang), count))
        if facet == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.label))
        out.append(Facet(facet, values))
    return out
