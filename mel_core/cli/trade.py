"""``mel trade``: the trade-promotion reports of seed 000, counted from activity and enterprise records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from mel_core.i18n import language, message, render

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mel_core.trade.reports import TradeReport

Breakdown = Literal["province", "region", "sector"]

app = typer.Typer(
    help="Trade promotion (seed 000): reports of a centre or association and of the programme, and the"
    " provincial indicator sheet, counted from the activity and enterprise records. Enterprise figures appear"
    " only as totals over at least MEL_ENTERPRISE_MIN_COUNT enterprises (default 3).\n\n"
    "Example: mel trade report quarterly XTTM-T11 --period 2026-Q3 --format html",
    no_args_is_help=True,
)
report_app = typer.Typer(
    help="A centre's or association's quarterly or annual report, or a programme report by province, region or"
    " product sector.\n\nExample: mel trade report sector XTTM --period 2026",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")

PROGRAMME = typer.Argument(
    ..., help="The code of a trade-promotion programme (a centre's or the programme's)."
)
FORMAT = typer.Option("xlsx", "--format", metavar="xlsx|html", help="Excel workbook or printable HTML page.")
OUT = typer.Option(
    None, "--out", help="The file to write (default: xttm_<kind>_<programme>_<period>.<format>)."
)


def _write(
    build: Callable[[Connection], TradeReport], programme: str, period: str, fmt: str, out: Path | None
) -> None:
    from mel_core.cli.store import current_store
    from mel_core.trade.report_files import write_report

    if fmt not in ("xlsx", "html"):
        raise typer.BadParameter(f"{fmt!r}: use xlsx or html", param_hint="--format")
    engine = current_store()
    with engine.connect() as conn:
        report = build(conn)
    path = out or Path(f"xttm_{report.kind}_{programme}_{report.period}.{fmt}")
    written = write_report(report, path, fmt, language())
    for warning in report.warnings:
        typer.echo(render(warning), err=True)
    typer.echo(render(message("cli.trade.wrote", written=written)))


@report_app.command("quarterly")
def quarterly(
    programme: str = PROGRAMME,
    period: str = typer.Option(..., "--period", help="A quarter such as 2026-Q3."),
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """The quarterly report of a centre or association (Báo cáo quý của Trung tâm, Hiệp hội).

    Example: mel trade report quarterly XTTM-T11 --period 2026-Q3 --format html
    """
    from mel_core.trade.reports import centre_report

    _write(lambda conn: centre_report(conn, programme, _quarter(period)), programme, period, fmt, out)


def _quarter(period: str) -> str:
    from mel_core.periods import PeriodKind, parse_period
    from mel_core.trade.reports import TradeReportError

    if parse_period(period).kind != PeriodKind.QUARTER:
        raise TradeReportError(message("cli.trade.not_a_quarter", period=period), hint="2026-Q3")
    return period


@report_app.command("annual")
def annual(
    programme: str = PROGRAMME,
    period: str = typer.Option(..., "--period", help="A year such as 2026."),
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """The annual report of a centre or association (Báo cáo năm của Trung tâm, Hiệp hội).

    Example: mel trade report annual XTTM-T11 --period 2026
    """
    from mel_core.periods import PeriodKind, parse_period
    from mel_core.trade.reports import TradeReportError, centre_report

    if parse_period(period).kind != PeriodKind.YEAR:
        raise TradeReportError(message("cli.trade.not_a_year", period=period), hint="2026")
    _write(lambda conn: centre_report(conn, programme, period), programme, period, fmt, out)


def _breakdown(by: Breakdown) -> Callable[..., None]:
    def command(
        programme: str = PROGRAMME,
        period: str = typer.Option(..., "--period", help="A quarter, half-year or year such as 2026."),
        fmt: str = FORMAT,
        out: Path | None = OUT,
    ) -> None:
        from mel_core.trade.reports import breakdown_report

        _write(lambda conn: breakdown_report(conn, programme, period, by), programme, period, fmt, out)

    command.__doc__ = (
        f"The programme report by {by} (Báo cáo theo {dict(province='tỉnh', region='vùng', sector='ngành hàng')[by]}):"
        f" one column per {by}, with the programme's total.\n\n"
        f"Example: mel trade report {by} XTTM --period 2026 --format html"
    )
    return command


report_app.command("province")(_breakdown("province"))
report_app.command("region")(_breakdown("region"))
report_app.command("sector")(_breakdown("sector"))


@app.command("indicators")
def indicators(
    programme: str = PROGRAMME,
    period: str = typer.Option(..., "--period", help="A quarter, half-year or year such as 2026-Q3."),
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """The 14 provincial indicators of seed 000 for a centre's programme, counted from the records.

    Example: mel trade indicators XTTM-T11 --period 2026 --format xlsx
    """
    from mel_core.trade.reports import indicator_sheet

    _write(lambda conn: indicator_sheet(conn, programme, period), programme, period, fmt, out)
