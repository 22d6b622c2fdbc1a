"""``mel lessons new|check|ingest|import-docx``: lesson files (letter 247/KTHT-GN) in and out of the store."""

from __future__ import annotations

from pathlib import Path

import typer

from mel_core.i18n import render, say

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
    typer.echo(
        render(
            say(
                f"wrote {path}; fill it in, then: mel lessons check {path}",
                f"đã ghi {path}; điền nội dung rồi chạy: mel lessons check {path}",
            )
        )
    )


@app.command("check")
def check(
    paths: list[Path] = typer.Argument(None, help="Lesson files or folders (default: lessons/)."),
) -> None:
    """Check lesson files against the format and list every problem with file and line (Kiểm tra tệp bài học).

    Example: mel lessons check lessons/2026
    """
    from mel_core.lessons.check import check_lessons

    checked = check_lessons(paths or [Path("lessons")])
    n = len(checked)
    typer.echo(
        render(
            say(
                f"{n} lesson files checked; no problems found.", f"đã kiểm tra {n} tệp bài học; không có lỗi."
            )
        )
    )


@app.command("ingest")
def ingest(
    path: Path = typer.Argument(Path("lessons"), help="A lesson file or folder (default: lessons/)."),
    prune: bool = typer.Option(
        False, "--prune", help="Delete lessons from the store whose file is no longer there."
    ),
) -> None:
    """Load lesson files into the store: all are checked first; nothing is written if any has a problem.

    Lessons are matched by their id: a changed file updates its lesson, an unchanged one is skipped.
    Lessons whose file was removed are reported (and deleted with --prune).

    Example: mel lessons ingest lessons/ --prune
    """
    from mel_core.cli.data import _engine, _require_store
    from mel_core.lessons.ingest import ingest_lessons

    engine = _engine()
    _require_store(engine)
    report = ingest_lessons(engine, path, prune=prune)
    for line in report.lines():
        typer.echo(render(line))


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
    typer.echo(render(say(f"wrote {result.path}", f"đã ghi {result.path}")))
    if result.todo:
        fields = ", ".join(result.todo)
        typer.echo(
            render(
                say(
                    f"to fill in by hand: {fields}; then: mel lessons check {result.path}",
                    f"cần điền tay: {fields}; sau đó chạy: mel lessons check {result.path}",
                )
            )
        )
