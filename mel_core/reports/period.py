"""The period a report covers: validated against its kind, or by default the latest with data.

The manual's reporting schedule (seed 004, Table 2.1: monthly, quarterly, biannual, annual and five-year
reports at province, district and commune) gives the kinds: a monthly report covers a month (``2015-07``), a
quarterly report a quarter (``2015-Q3``), a six-month report a half-year (``2013-H1``), an annual report a year
(``2013``), a five-year report a span of five years (``2011-2015``). By default the report covers the latest
period of its kind that has both a plan and a reported figure in the scope; failing that, the latest with a
reported figure, then with a plan. A month, a quarter or a half-year counts as planned when its year has an
annual plan. For five-year reports the candidates are the programmes' own five-year spans and the SEDP periods
(2011-2015, 2016-2020, …) that contain their figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

import pandas as pd

from mel_core.errors import PeriodError
from mel_core.i18n import both, t
from mel_core.periods import Period, PeriodKind, parse_period

ReportKind = Literal["monthly", "quarterly", "six-month", "annual", "five-year"]
REPORT_KINDS: tuple[ReportKind, ...] = ("monthly", "quarterly", "six-month", "annual", "five-year")
SUB_YEAR: tuple[ReportKind, ...] = ("monthly", "quarterly", "six-month")  # measured against the year's plan
_EXAMPLES = {
    "monthly": "2015-07",
    "quarterly": "2015-Q3",
    "six-month": "2013-H1",
    "annual": "2013",
    "five-year": "2011-2015",
}
_ROMAN = ("I", "II", "III", "IV")  # a quarter is numbered in Roman numerals: QUÝ III


def _sedp_span(year: int) -> Period:
    """The five-year SEDP period a year falls in (2011-2015, 2016-2020, …)."""
    first = year - (year - 1) % 5
    return parse_period(f"{first}-{first + 4}")


def _container(kind: ReportKind, period: Period) -> Period | None:
    """The period of a report kind that contains ``period``, or None when it fits in none."""
    if kind == "five-year":
        if period.kind == PeriodKind.SPAN and len(period.years) == 5:
            return period
        span = _sedp_span(period.start.year)
        return span if span.contains(period) else None
    if kind == "annual":
        return parse_period(str(period.start.year)) if len(period.years) == 1 else None
    if kind == "monthly":
        return period if period.kind == PeriodKind.MONTH else None
    if kind == "quarterly":
        if period.kind not in (PeriodKind.QUARTER, PeriodKind.MONTH):
            return None
        return parse_period(f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}")
    if period.kind in (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH):
        return parse_period(f"{period.start.year}-H{1 if period.start.month <= 6 else 2}")
    return None


def check_period(kind: ReportKind, text: str) -> Period:
    """Parse ``text`` and check it is a period of the report's kind.

    Raises:
        PeriodError: not a period, or not one of this kind (a year for a six-month report …).
    """
    period = parse_period(text)
    good = {
        "monthly": period.kind == PeriodKind.MONTH,
        "quarterly": period.kind == PeriodKind.QUARTER,
        "six-month": period.kind == PeriodKind.HALF,
        "annual": period.kind == PeriodKind.YEAR,
        "five-year": period.kind == PeriodKind.SPAN and len(period.years) == 5,
    }[kind]
    if not good:
        raise PeriodError(
            both(
                lambda lang: t(
                    "reports.period.not_a_period",
                    lang,
                    text=text,
                    kind=t(f"reports.kind.{kind}", lang),
                    example=_EXAMPLES[kind],
                )
            )
        )
    return period


def _containers(kind: ReportKind, labels: Iterable[str]) -> set[Period]:
    found = set()
    for label in set(labels):
        container = _container(kind, parse_period(label))
        if container is not None:
            found.add(container)
    return found


def default_period(kind: ReportKind, targets: pd.DataFrame, observations: pd.DataFrame) -> Period:
    """The latest period of the kind with a plan and a figure (else with a figure, else with a plan).

    Raises:
        PeriodError: nothing in the scope falls in a period of this kind.
    """
    planned = _containers(kind, targets["period"]) if not targets.empty else set()
    reported = _containers(kind, observations["period"]) if not observations.empty else set()
    if kind in SUB_YEAR and reported:
        # a month, a quarter or a half-year is planned by its own target or by its year's annual plan
        years = (
            {str(p.start.year) for p in _containers("annual", targets["period"])}
            if not targets.empty
            else set()
        )
        planned |= {p for p in reported if str(p.start.year) in years}
    for pool in (planned & reported, reported, planned):
        if pool:
            return max(pool)
    # figures of another kind (annual figures asked for a six-month report): say which, and which report has them
    other = next(
        (
            k
            for k in REPORT_KINDS
            if k != kind and not observations.empty and _containers(k, observations["period"])
        ),
        None,
    )
    span = ""
    if other is not None:
        held = sorted(_containers(other, observations["period"]))
        span = held[0].label if len(held) == 1 else f"{held[0].label}…{held[-1].label}"

    def hint(lang: str) -> str:
        words = t("reports.period.give_period", lang, example=_EXAMPLES[kind])
        if other is None:
            return words
        return t(
            "reports.period.other_kind",
            lang,
            span=span,
            a_kind=t(f"reports.a_kind.{other}", lang),
            other=other,
            hint=words,
        )

    raise PeriodError(
        both(lambda lang: t("reports.period.nothing", lang, kind=t(f"reports.kind.{kind}", lang))),
        hint=both(hint),
    )


def period_title(kind: ReportKind, period: Period, lang: str = "vi") -> str:
    """How the form's title names the period: "THÁNG 7 NĂM 2015", "QUÝ III NĂM 2015", "6 THÁNG ĐẦU NĂM 2013",
    "NĂM 2013", "5 NĂM 2011-2015"."""
    year = period.start.year
    if kind == "monthly":
        return t("reports.period_title.monthly", lang, month=period.start.month, year=year)
    if kind == "quarterly":
        return t(
            "reports.period_title.quarterly", lang, quarter=_ROMAN[(period.start.month - 1) // 3], year=year
        )
    if kind == "six-month":
        if period.start.month == 1:
            return t("reports.period_title.first_half", lang, year=year)
        return t("reports.period_title.second_half", lang, year=year)
    if kind == "annual":
        return t("reports.period_title.annual", lang, year=year)
    return t("reports.period_title.five-year", lang, start=year, end=period.end.year)


def in_words(day: date) -> str:
    """``ngày 05 tháng 3 năm 2026`` as dated under the national heading."""
    return f"ngày {day.day:02d} tháng {day.month} năm {day.year}"
