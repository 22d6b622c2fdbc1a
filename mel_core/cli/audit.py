"""``mel audit``: the audit trail, read (thin: mel_core.audit does the work)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from mel_core.cli.options import day
from mel_core.i18n import t
from mel_core.text import terminal_safe


def _since(value: str) -> datetime | None:
    if not value:
        return None
    start = day(value, "--since")
    return datetime(start.year, start.month, start.day, tzinfo=UTC)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return terminal_safe(text if len(text) <= 80 else text[:79] + "…")


def audit(
    entity: str = typer.Option(
        "",
        "--entity",
        "-e",
        metavar="KIND[:KEY]",
        help="Only one kind (lesson, user, rating, import …) or one entity.",
    ),
    actor: str = typer.Option(
        "", "--actor", help="Only what this person (e-mail, or cli:account@machine) did."
    ),
    since: str = typer.Option(
        "", "--since", metavar="YYYY-MM-DD", help="Only events on or after this day (UTC)."
    ),
    limit: int = typer.Option(100, "--limit", "-n", min=1, help="At most this many events, the newest."),
    as_json: bool = typer.Option(False, "--json", help="Print the events as JSON lines."),
) -> None:
    """The audit trail: who changed what and when, with the values before and after (oldest first).

    Example: mel audit --entity lesson:2013-dien-bien-bo-sinh-san
    (all user changes since a day: mel audit --entity user --since 2026-12-01)
    """
    from mel_core import audit as trail
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope

    kind, _, key = entity.partition(":")
    when = _since(since)
    engine = current_store()
    with session_scope(engine) as session:
        found = trail.events(
            session, entity=kind or None, key=key or None, actor=actor or None, since=when, limit=limit
        )
    if as_json:
        for event in found:
            typer.echo(json.dumps(event.as_json(), ensure_ascii=False))
        return
    if not found:
        typer.echo(t("cli.audit.none"))
    for event in found:
        at = event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        head = (
            f"{at}  {terminal_safe(event.actor)}  {event.action}  {event.entity}:{terminal_safe(event.key)}"
        )
        typer.echo(head)
        for name, old, new in event.changes():
            typer.echo(f"    {name}: {_shown(old)} → {_shown(new)}")
        if event.note:
            typer.echo(f"    {_shown(event.note)}")
