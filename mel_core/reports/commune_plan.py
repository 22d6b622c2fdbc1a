"""The commune's planning workbook (seed 001): its annual plan and its data-collection form, in Excel.

Quảng Trị's communes kept their annual socio-economic plan in an Excel workbook and collected its figures on
forms (seed 001, 2010). This workbook is both, for one commune and one year, and it goes back into the store
with ``mel import`` as it is:

- ``_huong_dan`` (a note: not read on import): the commune, its province, the year, and how to fill in;
- ``targets`` — **the annual plan** (kế hoạch năm): one row per indicator of the programmes at the commune, with
  the plan for the year to fill in (``value``, ``value_high`` for a range), beside what the commune reached the
  year before and the plan it had then;
- ``observations`` — **the data-collection form** (biểu thu thập thông tin): one row per indicator and per period
  of the year that has ended by the workbook's date, by the indicator's frequency (a quarterly one gets Q1…Q4),
  the figure to fill in with its source.

Columns whose header starts with ``_`` (the indicator's name, unit, last year's figures) are there to read and
are not imported. What the store already holds at the commune is filled in, so importing an untouched
workbook changes nothing; a row left without a value is a problem the import lists (fill it in or delete the
row). Indicators whose values are computed (an appendix-6 method) are not on the forms: they follow from their
components.

The programmes are those with a plan or a figure at the commune (or the communes merged into it in 2025); a
commune without any gets the programmes working in its province during the year.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlmodel import Session

from mel_core import geo
from mel_core.communes import Unit, admin_tree, merged_into, province_of
from mel_core.errors import MelError, OutputError
from mel_core.i18n import message, term
from mel_core.indicators.derived import formulas
from mel_core.periods import Period, parse_period
from mel_core.reports.layout import assess, plan_for
from mel_core.reports.plan import frequency_words
from mel_core.reports.reading import programme_frames, programme_records
from mel_core.reports.scope import ProgrammeFigures
from mel_core.reports.units import unit_title, unknown_unit
from mel_core.store import Indicator, Observation, Programme, ProgrammeProvince, Target, table_of
from mel_core.vocabulary import FREQUENCIES


def _every(frequency: object) -> str:
    """How often an indicator is collected, in the form's words; annual when not said."""
    return frequency_words(str(frequency) if frequency in FREQUENCIES else "annual")


_BOLD = Font(bold=True)
_KEY_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells to fill in
_NOTE_FILL = PatternFill("solid", fgColor="EDEDED")  # to read, not imported
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class CommunePlanError(MelError):
    """The commune has nothing to plan (no programme at it or in its province)."""

    exit_code = 65


def periods_of_year(year: int, frequency: str | None, until: date) -> list[Period]:
    """The periods of ``year`` an indicator of this frequency is collected for, that have ended by ``until``.

    Example:
        >>> [p.label for p in periods_of_year(2026, "quarterly", date(2026, 7, 1))]
        ['2026-Q1', '2026-Q2']
    """
    if frequency == "monthly":
        labels = [f"{year}-{m:02d}" for m in range(1, 13)]
    elif frequency == "quarterly":
        labels = [f"{year}-Q{q}" for q in range(1, 5)]
    elif frequency == "6-monthly":
        labels = [f"{year}-H1", f"{year}-H2"]
    else:  # annual, five-yearly or once: the year's figure
        labels = [str(year)]
    return [p for p in map(parse_period, labels) if p.end < until]


def _programme_codes(session: Session, unit: Unit, units: list[str], year: int) -> list[str]:
    conn = session.connection()
    i, t, o, p = table_of(Indicator), table_of(Target), table_of(Observation), table_of(Programme)
    found: set[str] = set()
    for values in (t, o):
        found |= set(
            conn.scalars(
                select(p.c.code).join(i, i.c.programme_id == p.c.id).join(values, values.c.indicator_id == i.c.id)
                .where(values.c.admin_unit_code.in_(units)).distinct()
            )
        )  # fmt: skip
    if found:
        return sorted(found)
    tree = admin_tree(conn)
    filed = province_of(tree, unit.code)
    if filed is None:
        return []
    codes = geo.predecessors(geo.successor(filed))
    pp = table_of(ProgrammeProvince)
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = conn.execute(
        select(p.c.code, p.c.start_date, p.c.end_date)
        .join(pp, pp.c.programme_id == p.c.id)
        .where(pp.c.admin_unit_code.in_(codes))
        .distinct()
    ).all()
    return sorted(code for code, s, e in rows if (s is None or s <= end) and (e is None or e >= start))


def commune_plan(session: Session, code: str, year: int, today: date | None = None) -> dict[str, Any]:
    """What the workbook of a commune's plan holds: the commune, the plan rows and the collection rows.

    Raises:
        NotFound: the code is not a commune in the store.
        CommunePlanError: no programme has figures at the commune or works in its province that year.
    """
    conn = session.connection()
    tree = admin_tree(conn)
    unit = tree.get(code)
    if unit is None or unit.level != "commune":
        raise unknown_unit(conn, code, "commune")
    day = today or date.today()
    rollup = merged_into(tree, code)
    units = [code, *sorted(rollup)]
    programme_codes = _programme_codes(session, unit, units, year)
    if not programme_codes:
        raise CommunePlanError(
            message("reports.messages.no_programme_at_commune", code=code, year=year),
            hint=message("reports.messages.import_programmes_first"),
        )
    year_p, before = parse_period(str(year)), parse_period(str(year - 1))
    plan_rows: list[dict[str, Any]] = []
    collect_rows: list[dict[str, Any]] = []
    for programme in programme_records(conn, programme_codes):
        indicators, targets, observations = programme_frames(conn, programme, units)
        targets = targets[targets["admin_unit"] == code]
        fig = ProgrammeFigures(programme, indicators, targets, observations, unit=code, parents=rollup)
        derived = {c for c, (spec, _) in formulas(indicators).items() if spec.derived}
        i = table_of(Indicator)
        frequency = dict(
            conn.execute(select(i.c.code, i.c.frequency).where(i.c.programme_id == programme["id"])).all()
        )
        kept = indicators[~indicators["code"].isin(derived)]
        codes = list(kept["code"])
        last = assess(fig, before, codes, partial(plan_for, fig, period=before))
        own = observations[(observations["admin_unit"] == code) & (observations["disaggregation"] == "")]
        own_values = {(r.indicator_code, r.period): float(r.value) for r in own.itertuples(index=False)}
        for ind in kept.itertuples(index=False):
            value, high, _ = plan_for(fig, ind.code, year_p)
            common = {
                "programme_code": programme["code"], "indicator_code": ind.code, "_Chỉ tiêu": ind.name,
                "_Đơn vị tính": ind.unit, "admin_unit": code,
            }  # fmt: skip
            plan_rows.append({
                **common,
                "_Cấp chỉ tiêu": term("indicator_levels", str(ind.level), "vi").lower(),
                f"_Kế hoạch năm {year - 1}": _finite(last.loc[ind.code, "target"]),
                f"_Thực hiện năm {year - 1}": _finite(last.loc[ind.code, "actual"]),
                "period": str(year), "value": _finite(value), "value_high": _finite(high),
            })  # fmt: skip
            every = frequency.get(ind.code)
            for period in periods_of_year(year, every, day):
                collect_rows.append({
                    **common, "_Kỳ thu thập": _every(every),
                    "period": period.label, "value": own_values.get((ind.code, period.label)),
                    "source": None, "note": None,
                })  # fmt: skip
    filed = province_of(tree, code)
    province = geo.provinces()[filed] if filed is not None else None
    return {
        "unit": unit,
        "title": unit_title(unit),
        "province": (province.name if unit.until else province.successor_name) if province else None,
        "year": year,
        "date": day,
        "targets": plan_rows,
        "observations": collect_rows,
    }


def _finite(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


PLAN_COLUMNS = ["programme_code", "indicator_code", "_Chỉ tiêu", "_Cấp chỉ tiêu", "_Đơn vị tính", "{before_plan}",
                "{before_actual}", "period", "admin_unit", "value", "value_high"]  # fmt: skip
COLLECT_COLUMNS = ["programme_code", "indicator_code", "_Chỉ tiêu", "_Đơn vị tính", "_Kỳ thu thập", "period",
                   "admin_unit", "value", "source", "note"]  # fmt: skip
_WIDTHS = {"_Chỉ tiêu": 48, "programme_code": 16, "indicator_code": 12, "source": 28, "note": 28}


def write_commune_plan(plan: dict[str, Any], path: Path) -> Path:
    """Write the workbook (``_huong_dan``, ``targets``, ``observations``) and return its path.

    Raises:
        OutputError: the file cannot be written.
    """
    year = plan["year"]
    book = Workbook()
    guide = book.active
    guide.title = "_huong_dan"
    where = f"{plan['title']}" + (f", tỉnh {plan['province']}" if plan["province"] else "")
    lines = [
        (f"KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI NĂM {year} - {where.upper()}", True),
        (f"Mã xã: {plan['unit'].code}. Lập ngày {plan['date']:%d/%m/%Y}.", False),
        ("", False),
        ("Trang 'targets' là kế hoạch năm: ghi chỉ tiêu kế hoạch vào cột value (khoảng: cận dưới ở value, cận trên"
         " ở value_high).", False),
        ("Trang 'observations' là biểu thu thập thông tin: ghi số liệu thực hiện của từng kỳ vào cột value và"
         " nguồn số liệu vào cột source.", False),
        ("Các cột có tên bắt đầu bằng '_' chỉ để tham khảo, không được nhập vào kho dữ liệu. Không sửa các cột mã"
         " (programme_code, indicator_code, period, admin_unit).", False),
        ("Dòng nào chưa có số liệu thì ghi số liệu hoặc xoá dòng đó; sau đó nhập bằng lệnh: mel import <tệp này>."
         " Mọi lỗi được liệt kê (trang, dòng, cột, lý do) và không có gì được ghi khi còn lỗi.", False),
        ("", False),
        (f"The commune's annual plan for {year} ('targets') and its data-collection form ('observations'): fill in"
         " the value column, delete the rows you have no figure for, and import the file with `mel import`."
         " Columns whose name starts with '_' are for reading and are not imported.", False),
    ]  # fmt: skip
    for k, (text, bold) in enumerate(lines, start=1):
        guide.cell(row=k, column=1, value=text).font = Font(bold=bold, size=13 if bold else 11)
    guide.column_dimensions["A"].width = 120
    before = {"{before_plan}": f"_Kế hoạch năm {year - 1}", "{before_actual}": f"_Thực hiện năm {year - 1}"}
    _sheet(book, "targets", [before.get(c, c) for c in PLAN_COLUMNS], plan["targets"])
    _sheet(book, "observations", COLLECT_COLUMNS, plan["observations"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
    except OSError as exc:
        raise OutputError(
            message("reports.messages.cannot_write", path=path, reason=exc.strerror or exc)
        ) from exc
    return path


def _sheet(book: Workbook, name: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    sheet = book.create_sheet(name)
    sheet.append(columns)
    for k, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=k)
        cell.font, cell.border = _BOLD, _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if column.startswith("_"):
            cell.fill = _NOTE_FILL
        sheet.column_dimensions[get_column_letter(k)].width = _WIDTHS.get(column, 14)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
        at = sheet.max_row
        for k, column in enumerate(columns, start=1):
            cell = sheet.cell(row=at, column=k)
            cell.border = _BOX
            if column.startswith("_"):
                cell.fill = _NOTE_FILL
                cell.alignment = Alignment(wrap_text=True)
            elif column in ("value", "value_high", "source", "note"):
                cell.fill = _KEY_FILL
            if column in ("value", "value_high") or column.startswith(("_Kế hoạch", "_Thực hiện")):
                cell.number_format = "#,##0.##"
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
