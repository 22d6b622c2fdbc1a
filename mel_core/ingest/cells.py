"""Reading one cell: text from CSV or typed values from a workbook, into the value the store holds.

Each reader raises :class:`CellError` with a reason a person can act on; the validator adds file, row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from mel_core import geo
from mel_core.errors import PeriodError
from mel_core.i18n import message
from mel_core.ingest.formats import Column, Kind
from mel_core.periods import Period, parse_period
from mel_core.text import clean_cell
from mel_core.trade import tax_code as tax_codes

Raw = str | int | float | bool | date | datetime | None

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
#: Characters no cell may hold: C0 controls but tab and line feed (a carriage return only before a line feed),
#: DEL, C1 controls, and the bidirectional overrides and isolates that make text read otherwise than it is stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
#: The largest whole number a count may be: the store's INTEGER columns hold 32 bits on PostgreSQL.
COUNT_MAX = 2**31 - 1
#: The largest amount of money (million VND) or area (ha): 10^12 million VND is 10^18 VND, thousands of times
#: a year's national budget; anything larger is a typing or unit error, and sums of it would overflow.
MONEY_MAX = 1e12
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


NOT_A_NUMBER = message("ingest.cells.not_a_number")


class CellError(ValueError):
    """A cell's value cannot be read; ``reason`` says why and what would be accepted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_empty(raw: Raw) -> bool:
    return raw is None or (isinstance(raw, str) and clean_cell(raw) == "")


def text(raw: Raw) -> str:
    if isinstance(raw, datetime | date):
        raise CellError(message("ingest.cells.expected_text_found_date"))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = clean_cell(str(raw))
    control = _CONTROL.search(value)
    if control is not None:
        point = f"U+{ord(control.group(0)[0]):04X}"
        raise CellError(message("ingest.cells.text_holds_control_character", point=point))
    return value


def code(raw: Raw) -> str:
    value = text(raw)
    if not _CODE.match(value):
        raise CellError(message("ingest.cells.code_uses_letters_digits"))
    return value


def tax_code(raw: Raw) -> str:
    """An enterprise's tax code; a number a spreadsheet stored gets its leading zero back."""
    if isinstance(raw, bool | datetime | date):
        raise CellError(tax_codes.problem("") or "")
    value = tax_codes.normalise(raw if isinstance(raw, int | float) else text(raw))
    why = tax_codes.problem(value)
    if why:
        raise CellError(why)
    return value


def number(raw: Raw) -> float:
    if isinstance(raw, bool):
        raise CellError(message("ingest.cells.expected_number_found_boolean"))
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        s = raw.strip().replace("\u00a0", "")
        if not _NUMBER.match(s):
            if re.match(r"^[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?$", s):
                raise CellError(message("ingest.cells.write_numbers_without_thousands"))
            if s.startswith("="):
                raise CellError(message("ingest.cells.cell_holds_formula_paste"))
            raise CellError(NOT_A_NUMBER)
        value = float(s)
    else:
        raise CellError(NOT_A_NUMBER)
    if not math.isfinite(value):
        raise CellError(message("ingest.cells.expected_finite_number"))
    return value


def money(raw: Raw) -> float:
    value = number(raw)
    if value < 0:
        raise CellError(message("ingest.cells.must_not_negative_money"))
    if value > MONEY_MAX:
        raise CellError(message("ingest.cells.larger_than_money_written", money_max=MONEY_MAX))
    return value


def count(raw: Raw) -> int:
    value = number(raw)
    if not value.is_integer():
        raise CellError(message("ingest.cells.expected_whole_number"))
    if value < 0:
        raise CellError(message("ingest.cells.must_not_negative"))
    if value > COUNT_MAX:
        raise CellError(message("ingest.cells.larger_than_largest_whole", count_max=COUNT_MAX))
    return int(value)


def year(raw: Raw) -> int:
    value = count(raw)
    if not 1900 <= value <= 2100:
        raise CellError(message("ingest.cells.expected_year_between_1900"))
    return value


def boolean(raw: Raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    s = text(raw).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CellError(message("ingest.cells.expected_boolean"))


def iso_date(raw: Raw) -> date:
    if isinstance(raw, datetime):
        if raw.time() != datetime.min.time():
            raise CellError(message("ingest.cells.expected_date_without_time"))
        return raw.date()
    if isinstance(raw, date):
        return raw
    s = text(raw)
    if not _ISO_DATE.match(s):
        raise CellError(message("ingest.cells.expected_date_written_yyyy"))
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise CellError(message("ingest.cells.no_such_day_calendar")) from None


def period(raw: Raw) -> Period:
    try:
        return parse_period(raw if isinstance(raw, int | float) and not isinstance(raw, bool) else text(raw))
    except PeriodError as exc:
        raise CellError(exc.message) from None


def admin(raw: Raw, known: frozenset[str] | set[str]) -> str:
    value = geo.normalise_code(raw if isinstance(raw, int | float) else text(raw))
    if value not in known:
        raise CellError(message("ingest.cells.unknown_admin_unit_code", value=value))
    return value


def admins(raw: Raw, known: frozenset[str] | set[str]) -> list[str]:
    parts = [p for p in (x.strip() for x in str(raw).split(";")) if p]
    if isinstance(raw, int | float):
        parts = [str(raw)]
    values, bad = [], []
    for part in parts:
        try:
            values.append(admin(part, known))
        except CellError:
            bad.append(part)
    if bad:
        raise CellError(message("ingest.cells.unknown_province_codes", bad=", ".join(bad)))
    if len(set(values)) != len(values):
        raise CellError(message("ingest.cells.province_listed_twice"))
    return values


def text_list(raw: Raw) -> list[str]:
    items = [clean_cell(p) for p in text(raw).split(";")]
    return [i for i in items if i]


def disaggregation(raw: Raw) -> str:
    """``sex=female;ethnicity=minority`` in canonical form (keys sorted), '' for the total."""
    pairs: dict[str, str] = {}
    for part in text(raw).split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = (s.strip().lower() for s in part.partition("="))
        if not sep or not _IDENT.match(key) or not _IDENT.match(value):
            raise CellError(message("ingest.cells.write_disaggregation_key_value"))
        if key in pairs:
            raise CellError(message("ingest.cells.appears_twice", key=key))
        pairs[key] = value
    return ";".join(f"{k}={pairs[k]}" for k in sorted(pairs))


def choice(raw: Raw, choices: tuple[str, ...]) -> str:
    value = text(raw)
    if value not in choices:
        lowered = value.lower().replace(" ", "_").replace("-", "_")
        if lowered in choices:
            return lowered
        raise CellError(message("ingest.cells.must_be_one_of", choices=", ".join(choices)))
    return value


def reader(column: Column, known_admin: frozenset[str] | set[str]) -> Callable[[Any], Any]:
    """The function that reads a non-empty cell of ``column``."""
    kind = column.kind
    simple: dict[Kind, Callable[[Any], Any]] = {
        Kind.TEXT: text,
        Kind.CODE: code,
        Kind.INT: count,
        Kind.YEAR: year,
        Kind.NUMBER: number,
        Kind.MONEY: money,
        Kind.BOOL: boolean,
        Kind.DATE: iso_date,
        Kind.PERIOD: period,
        Kind.LIST: text_list,
        Kind.DISAGGREGATION: disaggregation,
        Kind.TAX_CODE: tax_code,
    }
    if kind in simple:
        return simple[kind]
    if kind is Kind.CHOICE:
        return lambda raw: choice(raw, column.choices)
    if kind is Kind.ADMIN:
        return lambda raw: admin(raw, known_admin)
    if kind is Kind.ADMINS:
        return lambda raw: admins(raw, known_admin)
    raise AssertionError(f"no reader for {kind}")


def variable_name(name: str) -> str:
    """A survey variable column name: lowercase identifier."""
    if not _IDENT.match(name):
        raise CellError(message("ingest.cells.survey_variable_name_uses"))
    return name
