"""``mel report monthly|quarterly|six-month|annual|five-year``: the MPI report forms (Tables 4.2, 4.5, 4.1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from mel_core.cli import narrative
from mel_core.cli.options import PLAN, PROGRAMME, PROVINCE, period_option
from mel_core.i18n import message, render

app = typer.Typer(
    help="MPI report forms for a programme, a province, a district or a commune (Biểu báo cáo theo dõi, đánh"
    " giá), on the manual's reporting schedule: monthly, quarterly, six-month and annual → Table 4.2 (planned"
    " against implemented), five-year → Table 4.5; Table 4.1 (the framework of a year's plan) with"
    " `annual --form 4.1`.\n\n"
    "Example: mel report annual DB-BSS-2011 --period 2015 --format xlsx",
    no_args_is_help=True,
)
app.add_typer(narrative.app, name="narrative")

DISTRICT = typer.Option(
    None, "--district", metavar="CODE", help="A district code (before the 2025 reform): the programmes with"
    " figures there, its communes rolled up into it.",
)  # fmt: skip
COMMUNE = typer.Option(
    None, "--commune", metavar="CODE", help="A commune code: the programmes with figures there (or at the"
    " communes merged into it in 2025).",
)  # fmt: skip
FORMAT = typer.Option("xlsx", "--format", metavar="xlsx|html", help="Excel workbook or printable HTML page.")
OUT = typer.Option(
    None, "--out", help="The file to write (default: bieu-<form>_<programme or unit>_<period>.<format>)."
)
SECTOR = typer.Option(
    None, "--sector", metavar="KEY", help="A sector of the plan (agriculture, education, health, poverty …: the"
    " plan_sectors of kb/taxonomy.yml): its framework, appendix 2a (annual) or 4a (five-year).",
)  # fmt: skip


def _run(
    kind: str, programme: str | None, province: str | None, period: str | None, fmt: str, out: Path | None,
    form: str | None = None, district: str | None = None, commune: str | None = None, sector: str | None = None,
    plan: str = "adjusted",
) -> None:  # fmt: skip
    """Build a report form (with ``sector``: the framework of one sector of the plan, appendices 2a and 4a),
    write it and say where."""
    from mel_core.cli.store import reading
    from mel_core.reports import build_report, default_name, write_report

    if fmt not in ("xlsx", "html"):
        raise typer.BadParameter(f"{fmt!r}: use xlsx or html", param_hint="--format")
    if sector is not None:
        district = commune = None  # a sector's framework is a programme's or a province's
    table = reading(
        lambda session: build_report(
            session, kind, programme=programme, province=province, district=district, commune=commune,  # type: ignore[arg-type]
            period=period, form=form, sector=sector, plan=plan,  # type: ignore[arg-type]
        )
    )  # fmt: skip
    if sector is None:
        who = programme or (
            f"tinh-{province}" if province else f"huyen-{district}" if district else f"xa-{commune}"
        )
    else:
        who = f"{programme or f'tinh-{province}'}_{sector}"
    written = write_report(table, out or Path(default_name(table, who, fmt)), fmt)  # type: ignore[arg-type]
    if sector is None:
        done = message("cli.report.wrote_table", form=table.form, period=table.period, written=written)
    else:
        done = message(
            "cli.report.wrote_appendix", form=table.form, sector=sector, period=table.period, written=written
        )
    typer.echo(render(done))


def _period_command(kind: str, period_example: str, doc: str) -> Callable[..., None]:
    """The command of a report form of one kind of period, for a programme or an admin unit (Table 4.2)."""

    def command(
        programme: str | None = PROGRAMME,
        province: str | None = PROVINCE,
        district: str | None = DISTRICT,
        commune: str | None = COMMUNE,
        period: str | None = period_option(period_example),
        plan: str = PLAN,
        fmt: str = FORMAT,
        out: Path | None = OUT,
    ) -> None:
        _run(kind, programme, province, period, fmt, out, district=district, commune=commune, plan=plan)

    command.__doc__ = doc
    return command


app.command("monthly")(
    _period_command(
        "monthly",
        "A month such as 2015-07",
        """Table 4.2 for a month: planned against implemented (Báo cáo tháng).

    A month without its own target is measured against the year's plan; for a running total or a level the
    figure is the latest reported inside the month. Missing figures show as "chưa có số liệu", never as zero.

    Example: mel report monthly XTTM-2013 --period 2015-07 --format html
    """,
    )
)
app.command("quarterly")(
    _period_command(
        "quarterly",
        "A quarter such as 2015-Q3",
        """Table 4.2 for a quarter: planned against implemented (Báo cáo quý).

    A quarter without its own target is measured against the year's plan; without a figure of its own, the latest
    monthly figure inside the quarter is shown and the note names its month. Missing figures show as "chưa có số
    liệu", never as zero.

    Example: mel report quarterly XTTM-2013 --period 2015-Q3  (a province: mel report quarterly --province 01)
    """,
    )
)
app.command("six-month")(
    _period_command(
        "six-month",
        "A half-year such as 2013-H1",
        """Table 4.2 after six months: planned against implemented, outputs and outcomes (Báo cáo 6 tháng).

    A half-year without its own target is measured against the year's plan. Missing figures show as
    "chưa có số liệu", never as zero.

    Example: mel report six-month --province 11 --period 2013-H1 --format html
    """,
    )
)


@app.command("annual")
def annual(
    programme: str | None = PROGRAMME,
    province: str | None = PROVINCE,
    district: str | None = DISTRICT,
    commune: str | None = COMMUNE,
    period: str | None = period_option("A year such as 2015"),
    form: str = typer.Option(
        "4.2",
        "--form",
        metavar="4.2|4.1|1b",
        help="4.2: results against plan; 4.1: the framework of the year's plan (with --sector: appendix 2a); 1b:"
        " the framework with the key remaining issues (appendix 1b).",
    ),
    sector: str | None = SECTOR,
    plan: str = PLAN,
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """Table 4.2 for a year (Báo cáo năm), or with --form 4.1 the M&E framework of the year's plan (Biểu 4.1),
    with --form 1b the framework with the key remaining issues (appendix 1b), or with --sector the framework
    of one sector's plan (appendix 2a).

    Objectives, solutions and indicators are placed in the fields and sectors of the plan by each indicator's own
    sector; a province's framework lists every field and sector.

    Rated against the plan in force by default; --plan original rates against the plan as first approved.

    Example: mel report annual DB-BSS-2011 --period 2015  (the framework: mel report annual DB-BSS-2011 --form 4.1;
    with the key remaining issues: mel report annual --province 11 --period 2013 --form 1b;
    a sector: mel report annual --province 11 --sector agriculture --period 2013)
    """
    _run("annual", programme, province, period, fmt, out, form, district, commune, sector, plan)


@app.command("five-year")
def five_year(
    programme: str | None = PROGRAMME,
    province: str | None = PROVINCE,
    district: str | None = DISTRICT,
    commune: str | None = COMMUNE,
    period: str | None = period_option("Five years such as 2011-2015"),
    sector: str | None = SECTOR,
    plan: str = PLAN,
    fmt: str = FORMAT,
    out: Path | None = OUT,
) -> None:
    """Table 4.5: five-year target, annual plans, actual and completion rate (Báo cáo 5 năm); with --sector the
    framework of one sector's five-year plan (appendix 4a).

    Example: mel report five-year DB-BSS-2011 --period 2011-2015 --format xlsx --out bao-cao-5-nam.xlsx
    (a sector: mel report five-year --province 11 --sector poverty --format html)
    """
    _run(
        "five-year", programme, province, period, fmt, out, district=district, commune=commune, sector=sector,
        plan=plan,
    )  # fmt: skip


@app.command("compare")
def compare_provinces(
    programme: str = typer.Argument(
        ..., help="A programme code: its provinces are compared.", show_default=False
    ),
    period: str | None = typer.Option(
        None,
        "--period",
        help="Any period: 2013, 2013-H1, 2015-Q3, 2011-2015 (default: the latest year with data).",
    ),
    region: str | None = typer.Option(
        None, "--region", help='Only the provinces of this region ("Central Highlands" or "Tây Nguyên").'
    ),
    by: str = typer.Option(
        "actual",
        "--by",
        metavar="actual|completion",
        help="Rank by the actual or by the completion rate against each province's plan.",
    ),
    fmt: str = FORMAT,
    out: Path | None = typer.Option(
        None, "--out", help="The file to write (default: so-sanh_<programme>_<period>.<format>)."
    ),
) -> None:
    """The provinces of a programme side by side (So sánh giữa các tỉnh): each indicator's actual, completion
    rate and rank in every province, and the total of each region (benchmarking, seed 003).

    Equal values share a rank; a falling indicator (poverty rate) ranks its lowest value first. A region's total
    follows the rollup rules (counts summed, rates never averaged) and needs every province's figure.

    Example: mel report compare GOPA --period 2013 --region "Tây Nguyên" --format html
    """
    from sqlmodel import Session

    from mel_core.cli.store import current_store
    from mel_core.reports import default_name, write_report
    from mel_core.reports.compare import RANK_BY, compare

    if fmt not in ("xlsx", "html"):
        raise typer.BadParameter(f"{fmt!r}: use xlsx or html", param_hint="--format")
    if by not in RANK_BY:
        raise typer.BadParameter(f"{by!r}: use actual or completion", param_hint="--by")
    engine = current_store()
    with Session(engine) as session:
        table = compare(session, programme, period=period, region=region, by=by)
    path = out or Path(default_name(table, programme, fmt).replace("bieu-so sánh", "so-sanh"))  # type: ignore[arg-type]
    written = write_report(table, path, fmt)  # type: ignore[arg-type]
    typer.echo(render(message("cli.report.wrote_comparison_provinces", period=table.period, written=written)))


@app.command("commune-plan")
def commune_plan(
    commune: str = typer.Option(..., "--commune", metavar="CODE", help="The commune's code (admin_units)."),
    year: int | None = typer.Option(None, "--year", help="The year of the plan (default: this year)."),
    out: Path | None = typer.Option(
        None, "--out", help="The workbook to write (default: ke-hoach-xa_<commune>_<year>.xlsx)."
    ),
) -> None:
    """The commune's planning workbook (seed 001): its annual plan (sheet targets) and its data-collection form
    (sheet observations) in Excel, filled in with what the store knows (Kế hoạch và biểu thu thập thông tin xã).

    Fill in the value column and import the file back with `mel import`: every problem is listed, nothing is
    written while one remains, and importing it again changes nothing. Columns named with a leading `_` (the
    indicator's name, unit, last year's plan and result) are for reading only.

    Example: mel report commune-plan --commune 11-NS --year 2026 --out ke-hoach-2026.xlsx
    """
    from datetime import date

    from sqlmodel import Session

    from mel_core.cli.store import current_store
    from mel_core.reports.commune_plan import commune_plan as build
    from mel_core.reports.commune_plan import write_commune_plan

    engine = current_store()
    chosen = year or date.today().year
    with Session(engine) as session:
        plan = build(session, commune, chosen)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in commune)
    written = write_commune_plan(plan, out or Path(f"ke-hoach-xa_{safe}_{chosen}.xlsx"))
    typer.echo(
        render(
            message(
                "cli.report.wrote_commune_plan",
                unit=plan["title"],
                year=chosen,
                indicators=len(plan["targets"]),
                figures=len(plan["observations"]),
                written=written,
            )
        )
    )
