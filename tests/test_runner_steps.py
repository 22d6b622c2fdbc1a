"""The runner's steps without a kernel: the plan, how a programme's notebooks are taken in, the typed failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from mel_core.errors import CellError, EvaluationFailed, MelError, NotebookFailure
from mel_core.evaluations.execute import NotebookJob, NotebookOutcome
from mel_core.evaluations.runner import Collected, Next, Plan, Started, notebook_job, plan_run
from mel_core.evaluations.templates import ParameterError
from mel_core.vocabulary import CRITERIA

STARTED = Started("DB-BSS-2011", 7, "DB-BSS-2011-20261205-01", Path("/out/DB-BSS-2011/E1"))


def _plan(*chosen: str) -> Plan:
    return Plan(chosen, {n: Path(f"/t/{n}.ipynb") for n in chosen}, {n: {} for n in chosen})


def _outcome(name: str, result: dict | None = None, error: CellError | None = None) -> NotebookOutcome:
    job = NotebookJob("DB-BSS-2011", name, f"/t/{name}.ipynb", f"/out/{name}.ipynb", {}, "sqlite://")
    return NotebookOutcome(job, result=result, error=error, seconds=1.5)


def test_the_plan_runs_the_synthesis_after_all_six_criteria_and_refuses_the_runners_own_parameters():
    plan = plan_run(list(reversed(CRITERIA)), None)
    assert plan.chosen == (*CRITERIA, "synthesis") and plan.synthesis
    assert plan.criteria == tuple(CRITERIA)
    assert plan_run(["impact"], None).chosen == ("impact",)
    with pytest.raises(ParameterError):
        plan_run(["impact"], {"programme": "X"})


def test_a_job_carries_the_common_parameters_and_writes_into_the_evaluations_folder():
    plan = Plan(("impact",), {"impact": Path("/t/impact.ipynb")}, {"impact": {"cov_type": "HC1"}}, lang="en")
    job = notebook_job(plan, STARTED, "impact", "sqlite:///x.db", {"results_path": "r.json"})
    assert job.output == "/out/DB-BSS-2011/E1/impact.ipynb" and job.db_url == "sqlite:///x.db"
    assert job.parameters == {
        "db_url": "",
        "programme": "DB-BSS-2011",
        "evaluation_id": "DB-BSS-2011-20261205-01",
        "period_start": "",
        "period_end": "",
        "lang": "en",
        "cov_type": "HC1",
        "results_path": "r.json",
    }


def test_the_criteria_come_in_then_the_synthesis_runs_then_the_evaluation_is_finished():
    plan = _plan("relevance", "coherence", "synthesis")
    collected = Collected(STARTED, waiting=2)
    assert collected.take(_outcome("relevance", {"rating": {"level": 3}}), plan) is Next.WAIT
    assert collected.take(_outcome("coherence", {"rating": {"level": 2}}), plan) is Next.SYNTHESIS
    assert collected.take(_outcome("synthesis", {"rating": {"level": 2}}), plan) is Next.FINISH
    assert set(collected.results) == {"relevance", "coherence", "overall"}
    assert collected.seconds == {"relevance": 1.5, "coherence": 1.5, "synthesis": 1.5}
    assert collected.failure is None


def test_a_failed_criterion_skips_the_synthesis_and_the_first_failure_is_kept():
    plan = _plan("relevance", "coherence", "synthesis")
    collected = Collected(STARTED, waiting=2)
    first = CellError("RuntimeError", "broken", cell=3, execution_count=2)
    assert collected.take(_outcome("coherence", error=first), plan) is Next.WAIT
    assert (
        collected.take(_outcome("relevance", error=CellError("NoResult", "none")), plan)
        is Next.SKIP_SYNTHESIS
    )
    assert collected.failure == NotebookFailure(
        "DB-BSS-2011-20261205-01", "coherence", "/out/coherence.ipynb", "RuntimeError", "broken", 3, 2
    )
    assert collected.results == {}


def test_without_the_synthesis_the_last_criterion_finishes_the_evaluation():
    collected = Collected(STARTED, waiting=1)
    assert collected.take(_outcome("impact", {"rating": None}), _plan("impact")) is Next.FINISH


def test_a_failure_renders_itself_for_the_record_the_provenance_and_the_cli():
    failure = NotebookFailure.of(
        "E-1", "coherence", "/out/coherence.ipynb", CellError("RuntimeError", "x", 4, 3)
    )
    assert failure.summary() == "coherence.ipynb, cell 3: RuntimeError: x"
    assert failure.render() == "E-1: /out/coherence.ipynb, In [3]: RuntimeError: x"
    assert failure.provenance() == {
        "template": "coherence",
        "notebook": "/out/coherence.ipynb",
        "cell": 4,
        "execution_count": 3,
        "ename": "RuntimeError",
        "evalue": "x",
    }
    assert failure["ename"] == "RuntimeError" and failure.get("nothing", "-") == "-"
    with pytest.raises(KeyError):
        failure["nothing"]
    outside = NotebookFailure.of("E-2", "impact", "", CellError("KernelStartError", "died"))
    assert outside.summary() == "impact.ipynb, cell ?: KernelStartError: died"
    assert outside.render() == "E-2: impact, In [?]: KernelStartError: died"


def test_evaluation_failed_words_its_message_from_its_failures_in_both_languages():
    from mel_core.i18n import render

    failures = [
        NotebookFailure("E-1", "coherence", "/o/c.ipynb", "RuntimeError", "x"),
        NotebookFailure("E-2", "impact", "/o/i.ipynb", "NoResult", "y"),
    ]
    error = EvaluationFailed(failures, outcomes=["o1", "o2"])
    assert isinstance(error, MelError) and error.exit_code == 1
    assert error.outcomes == ["o1", "o2"] and error.failures == failures
    assert render(error.message, "en") == (
        "2 evaluation(s) failed: E-1 (coherence: RuntimeError); E-2 (impact: NoResult)"
    )
    assert render(error.message, "vi").startswith("2 lần đánh giá bị lỗi: E-1 (coherence: RuntimeError)")
    assert "mel evaluate show" in render(error.hint, "en") and "mel evaluate show" in render(error.hint, "vi")
    assert error.details("vi") == [
        "E-1: /o/c.ipynb, In [?]: RuntimeError: x",
        "E-2: /o/i.ipynb, In [?]: NoResult: y",
    ]
    assert MelError("plain").details("en") == []


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "Error: 1 evaluation(s) failed: E-1 (coherence: RuntimeError)"),
        ("vi", "1 lần đánh giá bị lỗi: E-1 (coherence: RuntimeError)"),
    ],
    ids=["en", "vi"],
)
def test_the_cli_shows_each_failure_then_the_message_and_what_to_do(capfd, monkeypatch, lang, said):
    from mel_core.cli import report_error

    monkeypatch.setenv("MEL_LANG", lang)
    failure = NotebookFailure("E-1", "coherence", "/o/coherence.ipynb", "RuntimeError", "broken", 4, 3)
    assert report_error(EvaluationFailed([failure])) == 1
    lines = capfd.readouterr().err.splitlines()
    assert lines[0] == "  E-1: /o/coherence.ipynb, In [3]: RuntimeError: broken"
    assert said in lines[1]
    assert "mel evaluate show" in lines[2]
