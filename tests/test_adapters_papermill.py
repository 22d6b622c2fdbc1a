"""The papermill adapter's fast path (the closing engine, the worker's warm kernel) and public path (papermill's
own engine, a kernel nbclient starts and closes itself) execute notebooks to the same outputs.

Real kernels run the real criterion templates against the sample store; the executed notebooks are compared
cell by cell (source, execution counts, every output), papermill's timings and the kernel's own metadata
aside; the results the notebooks emitted are compared whole.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import nbformat
import pytest

from mel_core.adapters import PUBLIC_API_ENV
from mel_core.adapters.papermill_engine import NBCLIENT, PAPERMILL, closing_engine
from mel_core.evaluations.execute import NotebookJob, WarmKernel, run_notebook
from mel_core.evaluations.templates import template_path
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import make_engine

pytestmark = pytest.mark.slow
PROGRAMME = "DB-BSS-2011"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    path = tmp_path_factory.mktemp("sample") / "mel.db"
    engine = make_engine(f"sqlite:///{path}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    engine.dispose()
    with sqlite3.connect(path) as db:  # one file, no WAL beside it: the kernels only read it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return f"sqlite:///{path}"


def _cells(path: Path) -> list[dict[str, Any]]:
    notebook = nbformat.read(path, as_version=4)
    cells = []
    for cell in notebook.cells:
        outputs = [dict(output) for output in cell.get("outputs", [])]
        cells.append(
            {
                "type": cell.cell_type,
                "source": cell.source,
                "tags": cell.metadata.get("tags", []),
                "count": cell.get("execution_count"),
                "outputs": outputs,
            }
        )
    return cells


def _run(criterion: str, url: str, folder: Path, monkeypatch: pytest.MonkeyPatch, public: bool) -> Any:
    if public:
        monkeypatch.setenv(PUBLIC_API_ENV, "1")
    else:
        monkeypatch.delenv(PUBLIC_API_ENV, raising=False)
    parameters = {"programme": PROGRAMME, "lang": "vi", "db_url": "", "evaluation_id": ""}
    output = folder / PROGRAMME / "E" / f"{criterion}.ipynb"
    job = NotebookJob(PROGRAMME, criterion, str(template_path(criterion)), str(output), parameters, url)
    outcome = run_notebook(job)
    assert outcome.ok, outcome.error
    assert outcome.warm is not public  # the fast path reuses the worker's kernel; the public one never does
    return outcome


def test_the_installed_papermill_and_nbclient_are_the_ones_the_adapter_was_written_for() -> None:
    assert PAPERMILL.in_range(), f"papermill {PAPERMILL.installed()} outside {PAPERMILL.supported}"
    assert NBCLIENT.in_range(), f"nbclient {NBCLIENT.installed()} outside {NBCLIENT.supported}"


@pytest.mark.parametrize("criterion", ["coherence", "efficiency"])
def test_fast_and_public_paths_execute_notebooks_to_the_same_outputs(
    criterion: str, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        # the warm kernel has run another notebook first: what the public path's fresh kernel never saw
        _run("relevance", store_url, tmp_path / "warmup", monkeypatch, public=False)
        fast = _run(criterion, store_url, tmp_path / "fast", monkeypatch, public=False)
    finally:
        WarmKernel.discard()
    public = _run(criterion, store_url, tmp_path / "public", monkeypatch, public=True)
    assert fast.result == public.result and fast.result
    fast_cells, public_cells = _cells(Path(fast.job.output)), _cells(Path(public.job.output))
    assert sum(len(c["outputs"]) for c in fast_cells) > 3
    assert fast_cells == public_cells


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_the_public_path_leaves_no_kernel_or_client_behind(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PUBLIC_API_ENV, "1")
    assert closing_engine() is None
    _run("coherence", store_url, tmp_path / "first", monkeypatch, public=True)  # whatever is created once
    descriptors, threads = len(os.listdir("/proc/self/fd")), threading.active_count()
    for i in range(2):
        _run("coherence", store_url, tmp_path / f"again{i}", monkeypatch, public=True)
    assert len(os.listdir("/proc/self/fd")) == descriptors
    assert threading.active_count() == threads
