"""The ``mel`` command line: thin commands, one per noun; errors are translated here, once.

Every command parses its arguments, calls one ``mel_core`` function and prints. Heavy imports happen inside the
commands so ``mel --help`` stays instant.
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from mel_core import __version__
from mel_core.cli import (
    attachments,
    audit,
    book,
    calls,
    data,
    demo,
    evaluate,
    kb,
    lessons,
    recommendations,
    report,
    serve,
    submissions,
    trade,
    users,
)
from mel_core.errors import ImportValidationError, MelError, StoreError
from mel_core.i18n import LANGUAGES, language, message, render, t
from mel_core.text import terminal_safe


def unwrapped(text: str) -> str:
    """Help text as the terminal should wrap it: the lines of each paragraph joined, since Typer keeps a
    docstring's line breaks, which at 80 columns leave ragged half-lines. An example paragraph (``Example…``) and
    one marked with click's ``\\b`` keep their lines as written."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith(("Example", "\b")) else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def _unwrap(command: Any) -> None:
    if command.help:
        command.help = unwrapped(command.help)
    for sub in getattr(command, "commands", {}).values():
        _unwrap(sub)


class _Root(TyperGroup):
    """The ``mel`` group: every command's help is unwrapped (:func:`unwrapped`) before the command line is read."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        _unwrap(self)
        return super().main(*args, **kwargs)


app = typer.Typer(
    cls=_Root,
    name="mel",
    help="MEL knowledge base: monitoring, evaluation and learning for poverty-reduction programmes in Vietnam.\n\n"
    "Example: mel demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(data.init)
app.command("import")(data.import_)
app.command("export")(data.export)
app.command("demo")(demo.demo)
app.add_typer(book.app, name="book")
app.add_typer(evaluate.app, name="evaluate")
app.add_typer(kb.app, name="kb")
app.add_typer(lessons.app, name="lessons")
app.add_typer(report.app, name="report")
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(recommendations.app, name="recommendations")
app.add_typer(submissions.app, name="submissions")
app.add_typer(calls.app, name="calls")
app.command("audit")(audit.audit)
app.command("attach")(attachments.attach)
app.add_typer(attachments.app, name="attachments")
app.add_typer(trade.app, name="trade")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mel {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
    lang: str = typer.Option(
        "",
        "--lang",
        metavar="vi|en",
        help="Language of messages: vi (tiếng Việt) or en. Default: MEL_LANG, else the locale, else en.",
    ),
) -> None:
    """MEL knowledge base (Cơ sở tri thức theo dõi, đánh giá và học hỏi)."""
    if lang:
        if lang not in LANGUAGES:
            raise typer.BadParameter(f"{lang!r}: use vi or en", param_hint="--lang")
        os.environ["MEL_LANG"] = lang


#: The exit code of an unexpected failure (a bug): EX_SOFTWARE of sysexits.h.
UNEXPECTED = 70


def report_error(exc: MelError) -> int:
    """Print a user-facing error (every problem, then what to do next) and return its exit code."""
    lang = language()
    err = typer.get_text_stream("stderr")
    # a problem quotes what the input held: shown, never obeyed by the terminal
    if isinstance(exc, ImportValidationError):
        for problem in exc.problems:
            err.write(f"  {terminal_safe(problem.render(lang))}\n")
    elif isinstance(getattr(exc, "problems", None), list):
        for line in exc.problems:  # type: ignore[attr-defined]
            err.write(f"  {terminal_safe(render(line, lang))}\n")
    for line in exc.details(lang):
        err.write(f"  {line}\n")
    err.write(f"{t('common.Error', lang)}: {terminal_safe(render(exc.message, lang))}\n")
    if exc.hint:
        err.write(f"{render(exc.hint, lang)}\n")
    return exc.exit_code


def _database_failure(exc: Exception) -> MelError | None:
    """A failure the database itself reported (unreadable file, server down, disk full) as a StoreError."""
    if not type(exc).__module__.startswith("sqlalchemy"):
        return None
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    return StoreError(
        message("cli.main.database_failed", orig=exc.orig),
        hint=message("cli.main.database_hint"),
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mel`` console script: usage errors are Typer's, user errors are ours."""
    try:
        # standalone: Typer reports usage errors (exit 2) and turns Ctrl+C into exit 130; an open transaction
        # is rolled back as its connection closes, so an interrupted command writes nothing
        app(args=argv, prog_name="mel")
    except MelError as exc:
        return report_error(exc)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # a bug: one line and what to do, the traceback only on request
        if os.environ.get("MEL_DEBUG"):
            raise
        store_error = _database_failure(exc)
        if store_error is not None:
            return report_error(store_error)
        lang = language()
        err = typer.get_text_stream("stderr")
        failure = message("cli.main.unexpected_failure")
        err.write(f"{t('common.Error', lang)}: {render(failure, lang)}: {type(exc).__name__}: {exc}\n")
        hint = message("cli.main.bug_hint")
        err.write(f"{render(hint, lang)}\n")
        return UNEXPECTED
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
