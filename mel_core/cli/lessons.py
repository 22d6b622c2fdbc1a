"""``mel lessons new|check|ingest|import-docx``: lesson files (letter 247/KTHT-GN) in and out of the store."""

from __future__ import annotations

from pathlib import Path

import typer

from mel_core.i18n import message, render

app = typer.Typer(
    help="Lesson files (lessons/<year>/<id>.md): template, validation, loading, Word conversion.\n\n"
    "Example: mel lessons check lessons/",
    no_args_is_help=True,
)


@app.command("new")
def new(
    lesson_id: str = typer.Option(..., "--id", help="The lesson id: lowercase a-z, 0-9 and '-'."),
    year: int = typer.Option(..., "--year", help="The year of the submission (the folder lessons/<year>/)."),
    kind: str = typer.Option(
        "state", "--kind", metavar="state|ngo", help="Outline: state-budget models or NGO/partner models."
    ),
    lang: str = typer.Option("vi", "--lang", metavar="vi|en", help="Language of the headings and prompts."),
    out: Path = typer.Option(Path("lessons"), "--out", help="The lessons folder (the file goes in <year>/)."),
) -> None:
    """Write a new lesson file from the outline of letter 247/KTHT-GN (Tạo tệp bài học mới theo đề cương).

    Example: mel lessons new --id 2026-son-la-ca-phe --year 2026 --kind ngo --lang vi
    """
    from mel_core.lessons.templates import new_lesson

    path = new_lesson(lesson_id, year, kind=kind, lang=lang, out=out)
    typer.echo(render(message("cli.lessons.template_written", path=path)))


@app.command("check")
def check(
    paths: list[Path] = typer.Argument(None, help="Lesson files or folders (default: lessons/)."),
    complete: bool = typer.Option(
        False, "--complete", help="Also require every section of the outline to be present and filled."
    ),
) -> None:
    """Check lesson files against the format and list every problem with file and line (Kiểm tra tệp bài học).

    With --complete, a lesson that lacks a section of the 247/KTHT-GN outline (1.1–1.9, 2.1–2.8, 3, 4, 5) or
    leaves it empty is a problem too, with the list of what is missing: what a reviewer checks before publishing.

    Example: mel lessons check lessons/2026
    (before publishing: mel lessons check lessons/2026/2026-son-la-ca-phe.md --complete)
    """
    from mel_core.lessons.check import check_lessons

    checked = check_lessons(paths or [Path("lessons")], complete=complete)
    n = len(checked)
    typer.echo(render(message("cli.lessons.checked_ok", n=n)))


@app.command("ingest")
def ingest(
    path: Path = typer.Argument(Path("lessons"), help="A lesson file or folder (default: lessons/)."),
    prune: bool = typer.Option(
        False, "--prune", help="Delete lessons from the store whose file is no longer there."
    ),
    publish_as: str = typer.Option(
        "",
        "--publish-as",
        metavar="EMAIL",
        help="A reviewer who publishes the files that say 'status: published' (without it they wait for review).",
    ),
) -> None:
    """Load lesson files into the store: all are checked first; nothing is written if any has a problem.

    Lessons are matched by their id: a changed file updates its lesson, an unchanged one is skipped.
    Lessons whose file was removed are reported (and deleted with --prune). The store keeps where each lesson
    is in its review: a file may say draft or submitted; one that says published is published only with
    --publish-as (a reviewer's e-mail), else it waits for a reviewer. An unchanged lesson keeps its state.

    Example: mel lessons ingest lessons/ --prune
    (a reviewer publishing the year's files: mel lessons ingest lessons/2026 --publish-as thamdinh@molisa.gov.vn)
    """
    from mel_core.cli.store import current_store
    from mel_core.lessons.ingest import ingest_lessons

    engine = current_store()
    report = ingest_lessons(engine, path, prune=prune, publish_as=publish_as or None)
    for line in report.lines():
        typer.echo(render(line))


def _decide(key: str, decision: str, by: str, comment: str) -> None:
    from mel_core.cli.store import current_store
    from mel_core.lessons.workflow import decide
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        lesson = decide(session, key, decision, by, comment)
        state = lesson.status
    typer.echo(render(message("cli.lessons.state", key=key, state=state)))


_BY = typer.Option(..., "--by", metavar="EMAIL", help="The reviewer (or administrator) who decides.")


@app.command("publish")
def publish(
    lesson_id: str = typer.Argument(..., help="The lesson's id."),
    by: str = _BY,
    comment: str = typer.Option("", "--comment", help="A note kept with the decision."),
) -> None:
    """Publish a submitted lesson: from now on it is public (book, public index, anonymous pages).

    Example: mel lessons publish 2026-son-la-ca-phe --by thamdinh@molisa.gov.vn
    """
    _decide(lesson_id, "publish", by, comment)


@app.command("return")
def return_(
    lesson_id: str = typer.Argument(..., help="The lesson's id."),
    by: str = _BY,
    comment: str = typer.Option(..., "--comment", help="What the contributor should change (required)."),
) -> None:
    """Return a submitted lesson to its contributor with comments; they correct it and submit it again.

    Example: mel lessons return 2026-son-la-ca-phe --by thamdinh@molisa.gov.vn --comment "Thiếu mục 2.8"
    """
    _decide(lesson_id, "return", by, comment)


@app.command("reject")
def reject(
    lesson_id: str = typer.Argument(..., help="The lesson's id."),
    by: str = _BY,
    comment: str = typer.Option(..., "--comment", help="Why it is rejected (required)."),
) -> None:
    """Reject a submitted lesson (it is kept, never published).

    Example: mel lessons reject 2026-x --by thamdinh@molisa.gov.vn --comment "Không phải bài học kinh nghiệm"
    """
    _decide(lesson_id, "reject", by, comment)


@app.command("history")
def history(lesson_id: str = typer.Argument(..., help="The lesson's id.")) -> None:
    """Where a lesson is in its review, and every step so far with its comments.

    Example: mel lessons history 2026-son-la-ca-phe
    """
    from mel_core.cli.store import current_store
    from mel_core.lessons.workflow import find_lesson, steps
    from mel_core.store import session_scope
    from mel_core.text import terminal_safe

    engine = current_store()
    with session_scope(engine) as session:
        lesson = find_lesson(session, lesson_id)
        state, done = lesson.status, steps(session, lesson)
    typer.echo(f"{lesson_id}: {state}")
    for step in done:
        line = f"  {step.at:%Y-%m-%d %H:%M} UTC  {step.action:<8} {terminal_safe(step.by)}"
        typer.echo(line + (f"  {terminal_safe(step.comment)}" if step.comment else ""))


@app.command("export")
def export(
    lesson_ids: list[str] = typer.Argument(None, help="Lesson ids (default: every published lesson)."),
    out: Path = typer.Option(Path("lessons"), "--out", help="The lessons folder (files go in <year>/)."),
    force: bool = typer.Option(False, "--force", help="Overwrite a file that differs from the store."),
) -> None:
    """Write lessons from the store back out as lesson files (a lesson written in the portal, once published).

    Ingesting an exported file again changes nothing. A file already there with other content is kept (it may
    hold edits not yet ingested) unless --force. The files hold the lessons' contact details: keep them private.

    Example: mel lessons export --out lessons/
    (one lesson: mel lessons export 2026-nuoi-lon-den-ban-dia --out lessons/)
    """
    from mel_core.cli.store import current_store
    from mel_core.lessons.export import export_lessons
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        report = export_lessons(session, out, lesson_ids or None, force=force)
    typer.echo(
        render(
            message(
                "cli.lessons.export_counts",
                written=len(report.written),
                unchanged=len(report.unchanged),
                kept=len(report.kept),
            )
        )
    )
    for path in report.kept:
        typer.echo(render(message("cli.lessons.kept_differs", path=path)))


@app.command("import-docx")
def import_docx(
    file: Path = typer.Argument(..., help="A Word (.docx) submission written to the outline's headings."),
    out: Path = typer.Option(Path("lessons"), "--out", help="The lessons folder (the file goes in <year>/)."),
) -> None:
    """Turn a Word submission into a lesson file; what cannot be inferred is marked TODO for a person.

    Phone numbers and e-mail addresses are moved into the private `contact` block.

    Example: mel lessons import-docx bao-cao-dien-bien.docx --out lessons/
    """
    from mel_core.lessons.docx import import_docx as convert

    result = convert(file, out)
    typer.echo(render(message("cli.lessons.wrote", path=result.path)))
    if result.todo:
        fields = ", ".join(result.todo)
        typer.echo(render(message("cli.lessons.fill_by_hand", fields=fields, path=result.path)))
