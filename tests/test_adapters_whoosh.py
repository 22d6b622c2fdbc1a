"""The Whoosh adapter's fast path (block buffers) and public path give the same index and the same searches.

The sample lessons are indexed twice, once through each writer, then searched through each reader (every
pairing): the judged queries of tests/search_judgements.yml, with and without facet filters and facet counts,
must return the same hits in the same order with the same scores, the same totals and the same facet counts;
after one lesson is updated through each path's update writer, again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from mel_core.adapters import PUBLIC_API_ENV, use_internals
from mel_core.adapters.whoosh_postings import WHOOSH, BulkWriter
from mel_core.demo.sample import SAMPLE_WORKBOOK
from mel_core.ingest import import_path
from mel_core.kb.index import build_index, update_lessons
from mel_core.kb.search import Filters, close_all, search
from mel_core.lessons.ingest import ingest_lessons
from mel_core.lessons.workflow import decide, queue
from mel_core.reference import init_store
from mel_core.store import make_engine, session_scope
from tests.kb_support import reviewer, simple_lesson

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    q["query"]
    for q in yaml.safe_load(Path(__file__).with_name("search_judgements.yml").read_text(encoding="utf-8"))[
        "queries"
    ]
] + ["", '"nhóm tiết kiệm"', "bo", "đ", "cattle OR goats"]
FILTERS: list[dict[str, str]] = [
    {},
    {"sector": "livestock"},
    {"kind": "lesson_item", "province": "11"},
    {"year": "2013", "funding": "ngo"},
]


def _set_path(monkeypatch: pytest.MonkeyPatch, public: bool) -> None:
    if public:
        monkeypatch.setenv(PUBLIC_API_ENV, "1")
    else:
        monkeypatch.delenv(PUBLIC_API_ENV, raising=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    home = tmp_path_factory.mktemp("whoosh-paths")
    engine: Engine = make_engine(f"sqlite:///{home / 'mel.db'}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    ingest_lessons(engine, ROOT / "lessons", publish_as=reviewer(engine))
    with session_scope(engine) as session:
        for lesson in queue(session):
            decide(session, lesson.key, "publish", reviewer(engine))
    yield engine, home
    close_all()
    engine.dispose()


def _searches(index_dir: Path) -> list[dict[str, Any]]:
    close_all()  # a fresh searcher: its postings are read through the path in force now
    out = []
    for query in QUERIES:
        for values in FILTERS:
            results = search(index_dir, query, Filters.parse(**values), limit=30, facets=True)
            data = results.to_dict()
            out.append(data)
    close_all()
    return out


def _build(engine: Engine, folder: Path, monkeypatch: pytest.MonkeyPatch, public: bool) -> Path:
    _set_path(monkeypatch, public)
    build_index(engine, folder)
    return folder


def test_the_installed_whoosh_is_the_one_the_adapter_was_written_for() -> None:
    # constraints.txt pins it; outside the range every search would silently take the slow public path
    assert WHOOSH.in_range(), f"whoosh-reloaded {WHOOSH.installed()} outside {WHOOSH.supported}"


def test_fast_and_public_paths_index_and_search_alike(
    store: tuple[Engine, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine, _home = store
    fast = _build(engine, tmp_path / "fast", monkeypatch, public=False)
    public = _build(engine, tmp_path / "public", monkeypatch, public=True)
    # the two writers really differ: the fast one writes 1,024-posting blocks with its own codec
    assert {p.name for p in fast.rglob("*") if p.is_file()} != set() != {p.name for p in public.rglob("*")}
    results = {}
    for writer, folder in (("fast", fast), ("public", public)):
        for reader in ("fast", "public"):
            _set_path(monkeypatch, reader == "public")
            results[writer, reader] = _searches(folder)
    reference = results["fast", "fast"]
    assert sum(r["total"] for r in reference) > 100 and any(r["hits"] for r in reference)
    for pairing, found in results.items():
        assert found == reference, f"writer/reader {pairing} differ from the fast paths"

    # one lesson changed, written by each path's update writer
    simple_lesson(
        engine,
        "2013-dien-bien-bo-sinh-san",
        "Nuôi bò sinh sản và trồng cỏ cho hộ nghèo",
        "### Trồng cỏ\nTrồng cỏ voi giúp nhóm sở thích chăn nuôi bò quanh năm.",
        provinces=("11",),
    )
    for path, folder in (("fast", fast), ("public", public)):
        _set_path(monkeypatch, path == "public")
        report = update_lessons(engine, folder, ["2013-dien-bien-bo-sinh-san"])
        assert report.updated >= 1
    _set_path(monkeypatch, False)
    assert _searches(public) == _searches(fast)
    assert any(h["key"] == "2013-dien-bien-bo-sinh-san" for h in search(fast, "cỏ voi").to_dict()["hits"])


def test_public_path_uses_whoosh_s_own_writer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from whoosh import index as whoosh_index

    from mel_core.adapters.whoosh_postings import bulk_writer
    from mel_core.kb.storage import schema

    ix = whoosh_index.create_in(str(tmp_path), schema())
    _set_path(monkeypatch, False)
    assert use_internals(WHOOSH)
    fast = bulk_writer(ix, 64)
    assert isinstance(fast, BulkWriter)
    fast.cancel()
    _set_path(monkeypatch, True)
    public = bulk_writer(ix, 64)
    assert not isinstance(public, BulkWriter)
    public.cancel()
