"""Text cells that a spreadsheet program would run as a formula (CSV or formula injection, OWASP).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel or
LibreOffice as a formula when the file is opened: ``=HYPERLINK(…)`` or ``=cmd|…`` in a lesson title or an
implementer's name would run on the reader's machine. Exports write such text so that it stays text:

- in a workbook, as a string cell (openpyxl's data type ``s``), which needs no change of the text;
- in a CSV file, with one leading apostrophe, as OWASP recommends. :func:`from_csv` removes it again, so the
  import of an export restores every value: text that already started with apostrophes before a formula sign
  gets one more on the way out and loses one on the way in.
"""

from __future__ import annotations

import re

_FORMULA_LIKE = re.compile(r"^'*[=+\-@\t\r]")
#: Anywhere in a CSV file's text: a field that may carry the export's apostrophe (a fast test of a whole file).
_ESCAPED_FIELD = re.compile(r"(?:^|[,;\n])\"?'+[=+\-@\t\r]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` (after any leading apostrophes) as a formula."""
    return bool(_FORMULA_LIKE.match(text))


def to_csv(text: str) -> str:
    """``text`` as a CSV field that opens as text: one apostrophe before formula-like text."""
    return f"'{text}" if formula_like(text) else text


def from_csv(text: str) -> str:
    """The value :func:`to_csv` wrote: one leading apostrophe removed before formula-like text."""
    if text.startswith("'") and _FORMULA_LIKE.match(text[1:]) and formula_like(text):
        return text[1:]
    return text


def may_hold_escapes(csv_text: str) -> bool:
    """False when no field of a CSV file can carry :func:`to_csv`'s apostrophe (then nothing is undone)."""
    return bool(_ESCAPED_FIELD.search(csv_text))
