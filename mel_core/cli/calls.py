"""``mel calls``: calls for lessons (thin: mel_core.lessons.calls does the work)."""

from __future__ import annotations

import json

import typer

from mel_core.cli.options import day
from mel_core.i18n import message, render, t
from mel_core.text import terminal_safe

app = typer.Typer(
    help="Calls for lessons (Lời mời viết bài học, như Công văn 247/KTHT-GN): issue one, see who is late.\n\n"
    "Example: mel calls show 247/KTHT-GN",
    no_args_is_help=True,
)


@app.command("new")
def new(
    code: str = typer.Argument(..., help="The call's reference, e.g. the letter's number 247/KTHT-GN."),
    title: str = typer.Option(..., "--title", help="What the call asks for."),
    year: int = typer.Option(..., "--year", help="The year of the lessons asked for."),
    deadline: str = typer.Option(..., "--deadline", metavar="YYYY-MM-DD", help="The last day to submit."),
    by: str = typer.Option(..., "--by", metavar="EMAIL", help="The reviewer or administrator who issues it."),
    province: list[str] = typer.Option([], "--province", "-p", help="A province asked (GSO code); repeat."),
    org: list[str] = typer.Option([], "--org", help="An organisation asked; repeat."),
    issued: str = typer.Option(
        "", "--issued", metavar="YYYY-MM-DD", help="The day it was issued (default today)."
    ),
    outline: str = typer.Option("any", "--outline", help="state, ngo or any: the outline asked for."),
) -> None:
    """Issue a call for lessons to provinces and organisations, with a deadline.

    Example: mel calls new 247/KTHT-GN --title "Bài học kinh nghiệm giảm nghèo 2013" --year 2013 \\
    --deadline 2013-07-15 --province 11 --province 12 --org "Oxfam" --by thamdinh@molisa.gov.vn
    """
    from mel_core.cli.store import current_store
    from mel_core.lessons.calls import new_call
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        call = new_call(
            session, code, title, year=year, deadline=day(deadline, "--deadline"), by=by, provinces=province,
            organisations=org, issued_on=day(issued, "--issued") if issued else None, outline=outline,
        )  # fmt: skip
        shown = call.code
    typer.echo(render(message("cli.calls.issued", shown=shown)))


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print them as JSON.")) -> None:
    """Every call, the latest deadline first, with how many of those asked are late.

    Example: mel calls list
    """
    from mel_core.cli.store import current_store
    from mel_core.lessons.calls import call_status, open_calls
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        found = [call_status(session, c.code) for c in open_calls(session)]
    if as_json:
        typer.echo(json.dumps([s.as_json() for s in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(t("cli.calls.none"))
    for status in found:
        counts = ", ".join(f"{k} {v}" for k, v in status.counts.items() if v)
        typer.echo(f"{terminal_safe(status.code)}  {status.year}  {status.deadline}  {counts}")


@app.command("show")
def show(
    code: str = typer.Argument(..., help="The call's reference."),
    as_of: str = typer.Option(
        "", "--as-of", metavar="YYYY-MM-DD", help="As it stood that day (default today)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print it as JSON."),
) -> None:
    """Who was asked, who has submitted, who is late and what was returned.

    Example: mel calls show 247/KTHT-GN
    """
    from mel_core.cli.store import current_store
    from mel_core.lessons.calls import call_status
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        status = call_status(session, code, day(as_of, "--as-of") if as_of else None)
    if as_json:
        typer.echo(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{terminal_safe(status.code)}: {terminal_safe(status.title)} ({status.year}; deadline {status.deadline})"
    )
    for invitee in status.invitees:
        typer.echo(f"  {terminal_safe(invitee.name):<40} {invitee.state}")
        for answer in invitee.lessons:
            typer.echo(f"      {answer.key} ({answer.status})")
    for answer in status.others:
        typer.echo(f"  + {answer.key} ({answer.status})")
