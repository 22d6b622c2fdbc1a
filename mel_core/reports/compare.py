"""Provinces side by side: a programme's indicators in each of its provinces, ranked, and totalled by region.

Seed 003 (GOPA) benchmarks its provinces against one another every year on the same indicators. This form puts
them side by side: for each indicator, each province's actual for the period (read as a province report reads
it: the province's own figure, else its districts' and communes' rolled up), its completion rate against the
province's plan, and its rank among the provinces; then one column per region of the provinces (the region
column of the reference data, labelled from kb/taxonomy.yml) with the region's total.

Rules:

- **Rank** is by the actual (``by="actual"``) or by the completion rate (``by="completion"``), best first and
  direction-aware (for a falling indicator such as a poverty rate the lowest actual ranks first); equal values
  share a rank and the next rank is skipped (1, 2, 2, 4); a province without a figure (or without a plan, when
  ranking by completion) has no rank.
- **A region's total** combines its provinces' actuals by the rollup rules (:mod:`mel_core.indicators.rollup`:
  counts summed, weighted means by their weight, other rates only when they agree). It is shown only when every
  province of the region has its own figure for the period; a partial sum is never shown as the region's.
- Provinces are named as the programme files them (a pre-2025 province keeps its name, with today's province in
  brackets).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Literal

import pandas as pd
from sqlmodel import Session

from mel_core import geo
from mel_core.communes import admin_tree, below
from mel_core.errors import PeriodError
from mel_core.i18n import both, message, t, term
from mel_core.indicators.derived import OBS_COLUMNS
from mel_core.indicators.rollup import admin_rollup
from mel_core.periods import Period, PeriodKind, parse_period
from mel_core.reference import taxonomy
from mel_core.reports.layout import assess, ordered_indicators, place_date, plan_for
from mel_core.reports.period import default_period
from mel_core.reports.reading import programme_frames, programme_records
from mel_core.reports.scope import ProgrammeFigures, ReportScopeError, Scope
from mel_core.reports.table import MISSING, NONE, BodyRow, Cell, HeaderCell, Number, ReportTable, number, rate
from mel_core.store import read

RankBy = Literal["actual", "completion"]
RANK_BY: tuple[RankBy, ...] = ("actual", "completion")
LEVELS = ("input", "output", "outcome", "impact")
FORM = "so sánh"


def ranks(values: dict[str, float], falling: bool = False) -> dict[str, int]:
    """Competition ranks, best first: ``{"a": 5, "b": 7, "c": 7, "d": 1}`` → b 1, c 1, a 3, d 4.

    Args:
        values: key → value; NaN values get no rank.
        falling: True when lower is better (a poverty rate).

    Example:
        >>> ranks({"11": 230.0, "12": 180.0, "10": 230.0, "66": float("nan")})
        {'11': 1, '10': 1, '12': 3}
    """
    known = {k: v for k, v in values.items() if v is not None and math.isfinite(v)}
    order = sorted(known, key=lambda k: known[k] if falling else -known[k])
    out: dict[str, int] = {}
    for position, key in enumerate(order, start=1):
        tied = next(
            (k for k in out if math.isclose(known[k], known[key], rel_tol=1e-12, abs_tol=1e-12)), None
        )
        out[key] = out[tied] if tied is not None else position
    return out


def region_label(region: str) -> str:
    """The Vietnamese name of a region of the reference data (kb/taxonomy.yml ``regions``)."""
    return taxonomy().get("regions", {}).get(region, {}).get("vi", region)


def _province_name(code: str) -> str:
    province = geo.provinces()[code]
    return province.name if province.is_current else f"{province.name} (nay: {province.successor_name})"


def _province_figures(session: Session, programme: dict, code: str) -> ProgrammeFigures:
    conn = session.connection()
    tree = below(admin_tree(conn), {code})
    indicators, targets, observations = programme_frames(conn, programme, [code, *sorted(tree)])
    targets = targets[targets["admin_unit"] == code]
    return ProgrammeFigures(programme, indicators, targets, observations, unit=code, parents=tree)


def _plan(fig: ProgrammeFigures, period: Period) -> Callable[[str], tuple[float, float, str | None]]:
    def plan(code: str) -> tuple[float, float, str | None]:
        value, high, found = plan_for(fig, code, period)
        if found is None and period.kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF):
            return plan_for(fig, code, parse_period(str(period.start.year)))  # the year's plan
        return value, high, found

    return plan


def compare(
    session: Session,
    programme: str,
    *,
    period: str | None = None,
    region: str | None = None,
    by: RankBy = "actual",
    today: date | None = None,
) -> ReportTable:
    """The provinces of a programme side by side on its indicators for one period, ranked, with regions.

    Args:
        session: an open session on the store.
        programme: the programme's code.
        period: any period (``2013``, ``2013-H1``, ``2015-Q3``, ``2011-2015``); default: the latest year with a
            figure in any of its provinces.
        region: only the provinces of this region (its English key in the reference data, e.g.
            ``"Central Highlands"``, or its Vietnamese name).
        by: rank by the actual or by the completion rate against the province's plan.
        today: the date under the national heading.

    Raises:
        NotFound: no programme has this code.
        ReportScopeError: unknown region, or no province left to compare.
        PeriodError: not a period, or no figures to choose one from.
    """
    if by not in RANK_BY:
        raise ReportScopeError(message("reports.messages.rank_by", by=by))
    conn = session.connection()
    found = programme_records(conn, [programme])
    if not found:
        raise read.unknown_programme(conn, programme)
    record = found[0]
    known = geo.provinces()
    codes = [c for c in record["provinces"] if c in known]
    if region is not None:
        wanted = _region_key(region)
        codes = [c for c in codes if known[c].region == wanted]
    if not codes:
        raise ReportScopeError(
            message(
                "reports.compare.no_province_in_region" if region else "reports.compare.no_province",
                programme=programme,
            ),
            hint=both(
                lambda lang: t(
                    "reports.compare.provinces_hint",
                    lang,
                    provinces=", ".join(record["provinces"]) or t("reports.words.none", lang),
                )
            ),
        )
    figures = {c: _province_figures(session, record, c) for c in codes}
    if period is not None:
        reported = parse_period(period)
    else:
        frames = [f.observations for f in figures.values() if not f.observations.empty]
        observations = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["period"])
        targets = pd.concat([f.targets for f in figures.values()], ignore_index=True)
        try:
            reported = default_period("annual", targets, observations)
        except PeriodError as exc:
            raise PeriodError(exc.message, hint=message("reports.messages.give_period")) from exc  # fmt: skip
    first = next(iter(figures.values()))
    indicators = ordered_indicators(first, LEVELS)
    scored = {
        c: assess(f, reported, list(indicators["code"]), _plan(f, reported)) for c, f in figures.items()
    }
    regions = sorted({known[c].region for c in codes}, key=lambda r: min(codes.index(c) for c in codes
                                                                        if known[c].region == r))  # fmt: skip
    totals = _region_totals(first.indicators, scored, codes, regions, reported)
    table = _table(record, indicators, scored, codes, regions, totals, reported, by)
    scope = Scope([first], subject=str(record["title"]))
    table.place_date = place_date(scope, today or date.today())
    table.check()
    return table


def _region_key(region: str) -> str:
    names = taxonomy().get("regions", {})
    for key in {p.region for p in geo.provinces().values()}:
        if region.casefold() in (key.casefold(), names.get(key, {}).get("vi", key).casefold()):
            return key
    raise ReportScopeError(
        message("reports.messages.not_a_region", region=region),
        hint=both(
            lambda lang: t(
                "reports.compare.regions_hint",
                lang,
                regions="; ".join(
                    sorted(term("regions", r, lang) for r in {p.region for p in geo.provinces().values()})
                ),
            )
        ),
    )


def _region_totals(
    indicators: pd.DataFrame,
    scored: dict[str, pd.DataFrame],
    codes: list[str],
    regions: list[str],
    period: Period,
) -> dict[tuple[str, str], float]:
    """(region, indicator code) → the region's total, where every province of it has the period's own figure."""
    known = geo.provinces()
    rows = []
    complete: dict[tuple[str, str], bool] = {}
    for code in codes:
        region = known[code].region
        for indicator, row in scored[code].iterrows():
            own = pd.notna(row["actual"]) and row["actual_period"] == period.label
            complete[(region, str(indicator))] = complete.get((region, str(indicator)), True) and bool(own)
            if own:
                rows.append({"indicator_code": indicator, "period": period.label, "period_start": period.start,
                             "period_end": period.end, "admin_unit": code, "disaggregation": "",
                             "value": float(row["actual"])})  # fmt: skip
    if not rows:
        return {}
    frame = pd.DataFrame(rows, columns=OBS_COLUMNS)
    mapping = {code: f"region:{known[code].region}" for code in codes}
    rolled = admin_rollup(indicators, frame, mapping, [period.label])
    out = {}
    for r in rolled.itertuples(index=False):
        region = str(r.admin_unit).removeprefix("region:")
        if complete.get((region, str(r.indicator_code))):
            out[(region, str(r.indicator_code))] = float(r.value)
    return out


def _table(
    record: dict, indicators: pd.DataFrame, scored: dict[str, pd.DataFrame], codes: list[str], regions: list[str],
    totals: dict[tuple[str, str], float], period: Period, by: RankBy,
) -> ReportTable:  # fmt: skip
    known = geo.provinces()
    n, m = len(codes), len(regions)
    columns = 3 + 3 * n + m
    header = [
        HeaderCell("STT", 0, 0, rowspan=4),
        HeaderCell("Chỉ tiêu", 0, 1, rowspan=4),
        HeaderCell("Đơn vị tính", 0, 2, rowspan=4),
        HeaderCell("Các tỉnh", 0, 3, colspan=3 * n),
    ]
    if m:
        header.append(HeaderCell("Tổng theo vùng", 0, 3 + 3 * n, colspan=m))
    for k, code in enumerate(codes):
        at = 3 + 3 * k
        header += [
            HeaderCell(_province_name(code), 1, at, colspan=3),
            HeaderCell(f"Vùng: {region_label(known[code].region)}", 2, at, colspan=3),
            HeaderCell("Thực hiện", 3, at),
            HeaderCell("So với kế hoạch (%)", 3, at + 1),
            HeaderCell("Xếp hạng", 3, at + 2),
        ]
    for j, region in enumerate(regions):
        header.append(HeaderCell(region_label(region), 1, 3 + 3 * n + j, rowspan=3))
    body: list[BodyRow] = []
    number_in_level = 0
    level_seen: set[str] = set()
    for ind in indicators.itertuples(index=False):
        level = str(ind.level)
        if level not in level_seen:
            level_seen.add(level)
            number_in_level = 0
            cells: list[Cell] = [None] * columns
            cells[0], cells[1] = (
                ["I", "II", "III", "IV"][len(level_seen) - 1],
                f"Chỉ tiêu {term('indicator_levels', level, 'vi').lower()}",
            )
            body.append(BodyRow(cells, "group"))
        number_in_level += 1
        falling = str(ind.direction) == "decrease"
        actual = {c: float(scored[c].loc[ind.code, "actual"]) for c in codes}
        ratio = {c: float(scored[c].loc[ind.code, "ratio"]) for c in codes}
        order = ranks(actual, falling) if by == "actual" else ranks(ratio)
        cells = [None] * columns
        cells[0], cells[1], cells[2] = str(number_in_level), f"{ind.name} ({ind.code})", ind.unit
        for k, code in enumerate(codes):
            at = 3 + 3 * k
            cells[at] = number(actual[code])
            cells[at + 1] = rate(ratio[code]) if math.isfinite(actual[code]) else NONE
            cells[at + 2] = Number(order[code]) if code in order else NONE
        for j, region in enumerate(regions):
            total = totals.get((region, str(ind.code)))
            cells[3 + 3 * n + j] = number(total) if total is not None else MISSING
        body.append(BodyRow(cells))
    ranked = "thực hiện" if by == "actual" else "tỷ lệ so với kế hoạch"
    return ReportTable(
        form=FORM,
        issuer=[str(record.get("implementer") or "BAN QUẢN LÝ CHƯƠNG TRÌNH").upper()],
        title=[
            "SO SÁNH KẾT QUẢ THỰC HIỆN GIỮA CÁC TỈNH",
            f"KỲ {period.label} - {str(record['title']).upper()}",
        ],
        place_date="",
        header=header,
        widths=[6.0, 40.0, 11.0] + [11.0, 11.0, 8.0] * n + [13.0] * m,
        body=body,
        intro=[f"Kỳ báo cáo: {period.label}", f"Xếp hạng theo {ranked}, tốt nhất là 1"],
        notes=[
            f"Ghi chú: “{MISSING}”: số liệu chưa được báo cáo (không phải bằng 0); “{NONE}”: không có kế hoạch,"
            " không tính được tỷ lệ hoặc không xếp hạng.",
            "Xếp hạng theo chiều của chỉ tiêu (với chỉ tiêu cần giảm, giá trị thấp nhất đứng đầu); bằng nhau thì"
            " cùng hạng.",
            "Tổng theo vùng cộng các tỉnh của vùng theo quy tắc tổng hợp (số lượng cộng lại, tỷ lệ không lấy bình"
            " quân); chỉ ghi khi mọi tỉnh của vùng có số liệu của kỳ.",
        ],
        period=period.label,
        wrap=(1,),
    )
