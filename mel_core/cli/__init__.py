"""The ``mel`` command line: thin commands, one per noun; errors are translated here, once.

Every command parses its arguments, calls one ``mel_core`` function and prints. Heavy imports happen inside the
commands so ``mel --help`` stays instant.
"""

from __future__ import annotations

import os
import sys

import typer

from mel_core import __version__
from mel_core.cli import data, demo
from mel_core.errors import ImportValidationError, MelError, StoreError

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


#: The exit code of an unexpected failure (a bug): EX_SOFTWARE of sysexits.h.
UNEXPECTED = 70


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


def _database_failure(exc: Exception) -> MelError | None:
    """A failure the database itself reported (unreadable file, server down, disk full) as a StoreError."""
    if not type(exc).__module__.startswith("sqlalchemy"):
        return None
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    return StoreError(
        f"the database reported: {exc.orig}",
        hint="Check that MEL_DB_URL (or MEL_HOME) points to a MEL store you can write, that the server is up"
        " and the disk is not full; `mel init` creates a store.",
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mel`` console script: usage errors are Typer's, user errors are ours."""
    try:
        app(args=argv, prog_name="mel")  # standalone: Typer reports usage errors and exits with code 2
    except MelError as exc:
        return report_error(exc)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        typer.get_text_stream("stderr").write(
            "Interrupted; nothing was committed by the step that was running.\n"
        )
        return 130
    except Exception as exc:  # a bug: one line and what to do, the traceback only on request
        if os.environ.get("MEL_DEBUG"):
            raise
        store_error = _database_failure(exc)
        if store_error is not None:
            return report_error(store_error)
        err = typer.get_text_stream("stderr")
        err.write(f"Error: unexpected failure: {type(exc).__name__}: {exc}\n")
        err.write(
            "This is a bug in mel, not in your data. Run the command again with MEL_DEBUG=1 to see the traceback,"
            " and report it with the command you ran.\n"
        )
        return UNEXPECTED
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
