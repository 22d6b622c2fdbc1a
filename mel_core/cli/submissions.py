"""``mel submissions``: the workbooks sent through the portal, approved or returned at a terminal (thin:
mel_core.submissions does the work)."""

from __future__ import annotations

import json
from typing import Any

import typer

from mel_core.i18n import message, render
from mel_core.text import terminal_safe

app = typer.Typer(
    help="Workbook submissions of the portal (Số liệu gửi qua cổng): list, approve, return.\n\n"
    "Example: mel submissions list --status checked",
    no_args_is_help=True,
)

_BY = typer.Option(..., "--by", metavar="EMAIL", help="The reviewer (or administrator) who decides.")


@app.command("list")
def list_(
    status: str = typer.Option(
        "", "--status", help="Only those uploaded (with problems), checked (waiting), approved or returned."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print them as JSON."),
) -> None:
    """Workbook submissions, newest first: who sent which file, its state, problems, warnings and rows.

    Example: mel submissions list --status checked
    """
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope
    from mel_core.submissions import every
    from mel_core.vocabulary import SUBMISSION_STATUSES

    if status and status not in SUBMISSION_STATUSES:
        raise typer.BadParameter(
            render(message("cli.submissions.unknown_state", status=status)),
            param_hint="--status",
        )
    engine = current_store()
    with session_scope(engine) as session:
        found: list[dict[str, Any]] = [
            {
                "id": s.id,
                "file_name": s.file_name,
                "uploaded_by": s.uploaded_by,
                "uploaded_at": s.uploaded_at.isoformat(timespec="minutes"),
                "status": s.status,
                "problems": s.problems_count,
                "warnings": len(s.warnings or []),
                "rows": s.row_counts or {},
                "reviewed_by": s.reviewed_by,
                "comment": s.comment,
            }
            for s in every(session, status or None)
        ]
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for s in found:
        rows = ", ".join(f"{name} {n}" for name, n in s["rows"].items())
        line = f"{s['id']:>5}  {s['status']:<9} {s['uploaded_at']}  {s['uploaded_by']}  {s['file_name']}"
        line += f"  ({rows})" if rows else f"  ({s['problems']} problems)" if s["problems"] else ""
        line += f"  ({s['warnings']} warnings)" if s["warnings"] else ""
        typer.echo(terminal_safe(line))


def _decide(submission_id: int, decision: str, by: str, comment: str) -> None:
    from mel_core.cli.store import current_store
    from mel_core.config import load_settings
    from mel_core.store import session_scope
    from mel_core.submissions import Approval, decide, reviewer_of

    engine = current_store()
    with session_scope(engine) as session:
        reviewer = reviewer_of(session, by)
    done = decide(engine, load_settings().home, submission_id, decision, reviewer, comment)
    if isinstance(done, Approval):
        counts = ", ".join(f"{t.name} {t.rows} ({t.new} new)" for t in done.report.tables)
        typer.echo(render(message("cli.submissions.approved_imported", counts=counts)))
    else:
        typer.echo(render(message("cli.submissions.returned", uploaded_by=done.uploaded_by)))


@app.command("approve")
def approve(
    submission_id: int = typer.Argument(..., help="The submission's number."),
    by: str = _BY,
    comment: str = typer.Option("", "--comment", help="A note kept with the decision."),
) -> None:
    """Approve a checked submission: its workbook is imported, all or nothing, its figures remembering who sent
    and who approved them.

    Example: mel submissions approve 12 --by thamdinh@molisa.gov.vn
    """
    _decide(submission_id, "approve", by, comment)


@app.command("return")
def return_(
    submission_id: int = typer.Argument(..., help="The submission's number."),
    by: str = _BY,
    comment: str = typer.Option(..., "--comment", help="What the contributor should change (required)."),
) -> None:
    """Return a checked submission to its contributor with a comment; nothing is imported.

    Example: mel submissions return 12 --by thamdinh@molisa.gov.vn --comment "Thiếu số liệu quý 4"
    """
    _decide(submission_id, "return", by, comment)
