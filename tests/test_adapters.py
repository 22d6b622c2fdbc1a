"""The adapters' switch and version check: a library outside the range an adapter was written for, or
``MEL_PUBLIC_API=1``, sends the work through the library's public API (with a warning in the first case), and
the results do not change; constraints.txt pins versions inside every adapter's range."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from sqlalchemy import Engine

import mel_core.adapters as adapters
from mel_core.adapters import PUBLIC_API_ENV, Internals, LibraryVersionWarning, use_internals
from mel_core.adapters.papermill_engine import NBCLIENT, PAPERMILL, closing_engine
from mel_core.adapters.sphinx_search import SPHINX
from mel_core.adapters.whoosh_postings import WHOOSH, BulkWriter, bulk_writer
from tests.kb_support import simple_lesson

ROOT = Path(__file__).resolve().parent.parent
ADAPTED = {lib.distribution: lib for lib in (WHOOSH, PAPERMILL, NBCLIENT, SPHINX)}


def _outdated(monkeypatch: pytest.MonkeyPatch, distribution: str, version: str = "99.0") -> None:
    """The installed ``distribution`` reported as ``version`` (what a newer release would look like)."""
    real = adapters.installed_version
    monkeypatch.setattr(
        adapters, "installed_version", lambda name: version if name == distribution else real(name)
    )


@pytest.fixture(autouse=True)
def _fast_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PUBLIC_API_ENV, raising=False)


def test_constraints_pin_every_adapted_library_inside_its_adapter_s_range() -> None:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if found:
            pins[found[1].lower()] = found[2]
    for name, lib in ADAPTED.items():
        assert name.lower() in pins, f"constraints.txt does not pin {name}"
        assert pins[name.lower()] in SpecifierSet(lib.supported), (name, pins[name.lower()], lib.supported)
        assert lib.installed() == pins[name.lower()], f"{name} installed is not the pinned one: run make"


@pytest.mark.parametrize(("value", "forced"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_the_switch_forces_the_public_paths_without_a_warning(
    value: str, forced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PUBLIC_API_ENV, value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: the public path was asked for
        for lib in ADAPTED.values():
            assert use_internals(lib) is not forced


@pytest.mark.parametrize("version", ["99.0", "0.1", "not-a-version"])
def test_a_version_outside_the_range_falls_back_with_a_warning(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Internals("whoosh-reloaded", ">=2.7.5,<2.8", "block buffers")
    _outdated(monkeypatch, "whoosh-reloaded", version)
    with pytest.warns(
        LibraryVersionWarning,
        match=rf"whoosh-reloaded {re.escape(version)} is outside the versions >=2.7.5,<2.8",
    ):
        assert use_internals(lib) is False


def test_a_missing_library_falls_back_with_a_warning() -> None:
    with pytest.warns(LibraryVersionWarning, match="not installed"):
        assert use_internals(Internals("no-such-distribution-mel", ">=1", "nothing")) is False


def test_whoosh_outside_its_range_indexes_through_whoosh_s_own_writer_and_finds_the_same(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh import index as whoosh_index

    from mel_core.kb.index import build_index
    from mel_core.kb.search import close_all, search
    from mel_core.kb.storage import schema

    simple_lesson(
        sqlite_engine, "2013-dien-bien-bo", "Nuôi bò sinh sản ở Điện Biên", "### Quay vòng bê\nGiảm nghèo."
    )
    simple_lesson(
        sqlite_engine, "2013-quang-binh-de", "Nuôi dê ở Minh Hóa", "### Nhóm\nNhóm sở thích nuôi dê."
    )

    def hits(folder: Path) -> list[Any]:
        close_all()
        found = [(h.key, h.score) for q in ("nuoi", "dê", "giảm nghèo") for h in search(folder, q).hits]
        close_all()
        return found

    build_index(sqlite_engine, tmp_path / "fast")
    fast = hits(tmp_path / "fast")
    _outdated(monkeypatch, "whoosh-reloaded")
    with pytest.warns(LibraryVersionWarning, match="whoosh-reloaded 99.0"):
        (tmp_path / "bare").mkdir()
        writer = bulk_writer(whoosh_index.create_in(str(tmp_path / "bare"), schema()), 64)
    assert not isinstance(writer, BulkWriter)
    writer.cancel()
    with pytest.warns(LibraryVersionWarning):
        build_index(sqlite_engine, tmp_path / "outdated")
        outdated = hits(tmp_path / "outdated")
    assert outdated == fast and fast


@pytest.mark.parametrize("distribution", ["papermill", "nbclient"])
def test_papermill_or_nbclient_outside_their_range_run_papermill_s_own_engine(
    distribution: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert closing_engine() is not None
    _outdated(monkeypatch, distribution)
    with pytest.warns(LibraryVersionWarning, match=f"{distribution} 99.0"):
        assert closing_engine() is None


class _App:
    """Records the events an extension connects to (Sphinx's application at its process boundary)."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def connect(self, event: str, callback: Any, priority: int = 500) -> int:
        self.events.append(event)
        return len(self.events)


def test_sphinx_outside_its_range_is_not_patched_and_rewrites_the_index_after_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sphinx.search import IndexBuilder

    from mel_core.adapters import sphinx_search

    monkeypatch.setattr(IndexBuilder, "freeze", IndexBuilder.freeze)  # whatever happens here is undone
    before = IndexBuilder.freeze
    _outdated(monkeypatch, "Sphinx")
    app = _App()
    with pytest.warns(LibraryVersionWarning, match="Sphinx 99.0"):
        sphinx_search.install(app)
    assert app.events == ["build-finished"] and IndexBuilder.freeze is before
    monkeypatch.undo()
    monkeypatch.delenv(PUBLIC_API_ENV, raising=False)
    monkeypatch.setattr(IndexBuilder, "freeze", IndexBuilder.freeze)
    app = _App()
    sphinx_search.install(app)
    assert app.events == [] and getattr(IndexBuilder.freeze, "mel_published", False)


def test_sphinx_outside_its_range_is_reported_in_mel_s_process_before_the_build_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's own process prints only when it fails: the warning is given where the book is built."""
    import subprocess

    from mel_core.book import build

    started: list[list[str]] = []

    def run(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:  # the process boundary
        started.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(build.subprocess, "run", run)
    _outdated(monkeypatch, "Sphinx", "8.2.3")
    with pytest.warns(LibraryVersionWarning, match="Sphinx 8.2.3 is outside the versions >=7.4,<7.5"):
        build._sphinx(tmp_path / "source", tmp_path / "html", "html")
    assert started and started[0][-1] == "html"
