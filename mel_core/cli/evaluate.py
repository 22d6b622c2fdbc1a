"""``mel evaluate``: run the evaluation templates on programmes, show stored evaluations, override a rating."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from mel_core.i18n import language, message, render, t


class _RunByDefault(TyperGroup):
    """``mel evaluate PROGRAMME`` means ``mel evaluate run PROGRAMME``; ``show``, ``override`` … are commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    help="Evaluate programmes on the criteria with the notebook templates (Papermill), and read the results.\n\n"
    "Examples: mel evaluate DB-BSS-2011 · mel evaluate --all --workers 2 · mel evaluate show DB-BSS-2011",
    no_args_is_help=True,
)


def _parse_params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{pair!r}: write key=value", param_hint="--param")
        out[key.strip()] = value
    return out


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r}: write YYYY-MM-DD", param_hint=name) from exc


@app.command("run")
def run(
    programme: str = typer.Argument(None, help="Programme code (see `mel demo` or `mel export`)."),
    all_: bool = typer.Option(False, "--all", help="Evaluate every programme in the store."),
    criteria: list[str] = typer.Option(
        None,
        "--criteria",
        "-c",
        help="Criteria to assess (repeat or comma-separate); default: all and synthesis.",
    ),
    param: list[str] = typer.Option(None, "--param", "-p", help="Template parameter key=value (repeatable)."),
    evaluator: str = typer.Option(None, "--evaluator", help="Who evaluates (recorded)."),
    kind: str = typer.Option("other", "--kind", help="mid_term, final, ex_post or other."),
    period_start: str = typer.Option(None, "--period-start", help="Only data from this date (YYYY-MM-DD)."),
    period_end: str = typer.Option(None, "--period-end", help="Only data to this date (YYYY-MM-DD)."),
    lang: str = typer.Option(
        None, "--lang", help="Language of the notebooks' narrative: vi or en (default: as messages)."
    ),
    out: Path = typer.Option(
        None, "--out", help="Folder of evaluation records (default notebooks/evaluations)."
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        min=1,
        help=(
            "Notebooks run at once (processes; on Linux each keeps to a core of its own,"
            " MEL_PIN_WORKERS=0 to leave them free)."
        ),
    ),
) -> None:
    """Run the templates of the criteria for a programme (or --all) and store ratings, findings, recommendations.

    Each notebook is written to OUT/<programme>/<evaluation>/<criterion>.ipynb with an HTML export beside it.
    A failed notebook is kept with its error; the evaluation is then marked failed and stores no findings.
    On Unix every kernel is a fork of one kernel server that imports the libraries once (MEL_KERNEL_SERVER=0
    starts kernels the usual way; MEL_FRESH_KERNEL=1 gives every notebook a fresh kernel).

    Example: mel evaluate DB-BSS-2011 --criteria impact --param cov_type=HC1 --evaluator "Nguyễn Văn A"
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mel_core.cli.outcomes import print_outcomes
    from mel_core.cli.store import current_store
    from mel_core.errors import EvaluationFailed
    from mel_core.evaluations.runner import evaluate
    from mel_core.store import read

    if bool(programme) == all_:
        raise typer.BadParameter("give one PROGRAMME or --all", param_hint="PROGRAMME")
    chosen = [c.strip() for item in criteria or [] for c in item.split(",") if c.strip()]
    narrative = lang or language()
    if narrative not in ("vi", "en"):
        raise typer.BadParameter(f"{narrative!r}: use vi or en", param_hint="--lang")
    engine = current_store()
    with engine.connect() as conn:
        programmes = read.programme_codes(conn) if all_ else [programme]
        if programme:
            read.programme_id(conn, programme)  # NotFound, naming the programmes there are
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(t("cli.evaluate.evaluating"), total=None)

        def progress(prog: str, criterion: str, state: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{prog} · {criterion} {state}")

        try:
            outcomes = evaluate(
                engine, programmes, criteria=chosen or None, params=_parse_params(param or []),
                evaluator=evaluator, kind=kind, period_start=_date(period_start, "--period-start"),
                period_end=_date(period_end, "--period-end"), lang=narrative, out_root=out, workers=workers,
                progress=progress,
            )  # fmt: skip
        except EvaluationFailed as exc:
            print_outcomes(exc.outcomes, narrative)
            raise
    print_outcomes(outcomes, narrative)


@app.command("show")
def show(
    evaluation: str = typer.Argument(
        ..., help="An evaluation code, or a programme code for its latest evaluation."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the stored result as JSON."),
) -> None:
    """Print a stored evaluation: status, ratings (computed and final), findings, recommendations, provenance.

    Example: mel evaluate show DB-BSS-2011-20261123-01 --json
    """
    from rich.console import Console
    from sqlmodel import Session

    from mel_core.cli.store import current_store
    from mel_core.evaluations.record import describe, mark_interrupted

    lang = language()
    engine = current_store()
    mark_interrupted(engine)  # a run of this machine whose process was killed is shown as interrupted
    with Session(engine) as session:
        data = describe(session, evaluation, lang)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    console = Console()
    console.print(f"[bold]{data['code']}[/bold] · {data['programme']} · {data['status']}", soft_wrap=True)
    if data["error"]:
        console.print(f"  {t('cli.evaluate.error', lang)}: {data['error']}", soft_wrap=True)
    console.print(f"  {data['output_dir']}", style="dim", soft_wrap=True)
    for r in data["ratings"]:
        extra = ""
        if r["final_level"] != r["computed_level"]:
            extra = f"  ({t('cli.evaluate.computed', lang)}: {r['computed_label']}; {r['override_reason']})"
        console.print(f"  {r['criterion']:<15} {r['label']}{extra}", soft_wrap=True)
    current = None
    for f in data["findings"]:
        if f["criterion"] != current:
            current = f["criterion"]
            console.print(f"[bold]{current}[/bold]")
        console.print(f"  - {f['statement']}", soft_wrap=True)
    if data["recommendations"]:
        console.print(f"[bold]{t('cli.evaluate.recommendations', lang)}[/bold]")
        for n, rec in enumerate(data["recommendations"], 1):
            console.print(f"  {n}. [{rec['criterion']}] {rec['text']}", soft_wrap=True)


@app.command("override")
def override(
    evaluation: str = typer.Argument(
        ..., help="Evaluation code (or a programme code: its latest evaluation)."
    ),
    criterion: str = typer.Argument(..., help="relevance, coherence, effectiveness, …, or overall."),
    level: int = typer.Argument(..., help="The evaluator's level: 4 (best) … 1."),
    reason: str = typer.Option(..., "--reason", help="Why the computed rating is changed (required)."),
    by: str = typer.Option(None, "--by", help="Who changes it."),
) -> None:
    """Override a computed rating with a written reason; the computed rating is kept beside it.

    Example: mel evaluate override DB-BSS-2011-20261123-01 efficiency 3 --reason "Giá bò giống tăng 30% năm 2012"
    """
    from mel_core.cli.store import current_store
    from mel_core.evaluations.record import override as set_override

    engine = current_store()
    set_override(engine, evaluation, criterion, level, reason, by)
    typer.echo(render(message("cli.evaluate.override_recorded", criterion=criterion, level=level)))


@app.command("templates")
def templates() -> None:
    """List the evaluation templates and the parameters each declares (name, type, default, meaning).

    Example: mel evaluate templates
    """
    from mel_core.evaluations.templates import TEMPLATE_NAMES, declared_parameters, template_path

    for name in TEMPLATE_NAMES:
        path = template_path(name)
        typer.echo(f"{name}  ({path})")
        for p in declared_parameters(path).values():
            typer.echo(f"    {p.name}: {p.type} = {p.default!r}    {p.help}")
