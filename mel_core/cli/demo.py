"""``mel demo``: the main job on the embedded sample."""

from __future__ import annotations


def demo() -> None:
    """Build a fresh SQLite store (MEL_HOME/mel.db) from the embedded, illustrative sample workbook and summarise it.

    The sample (dữ liệu minh hoạ) holds programmes of the kinds in the source documents: breeding cattle and
    goats for poor households, crop and forestry models, vocational training, trade promotion, governance and an
    NGO livelihood model, with results frameworks, targets, observations, expenditures, activities and surveys.

    Example: mel demo  (elsewhere: MEL_HOME=/tmp/mel-demo mel demo)
    """
    from rich.console import Console
    from rich.table import Table

    from mel_core.config import load_settings
    from mel_core.demo.run import run_demo
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    console = Console()
    settings = load_settings()
    console.print(f"Sample workbook (illustrative / minh hoạ): {SAMPLE_WORKBOOK}")
    with console.status("Creating the store and importing the sample …"):
        result = run_demo(settings)
    table = Table(title="Programmes in the store (illustrative sample)")
    for column in (
        "code",
        "title",
        "sector",
        "years",
        "provinces",
        "indicators",
        "observations",
        "survey records",
        "disbursed (million VND)",
    ):
        table.add_column(column, overflow="fold")
    for p in result.programmes:
        table.add_row(
            p.code,
            p.title,
            p.sector,
            p.years,
            "; ".join(p.provinces),
            str(p.counts.get("indicators", 0)),
            str(p.counts.get("observations", 0)),
            str(p.counts.get("survey records", 0)),
            f"{p.disbursed_million_vnd:,.0f}",
        )
    console.print(table)
    for t in result.report.tables:
        console.print(f"  {t.name:<13} {t.rows:>7} rows")
    console.print(f"Store: {result.db_url}")
    console.print("Next: mel export sample-out.xlsx  ·  mel import PATH --dry-run  ·  mel --help")
