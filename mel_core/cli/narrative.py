"""``mel report narrative six-month|annual``: the narrative reports 4.3 and 4.4 as Word documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from mel_core.cli.options import PLAN, PROGRAMME, PROVINCE, period_option
from mel_core.i18n import LANGUAGES, message, render

app = typer.Typer(
    help="Narrative reports to the People's Committee as Word documents (Báo cáo tình hình thực hiện kế hoạch):"
    " six-month → Table 4.3, annual → Table 4.4, following the manual's outline, prefilled with the period's"
    " figures (those of Table 4.2), what was achieved against the plan, the indicators off track and the latest"
    " evaluations' findings, with placeholders in square brackets for the writer's own text.\n\n"
    "Example: mel report narrative annual --province 11 --period 2015",
    no_args_is_help=True,
)

LANG = typer.Option("vi", "--lang", metavar="vi|en", help="Language of the headings and prefilled text.")
OUT = typer.Option(
    None,
    "--out",
    help="The .docx file to write (default: bao-cao-<4.3|4.4>_<programme or tinh-CODE>_<period>.docx).",
)


def _run(
    kind: str,
    programme: str | None,
    province: str | None,
    period: str | None,
    lang: str,
    out: Path | None,
    plan: str = "adjusted",
) -> None:
    from mel_core.cli.store import reading
    from mel_core.reports.narrative import default_narrative_name, write_narrative
    from mel_core.reports.narrative_content import narrative_content

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: use vi or en", param_hint="--lang")
    content = reading(
        lambda session: narrative_content(
            session,
            kind,  # type: ignore[arg-type]
            programme=programme,
            province=province,
            period=period,
            plan=plan,  # type: ignore[arg-type]
        )
    )
    path = out or Path(default_narrative_name(content, programme or f"tinh-{province}"))
    written = write_narrative(content, path, lang)  # type: ignore[arg-type]
    form = "4.3" if kind == "six-month" else "4.4"
    typer.echo(render(message("cli.narrative.wrote", form=form, label=content.period.label, written=written)))


def _command(kind: str, period_example: str, doc: str) -> Callable[..., None]:
    """The command of the narrative report of one kind of period, for a programme or a province."""

    def command(
        programme: str | None = PROGRAMME,
        province: str | None = PROVINCE,
        period: str | None = period_option(period_example),
        lang: str = LANG,
        plan: str = PLAN,
        out: Path | None = OUT,
    ) -> None:
        _run(kind, programme, province, period, lang, out, plan)

    command.__doc__ = doc
    return command


app.command("six-month")(
    _command(
        "six-month",
        "A half-year such as 2013-H1",
        """Table 4.3: the six-month report on the implementation of the plan (Báo cáo 6 tháng), as .docx.

    Sections as in the manual: 1. implementation in the first six months (context, planned activities and
    results, actual situation and differences with the figures of Table 4.2, explanation, assessment with the
    evaluations' findings); 2. solutions for the remaining months. A half-year is measured against the year's
    plan: an indicator below the share of the year gone by is off track.

    Example: mel report narrative six-month --province 11 --period 2015-H1 --out bao-cao-6-thang.docx
    """,
    )
)
app.command("annual")(
    _command(
        "annual",
        "A year such as 2015",
        """Table 4.4: the annual report on the implementation of the plan (Báo cáo năm), as .docx.

    Sections as in the manual: 1. implementation in the year; 2. the plan for the next year (its targets already
    in the store listed); 3. recommendations to the central or provincial government (3.1 the targets that
    differ from the orientation, 3.2 the support needed).

    Example: mel report narrative annual DB-BSS-2011 --period 2015 --lang en
    """,
    )
)
