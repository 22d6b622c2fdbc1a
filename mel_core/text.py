"""THE Vietnamese text pipeline, used by ingest, lessons, kb and book alike.

Text is NFC-normalised wherever it enters (files, workbooks, the command line). Search adds a folded copy
(diacritics removed, đ→d) on top of the same normalisation.
"""

from __future__ import annotations

import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Unicode NFC form: one code point per precomposed Vietnamese letter (never NFD)."""
    return unicodedata.normalize("NFC", text)


def clean_cell(text: str) -> str:
    """NFC, with surrounding white space and non-breaking spaces removed, as text enters from a file."""
    return nfc(text).replace("\u00a0", " ").strip()


def fold(text: str) -> str:
    """Diacritics removed and đ→d, lowercase: what a user types without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).lower()
