"""The Sphinx adapter's fast path (``IndexBuilder.freeze`` wrapped) and public path (the index rewritten after
the build) publish the same search index; the Vietnamese search messages are Sphinx's own catalogue.

Real builds (Jupyter Book's Sphinx in its subprocess) of the same lessons into two folders, one per path: a
clean build, then an incremental one after a lesson was withdrawn; ``searchindex.js`` must be the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mel_core.adapters import PUBLIC_API_ENV
from mel_core.adapters.sphinx_search import SPHINX, vietnamese_catalogue
from mel_core.book.build import build_book
from mel_core.book.source import SEARCH_MESSAGES_VI
from tests.test_book import write_lesson

pytestmark = pytest.mark.slow


def _index(out: Path) -> str:
    return (out / "html" / "searchindex.js").read_text(encoding="utf-8")


def _frozen(index: str) -> dict:
    return json.loads(index[index.index("(") + 1 : index.rindex(")")])


def test_the_installed_sphinx_is_the_one_the_adapter_was_written_for() -> None:
    assert SPHINX.in_range(), f"Sphinx {SPHINX.installed()} outside {SPHINX.supported}"


def test_fast_and_public_paths_publish_the_same_search_index(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lessons = tmp_path / "lessons"
    write_lesson(lessons, "2026-public-one", title='"Hộ nghèo <5% & cận nghèo >2 lần"')
    withdrawn = write_lesson(lessons, "2026-rut-lai", title="Bài học sẽ được rút lại")
    withdrawn.write_text(
        withdrawn.read_text(encoding="utf-8").replace("Tổ hợp tác", "Tổ quokkavjrz"), "utf-8"
    )
    outs = {"fast": tmp_path / "fast", "public": tmp_path / "public"}

    def build_both() -> dict[str, str]:
        for path, out in outs.items():
            if path == "public":
                monkeypatch.setenv(PUBLIC_API_ENV, "1")
            else:
                monkeypatch.delenv(PUBLIC_API_ENV, raising=False)
            build_book(sqlite_engine, 2026, lessons_dir=lessons, out=out)
        return {path: _index(out) for path, out in outs.items()}

    first = build_both()
    assert first["fast"] == first["public"]
    frozen = _frozen(first["fast"])
    assert "quokkavjrz" in frozen["terms"]
    titles = json.dumps([frozen["titles"], list(frozen["alltitles"])], ensure_ascii=False)
    assert "&lt;5% & cận nghèo &gt;2" in titles and "<5%" not in titles

    withdrawn.write_text(
        withdrawn.read_text(encoding="utf-8").replace("visibility: public", "visibility: internal"), "utf-8"
    )
    again = build_both()
    assert again["fast"] == again["public"]
    frozen = _frozen(again["fast"])
    assert "quokkavjrz" not in frozen["terms"] and [] not in frozen["terms"].values()
    assert "ngheo" in frozen["terms"]


def test_the_vietnamese_search_messages_are_sphinx_s_catalogue_with_its_empty_messages_filled() -> None:
    import sphinx

    own = Path(sphinx.__file__).resolve().parent / "locale" / "vi" / "LC_MESSAGES" / "sphinx.js"
    text = own.read_text(encoding="utf-8")  # Sphinx's own browser catalogue, which the book's replaces
    start, end = text.index("("), text.rindex(")")
    expected = json.loads(text[start + 1 : end])
    for key, value in list(expected["messages"].items()):
        if not value:
            if key in SEARCH_MESSAGES_VI:
                expected["messages"][key] = SEARCH_MESSAGES_VI[key]
            else:
                del expected["messages"][key]
    made = vietnamese_catalogue(SEARCH_MESSAGES_VI)
    assert made == text[: start + 1] + json.dumps(expected, ensure_ascii=False) + text[end:]
    assert "Tìm xong: ${resultCount} trang" in made and '""' not in made
