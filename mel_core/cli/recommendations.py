"""``mel recommendations``: management responses, key actions and their tracking (thin:
mel_core.evaluations.responses does the work)."""

from __future__ import annotations

import json

import typer

from mel_core.cli.options import day
from mel_core.i18n import message, render, t
from mel_core.text import terminal_safe

app = typer.Typer(
    help="Recommendations of evaluations (Khuyến nghị): management responses, key actions, their status.\n\n"
    "Example: mel recommendations list --state overdue",
    no_args_is_help=True,
)


_BY = typer.Option(
    ..., "--by", metavar="EMAIL", help="Who records it: a reviewer or administrator of the portal."
)


@app.command("list")
def list_(
    evaluation: str = typer.Option("", "--evaluation", "-e", help="Only this evaluation's recommendations."),
    state: str = typer.Option(
        "",
        "--state",
        help="Only those awaiting, not_accepted, no_actions, not_started, initiated, completed, or overdue.",
    ),
    as_of: str = typer.Option(
        "", "--as-of", metavar="YYYY-MM-DD", help="As they stood that day (default today)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print them as JSON."),
) -> None:
    """Recommendations with management's response, key actions and where each stands (overdue ones marked).

    Example: mel recommendations list --state overdue
    (as the book of last year showed them: mel recommendations list --as-of 2025-12-31)
    """
    from mel_core.cli.store import current_store
    from mel_core.evaluations.responses import tracker
    from mel_core.store import session_scope
    from mel_core.vocabulary import RECOMMENDATION_STATES

    if state and state not in (*RECOMMENDATION_STATES, "overdue"):
        raise typer.BadParameter(
            render(message("cli.recommendations.unknown_state", state=state)),
            param_hint="--state",
        )
    when = day(as_of, "--as-of") if as_of else None
    engine = current_store()
    with session_scope(engine) as session:
        tracked = tracker(session, as_of=when, evaluation=evaluation or None)
    items = [i for i in tracked.items if not state or i.state == state or (state == "overdue" and i.overdue)]
    if as_json:
        data = {
            "as_of": tracked.as_of.isoformat(),
            "counts": {**tracked.by_state, "overdue": tracked.overdue},
            "by_unit": tracked.by_unit,
            "recommendations": [i.as_json() for i in items],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    counts = ", ".join(f"{k} {v}" for k, v in sorted(tracked.by_state.items()))
    typer.echo(render(message("cli.recommendations.as_of", as_of=tracked.as_of)) + (counts or "0"))
    for item in items:
        flag = " OVERDUE" if item.overdue else ""
        typer.echo(f"{item.ref}  [{item.state}{flag}]  {terminal_safe(item.text)}")
        if item.response:
            typer.echo(f"    {item.response}: {terminal_safe(item.response_text or '')}")
        for a in item.actions:
            late = ", overdue" if a.overdue else ""
            where = f"{terminal_safe(a.unit)}, due {a.due_date}: {a.status}{late}"
            typer.echo(f"    {a.position}. {terminal_safe(a.text)} ({where})")


@app.command("respond")
def respond(
    ref: str = typer.Argument(..., help="The recommendation: EVALUATION#N (see mel recommendations list)."),
    response: str = typer.Option(..., "--response", help="accepted, partially_accepted or not_accepted."),
    text: str = typer.Option(..., "--text", help="Management's response in words."),
    by: str = _BY,
    action: list[str] = typer.Option(
        [], "--action", help="A key action; repeat for more (with --unit and --due)."
    ),
    unit: list[str] = typer.Option(
        [], "--unit", help="The unit responsible for the key action in the same place."
    ),
    due: list[str] = typer.Option([], "--due", metavar="YYYY-MM-DD", help="The due date of that key action."),
) -> None:
    """Record management's response to a recommendation, with its key actions (each a unit and a due date).

    Example: mel recommendations respond DB-BSS-2011-ex-post#1 --response accepted --text "Đồng ý" \\
    --action "Ban hành quy chế quay vòng bê" --unit "Sở NN&PTNT Điện Biên" --due 2027-06-30 --by thamdinh@molisa.gov.vn
    """
    from mel_core.cli.store import current_store
    from mel_core.evaluations.responses import respond as record
    from mel_core.store import session_scope

    if not len(action) == len(unit) == len(due):
        raise typer.BadParameter(
            t("cli.recommendations.actions_mismatch"),
            param_hint="--action",
        )
    actions = [(a, u, day(d, "--due")) for a, u, d in zip(action, unit, due, strict=True)]
    engine = current_store()
    with session_scope(engine) as session:
        record(session, ref, response, text, by, actions)
    typer.echo(render(message("cli.recommendations.recorded_response", ref=ref)))


@app.command("update")
def update(
    ref: str = typer.Argument(..., help="The recommendation: EVALUATION#N."),
    action: int = typer.Option(
        ..., "--action", min=1, help="The key action's number (see mel recommendations list)."
    ),
    status: str = typer.Option(
        ..., "--status", help="not_started, initiated, completed or no_longer_applicable."
    ),
    by: str = _BY,
    comment: str = typer.Option("", "--comment", help="What was done, or why."),
    as_of: str = typer.Option(
        "", "--as-of", metavar="YYYY-MM-DD", help="The day the status holds from (default today)."
    ),
) -> None:
    """Record where a key action stands; the history of updates is kept.

    Example: mel recommendations update DB-BSS-2011-ex-post#1 --action 1 --status initiated \\
    --comment "Dự thảo quy chế đã trình" --by thamdinh@molisa.gov.vn
    """
    from mel_core.cli.store import current_store
    from mel_core.evaluations.responses import update as record
    from mel_core.store import session_scope

    when = day(as_of, "--as-of") if as_of else None
    engine = current_store()
    with session_scope(engine) as session:
        record(session, ref, action, status, by, comment, when)
    typer.echo(render(message("cli.recommendations.action_status", ref=ref, action=action, status=status)))
