"""Provinces, their 2025 successors, and admin-unit codes.

Since 1 July 2025 Vietnam has 34 provinces (63 before). Every pre-2025 GSO code stays valid: it names the
province it was and maps to the province it became part of, so a lesson filed under Quảng Bình (44) is found
by today's Quảng Trị (45).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mel_core.text import nfc
from mel_core.vocabulary import NATIONAL

PROVINCES_CSV = Path(__file__).resolve().parent / "geo_data" / "provinces_vn.csv"


@dataclass(frozen=True)
class Province:
    """A province by its GSO code, with the current province it belongs to."""

    code: str
    name: str
    name_ascii: str
    region: str
    successor_code: str
    successor_name: str

    @property
    def is_current(self) -> bool:
        """True for the 34 provinces that exist after the 2025 merger."""
        return self.successor_code == self.code

    @property
    def current_name(self) -> str | None:
        """The province's name today, when it still exists (Thừa Thiên Huế is now Huế)."""
        return self.successor_name if self.is_current else None


@cache
def provinces() -> dict[str, Province]:
    """All pre-2025 provinces by code, read from the packaged reference data."""
    with PROVINCES_CSV.open(encoding="utf-8-sig", newline="") as fh:
        rows = [Province(**{k: nfc(v) for k, v in row.items()}) for row in csv.DictReader(fh)]
    return {p.code: p for p in rows}


def normalise_code(value: str | int | float) -> str:
    """A province code as the GSO writes it: two digits with the leading zero (1 → "01")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    return text.upper() if text.lower() == NATIONAL.lower() else text


def successor(code: str) -> str:
    """The code of the current province that ``code`` is (or became part of)."""
    return provinces()[code].successor_code


def current_provinces() -> list[Province]:
    """The 34 provinces after the 2025 merger, by code."""
    return sorted((p for p in provinces().values() if p.is_current), key=lambda p: p.code)


def predecessors(code: str) -> list[str]:
    """Every code, old or current, that maps to the current province ``code``."""
    return sorted(c for c, p in provinces().items() if p.successor_code == code)
