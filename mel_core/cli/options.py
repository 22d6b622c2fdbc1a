"""What several commands read from their options the same way."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from mel_core.i18n import message, render

#: A report's programme, the argument of ``mel report …`` and ``mel report narrative …``.
PROGRAMME = typer.Argument(None, help="A programme code (or give --province instead).", show_default=False)
#: A report's province, instead of a programme.
PROVINCE = typer.Option(
    None, "--province", metavar="CODE", help="A GSO province code, old or current (11 = Điện Biên): every"
    " programme working in the province.",
)  # fmt: skip
#: The plan a report form or a narrative report shows and rates against.
PLAN = typer.Option(
    "adjusted", "--plan", metavar="adjusted|original", help="The plan to show and rate against: adjusted (the"
    " plan in force, where a target was adjusted) or original (as first approved). The report says which.",
)  # fmt: skip


def period_option(example: str) -> Any:
    """The ``--period`` option of a report of one kind of period: ``example`` such as "A year such as 2015"."""
    return typer.Option(None, "--period", help=f"{example} (default: the latest with data).")


def day(value: str, option: str) -> date:
    """The date written ``YYYY-MM-DD`` in ``option``.

    Raises:
        typer.BadParameter: it is not a date (exit 2, naming the option).
    """
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            render(message("cli.options.not_a_date", value=value)),
            param_hint=option,
        ) from None
