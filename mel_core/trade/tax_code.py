"""The tax code (mã số thuế) that keys the enterprise register.

An enterprise's code has ten digits, the last a check digit (Circular 105/2020/TT-BTC, and before it Decision
75/1998/QĐ-TCT); a branch or dependent unit adds ``-`` and three digits (``0101248141-001``). The check digit
is ``10 - (31·d1 + 29·d2 + 23·d3 + 19·d4 + 17·d5 + 13·d6 + 7·d7 + 5·d8 + 3·d9) mod 11``; a remainder of 0 would
give 10, which no code carries, so such a number is not a tax code. Examples: Vinamilk 0300588569, FPT 0101248141.
"""

from __future__ import annotations

import re

from mel_core.i18n import message

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_FORM = re.compile(r"^(\d{10})(-\d{3})?$")


def check_digit(first_nine: str) -> int | None:
    """The check digit of the first nine digits, or None when no valid code starts with them."""
    digit = 10 - sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True)) % 11
    return None if digit == 10 else digit


def normalise(value: str | int | float) -> str:
    """A tax code as written on the registration certificate: a number a spreadsheet stored (its leading zero
    lost) gets it back, spaces and dots are dropped, a branch suffix is kept."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:010d}"
    return re.sub(r"[\s.]", "", str(value))


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid tax code (in both languages), or None when it is."""
    match = _FORM.match(code)
    if match is None:
        return message("trade.tax_code.shape")
    digits = match.group(1)
    expected = check_digit(digits[:9])
    if expected is None:
        return message("trade.tax_code.no_valid_start", first=digits[:9])
    if expected != int(digits[9]):
        return message("trade.tax_code.check_digit_wrong", first=digits[:9], expected=expected)
    return None


def make(first_nine: str) -> str:
    """The valid code that starts with ``first_nine`` (for fictitious sample enterprises and tests)."""
    digit = check_digit(first_nine)
    if digit is None:
        raise ValueError(f"no tax code starts with {first_nine}")
    return f"{first_nine}{digit}"
