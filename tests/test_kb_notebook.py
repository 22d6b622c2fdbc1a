"""The search notebook: its widgets search and filter; the notebook runs in a real kernel; no outputs kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mel_core.kb.index import build_index
from mel_core.kb.search import close_all
from mel_core.kb.widgets import SearchBox
from tests.kb_support import simple_lesson

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "search_lessons.ipynb"


@pytest.fixture
def home(sqlite_engine: Engine, tmp_path: Path) -> Iterator[Path]:
    simple_lesson(
        sqlite_engine, "2013-bo", "Nuôi bò sinh sản", "### Quay vòng bê\nGiảm nghèo nhờ chăn nuôi bò."
    )
    simple_lesson(
        sqlite_engine,
        "2014-de",
        "Nuôi dê ở Minh Hóa",
        "### Bãi chăn thả\nChăn nuôi dê.",
        provinces=("44",),
        year=2014,
    )
    build_index(sqlite_engine, tmp_path / "index")
    yield tmp_path
    close_all()


def test_search_box_searches_and_offers_counted_filters(home: Path) -> None:
    box = SearchBox(home / "index")
    assert "4 / 4" in box.output.value  # an empty query shows everything
    box.query.value = "giam ngheo chan nuoi"
    assert "Nuôi bò sinh sản" in box.output.value and "<mark>Giảm</mark>" in box.output.value
    box.query.value = "chăn nuôi"
    province = box.filters["province"]
    assert ("Quảng Trị (2)", "45") in province.options and ("Điện Biên (2)", "11") in province.options
    province.value = ("45",)
    assert "Nuôi dê ở Minh Hóa" in box.output.value and "Nuôi bò sinh sản" not in box.output.value
    assert box.filters["year"].options == (("2014 (2)", "2014"),)


def test_search_box_says_what_to_run_without_an_index(tmp_path: Path) -> None:
    box = SearchBox(tmp_path / "nothing")
    assert "mel kb index" in box.output.value


def test_notebook_has_no_outputs_and_runs(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in data["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MEL_HOME", str(home))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "hits;" in printed and "2014-de" in printed  # Quảng Trị finds the lesson filed under Quảng Bình
