"""``mel report monthly|quarterly|six-month|annual|five-year``: the MPI report forms (Tables 4.2, 4.5, 4.1)."""

from __future__ import annotations

from pathlib import Path

import typer

from mel_core.cli import narrative
from mel_core.i18n import render, say

app = typer.Typer(
    help="MPI report forms for a programme or a province (Biểu báo cáo theo dõi, đánh giá), on the manual's"
    " reporting schedule: monthly, quarterly, six-month and annual → Table 4.2 (planned against implemented),"
    " five-year → Table 4.5; Table 4.1 (the framework of a year's plan) with `annual --form 4.1`.\n\n"
    "Example: mel report annual DB-BSS-2011 --period 2015 --format xlsx",
    no_args_is_help=True,
)
app.add_typer(narrative.app, name="narrative")

PROGRAMME = typer.Argument(None, help="A programme code (or give --province instead).", show_default=False)
PROVINCE = typer.Option(
    None, "--province", metavar="CODE", help="A GSO province code, old or current (11 = Điện Biên): every"
    " programme working in the province.",
)  # fmt: skip
FORMAT = typer.Option("xlsx", "--format", metavar="xlsx|html", help="Excel workbook or printable HTML page.")
OUT = typer.Option(
    None, "--out", help="The file to write (default: bieu-<form>_<programme or province>_<period>.<format>)."
)


def _run(
    kind: str, programme: str | None, province: str | None, period: str | None, fmt: str, out: Path | None,
    form: str | None = None,
) -> None:  # fmt: skip
    from sqlmodel import Session

    from mel_core.cli.data import _engine, _require_store
    from mel_core.reports import build_report, default_name, write_report

    if fmt not in ("xlsx", "html"):
        raise typer.BadParameter(f"{fmt!r}: use xlsx or html", param_hint="--format")
    engine = _engine()
    _require_store(engine)
    with Session(engine) as session:
        table = build_report(session, kind, programme=programme, province=province, period=period, form=form)  # type: ignore[arg-type]
    path = out or Path(default_name(table, programme or f"tinh-{province}", fmt))  # type: ignore[arg-type]
    written = write_report(table, path, fmt)  # type: ignore[arg-type]
    typer.echo(
        render(
            say(
                f"wrote Table {table.form} for {table.period}: {written}",
                f"đã ghi Biểu {table.form} kỳ {table.period}: {written}",
            )
        )
    )


SECTOR = typer.Option(
    None, "--sector", metavar="KEY", help="A sector of the plan (agriculture, education, health, poverty …: the"
    " plan_sectors of kb/taxonomy.yml): its framework, appendix 2a (annual) or 4a (five-year).",
)  # fmt: skip


def _run_sector(
    kind: str, programme: str | None, province: str | None, period: str | None, fmt: str, out: Path | None,
    form: str | None, sector: str,
) -> None:  # fmt: skip
    """The framework of one sector of the plan (appendices 2a and 4a) for a province or a programme."""
    from sqlmodel import Session

    from mel_core.cli.data import _engine, _require_store
    from mel_core.reports import build_report, default_name, write_report

    if fmt not in ("xlsx", "html"):
        raise typer.BadParameter(f"{fmt!r}: use xlsx or html", param_hint="--format")
    engine = _engine()
    _require_store(engine)
    with Session(engine) as session:
        table = build_report(
            session, kind, programme=programme, province=province, period=period, form=form, sector=sector,  # type: ignore[arg-type]
        )  # fmt: skip
    who = f"{programme or f'tinh-{province}'}_{sector}"
    written = write_report(table, out or Path(default_name(table, who, fmt)), fmt)  # type: ignore[arg-type]
    typer.echo(
        render(
            say(
                f"wrote appendix {table.form} ({sector}) for {table.period}: {written}",
                f"đã ghi phụ lục {table.form} (ngành {sector}) kỳ {table.period}: {written}",
            )
        )
    )


@app.command("monthly")
def monthly(
    programme: str | None = PROGRAMME,
    province: str | None = PROVINCE,
    period: str | None = typer.Option(
        None, "--period", help="A month such as 2015-07 (default: the latest with data)."
    ),
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """Table 4.2 for a month: planned against implemented (Báo cáo tháng).

    A month without its own target is measured against the year's plan; for a running total or a level the
    figure is the latest reported inside the month. Missing figures show as "chưa có số liệu", never as zero.

    Example: mel report monthly XTTM-2013 --period 2015-07 --format html
    """
    _run("monthly", programme, province, period, fmt, out)


@app.command("quarterly")
def quarterly(
    programme: str | None = PROGRAMME,
    province: str | None = PROVINCE,
    period: str | None = typer.Option(
        None, "--period", help="A quarter such as 2015-Q3 (default: the latest with data)."
    ),
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """Table 4.2 for a quarter: planned against implemented (Báo cáo quý).

    A quarter without its own target is measured against the year's plan; without a figure of its own, the latest
    monthly figure inside the quarter is shown and the note names its month. Missing figures show as "chưa có số
    liệu", never as zero.

    Example: mel report quarterly XTTM-2013 --period 2015-Q3  (a province: mel report quarterly --province 01)
    """
    _run("quarterly", programme, province, period, fmt, out)


@app.command("six-month")
def six_month(
    programme: str | None = PROGRAMME,
    province: str | None = PROVINCE,
    period: str | None = typer.Option(
        None, "--period", help="A half-year such as 2013-H1 (default: the latest with data)."
    ),
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """Table 4.2 after six months: planned against implemented, outputs and outcomes (Báo cáo 6 tháng).

    A half-year without its own target is measured against the year's plan. Missing figures show as
    "chưa có số liệu", never as zero.

    Example: mel report six-month --province 11 --period 2013-H1 --format html
    """
    _run("six-month", programme, province, period, fmt, out)


@app.command("annual")
def annual(
    programme: str | None = PROGRAMME,
    province: str | None = PROVINCE,
    period: str | None = typer.Option(
        None, "--period", help="A year such as 2015 (default: the latest with data)."
    ),
    form: str = typer.Option(
        "4.2",
        "--form",
        metavar="4.2|4.1",
        help="4.2: results against plan; 4.1: the framework of the year's plan (with --sector: appendix 2a).",
    ),
    sector: str | None = SECTOR,
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """Table 4.2 for a year (Báo cáo năm), or with --form 4.1 the M&E framework of the year's plan (Biểu 4.1),
    or with --sector the framework of one sector's plan (appendix 2a).

    Objectives, solutions and indicators are placed in the fields and sectors of the plan by each indicator's own
    sector; a province's framework lists every field and sector.

    Example: mel report annual DB-BSS-2011 --period 2015  (the framework: mel report annual DB-BSS-2011 --form 4.1;
    a sector: mel report annual --province 11 --sector agriculture)
    """
    if sector is not None:
        _run_sector("annual", programme, province, period, fmt, out, form, sector)
        return
    _run("annual", programme, province, period, fmt, out, form)


@app.command("five-year")
def five_year(
    programme: str | None = PROGRAMME,
    province: str | None = PROVINCE,
    period: str | None = typer.Option(
        None, "--period", help="Five years such as 2011-2015 (default: the latest with data)."
    ),
    sector: str | None = SECTOR,
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """Table 4.5: five-year target, annual plans, actual and completion rate (Báo cáo 5 năm); with --sector the
    framework of one sector's five-year plan (appendix 4a).

    Example: mel report five-year DB-BSS-2011 --period 2011-2015 --format xlsx --out bao-cao-5-nam.xlsx
    (a sector: mel report five-year --province 11 --sector poverty --format html)
    """
    if sector is not None:
        _run_sector("five-year", programme, province, period, fmt, out, None, sector)
        return
    _run("five-year", programme, province, period, fmt, out)
