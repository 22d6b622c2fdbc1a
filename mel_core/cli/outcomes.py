"""How evaluations that just ran are shown on the terminal (``mel evaluate``, ``mel demo``)."""

from __future__ import annotations

from typing import Any

from mel_core.i18n import t


def print_outcomes(outcomes: list[Any], lang: str) -> None:
    """A table of evaluations (``mel evaluate``, ``mel demo``): each one's status and level per criterion, then
    the overall rating in words and the folder of its notebooks."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from mel_core.i18n import rating
    from mel_core.vocabulary import RATED

    console = Console()
    table = Table(box=box.SIMPLE_HEAD, title=t("cli.evaluate.evaluations", lang))
    table.add_column(t("cli.evaluate.evaluation", lang), no_wrap=True)
    table.add_column(t("cli.evaluate.status", lang), no_wrap=True)
    short = {"relevance": "rel", "coherence": "coh", "effectiveness": "eff", "efficiency": "efc", "impact": "imp",
             "sustainability": "sus", "overall": "all"}  # fmt: skip
    for criterion in RATED:
        table.add_column(short[criterion], justify="center", no_wrap=True)
    for o in outcomes:
        cells = [str(o.levels.get(c) or "–") if o.status == "succeeded" else "" for c in RATED]
        table.add_row(o.code, o.status, *cells)
    console.print(table)
    console.print(
        "  rel relevance · coh coherence · eff effectiveness · efc efficiency · imp impact · sus sustainability"
        " · all overall; 4 best … 1, – not rated",
        style="dim",
        soft_wrap=True,
    )
    for o in outcomes:
        if o.status == "succeeded" and "overall" in o.levels:
            console.print(f"  {o.code}: {rating('overall', o.levels['overall'], lang)}", soft_wrap=True)
        console.print(f"  {o.output_dir}", style="dim", soft_wrap=True)
