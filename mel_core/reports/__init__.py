"""The MPI report forms (seed 004, chapter IV) for a programme or a province, as .xlsx and HTML.

- monthly, quarterly, six-month and annual reports (the reporting schedule, Table 2.1): Table 4.2, the general
  frame of results (planned against implemented);
- five-year reports: Table 4.5, the five-year framework (target, annual plans, actual, completion rate);
- the framework listing, Table 4.1 (objectives, solutions, indicators by level, responsible agencies) for the
  plan of a year: ``form="4.1"`` with an annual report;
- the framework of appendix 1b (key remaining issues, general objectives, result and output targets with their
  baseline, reporting frequency, reporting agency and collection method): ``form="1b"`` with an annual report;
- the framework of one sector of the plan (appendix 2a for a year, 4a for five years): ``sector="agriculture"``
  with an annual or five-year report.

Indicators are placed in the fields and sectors of the plan by their own sector; a report on a province shows
every field and sector of the plan (:mod:`mel_core.reports.plan`).

Example::

    with Session(engine) as session:
        table = build_report(session, "annual", programme="DB-BSS-2011")
    write_report(table, Path("bao-cao-2015.xlsx"))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlmodel import Session

from mel_core.errors import MelError, OutputError
from mel_core.i18n import message
from mel_core.periods import Period
from mel_core.reports.five_year import five_year
from mel_core.reports.framework import framework
from mel_core.reports.framework_1b import framework_1b
from mel_core.reports.general_frame import general_frame
from mel_core.reports.html import render_html, write_html
from mel_core.reports.period import REPORT_KINDS, ReportKind, check_period, default_period
from mel_core.reports.plan import PLAN_CHOICES, PLAN_USED, PlanChoice, add_plan, rate_against
from mel_core.reports.reading import read_figures
from mel_core.reports.scope import ReportScopeError, Scope, programme_scope, province_scope
from mel_core.reports.sectoral import SectorError, sectoral, sectoral_form
from mel_core.reports.table import MISSING, NONE, ReportTable
from mel_core.reports.units import check_existed, commune_scope, district_scope
from mel_core.reports.xlsx import write_xlsx

Form = Literal["4.1", "4.2", "4.5", "1b", "2a", "4a"]
Format = Literal["xlsx", "html"]
FORMS: dict[ReportKind, tuple[Form, ...]] = {
    "monthly": ("4.2",),
    "quarterly": ("4.2",),
    "six-month": ("4.2",),
    "annual": ("4.2", "4.1", "1b", "2a"),
    "five-year": ("4.5", "4a"),
}

__all__ = [
    "FORMS",
    "MISSING",
    "NONE",
    "PLAN_CHOICES",
    "REPORT_KINDS",
    "PlanChoice",
    "ReportRequestError",
    "ReportScopeError",
    "ReportTable",
    "SectorError",
    "build_report",
    "default_name",
    "render_html",
    "write_report",
]


class ReportRequestError(MelError):
    """The report asked for does not exist (a form that does not go with the report's kind …)."""

    exit_code = 64  # EX_USAGE


@dataclass(frozen=True)
class _Request:
    kind: ReportKind
    form: Form
    period: Period
    scope: Scope


def _form_for(kind: ReportKind, form: str | None) -> Form:
    allowed = FORMS[kind]
    if form is None:
        return allowed[0]
    if form not in allowed:
        raise ReportRequestError(
            message("reports.request.wrong_form", form=form, kind=kind, allowed=", ".join(allowed)),
            hint=message("reports.request.wrong_form_hint"),
        )
    return form


def build_report(
    session: Session,
    kind: ReportKind,
    *,
    programme: str | None = None,
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    period: str | None = None,
    form: str | None = None,
    sector: str | None = None,
    plan: PlanChoice = "adjusted",
    today: date | None = None,
) -> ReportTable:
    """Build one report form for a programme, a province, a district or a commune.

    Args:
        session: an open session on the store.
        kind: ``"monthly"``, ``"quarterly"``, ``"six-month"``, ``"annual"`` or ``"five-year"``.
        programme: a programme code (exactly one of ``programme`` and ``province``).
        province: a GSO province code, old or current; the report covers every programme working there.
        district: a district code (before the 2025 reform): the programmes with figures there, its communes'
            rolled up into it.
        commune: a commune code: the programmes with figures there (or at the communes merged into it).
        period: ``2015-07``, ``2015-Q3``, ``2013-H1``, ``2013`` or ``2011-2015`` as the kind requires;
            default: the latest period of the kind with data.
        form: ``"4.2"``/``"4.5"`` (the default of the kind), ``"4.1"`` or ``"1b"`` (annual only).
        sector: a sector of the plan (``plan_sectors`` in kb/taxonomy.yml: ``agriculture``, ``education`` …):
            its framework, appendix 2a (annual) or 4a (five-year).
        plan: the plan the targets and rates are of: ``"adjusted"`` (the plan in force: the adjusted plan where a
            target was adjusted, the default) or ``"original"`` (the plan as first approved); a line under the
            title says which.
        today: the date under the national heading (default today).

    Raises:
        ReportRequestError: not exactly one of programme, province, district and commune, a form the kind
            does not have, or a plan other than adjusted and original.
        ReportScopeError: unknown programme or unit, no programme in it, or a district (or a commune merged in
            2025) asked for a period after its end on 30 June 2025.
        PeriodError: a period of the wrong kind, or no data to choose a default from.
    """
    if kind not in REPORT_KINDS:
        raise ReportRequestError(
            message("reports.request.unknown_kind", kind=kind),
            hint=message("reports.request.unknown_kind_hint"),
        )
    asked = [x for x in (programme, province, district, commune) if x is not None]
    if len(asked) != 1:
        raise ReportRequestError(
            message("reports.request.one_subject"),
            hint=message("reports.request.one_subject_hint"),
        )
    if plan not in PLAN_CHOICES:
        raise ReportRequestError(
            message("reports.request.unknown_plan", plan=plan),
            hint=message("reports.request.unknown_plan_hint"),
        )
    chosen = _form_for(kind, sectoral_form(kind, form, sector))
    if programme is not None:
        scope = programme_scope(session, programme)
    elif province is not None:
        # the outline of the communes' figures (their periods and units) until the period is known
        scope = province_scope(session, province, values=False)
    elif district is not None:
        scope = district_scope(session, district)
    else:
        scope = commune_scope(session, commune or "")
    add_plan(session.connection(), scope)
    rate_against(scope, plan)
    reported = (
        check_period(kind, period)
        if period is not None
        else default_period(kind, scope.targets, scope.observations)
    )
    check_existed(scope, reported)
    if province is not None and chosen not in ("4.1", "1b"):  # they show no figures
        read_figures(session, scope, reported)
    day = today or date.today()
    if chosen in ("2a", "4a"):
        table = sectoral(scope, sector or "", chosen, reported, day)
    elif chosen == "4.1":
        table = framework(scope, reported, day)
    elif chosen == "1b":
        table = framework_1b(scope, reported, day)
    elif chosen == "4.5":
        table = five_year(scope, reported, day)
    else:
        table = general_frame(scope, kind, reported, day)
    table.intro.append(PLAN_USED[plan])
    return table


def default_name(table: ReportTable, who: str, fmt: Format) -> str:
    """``bieu-4.2_DB-BSS-2011_2015.xlsx``: a file name from the form, the programme or province, the period."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in who)
    return f"bieu-{table.form}_{safe}_{table.period}.{fmt}"


def write_report(table: ReportTable, path: Path, fmt: Format | None = None) -> Path:
    """Write a report as .xlsx or HTML (by ``fmt``, else by the file's suffix) and return the path.

    Raises:
        OutputError: the format is unknown or the file cannot be written.
    """
    chosen = fmt or path.suffix.lower().lstrip(".")
    if chosen in ("htm", "html"):
        writer = write_html
    elif chosen == "xlsx":
        writer = write_xlsx
    else:
        raise OutputError(
            message("reports.request.unknown_format", path=path, chosen=chosen),
            hint=message("reports.request.unknown_format_hint"),
        )
    try:
        return writer(table, path)
    except OSError as exc:
        raise OutputError(
            message("reports.messages.cannot_write", path=path, reason=exc.strerror or exc),
            hint=message("reports.messages.choose_another_out"),
        ) from exc
