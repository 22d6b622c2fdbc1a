"""``mel attach`` and ``mel attachments``: files attached to programmes, evaluations and lessons (thin:
mel_core.attachments does the work)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mel_core.i18n import message, render, t
from mel_core.text import terminal_safe

app = typer.Typer(
    help="Files attached to programmes, evaluations and lessons (PDF, Word, Excel): list them.\n\n"
    "Example: mel attachments list --entity programme:QB-DE-2012",
    no_args_is_help=True,
)


def attach(
    target: str = typer.Argument(
        ..., metavar="ENTITY:KEY", help="programme:CODE, evaluation:CODE or lesson:KEY."
    ),
    file: Path = typer.Argument(
        ..., help="A .pdf, .docx or .xlsx file (MEL_LIMIT_ATTACHMENT_MB, default 50)."
    ),
    title: str = typer.Option("", "--title", help="What the file is (default: its name)."),
    internal: bool = typer.Option(
        False,
        "--internal",
        help="Only for signed-in readers and above (default: public with what it belongs to).",
    ),
    by: str = typer.Option(
        ...,
        "--by",
        metavar="EMAIL",
        help="Who attaches: an evaluator, reviewer or administrator (programmes, evaluations); a reviewer,"
        " administrator or the lesson's author while it is a draft or returned (lessons).",
    ),
) -> None:
    """Attach a PDF, Word or Excel file to a programme, an evaluation or a lesson: kept once by its content
    under MEL_HOME/attachments, its text read for the search (run mel kb index afterwards).

    Example: mel attach programme:QB-DE-2012 bao-cao-cuoi-ky.pdf --title "Báo cáo cuối kỳ" --by danhgia@molisa.gov.vn
    """
    from mel_core.attachments import attach as attach_file
    from mel_core.attachments import parse_target
    from mel_core.attachments.files import read_file
    from mel_core.cli.store import current_store
    from mel_core.config import load_settings
    from mel_core.store import session_scope

    where = parse_target(target)
    data = read_file(file)
    engine = current_store()
    with session_scope(engine) as session:
        row = attach_file(
            session, load_settings().home, where, data, file.name, title=title,
            visibility="internal" if internal else "public", by=by,
        )  # fmt: skip
        number, note, chars = row.id, row.extraction_note, len(row.text or "")
    typer.echo(
        render(
            message(
                "cli.attachments.attached",
                name=file.name,
                where=where,
                number=number,
                chars=chars,
            )
        )
    )
    if note:
        typer.echo(terminal_safe(note))


@app.command("list")
def list_(
    entity: str = typer.Option(
        "", "--entity", metavar="ENTITY:KEY", help="Only the files of one programme, evaluation or lesson."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print them as JSON."),
) -> None:
    """Every attached file (or those of one programme, evaluation or lesson), oldest first.

    Example: mel attachments list --entity lesson:2013-dien-bien-01 --json
    """
    from mel_core.attachments import attachments_of, parse_target
    from mel_core.attachments.record import TERMINAL
    from mel_core.attachments.record import as_json as attachment_json
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope

    where = parse_target(entity) if entity else None
    engine = current_store()
    with session_scope(engine) as session:
        found = [attachment_json(a) for a in attachments_of(session, TERMINAL, where)]
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(t("cli.attachments.none"))
    for a in found:
        typer.echo(
            f"{a['id']:>5}  {a['entity']}:{terminal_safe(a['key'])}  {terminal_safe(a['title'])}"
            f"  ({terminal_safe(a['file_name'])}, {a['size']:,} bytes, {a['visibility']})"
        )
