"""The evaluation runner with a real Jupyter kernel: templates, parameters, the store, failures, concurrency."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import delete, func, select
from sqlmodel import Session

from mel_core.adapters import public_api_forced
from mel_core.criteria.data import load_programme
from mel_core.errors import EvaluationFailed
from mel_core.evaluations import record
from mel_core.evaluations.runner import evaluate
from mel_core.evaluations.templates import (
    COMMON,
    TEMPLATE_NAMES,
    ParameterError,
    declared_parameters,
    templates_dir,
    validate,
)
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import (
    Evaluation,
    Finding,
    Indicator,
    Programme,
    Rating,
    Recommendation,
    SurveyRecord,
    Target,
    make_engine,
    table_of,
)
from tests.test_cli import MEL

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory) -> Path:
    """A SQLite store holding the sample workbook, built once; tests work on copies of it."""
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    path = tmp_path_factory.mktemp("sample") / "mel.db"
    engine = make_engine(f"sqlite:///{path}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    engine.dispose()
    return path


@pytest.fixture
def store(sample_file, tmp_path):
    """A private copy of the sample store (SQLite's backup API: WAL contents included)."""
    target = tmp_path / "store" / "mel.db"
    target.parent.mkdir()
    with sqlite3.connect(sample_file) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


def _count(engine, model, evaluation_id):
    t = table_of(model)
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(t).where(t.c.evaluation_id == evaluation_id))


def _evaluation(engine, code):
    with Session(engine) as session:
        return record.find_evaluation(session, code)


def _templates_with(tmp_path, **replacements: str) -> Path:
    """A copy of the real templates folder with some templates replaced by fixture notebooks."""
    folder = tmp_path / "templates"
    shutil.copytree(templates_dir(), folder)
    for name, fixture in replacements.items():
        shutil.copy(FIXTURES / fixture, folder / f"{name}.ipynb")
    return folder


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_template_declares_the_common_parameters_and_is_stored_without_outputs(name):
    path = templates_dir() / f"{name}.ipynb"
    declared = declared_parameters(path)
    assert set(COMMON) <= set(declared)
    assert declared["programme"].default == "DB-BSS-2011"  # runs against the demo store as it is
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs must be stripped"


def test_parameters_are_checked_against_the_declarations_and_every_problem_is_reported():
    templates = {"coherence": FIXTURES / "typed.ipynb"}
    good = validate(templates, {"threshold": "0.7", "rounds": "3", "strict": "true", "variables": "a, b"})
    assert good["coherence"] == {"threshold": 0.7, "rounds": 3, "strict": True, "variables": ["a", "b"]}
    assert validate(templates, {"threshold": 1, "strict": False})["coherence"] == {
        "threshold": 1.0,
        "strict": False,
    }
    with pytest.raises(ParameterError) as caught:
        validate(templates, {"threshold": "high", "colour": "red", "rounds": 2.5, "strict": "maybe"})
    problems = "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 4
    assert "threshold='high'" in problems and "float" in problems
    assert "colour: no template" in problems
    assert "rounds=2.5" in problems and "strict='maybe'" in problems


def test_a_template_without_a_parameters_cell_is_refused():
    with pytest.raises(ParameterError, match="tagged 'parameters'"):
        declared_parameters(FIXTURES / "untagged.ipynb")


def test_a_wrong_parameter_stops_the_run_before_anything_is_written(store, tmp_path):
    folder = _templates_with(tmp_path, coherence="typed.ipynb")
    with pytest.raises(ParameterError):
        evaluate(store, ["DB-BSS-2011"], criteria=["coherence"], params={"rounds": "two"},
                 templates_folder=folder, out_root=tmp_path / "out")  # fmt: skip
    with store.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(table_of(Evaluation))) == 0
    assert not (tmp_path / "out").exists()


def test_one_programme_on_every_criterion_stores_ratings_findings_recommendations_and_provenance(
    store, tmp_path
):
    seen = []
    [outcome] = evaluate(
        store, ["DB-BSS-2011"], evaluator="Nhóm đánh giá độc lập", kind="ex_post", lang="en",
        out_root=tmp_path / "out", progress=lambda *event: seen.append(event),
    )  # fmt: skip
    assert outcome.status == "succeeded", outcome.error
    folder = Path(outcome.output_dir)
    assert folder == tmp_path.resolve() / "out" / "DB-BSS-2011" / outcome.code
    for name in TEMPLATE_NAMES:
        assert (folder / f"{name}.ipynb").is_file() and (folder / f"{name}.html").is_file(), name
    html = (folder / "impact.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in html  # charts embedded: the HTML travels alone
    assert [event[3] for event in seen] == list(range(1, len(TEMPLATE_NAMES) + 1))
    evaluation = _evaluation(store, outcome.code)
    assert (evaluation.status, evaluation.kind, evaluation.evaluator) == (
        "succeeded",
        "ex_post",
        "Nhóm đánh giá độc lập",
    )
    assert _count(store, Rating, evaluation.id) == 7
    assert _count(store, Finding, evaluation.id) >= 12
    assert _count(store, Recommendation, evaluation.id) >= 1
    provenance = evaluation.provenance
    assert set(provenance["templates"]) == set(TEMPLATE_NAMES)
    assert all(len(t["sha256"]) == 64 for t in provenance["templates"].values())
    assert provenance["parameters"]["impact"]["programme"] == "DB-BSS-2011"
    assert provenance["versions"]["mel_core"] and provenance["rules_version"]
    with Session(store) as session:
        fingerprint = load_programme(session, "DB-BSS-2011").fingerprint
    assert provenance["data_fingerprint"] == [fingerprint]  # every notebook read exactly the stored data
    shown = record.describe(Session(store), outcome.code)
    overall = next(r for r in shown["ratings"] if r["criterion"] == "overall")
    assert overall["final_level"] == outcome.levels["overall"]
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert set(results) == {
        "relevance",
        "coherence",
        "effectiveness",
        "efficiency",
        "impact",
        "sustainability",
    }


def test_a_broken_template_keeps_its_notebook_marks_the_evaluation_failed_and_stores_no_findings(
    store, tmp_path
):
    folder = _templates_with(tmp_path, coherence="broken.ipynb")
    with pytest.raises(EvaluationFailed) as caught:
        evaluate(store, ["DB-BSS-2011"], criteria=["relevance", "coherence"], templates_folder=folder,
                 out_root=tmp_path / "out")  # fmt: skip
    [failure] = caught.value.failures
    assert failure["template"] == "coherence" and failure["ename"] == "RuntimeError"
    assert failure["execution_count"] is not None
    kept = nbformat.read(failure["notebook"], as_version=4)
    errors = [o for c in kept.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and "broken on purpose" in errors[0]["evalue"]
    assert Path(failure["notebook"]).with_suffix(".html").is_file()
    evaluation = _evaluation(store, failure["evaluation"])
    assert evaluation.status == "failed"
    assert "coherence.ipynb" in evaluation.error and "RuntimeError" in evaluation.error
    assert evaluation.provenance["failed"]["cell"] is not None
    for model in (Rating, Finding, Recommendation):
        assert _count(store, model, evaluation.id) == 0  # relevance succeeded, yet nothing of it is stored


def test_a_template_that_emits_no_result_fails_plainly(store, tmp_path):
    folder = _templates_with(tmp_path, relevance="silent.ipynb")
    with pytest.raises(EvaluationFailed) as caught:
        evaluate(store, ["QB-DE-2012"], criteria=["relevance"], templates_folder=folder, out_root=tmp_path)
    assert caught.value.failures[0]["ename"] == "NoResult"


def test_a_programme_without_a_survey_gets_impact_not_rated_and_says_why(store, tmp_path):
    with store.begin() as conn:
        p = table_of(Programme)
        pid = conn.scalar(select(p.c.id).where(p.c.code == "YB-GA-2014"))
        conn.execute(delete(table_of(SurveyRecord)).where(table_of(SurveyRecord).c.programme_id == pid))
    [outcome] = evaluate(store, ["YB-GA-2014"], criteria=["impact"], lang="en", out_root=tmp_path)
    assert outcome.status == "succeeded"
    assert outcome.levels["impact"] is None
    shown = record.describe(Session(store), outcome.code)
    assert any("survey" in f["statement"].lower() for f in shown["findings"])


def test_a_programme_without_targets_gets_effectiveness_not_rated(store, tmp_path):
    with store.begin() as conn:
        p, i, t = table_of(Programme), table_of(Indicator), table_of(Target)
        pid = conn.scalar(select(p.c.id).where(p.c.code == "NA-CAM-2013"))
        conn.execute(delete(t).where(t.c.indicator_id.in_(select(i.c.id).where(i.c.programme_id == pid))))
    [outcome] = evaluate(store, ["NA-CAM-2013"], criteria=["effectiveness"], lang="en", out_root=tmp_path)
    assert outcome.levels["effectiveness"] is None
    shown = record.describe(Session(store), outcome.code)
    assert any("target" in f["statement"].lower() for f in shown["findings"])


def test_an_override_needs_a_reason_and_keeps_the_computed_rating(store, tmp_path):
    [outcome] = evaluate(store, ["KT-KEO-2012"], criteria=["efficiency"], out_root=tmp_path)
    computed = outcome.levels["efficiency"]
    assert computed is not None
    new = 1 if computed != 1 else 2
    with pytest.raises(record.OverrideError):
        record.override(store, outcome.code, "efficiency", new, "  ")
    record.override(
        store, outcome.code, "efficiency", new, "Chi phí vượt do làm lại vườn ươm", by="Chuyên gia A"
    )
    rating = next(
        r for r in record.describe(Session(store), outcome.code)["ratings"] if r["criterion"] == "efficiency"
    )
    assert (rating["computed_level"], rating["final_level"]) == (computed, new)
    assert rating["override_reason"] == "Chi phí vượt do làm lại vườn ươm"


def test_the_template_runs_unchanged_against_the_demo_store_as_in_jupyterlab(store, tmp_path):
    """Opened from notebooks/templates/ under a project whose .mel/ holds the store: no parameter is touched."""
    from nbclient import NotebookClient

    project = tmp_path / "project"
    (project / ".mel").mkdir(parents=True)
    shutil.copy(store.url.database, project / ".mel" / "mel.db")
    (project / "notebooks" / "templates").mkdir(parents=True)
    environ = {k: os.environ.pop(k) for k in ("MEL_DB_URL", "MEL_HOME") if k in os.environ}
    try:
        for name in TEMPLATE_NAMES:
            notebook = nbformat.read(templates_dir() / f"{name}.ipynb", as_version=4)
            where = {"metadata": {"path": str(project / "notebooks" / "templates")}}
            NotebookClient(notebook, kernel_name="python3", resources=where).execute()
            outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
            assert not [o for o in outputs if o.output_type == "error"]
            assert any("application/vnd.mel.criterion-result+json" in o.get("data", {}) for o in outputs), (
                name
            )
    finally:
        os.environ.update(environ)


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_evaluations_at_once_lose_nothing(db, request, tmp_path):
    """Two `mel evaluate` processes on one store at the same moment (SQLite file, then PostgreSQL)."""
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    if db == "sqlite":
        url = f"sqlite:///{tmp_path / 'mel.db'}"
    else:
        from tests.conftest import _fresh_pg_database

        url = _fresh_pg_database(request.getfixturevalue("pg_server"))
    engine = make_engine(url)
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    environ = {**os.environ, "MEL_DB_URL": url, "COLUMNS": "200"}
    runs = [
        subprocess.Popen([MEL, "evaluate", code, "-c", "relevance,impact", "--out", str(tmp_path / "out")],
                         env=environ, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for code in ("DB-BSS-2011", "DB-BSS-2011")
    ]  # fmt: skip
    for run in runs:
        _out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    e = table_of(Evaluation)
    with engine.connect() as conn:
        rows = conn.execute(select(e.c.id, e.c.code, e.c.status).order_by(e.c.code)).all()
    assert [r.status for r in rows] == ["succeeded", "succeeded"]
    assert rows[0].code != rows[1].code
    for row in rows:
        assert _count(engine, Rating, row.id) == 2
        assert _count(engine, Finding, row.id) >= 2
    engine.dispose()


def test_the_command_line_refuses_a_parameter_of_the_wrong_type_and_runs_nothing(sample_file, tmp_path):
    environ = {**os.environ, "MEL_DB_URL": f"sqlite:///{sample_file}", "COLUMNS": "200"}
    environ.pop("MEL_HOME", None)
    result = subprocess.run(
        [MEL, "evaluate", "DB-BSS-2011", "-c", "efficiency", "-p", "tolerance_days=ten", "-p", "colour=red"],
        env=environ, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 64, result.stderr
    assert "tolerance_days='ten'" in result.stderr and "int" in result.stderr
    assert "colour: no template" in result.stderr
    assert not (tmp_path / "notebooks").exists()


def test_a_parameter_reaches_the_notebook_and_the_provenance(store, tmp_path):
    [outcome] = evaluate(
        store, ["GOPA"], criteria=["impact"], params={"cov_type": "HC1", "covariates": "household_size"},
        lang="en", out_root=tmp_path,
    )  # fmt: skip
    evaluation = _evaluation(store, outcome.code)
    assert evaluation.provenance["parameters"]["impact"]["cov_type"] == "HC1"
    assert evaluation.provenance["parameters"]["impact"]["covariates"] == ["household_size"]
    shown = record.describe(Session(store), outcome.code)
    assert any("HC1" in json.dumps(f["evidence"]) or "HC1" in f["statement"] for f in shown["findings"])


@pytest.mark.parametrize("command", ["run", "show", "override", "templates"])
def test_every_evaluate_command_has_help_with_an_example(command):
    from typer.testing import CliRunner

    from mel_core.cli import app

    result = CliRunner().invoke(app, ["evaluate", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example: mel evaluate" in result.output


def test_one_process_can_evaluate_inline_then_with_workers(sample_file, tmp_path):
    """The Python API used twice in one process: after notebooks ran in this process, workers still start
    cleanly (a plain fork would share this process's event loop and sockets and hang)."""
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mel_core.evaluations.runner import evaluate\n"
        "from mel_core.store import make_engine\n"
        f"engine = make_engine({f'sqlite:///{sample_file}'!r})\n"
        "out = Path(sys.argv[1])\n"
        "first = evaluate(engine, ['QB-DE-2012'], criteria=['coherence'], out_root=out, workers=1)\n"
        "second = evaluate(engine, ['QB-DE-2012', 'YB-GA-2014'], criteria=['coherence'], out_root=out, workers=2)\n"
        "print(sorted(o.status for o in first + second))\n"
    )
    copy = tmp_path / "mel.db"
    with sqlite3.connect(sample_file) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    script = script.replace(str(sample_file), str(copy))
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "['succeeded', 'succeeded', 'succeeded']" in done.stdout


def test_each_notebook_in_a_warm_kernel_starts_clean(store, tmp_path):
    """Notebooks share a worker's kernel: each must start with no name of the one before and count from 1."""
    from mel_core.evaluations.execute import NotebookJob, WarmKernel, run_notebook
    from mel_core.evaluations.templates import template_path

    url = store.url.render_as_string(hide_password=False)
    common = {"programme": "DB-BSS-2011", "lang": "en", "db_url": "", "evaluation_id": ""}
    first = NotebookJob("DB-BSS-2011", "coherence", str(template_path("coherence")),
                        str(tmp_path / "p" / "e" / "coherence.ipynb"), common, url)  # fmt: skip
    probe = tmp_path / "probe.ipynb"
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print('result' in dir(), 'ctx' in dir())")]
    )
    notebook.cells.insert(0, nbformat.v4.new_code_cell("x: int = 1", metadata={"tags": ["parameters"]}))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, probe)
    second = NotebookJob(
        "DB-BSS-2011", "probe", str(probe), str(tmp_path / "p" / "e" / "probe.ipynb"), {}, url
    )
    try:
        assert run_notebook(first).ok
        run_notebook(second)  # emits no result: only its outputs matter here
    finally:
        WarmKernel.discard()
    executed = nbformat.read(second.output, as_version=4)
    counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
    assert counts[0] == 1  # numbering restarts for every notebook
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "False False" in printed  # the coherence notebook's `result` and `ctx` are gone


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or os.name == "nt", reason="needs /proc and fork")
@pytest.mark.skipif(
    public_api_forced(), reason="MEL_PUBLIC_API: no warm kernel to look at (nbclient starts each)"
)
@pytest.mark.parametrize("server", ["1", "0"])
def test_the_runs_kernels_are_forks_of_its_kernel_server_unless_switched_off(
    store, tmp_path, monkeypatch, server
):
    """A silent fall-back to ordinary kernels would still pass every other test: here the kernel's parent is
    looked up while the notebooks run."""
    from mel_core.evaluations.execute import WarmKernel
    from mel_core.evaluations.runner import evaluate

    monkeypatch.setenv("MEL_KERNEL_SERVER", server)
    parents: list[str] = []

    def parent_of_kernel(*_progress) -> None:
        pid = WarmKernel._current.km.provisioner.pid  # type: ignore[union-attr]
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        parents.append("this process" if ppid == os.getpid() else Path(f"/proc/{ppid}/cmdline").read_text())

    outcomes = evaluate(store, ["QB-DE-2012"], criteria=["relevance", "coherence"], out_root=tmp_path / "out",
                        workers=1, progress=parent_of_kernel)  # fmt: skip
    assert [o.status for o in outcomes] == ["succeeded"]
    assert len(parents) == 2
    if server == "1":
        assert all("mel_core.evaluations.kernel_server" in parent for parent in parents)
    else:
        assert parents == ["this process", "this process"]


@pytest.mark.parametrize(
    ("programme", "code"),
    [
        ("X/../../../../tmp/evil", "X/../../../../tmp/evil-20261205-01"),
        ("../..", "../..-20261205-01"),
        ("QĐ/2013", "QĐ/2013-20261205-01"),
        ("..", ".."),
        ("a\\b", "a\\b-1"),
    ],
    ids=["climb", "dots", "slash", "dotdot", "backslash"],
)
def test_evaluation_folders_stay_inside_the_output_folder(tmp_path, programme, code):
    from mel_core.evaluations.runner import evaluation_folder

    root = tmp_path / "out"
    folder = evaluation_folder(root, programme, code)
    assert folder.is_relative_to(root.resolve())
    assert folder.parent.parent == root.resolve()  # exactly <root>/<programme>/<evaluation>
    assert evaluation_folder(root, programme, code) == folder  # the same code, the same folder


def test_safe_names_keep_ordinary_codes_and_never_collide():
    from hypothesis import given
    from hypothesis import strategies as st

    from mel_core.files import inside, safe_name

    assert safe_name("DB-BSS-2011") == "DB-BSS-2011" and safe_name("GOPA.2") == "GOPA.2"
    assert safe_name("A/B") != safe_name("A_B")

    @given(st.text(min_size=1, max_size=300))
    def one_component(text: str) -> None:
        name = safe_name(text)
        assert name and "/" not in name and "\\" not in name and not name.startswith(".") and ".." not in name
        root = Path("/tmp/mel-root")
        assert inside(root, root / name).parent == root.resolve()

    one_component()
