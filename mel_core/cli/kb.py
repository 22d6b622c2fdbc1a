"""``mel kb index`` and ``mel kb search``: the searchable knowledge base (thin: mel_core.kb does the work)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from mel_core.i18n import message, render, t
from mel_core.text import terminal_safe

if TYPE_CHECKING:
    from rich.text import Text

    from mel_core.kb.search import SearchResults

app = typer.Typer(
    help="Search lessons, findings, recommendations and programmes (Tìm bài học kinh nghiệm).\n\n"
    'Example: mel kb index && mel kb search "giam ngheo chan nuoi" --province 45',
    no_args_is_help=True,
)


@app.command("index")
def index(
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Build the whole index again instead of updating what changed."
    ),
) -> None:
    """Build or update the search indexes (MEL_HOME/index and MEL_HOME/index-internal) from the store.

    The indexes are built from the store, so run this after `mel lessons ingest` or `mel import`. The public
    index (what `mel kb search` and anonymous visitors of the portal search) never holds internal lessons; the
    internal one, which signed-in readers of the portal search, does. Neither holds contact details. A full
    build writes a new folder and swaps it in at the end.

    Example: mel kb index  (from scratch: mel kb index --rebuild)
    """
    from rich.console import Console

    from mel_core.cli.store import current_store
    from mel_core.config import load_settings
    from mel_core.kb.index import build_index, update_index

    engine = current_store()
    settings = load_settings()
    console = Console(stderr=True)
    # the portal's internal index first: the public one's summary is the line a person reads last
    for audience in ("internal", "public"):
        with console.status(t("cli.kb.indexing")) as status:

            def progress(done: int) -> None:
                status.update(render(message("cli.kb.indexing_progress", done=done)))

            build = build_index if rebuild else update_index
            report = build(engine, settings.index_dir_for(audience), progress=progress, audience=audience)
        typer.echo(render(report.summary()))


def search(
    query: str = typer.Argument(..., help="Words, with or without diacritics, in Vietnamese or English."),
    province: list[str] = typer.Option(
        [], "--province", "-p", help="GSO code or name; today's province also finds its pre-2025 ones."
    ),
    sector: list[str] = typer.Option([], "--sector", "-s", help="Sector key, e.g. livestock."),
    theme: list[str] = typer.Option([], "--theme", "-t", help="Theme key, e.g. empowerment."),
    year: list[str] = typer.Option([], "--year", "-y", help="A year (2013) or a span (2011-2015)."),
    criterion: list[str] = typer.Option([], "--criterion", "-c", help="Criterion key, e.g. impact."),
    funding: list[str] = typer.Option([], "--funding", "-f", help="Funding key, e.g. ngo."),
    kind: list[str] = typer.Option(
        [],
        "--kind",
        "-k",
        help="lesson, lesson_item, finding, recommendation, rating, programme or attachment.",
    ),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=500, help="How many hits to show."),
    as_json: bool = typer.Option(False, "--json", help="Print hits and facet counts as JSON."),
) -> None:
    """Search the knowledge base; a table of hits (best first) and facet counts.

    Type Vietnamese with or without diacritics, or English: "giam ngheo" finds "giảm nghèo" and
    "poverty reduction". Quote a phrase with double quotes. Filters narrow the hits; repeat one to take any
    of its values.

    Example: mel kb search "nhân rộng mô hình" --province "Quang Tri" --sector livestock --json
    """
    from mel_core.config import load_settings
    from mel_core.kb.search import Filters
    from mel_core.kb.search import search as run_search

    filters = Filters.parse(
        province=province,
        sector=sector,
        theme=theme,
        year=year,
        criterion=criterion,
        funding=funding,
        kind=kind,
    )
    results = run_search(load_settings().index_dir, query, filters=filters, limit=limit)
    if as_json:
        typer.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_results(results)


app.command("search")(search)


def _print_results(results: SearchResults) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not results.hits:
        console.print(t("cli.kb.no_hits"))
    else:
        table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column(t("cli.kb.kind"), no_wrap=True)
        table.add_column(t("cli.kb.document"), ratio=1)
        table.add_column(t("cli.kb.score"), justify="right", no_wrap=True)
        for n, hit in enumerate(results.hits, 1):
            # stored text is shown, never obeyed: control characters cannot drive the terminal
            cell = Text(terminal_safe(hit.title), style="bold")
            cell.append(f"\n{terminal_safe(hit.key)}", style="dim")
            if hit.snippet:
                cell.append("\n")
                cell.append_text(_marked(terminal_safe(hit.snippet)))
            table.add_row(str(n), hit.kind, cell, f"{hit.score:.2f}")
        console.print(table)
    shown = len(results.hits)
    console.print(render(message("cli.kb.shown_of_total", shown=shown, total=results.total)), style="dim")
    for facet in results.facets:
        if facet.values:
            values = terminal_safe("  ".join(f"{v.label} ({v.count})" for v in facet.values[:8]))
            console.print(f"[bold]{facet.name}[/bold]: {values}", soft_wrap=True, highlight=False)


def _marked(snippet: str) -> Text:
    """A snippet whose «marked» words show in bold yellow."""
    from rich.text import Text

    from mel_core.kb.snippets import MARK_CLOSE, MARK_OPEN

    text = Text()
    rest = snippet
    while MARK_OPEN in rest:
        before, _, tail = rest.partition(MARK_OPEN)
        marked, _, rest = tail.partition(MARK_CLOSE)
        text.append(before)
        text.append(marked, style="bold yellow")
    text.append(rest)
    return text
