"""Searching the index: ranked hits with highlighted snippets, and facet counts.

``search(index_dir, "giam ngheo chan nuoi", Filters.parse(province=["45"]))`` returns :class:`SearchResults`.
The opened index, its searcher and its facet arrays are kept between calls in the same process (a notebook,
the benchmark) and refreshed when the index changes.
"""

from __future__ import annotations

import os
import threading
import time
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from mel_core import geo
from mel_core.kb.analysis import words
from mel_core.kb.engine import Engine
from mel_core.kb.errors import IndexMissingError
from mel_core.kb.facets import Facet, Filters, facet_counts
from mel_core.kb.query import ParsedQuery, parse_query
from mel_core.kb.snippets import snippet
from mel_core.kb.storage import current_generation, read_shown

__all__ = ["Filters", "Hit", "LessonTraits", "SearchResults", "search", "similar_lessons"]

#: Weights of the kinds of document: a search is first for lessons; a programme's own description ranks
#: after the lessons learnt from it.
KIND_PRIORS = {
    "lesson": 1.0,
    "lesson_item": 1.0,
    "finding": 0.9,
    "recommendation": 0.9,
    "rating": 0.8,
    "programme": 0.6,
    "attachment": 0.6,  # a report's many pages match many queries: after what was written for the knowledge base
}


@dataclass(frozen=True)
class Hit:
    """One ranked document: what it is, where it comes from, and the passage that matched."""

    kind: str
    key: str
    title: str
    snippet: str
    score: float
    parent: str = ""
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchResults:
    """Hits (best first), their total, the facets among all hits, and how the query was read."""

    query: str
    total: int
    hits: list[Hit]
    facets: list[Facet]
    mode: str = "all"  # "all": every word matched; "any": no document had all, these have some
    corrected: list[tuple[str, str]] = field(default_factory=list)
    expanded: list[str] = field(default_factory=list)
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def facet(self, name: str) -> dict[str, int]:
        """The counts of one facet, value → count."""
        for f in self.facets:
            if f.name == name:
                return {v.value: v.count for v in f.values}
        return {}

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        data = asdict(self)
        data["facets"] = {f.name: [asdict(v) for v in f.values] for f in self.facets}
        return data


class _Opened:
    """An opened generation: its index, a searcher, and the query engine of that searcher's reader.

    Whoosh's readers share file handles (seek, then read), so one searcher must not serve two threads at once
    (a web server's thread pool did: reads came back truncated or from the wrong offset). ``lock`` is held for
    the whole of one search; a searcher is closed only under it, and marked ``closed`` so a thread that was
    waiting opens the current one instead.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index = whoosh_index.open_dir(str(folder))
        self.searcher = self.index.searcher()
        self.engine = Engine(self.searcher.reader())
        self.lock = threading.Lock()
        self.closed = False
        #: the file system's metadata when this was last found current (see :func:`_open`)
        self.signature: tuple[int, ...] | None = None
        self._lessons: np.ndarray | None = None
        self._lesson_docs: np.ndarray | None = None
        self._lesson_place: np.ndarray | None = None
        self._lesson_values: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        # each segment's first document number and its ``shown`` column (None: a segment written without one)
        leaves = self.searcher.reader().leaf_readers()
        self._shown_starts = [start for _leaf, start in leaves]
        self._shown_columns = [
            leaf.column_reader("shown", translate=False) if leaf.has_column("shown") else None
            for leaf, _start in leaves
        ]

    def lessons(self) -> np.ndarray:
        """The live documents that are whole lessons (computed once per opened generation)."""
        if self._lessons is None:
            self._lessons = self.engine.facet_mask("kind", ["lesson"]) & self.engine.live
        return self._lessons

    def lesson_docs(self) -> np.ndarray:
        """The doc numbers of the live lessons, ascending: "lesson space", where similar lessons are scored."""
        if self._lesson_docs is None:
            self._lesson_docs = np.flatnonzero(self.lessons())
        return self._lesson_docs

    def in_lesson_space(self, docnums: np.ndarray) -> np.ndarray:
        """The places in :meth:`lesson_docs` of those of ``docnums`` that are live lessons (others dropped)."""
        if self._lesson_place is None:
            place = np.full(self.engine.size, -1, dtype=np.int32)
            place[self.lesson_docs()] = np.arange(self.lesson_docs().size, dtype=np.int32)
            self._lesson_place = place
        found = self._lesson_place[docnums]
        return found[found >= 0]

    def lessons_with(self, field: str, value: str) -> np.ndarray:
        """The places in lesson space of the lessons holding a facet value (kept: few values, small arrays)."""
        key = (field, value)
        found = self._lesson_values.get(key)
        if found is None:
            found = self._lesson_values[key] = self.in_lesson_space(self.engine.postings(field, value)[0])
            while len(self._lesson_values) > CACHE_LESSON_VALUES:
                self._lesson_values.popitem(last=False)
        else:
            self._lesson_values.move_to_end(key)
        return found

    def shown(self, docnum: int) -> tuple[str, str]:
        """The key and title of a document: from the ``shown`` column, else from its stored fields."""
        segment = bisect_right(self._shown_starts, docnum) - 1
        column = self._shown_columns[segment]
        found = read_shown(column[docnum - self._shown_starts[segment]]) if column is not None else None
        if found is None:
            stored = self.searcher.stored_fields(docnum)
            found = (str((stored.get("info") or {}).get("key", "")), str(stored.get("title", "")))
        return found

    def close(self) -> None:
        """Close the searcher once no search is using it."""
        with self.lock:
            if not self.closed:
                self.searcher.close()
                self.closed = True

    def fresh(self) -> _Opened:
        """This, or the same generation opened again if an update has committed since."""
        with self.lock:
            if self.searcher.up_to_date():
                return self
        self.close()
        return _Opened(self.folder)


#: Facet values kept in lesson space per opened index (an array of the places of the lessons holding each).
CACHE_LESSON_VALUES = 4096
_EXACT_TIER = 1e6  # above any score: a tier per word matched exactly as typed
_opened: dict[Path, _Opened] = {}
_lock = threading.Lock()


def _open(index_dir: Path) -> _Opened:
    """The opened current generation of ``index_dir``, opened again when the index has changed since.

    Whether it has changed is first asked of the file system's metadata: when ``CURRENT``, the generation's folder
    (a commit adds a table of contents to it) and its ``VERSION`` have the same inode, size and modification time
    as when they were last read, and none was changed in the last :data:`RECENT_NS`, nothing is read. Otherwise
    the files are read as they always were. The metadata is taken before the files are read, so a change while
    they are read shows as a difference next time.
    """
    index_dir = Path(os.path.abspath(index_dir))
    opened = _opened.get(index_dir)
    if (
        opened is not None
        and not opened.closed
        and opened.signature is not None
        and opened.signature == _signature(index_dir, opened.folder)
    ):
        return opened
    before = _stat(index_dir / "CURRENT")
    folder = current_generation(index_dir)
    with _lock:
        opened = _opened.get(index_dir)
        try:
            if opened is None or opened.folder != folder:
                if opened is not None:
                    opened.close()
                opened = _Opened(folder)
            rest = _signature(index_dir, folder, current=before)
            opened = _opened[index_dir] = opened.fresh()
            opened.signature = rest
        except (OSError, whoosh_index.EmptyIndexError) as exc:  # swapped out while opening
            raise IndexMissingError(index_dir, str(exc)) from exc
        return opened


#: A file changed less than this long ago (in nanoseconds) is read, not trusted to its metadata: file systems
#: stamp times from a coarse clock, so two changes within one tick can leave the same modification time (git
#: treats its "racily clean" index entries the same way).
RECENT_NS = 1_000_000_000


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _signature(
    index_dir: Path, folder: Path, current: os.stat_result | None = None
) -> tuple[int, ...] | None:
    """Inode, size and modification time of ``CURRENT``, the generation's folder and its ``VERSION``; None when
    one is missing or was changed within :data:`RECENT_NS`."""
    stats = [current or _stat(index_dir / "CURRENT"), _stat(folder), _stat(folder / "VERSION")]
    now = time.time_ns()
    signature: list[int] = []
    for found in stats:
        if found is None or now - found.st_mtime_ns < RECENT_NS:
            return None
        signature += (found.st_ino, found.st_size, found.st_mtime_ns)
    return tuple(signature)


def close_all() -> None:
    """Close every searcher kept open by this process (tests and long-running tools)."""
    with _lock:
        for opened in _opened.values():
            opened.close()
        _opened.clear()


def _hits(
    opened: _Opened, parsed: ParsedQuery, matched: np.ndarray, scores: np.ndarray, limit: int
) -> list[Hit]:
    candidates = np.flatnonzero(matched)
    # rank: words matched exactly as typed first, then score; ties by document number, so the order is stable
    rank = parsed.exact_words(opened.engine)[candidates] * _EXACT_TIER + scores[candidates]
    if candidates.size > limit:
        keep = np.argpartition(-rank, limit - 1)[:limit]
        keep = rank >= rank[keep].min()
        candidates, rank = candidates[keep], rank[keep]
    order = candidates[np.lexsort((candidates, -rank))][:limit]
    hits = []
    for docnum in order:
        stored = opened.searcher.stored_fields(int(docnum))
        info = dict(stored.get("info") or {})
        text = stored.get("body") or ""
        hits.append(
            Hit(
                kind=stored.get("kind", ""),
                key=info.pop("key", ""),
                title=stored.get("title", ""),
                snippet=snippet(text, parsed.marked) if text else "",
                score=round(float(scores[docnum]), 4),
                parent=info.pop("parent", ""),
                info=info,
            )
        )
    return hits


def search(
    index_dir: Path,
    query: str,
    filters: Filters | None = None,
    limit: int = 10,
    facets: bool = True,
    offset: int = 0,
    lang: str | None = None,
) -> SearchResults:
    """Search the index.

    Args:
        index_dir: the index folder (``Settings.index_dir``).
        query: words with or without diacritics, Vietnamese or English, "quoted phrases"; empty for all.
        filters: facet filters (:meth:`Filters.parse` checks what a person typed).
        limit: the number of hits returned.
        facets: count facet values among all hits.
        offset: the number of best hits skipped (a page of results: ``offset = (page - 1) * limit``).
        lang: the language of the facet values' labels (default: :func:`mel_core.i18n.language`).

    Raises:
        IndexMissingError: there is no index at ``index_dir`` (run ``mel kb index``).
    """
    filters = filters or Filters()
    while True:
        opened = _open(index_dir)
        with opened.lock:  # one search at a time on a searcher (see _Opened)
            if not opened.closed:
                return _search(opened, query, filters, limit, facets, offset, lang)


def _search(
    opened: _Opened, query: str, filters: Filters, limit: int, facets: bool, offset: int, lang: str | None
) -> SearchResults:
    engine = opened.engine
    parsed = parse_query(query, opened.searcher.reader())
    allowed = filters.mask(engine) if filters.active else engine.live
    mode = "all"
    matched, scores = parsed.scores(engine, opened.searcher, mode)
    scores *= engine.priors(KIND_PRIORS)
    matched &= allowed
    if not matched.any() and len(parsed.concepts) > 1:
        mode = "any"
        matched, scores = parsed.scores(engine, opened.searcher, mode)
        scores *= engine.priors(KIND_PRIORS)
        matched &= allowed
    return SearchResults(
        query=query,
        total=int(np.count_nonzero(matched)),
        hits=_hits(opened, parsed, matched, scores, offset + limit)[offset:],
        facets=facet_counts(engine, matched, lang) if facets else [],
        mode=mode,
        corrected=parsed.corrected,
        expanded=parsed.expanded,
        filters=dict(filters.shown),
    )


#: How much each shared trait adds to a lesson's likeness (a shared rare title word adds its BM25 score, 1–5).
SIMILAR_WEIGHTS = {"sector": 3.0, "theme": 1.0, "province": 1.0, "year": 0.5}
#: The title's words that few documents hold say most about it: this many of the rarest are compared.
SIMILAR_WORDS = 2


@dataclass(frozen=True)
class LessonTraits:
    """What makes two lessons alike, as the store holds it for the lesson being read."""

    key: str
    title: str
    sector: str = ""
    themes: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    year: int | None = None


def similar_lessons(index_dir: Path, lesson: LessonTraits, limit: int = 5) -> list[tuple[str, str]]:
    """Lessons like ``lesson`` in the index of ``index_dir``, most alike first, as (key, title): those sharing the
    title's rarest words, its sector, themes and provinces (today's), and years near its own. Facet masks and a
    couple of short postings lists only: about a millisecond on 100,000 documents, where a search for the whole
    title took 100. Only lessons the index holds are offered (the public index holds no internal lesson).

    Raises:
        IndexMissingError: there is no index at ``index_dir``.
    """
    while True:
        opened = _open(index_dir)
        with opened.lock:  # one search at a time on a searcher (see _Opened)
            if not opened.closed:
                return _similar(opened, lesson, limit)


@cache
def _place_words() -> frozenset[str]:
    """Words of province names (old and today's), folded: a place in a title is compared as a province."""
    names = [n for p in geo.provinces().values() for n in (p.name, p.successor_name)]
    return frozenset(w.folded for name in names for w in words(name))


def _similar(opened: _Opened, lesson: LessonTraits, limit: int) -> list[tuple[str, str]]:
    # scored in lesson space (the live lessons only, a quarter of the documents), adding each trait's weight at
    # the places of the lessons holding it: no array of every document, no temporary array per trait
    engine = opened.engine
    score = np.zeros(opened.lesson_docs().size, dtype=np.float32)
    title_words = {w.folded for w in words(lesson.title)} - _place_words()
    by_rarity = sorted((engine.frequency("title", w), w) for w in title_words)
    for _count, word in [pair for pair in by_rarity if pair[0] > 1][:SIMILAR_WORDS]:
        found, weights = engine.postings("title", word)  # titles only: a body mentions too much in passing
        place = opened.in_lesson_space(found)
        score[place] += weights[opened.lessons()[found]]
    if lesson.sector:
        score[opened.lessons_with("sector", lesson.sector)] += SIMILAR_WEIGHTS["sector"]
    for theme in lesson.themes:
        score[opened.lessons_with("theme", theme)] += SIMILAR_WEIGHTS["theme"]
    known = geo.provinces()
    now = sorted({known[c].successor_code if c in known else c for c in lesson.provinces})
    # a lesson in two of the provinces (or years) is listed twice: ``score[places] += w`` adds w once to each
    # place however often it is listed (numpy reads, adds, then writes), so a trait counts once
    if now:
        score[np.concatenate([opened.lessons_with("province_now", code) for code in now])] += SIMILAR_WEIGHTS[
            "province"
        ]
    if lesson.year is not None:
        near = [opened.lessons_with("year", str(lesson.year + d)) for d in (-1, 0, 1)]
        score[np.concatenate(near)] += SIMILAR_WEIGHTS["year"]
    candidates = np.flatnonzero(score > SIMILAR_WEIGHTS["year"])  # more in common than a nearby year
    want = limit + 1  # the lesson itself is among them, and left out below
    if candidates.size > want:  # the best ``want``, and every lesson tied with the last of them
        cut = -np.partition(-score[candidates], want - 1)[want - 1]
        candidates = candidates[score[candidates] >= cut]
    order = candidates[np.lexsort((candidates, -score[candidates]))]  # ties: the older document first
    out = []
    for place in order[:want]:
        key, title = opened.shown(int(opened.lesson_docs()[place]))
        if key != lesson.key:
            out.append((key, title))
    return out[:limit]
