"""The indicators of the trade-promotion framework (seed 000), counted from activity and enterprise records.

A trade-promotion programme (sector ``trade_promotion``) whose indicators carry the framework's codes
(:mod:`mel_core.demo.trade_promotion`) gets these values from its records instead of from figures typed in.
For a scope (programmes, a period, optionally a province or region, a product sector):

- activities: those of the scope's programmes done (status ``done``) on a day of the period, in the province
  or region if one is given; *programme* activities are those not flagged ``outside_programme``;
- ``HD_CT`` = number of programme activities; ``HD_TU`` = number of activities outside the programme;
  ``HD_<TYPE>`` = programme activities of one of the ten types;
- ``CB_TG`` = distinct officials among their participants, ``LUOT_CB`` = official participations (one per
  official and activity), both also by activity type; ``DN_TG`` / ``LUOT_DN`` the same for enterprises;
  ``DN_TU`` = distinct enterprises in activities outside the programme;
- participating enterprises (of a period) = those that took part in a programme activity of the scope done on or
  before the period's last day (of the product sector, if one is given);
- ``XK_DT`` / ``DS`` = the participating enterprises' export turnover / sales reported for the period
  (reports of exactly that period); ``XK_TT`` / ``DS_TT`` = growth in % over the same period a year before, over
  the enterprises that reported both: ``100 · (Σ now − Σ before) / Σ before`` (a matched panel, so an enterprise
  joining does not count as growth);
- ``TT_MOI``, ``KH_MOI``, ``DS_GT`` = new markets, new customers, additional sales in the results of the
  period's programme activities; ``DN_SPXK`` = participating enterprises whose report for the period says they
  exported a new product; ``TL_DN_SPXK`` = ``100 · DN_SPXK / participating enterprises that reported``.

Each value says how many enterprises' own figures it adds up (``enterprises``), so that
:mod:`mel_core.trade.disclosure` can hold back those over too few enterprises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from mel_core import geo
from mel_core.periods import Period, PeriodKind, parse_period
from mel_core.trade.records import ActivityRecord, TradeRecords
from mel_core.vocabulary import ACTIVITY_TYPES

#: The framework's programme-level code of each activity type (``HD_<code>``), in the types' order.
TYPE_CODES = dict(
    zip(
        ACTIVITY_TYPES,
        (
            "TAP_HUAN",
            "HOI_THAO",
            "HC_BUON",
            "HC_LE",
            "DOAN_RA",
            "DOAN_VAO",
            "PT_SP",
            "TRUYEN_THONG",
            "DT_CS",
            "KHAC",
        ),
        strict=True,
    )
)
#: Indicators that count activities or participants: a figure typed in for them is checked against the count.
COUNTED = (
    "HD_CT",
    "HD_TU",
    "CB_TG",
    "LUOT_CB",
    "DN_TG",
    "LUOT_DN",
    "DN_TU",
    *(f"HD_{c}" for c in TYPE_CODES.values()),
)
#: Indicators computed from enterprise reports and activity results (enterprise data).
FROM_ENTERPRISES = ("TT_MOI", "KH_MOI", "DN_SPXK", "TL_DN_SPXK", "DS_GT", "XK_DT", "DS", "XK_TT", "DS_TT")
COMPUTED = (*COUNTED, *FROM_ENTERPRISES)
#: The fourteen provincial indicators of seed 000, in the seed's order (CB_KT comes from the capacity
#: assessment, typed in).
PROVINCIAL_SHEET = (
    "XK_TT",
    "DS_TT",
    "TT_MOI",
    "KH_MOI",
    "DN_SPXK",
    "CB_KT",
    "HD_CT",
    "CB_TG",
    "LUOT_CB",
    "DN_TG",
    "LUOT_DN",
    "HD_TU",
    "DN_TU",
    "DS_GT",
)


@dataclass(frozen=True)
class Scope:
    """What a figure covers: programmes, a period, and optionally a place and a product sector."""

    programmes: tuple[str, ...]
    period: Period
    province: str | None = None
    region: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class Figure:
    """One computed value. ``enterprises``: how many enterprises' own figures it rests on (None: it rests on no
    enterprise's figures, as activity counts do). ``by_type``: the value by activity type, where it has one.
    ``activities``: the activity codes it counts."""

    code: str
    value: float | None
    enterprises: int | None = None
    by_type: dict[str, float] = field(default_factory=dict)
    activities: tuple[str, ...] = ()


def previous_year(period: Period) -> Period:
    """The same period a year earlier (2026-Q3 → 2025-Q3, 2026 → 2025)."""
    year = period.start.year
    if period.kind == PeriodKind.YEAR:
        return parse_period(str(year - 1))
    return parse_period(period.label.replace(str(year), str(year - 1), 1))


def _in_place(records: TradeRecords, activity: ActivityRecord, scope: Scope) -> bool:
    if scope.province is None and scope.region is None:
        return True
    where = records.province_of(activity)
    if where is None:
        return False
    if scope.province is not None and _current(where) != _current(scope.province):
        return False
    province = geo.provinces().get(where)
    return scope.region is None or (province is not None and province.region == scope.region)


def _current(code: str) -> str:
    province = geo.provinces().get(code)
    return province.successor_code if province is not None else code


def activities_in(
    records: TradeRecords, scope: Scope, *, outside: bool | None = False
) -> list[ActivityRecord]:
    """The activities of the scope done in its period (``outside``: only those outside the programme, only those
    inside (False, the default), or both (None)); with a product sector, those an enterprise of it joined."""
    wanted = set(scope.programmes)
    out = []
    for activity in records.activities.values():
        if activity.programme not in wanted or not activity.done_in(scope.period):
            continue
        if outside is not None and activity.outside_programme != outside:
            continue
        if not _in_place(records, activity, scope):
            continue
        if scope.sector is not None and not _of_sector(
            records, _people(records, activity, "enterprise"), scope
        ):
            continue
        out.append(activity)
    return sorted(out, key=lambda a: a.key)


def _people(records: TradeRecords, activity: ActivityRecord, kind: str) -> set[str]:
    return records.participants.get(activity.key, {}).get(kind, set())


def _of_sector(records: TradeRecords, codes: Iterable[str], scope: Scope) -> set[str]:
    if scope.sector is None:
        return set(codes)
    return {
        c for c in codes if (e := records.enterprises.get(c)) is not None and e.product_sector == scope.sector
    }


def participating(records: TradeRecords, scope: Scope) -> set[str]:
    """Tax codes of the enterprises that took part in a programme activity of the scope by the period's end."""
    wanted = set(scope.programmes)
    out: set[str] = set()
    for activity in records.activities.values():
        if (
            activity.programme in wanted
            and activity.status == "done"
            and not activity.outside_programme
            and activity.actual_date is not None
            and activity.actual_date <= scope.period.end
            and _in_place(records, activity, scope)
        ):
            out |= _people(records, activity, "enterprise")
    return _of_sector(records, out, scope)


def _count_people(
    records: TradeRecords, activities: list[ActivityRecord], kind: str, scope: Scope
) -> tuple[Figure, Figure]:
    """(distinct people, participations) of one kind, both by activity type."""
    distinct: dict[str, set[str]] = {}
    visits: Counter[str] = Counter()
    for a in activities:
        people = _people(records, a, kind)
        if kind == "enterprise":
            people = _of_sector(records, people, scope)
        distinct.setdefault(a.type, set()).update(people)
        visits[a.type] += len(people)
    everyone = set().union(*distinct.values()) if distinct else set()
    codes = tuple(a.code for a in activities)
    return (
        Figure("", len(everyone), by_type={t: len(v) for t, v in distinct.items()}, activities=codes),
        Figure("", sum(visits.values()), by_type=dict(visits), activities=codes),
    )


def _sum_reports(
    records: TradeRecords, codes: set[str], period: Period, name: str
) -> tuple[float | None, set[str]]:
    values = {}
    for code in codes:
        report = records.reports.get((code, period.label))
        value = getattr(report, name) if report is not None else None
        if value is not None:
            values[code] = value
    return (sum(values.values()) if values else None), set(values)


def _growth(records: TradeRecords, codes: set[str], period: Period, name: str) -> Figure:
    before = previous_year(period)
    panel = {
        c
        for c in codes
        if getattr(records.reports.get((c, period.label)), name, None) is not None
        and getattr(records.reports.get((c, before.label)), name, None) is not None
    }
    now = sum(getattr(records.reports[(c, period.label)], name) for c in panel)
    then = sum(getattr(records.reports[(c, before.label)], name) for c in panel)
    value = 100 * (now - then) / then if panel and then else None
    return Figure("", value, enterprises=len(panel))


def _sum_results(records: TradeRecords, activities: list[ActivityRecord], name: str, scope: Scope) -> Figure:
    keys = {a.key for a in activities}
    values: dict[str, float] = {}
    for (programme, activity, tax), result in records.results.items():
        value = getattr(result, name)
        if (programme, activity) in keys and value is not None and _of_sector(records, [tax], scope):
            values.setdefault(tax, 0.0)
            values[tax] += value
    return Figure("", sum(values.values()) if values else None, enterprises=len(values))


def compute(records: TradeRecords, scope: Scope) -> dict[str, Figure]:
    """Every indicator of :data:`COMPUTED` for ``scope``, by code."""
    inside = activities_in(records, scope)
    outside = activities_in(records, scope, outside=True)
    types = Counter(a.type for a in inside)
    out: dict[str, Figure] = {
        "HD_CT": Figure("HD_CT", len(inside), by_type=dict(types), activities=tuple(a.code for a in inside)),
        "HD_TU": Figure("HD_TU", len(outside), activities=tuple(a.code for a in outside)),
    }
    for kind, code in TYPE_CODES.items():
        chosen = tuple(a.code for a in inside if a.type == kind)
        out[f"HD_{code}"] = Figure(f"HD_{code}", len(chosen), activities=chosen)
    officials, official_visits = _count_people(records, inside, "official", scope)
    firms, firm_visits = _count_people(records, inside, "enterprise", scope)
    outside_firms, _ = _count_people(records, outside, "enterprise", scope)
    for code, figure in (
        ("CB_TG", officials),
        ("LUOT_CB", official_visits),
        ("DN_TG", firms),
        ("LUOT_DN", firm_visits),
        ("DN_TU", outside_firms),
    ):
        out[code] = Figure(code, figure.value, by_type=figure.by_type, activities=figure.activities)
    joined = participating(records, scope)
    for code, name in (("XK_DT", "export_turnover"), ("DS", "turnover")):
        value, summed = _sum_reports(records, joined, scope.period, name)
        out[code] = Figure(code, value, enterprises=len(summed))
    for code, name in (("XK_TT", "export_turnover"), ("DS_TT", "turnover")):
        growth = _growth(records, joined, scope.period, name)
        out[code] = Figure(code, growth.value, enterprises=growth.enterprises)
    for code, name in (("TT_MOI", "new_markets"), ("KH_MOI", "new_customers"), ("DS_GT", "additional_sales")):
        figure = _sum_results(records, inside, name, scope)
        out[code] = Figure(code, figure.value, enterprises=figure.enterprises)
    reported = {c for c in joined if (c, scope.period.label) in records.reports}
    new_product = {c for c in reported if records.reports[(c, scope.period.label)].new_export_product}
    out["DN_SPXK"] = Figure("DN_SPXK", len(new_product) if reported else None, enterprises=len(reported))
    share = 100 * len(new_product) / len(reported) if reported else None
    out["TL_DN_SPXK"] = Figure("TL_DN_SPXK", share, enterprises=len(reported))
    return out


def is_trade(records: TradeRecords, programme: str) -> bool:
    """True for a trade-promotion programme (its indicators with the framework's codes are computed)."""
    return records.programmes.get(programme, (None, (), ""))[2] == "trade_promotion"
