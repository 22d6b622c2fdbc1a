"""The framework of a sector's plan (seed 004, appendix 2a for a year, appendix 4a for five years).

A sector of the plan (ngành: agriculture and rural development, education, …) monitors its own plan in three
parts, as the manual's generic forms lay them out:

- **I. the general part** (phần chung): the general objectives of the sector's programmes, the content the
  sector contributes to the province's socio-economic development plan;
- **II. the cross-sector part** (phần liên ngành): what programmes of other sectors report under this one
  (indicators whose own sector is here); left out when there is none, as the manual says;
- **III, IV, … the sub-sectors** (tiểu ngành: crops, livestock, …): each programme of the sector with its
  objectives, solutions and indicators of that sub-sector.

Columns: objective, solution, the indicators by level (input, output, result) with the plan of the year (2a) or
of the five years (4a), the agency that compiles, the agency that provides the information and remarks (how
often, when and how each indicator is collected).
"""

from __future__ import annotations

from datetime import date

from mel_core.errors import MelError
from mel_core.i18n import message
from mel_core.periods import Period, parse_period
from mel_core.reference import PlanSector, plan_fields, taxonomy
from mel_core.reports.framework import PlanOf, plan_rows
from mel_core.reports.layout import NOTHING_THERE, active, place_date, plan_for
from mel_core.reports.period import ReportKind, period_title
from mel_core.reports.plan import general_objective, part_in, titled
from mel_core.reports.scope import ProgrammeFigures, Scope
from mel_core.reports.table import NONE, BodyRow, Cell, HeaderCell, ReportTable

#: The sectoral form of each report kind.
SECTORAL = {"annual": "2a", "five-year": "4a"}
#: The form of each kind when none is asked for (the command line always names one).
DEFAULT = {"annual": "4.2", "five-year": "4.5"}
COLUMNS = 9
HEADER = [
    HeaderCell("STT", 0, 0, rowspan=2),
    HeaderCell("Mục tiêu", 0, 1, rowspan=2),
    HeaderCell("Giải pháp", 0, 2, rowspan=2),
    HeaderCell("Chỉ tiêu", 0, 3, colspan=3),
    HeaderCell("Cơ quan tổng hợp", 0, 6, rowspan=2),
    HeaderCell("Cơ quan cung cấp thông tin", 0, 7, rowspan=2),
    HeaderCell("Ghi chú", 0, 8, rowspan=2),
    HeaderCell("Đầu vào", 1, 3),
    HeaderCell("Đầu ra", 1, 4),
    HeaderCell("Kết quả", 1, 5),
]
WIDTHS = [7.0, 32.0, 28.0, 28.0, 28.0, 28.0, 20.0, 20.0, 26.0]
GENERAL_PART = "PHẦN CHUNG CỦA NGÀNH (đóng góp vào kế hoạch phát triển kinh tế - xã hội)"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class SectorError(MelError):
    """The sector asked for is not a sector of the plan, or does not go with the report asked for."""

    exit_code = 64  # EX_USAGE


def plan_sector(key: str) -> PlanSector:
    """The sector of the plan with this key (kb/taxonomy.yml, ``plan_sectors``).

    Raises:
        SectorError: no sector of the plan has this key.
    """
    for plan_field in plan_fields():
        for sector in plan_field.sectors:
            if sector.key == key:
                return sector
    keys = ", ".join(s.key for f in plan_fields() for s in f.sectors)
    raise SectorError(
        message("reports.sectoral.unknown_sector", key=key),
        hint=message("reports.sectoral.unknown_sector_hint", keys=keys),
    )


def sectoral_form(kind: str, form: str | None, sector: str | None) -> str | None:
    """The form a report with ``--sector`` has (2a for a year, 4a for five years), else ``form`` as given.

    With a sector, the kind's default form (4.2, 4.5) stands for the sectoral one: the command line names it.

    Raises:
        SectorError: a sectoral form without a sector, a sector with a report kind that has no sectoral form,
            or an unknown sector.
    """
    if sector is None:
        if form in SECTORAL.values():
            raise SectorError(
                message("reports.sectoral.no_sector", form=form),
                hint=message("reports.sectoral.no_sector_hint"),
            )
        return form
    plan_sector(sector)
    if kind not in SECTORAL:
        raise SectorError(
            message("reports.sectoral.no_framework", kind=kind),
        )
    if form not in (None, DEFAULT[kind], SECTORAL[kind]):
        raise SectorError(
            message("reports.sectoral.not_sector_form", framework=SECTORAL[kind], form=form),
        )
    return SECTORAL[kind]


def _roman(n: int) -> str:
    return ROMAN[n - 1] if n <= len(ROMAN) else str(n)


def _row(number: str, text: str, kind: str) -> BodyRow:
    cells: list[Cell] = [None] * COLUMNS
    cells[0], cells[1] = number, text
    return BodyRow(cells, kind)  # type: ignore[arg-type]


def _planner(form: str, period: Period) -> PlanOf:
    if form == "2a":
        return lambda fig, code: plan_for(fig, code, period)
    years = [parse_period(str(year)) for year in reversed(list(period.years))]

    def five_years(fig: ProgrammeFigures, code: str) -> tuple[float, float, str | None]:
        # the span's own target, else the plan of the last year inside it (as Table 4.5 reads it)
        for candidate in [period, *years]:
            found = plan_for(fig, code, candidate)
            if found[2] is not None:
                return found
        return plan_for(fig, code, period)

    return five_years


def sectoral(scope: Scope, sector_key: str, form: str, period: Period, today: date) -> ReportTable:
    """Appendix 2a (a year's plan) or 4a (a five-year plan) for one sector of the plan.

    Args:
        scope: the programmes and figures of the report (a province, or one programme).
        sector_key: a key of ``plan_sectors`` in kb/taxonomy.yml (``agriculture``, ``education`` …).
        form: ``"2a"`` or ``"4a"``.
        period: the year or the five years (validated by :mod:`mel_core.reports.period`).
        today: the date under the national heading.
    """
    sector = plan_sector(sector_key)
    plan_of = _planner(form, period)
    shown = [fig for fig in scope.programmes if scope.province is None or active(fig, period)]
    own = [fig for fig in shown if str(fig.programme["sector"]) in sector.sectors]
    body: list[BodyRow] = [
        _row("I", "PHẦN CHUNG CỦA NGÀNH (đóng góp vào kế hoạch phát triển kinh tế - xã hội)", "field")
    ]
    generals = [(fig, text) for fig in own if (text := general_objective(fig))]
    for fig, text in generals:
        line = _row("", f"Mục tiêu chung: {text}", "objective")
        line.cells[2] = titled(fig)
        body.append(line)
    if not generals:
        body.append(_row("", f"Mục tiêu chung: {NONE}", "empty"))
    section = 1
    others = [part for fig in shown if fig not in own and (part := part_in(fig, sector.sectors)) is not None]
    if others:
        section += 1
        body.append(_row(_roman(section), "PHẦN LIÊN NGÀNH", "field"))
        for k, part in enumerate(others, start=1):
            body.append(_row(f"{_roman(section)}.{k}", titled(part), "programme"))
            body.extend(plan_rows(part, plan_of, period, columns=COLUMNS, remarks=8, whole=False))
    labels = taxonomy()["sectors"]
    for n, key in enumerate(sector.sectors, start=1):
        section += 1
        body.append(_row(_roman(section), f"Tiểu ngành {n}: {labels[key]['vi']}", "group"))
        parts = [part for fig in own if (part := part_in(fig, (key,))) is not None]
        if not parts:
            body.append(_row("", NOTHING_THERE, "empty"))
        for k, part in enumerate(parts, start=1):
            body.append(_row(f"{_roman(section)}.{k}", titled(part), "programme"))
            whole = str(part.programme["sector"]) == key
            body.extend(plan_rows(part, plan_of, period, columns=COLUMNS, remarks=8, whole=whole))
    kind: ReportKind = "annual" if form == "2a" else "five-year"
    table = ReportTable(
        form=form,
        issuer=scope.issuer,
        title=[
            f"KHUNG THEO DÕI VÀ ĐÁNH GIÁ KẾ HOẠCH {period_title(kind, period)} CỦA NGÀNH {sector.vi.upper()}",
            scope.subject.upper(),
        ],
        place_date=place_date(scope, today),
        header=HEADER,
        widths=WIDTHS,
        body=body,
        intro=[f"Ngành: {sector.vi} ({sector.number})", f"Kỳ kế hoạch: {period.label}"],
        notes=[
            f"Ghi chú: “{NONE}”: chưa có chỉ tiêu kế hoạch kỳ {period.label} cho chỉ tiêu này; phần liên ngành"
            " chỉ có khi chương trình của ngành khác báo cáo chỉ tiêu thuộc ngành này.",
            "Chỉ tiêu ghi kế hoạch dùng để đánh giá (ghi dưới tên biểu); chỉ tiêu đã điều chỉnh ghi trong ngoặc"
            " vuông ngày, lý do điều chỉnh và kế hoạch còn lại (ban đầu hoặc điều chỉnh).",
        ],
        period=period.label,
        wrap=(1, 2, 3, 4, 5, 6, 7, 8),
    )
    table.check()
    return table
