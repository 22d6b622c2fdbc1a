"""The ``mel`` command line: thin commands, one per noun; errors are translated here, once.

Every command parses its arguments, calls one ``mel_core`` function and prints. Heavy imports happen inside the
commands so ``mel --help`` stays instant.
"""

from __future__ import annotations

import sys

import typer

from mel_core import __version__
from mel_core.cli import data, demo
from mel_core.errors import ImportValidationError, MelError

app = typer.Typer(
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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mel {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """MEL knowledge base (Cơ sở tri thức theo dõi, đánh giá và học hỏi)."""


def report_error(exc: MelError) -> int:
    """Print a user-facing error (every problem, then what to do next) and return its exit code."""
    err = typer.get_text_stream("stderr")
    if isinstance(exc, ImportValidationError):
        for problem in exc.problems:
            err.write(f"  {problem}\n")
    err.write(f"Error: {exc.message}\n")
    if exc.hint:
        err.write(f"{exc.hint}\n")
    return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mel`` console script: usage errors are Typer's, user errors are ours."""
    try:
        app(args=argv, prog_name="mel")  # standalone: Typer reports usage errors and exits with code 2
    except MelError as exc:
        return report_error(exc)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
