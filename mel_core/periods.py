"""Period algebra: one parser for every period syntax of the import formats.

Accepted: a year ``2015``, a half ``2015-H1``, a quarter ``2015-Q3``, a month ``2015-07`` and a span of years
``2016-2020``. Every period is a closed interval of calendar days, so ordering, containment ("which periods
fall in 2016-2020") and overlap follow from the dates alone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from mel_core.errors import PeriodError
from mel_core.i18n import message

MIN_YEAR, MAX_YEAR = 1900, 2100

_PATTERN = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<half>[Hh][12])|(?P<quarter>[Qq][1-4])|(?P<month>\d{2})|(?P<end>\d{4})))?$"
)


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    SPAN = "span"


@dataclass(frozen=True)
class Period:
    """A reporting period: a closed interval of days with its canonical label.

    Ordering sorts by start, then by end (a shorter period first), so ``2015-Q1 < 2015-H1 < 2015``.
    """

    start: date
    end: date
    kind: PeriodKind
    label: str

    def __lt__(self, other: Period) -> bool:
        return (self.start, self.end) < (other.start, other.end)

    def __le__(self, other: Period) -> bool:
        return (self.start, self.end) <= (other.start, other.end)

    def __gt__(self, other: Period) -> bool:
        return (self.start, self.end) > (other.start, other.end)

    def __ge__(self, other: Period) -> bool:
        return (self.start, self.end) >= (other.start, other.end)

    def __str__(self) -> str:
        return self.label

    def contains(self, other: Period | date) -> bool:
        """True when ``other`` lies wholly inside this period."""
        if isinstance(other, date):
            return self.start <= other <= self.end
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day."""
        return self.start <= other.end and other.start <= self.end

    @property
    def years(self) -> range:
        """The calendar years the period touches."""
        return range(self.start.year, self.end.year + 1)

    @property
    def months(self) -> int:
        """Length in whole months."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            message("core.periods.year_outside", year=year, text=text, low=MIN_YEAR, high=MAX_YEAR)
        )


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    m = _PATTERN.match(text)
    if m is None:
        raise PeriodError(message("core.periods.not_a_period_use", text=text))
    year = int(m["year"])
    _check_year(year, text)
    if m["half"]:
        h = int(m["half"][1])
        start, end = date(year, 6 * h - 5, 1), date(year, 6 * h, 30 if h == 1 else 31)
        return Period(start, end, PeriodKind.HALF, f"{year}-H{h}")
    if m["quarter"]:
        q = int(m["quarter"][1])
        last = 3 * q
        return Period(
            date(year, last - 2, 1),
            date(year, last, calendar.monthrange(year, last)[1]),
            PeriodKind.QUARTER,
            f"{year}-Q{q}",
        )
    if m["month"]:
        month = int(m["month"])
        if not 1 <= month <= 12:
            raise PeriodError(message("core.periods.no_such_month", text=text, month=month))
        return Period(
            date(year, month, 1),
            date(year, month, calendar.monthrange(year, month)[1]),
            PeriodKind.MONTH,
            f"{year}-{month:02d}",
        )
    if m["end"]:
        end_year = int(m["end"])
        _check_year(end_year, text)
        if end_year <= year:
            raise PeriodError(message("core.periods.span_backwards", text=text))
        return Period(date(year, 1, 1), date(end_year, 12, 31), PeriodKind.SPAN, f"{year}-{end_year}")
    return Period(date(year, 1, 1), date(year, 12, 31), PeriodKind.YEAR, str(year))


def parse_period(value: str | int | float | Period) -> Period:
    """Parse a period written in any accepted syntax.

    Args:
        value: the text of a cell (``"2015-q3"`` is accepted and canonicalised to ``"2015-Q3"``), or a whole
            number such as the ``2015`` a spreadsheet stores for a year.

    Raises:
        PeriodError: the value is not a period; the message shows the accepted syntaxes.
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, bool):
        raise PeriodError(message("core.periods.not_a_period", value=value))
    if isinstance(value, float):
        if not value.is_integer():
            raise PeriodError(message("core.periods.year_not_a_number", value=value))
        value = int(value)
    return _parse_text(str(value).strip())


def periods_within(periods: Iterable[Period | str], span: Period | str) -> list[Period]:
    """The periods that fall wholly inside ``span``, sorted."""
    outer = parse_period(span)
    return sorted(p for p in map(parse_period, periods) if outer.contains(p))


def split_years(period: Period | str) -> list[Period]:
    """The calendar years a period covers (a span ``2016-2020`` gives five years)."""
    p = parse_period(period)
    return [parse_period(y) for y in p.years]
