"""Personal data in text: phone numbers, e-mail addresses and a contact's own details, found and blanked out.

Letter 247/KTHT-GN carries an officer's phone and e-mail, and so do the submissions answering it. In a lesson such
data belongs only in the private ``contact`` block. This one module decides what personal data looks like, for
``mel lessons check`` (:func:`find_personal`), the Word converter (:func:`remove_personal`), the search indexes,
the book and the portal (:func:`redact`).

People write a number in many ways: ``0912 345 678``, ``0912.345.678``, ``(024) 3823 4567``, ``+84 (0) 24 …``,
``84912345678``, with no-break or thin spaces, any kind of dash, underscores, fullwidth digits; and an address as
``x＠y.vn`` or ``x [at] y [dot] vn``. Detection therefore runs on a *skeleton* of the text, one character for
one: every Unicode digit becomes its ASCII digit, every dash ``-``, every space or line break ``' '``, fullwidth
and compatibility forms their ASCII letter (``＠`` → ``@``), and, for names, letters lose their diacritics and
case. A span found in the skeleton is the same span in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

#: What a blanked-out value is replaced with.
REDACTED = "[…]"

_ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}


class _Skeleton(dict[int, int]):
    """A ``str.translate`` table built on demand: each code point to one ASCII-like code point (or itself).

    A long text is translated with numpy instead (:meth:`apply`): ``str.translate`` looks each character of a
    text that is not all ASCII up in the table from Python, about 4× as long as one array look-up over the text's
    code points. The array covers the Basic Multilingual Plane, filled from this table as characters are met; a
    text beyond it (or with a lone surrogate) is translated as before. Both give the same text (a test holds them
    to it).
    """

    def __init__(self, fold: bool) -> None:
        super().__init__()
        self.fold = fold
        self._array: Any = None  # code point → mapped code point, for the BMP
        self._known: Any = None  # which of them are filled in

    def __missing__(self, point: int) -> int:
        char = chr(point)
        mapped = point
        if char.isdecimal():
            mapped = ord(str(unicodedata.decimal(char)))
        elif point in _ZERO_WIDTH or char.isspace() or unicodedata.category(char) == "Zs":
            mapped = ord(" ")
        elif unicodedata.category(char) == "Pd" or char in "\u2212\ufe63\uff0d":
            mapped = ord("-")
        else:
            compat = unicodedata.normalize("NFKC", char)
            if len(compat) == 1 and compat.isascii():
                mapped = ord(compat)
            elif self.fold and char.isalpha():
                base = unicodedata.normalize("NFD", char)[0]
                mapped = ord("d" if char in "đĐ" else base)
        if self.fold and chr(mapped).isalpha():
            mapped = ord(chr(mapped).lower()[0]) if len(chr(mapped).lower()) == 1 else mapped
        self[point] = mapped
        return mapped

    def apply(self, text: str) -> str:
        """``text`` translated by this table."""
        if len(text) < VECTOR_FROM:
            return text.translate(self)
        import numpy as np  # here: the command line's checks need no numpy for their short values

        if self._array is None:
            self._array = np.arange(0x10000, dtype=np.uint32)
            self._known = np.zeros(0x10000, dtype=bool)
        try:
            points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
            known = self._known[points]
        except (UnicodeEncodeError, IndexError):  # a lone surrogate; a character beyond the BMP
            return text.translate(self)
        if not known.all():
            for point in np.unique(points[~known]).tolist():
                self._array[point] = self[point]
                self._known[point] = True  # after its value: another thread reads it only once it is there
        return str(self._array[points].tobytes().decode("utf-32-le"))


#: Texts at least this long are translated with numpy (shorter ones cost more to convert than to translate).
VECTOR_FROM = 128
_PLAIN = _Skeleton(fold=False)
_ASCII_SPACES = {c: ord(" ") for c in range(128) if chr(c).isspace()}  # as _Skeleton maps them
_FOLDED = _Skeleton(fold=True)


def skeleton(text: str, *, fold: bool = False) -> str:
    """``text`` with one plain character for each of its characters (see the module's docstring).

    With ``fold``, letters also lose their diacritics and case (``Nguyễn`` → ``nguyen``, ``Đ`` → ``d``).
    """
    if text.isascii() and not fold:
        return text.translate(_ASCII_SPACES)
    return (_FOLDED if fold else _PLAIN).apply(text)


_SEP = r"[ ._\-()\[\]]{0,2}"
#: A Vietnamese phone number in the skeleton: +84, 0084, 84 without separators, or a national 0; then 8 to 10
#: digits starting with 2 to 9, or an old mobile number's 10 starting with 1 (so a 10-digit tax code 01… is not
#: one). Not preceded by a digit, dot or comma and not continued by more digits, so amounts such as
#: 1.000.000.000 đồng and date ranges such as 01.01.2020-31.12.2020 are not phone numbers.
_PHONE = re.compile(
    r"(?<![\d.,])"
    r"(?:"
    r"[(\[]?(?:\+|00)[ ]?84[)\]]?[ ._\-]{0,2}(?:\(0\)[ ._\-]{0,2}|0[ ._\-]{0,2})?"
    r"|[(\[]?0"
    r"|84(?=[1-9]\d{8,9}(?!\d))"
    r")"
    rf"(?:1(?:{_SEP}\d){{9}}|[2-9](?:{_SEP}\d){{7,9}})"
    r"(?![ ._\-]?\d)"
)
_OPEN, _CLOSE = r"[ ]*[\[({<][ ]*", r"[ ]*[\])}>][ ]*"
_AT = rf"(?:[ ]?@[ ]?|{_OPEN}(?:at|@|a[ ]?còng|a[ ]?cong){_CLOSE})"
_DOT = rf"(?:\.|{_OPEN}(?:dot|chấm|cham){_CLOSE}|[ ]+(?:dot|chấm)[ ]+)"
#: An e-mail address in the skeleton, plain or written to dodge harvesters (``x [at] y [dot] vn``).
_EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]*\w{_AT}[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE)
_LABELS = re.compile(
    r"(?i)\b(?:đt|điện thoại|dđ|di động|tel|phone|mobile|email|e-mail|hòm thư|ht)"
    r"\s*[.:]?\s*(?=[,;)\s]*(?:$|[,;)]))"
)


#: What every e-mail address holds (its ``_AT``), and what every phone number holds (eight digits, each at most
#: two separators from the next): a search for these is a scan for a first character, where the full patterns,
#: which open with a look-behind, are tried at every position. Text without them (most of a lesson) skips the
#: full patterns; the results are the same (a test holds both ways to the same spans).
_EMAIL_HINT = re.compile(rf"@|[\[({{<][ ]*(?:at|a[ ]?còng|a[ ]?cong){_CLOSE}", re.IGNORECASE)
_PHONE_HINT = re.compile(rf"\d(?:{_SEP}\d){{7}}")


def _spans(text: str, plain: str | None = None) -> list[tuple[int, int]]:
    """The spans of every e-mail address and phone number in ``text`` (whose skeleton ``plain`` is, when given),
    in order, not overlapping."""
    plain = skeleton(text) if plain is None else plain
    emails = [m.span() for m in _EMAIL.finditer(plain)] if _EMAIL_HINT.search(plain) else []
    if not _PHONE_HINT.search(plain):
        return emails
    phones = [m.span() for m in _PHONE.finditer(plain) if not any(a <= m.start() < b for a, b in emails)]
    return sorted(emails + phones)


@lru_cache(maxsize=256)
def _private_pattern(values: tuple[str, ...]) -> tuple[re.Pattern[str], frozenset[str]] | None:
    """One pattern for a contact's values, in the folded skeleton: any space or line break between words; with
    the first word of each value, which a text must hold for the pattern to match there (checked first)."""
    words, firsts = [], set()
    for value in values:
        parts = skeleton(value, fold=True).split()
        if parts and len(" ".join(parts)) >= 3:
            words.append(r"[ ]+".join(re.escape(p) for p in parts))
            firsts.add(parts[0])
    if not words:
        return None
    words.sort(key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)"), frozenset(firsts)


def personal_spans(text: str, private: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Spans of ``text`` that are personal data: e-mails, phones, and the given private values, merged."""
    return personal_spans_each([text], private)[0]


def personal_spans_each(texts: Sequence[str], private: Iterable[str] = ()) -> list[list[tuple[int, int]]]:
    """:func:`personal_spans` of each of ``texts`` (the parts of one page), their skeletons made in one pass.

    A skeleton maps each character to one character whatever surrounds it, so a text's part of the skeleton of
    all the texts joined is its own skeleton; the patterns still run over each text alone.
    """
    joined = "".join(texts)
    plain = skeleton(joined)
    found = _private_pattern(tuple(sorted({str(v) for v in private if v})))
    folded = None
    if found is not None:
        folded = skeleton(joined, fold=True)
        if not any(first in folded for first in found[1]):
            folded = None  # no text holds a first word of the contact's details
    out = []
    start = 0
    for text in texts:
        end = start + len(text)
        spans = _spans(text, plain[start:end])
        if found is not None and folded is not None:
            pattern, firsts = found
            own = folded[start:end]
            if any(first in own for first in firsts):
                spans += [m.span() for m in pattern.finditer(own)]
        out.append(_merged(spans))
        start = end
    return out


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_personal(text: str) -> list[str]:
    """Every e-mail address and phone number in ``text``, as written, in order of appearance."""
    return [text[a:b].strip() for a, b in _spans(text)]


def redact(text: str, private: Iterable[str] = ()) -> str:
    """``text`` with e-mails, phones and the given private values (a contact's details) replaced by ``[…]``."""
    if not text:
        return text
    return _blanked(text, personal_spans(text, private))


def redact_each(texts: Sequence[str], private: Iterable[str] = ()) -> list[str]:
    """:func:`redact` of each of ``texts``, found with :func:`personal_spans_each` (one pass for a whole page)."""
    return [
        _blanked(text, spans) for text, spans in zip(texts, personal_spans_each(texts, private), strict=True)
    ]


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    last = 0
    for start, end in spans:
        out += [text[last:start], REDACTED]
        last = end
    out.append(text[last:])
    return "".join(out)


def private_values(contact: Any) -> list[str]:
    """The values of a lesson's ``contact`` block (name, unit, phone, e-mail …) as strings."""
    if isinstance(contact, dict):
        return [str(v) for v in contact.values() if v is not None and not isinstance(v, dict | list)]
    if isinstance(contact, str | int):
        return [str(contact)]
    return []


def mask(value: str) -> str:
    """A value shown in a problem report without repeating the personal data in full."""
    plain = skeleton(value)
    if _EMAIL.fullmatch(plain.strip()):
        at = _EMAIL_AT.search(plain)
        if at is not None:
            return f"{value[:2]}…{value[at.start() :]}"
    digits = re.sub(r"\D", "", plain)
    return f"{digits[:4]}…{digits[-2:]}"


_EMAIL_AT = re.compile(_AT, re.IGNORECASE)


def remove_personal(text: str) -> tuple[str, list[str]]:
    """``text`` without its e-mail addresses and phone numbers, and the values removed.

    Labels left dangling by the removal (``ĐT:``, ``Email:``, ``Tel.``) are removed too.
    """
    spans = _spans(text)
    found = [text[a:b].strip() for a, b in spans]
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces += [text[last:start], " "]
        last = end
    pieces.append(text[last:])
    cleaned = _LABELS.sub("", "".join(pieces))
    cleaned = re.sub(r"\(\s*[,;]?\s*\)", "", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    cleaned = re.sub(r"\s+([,;.)])", r"\1", cleaned)
    cleaned = re.sub(r"([,;])(?:\s*[,;])+", r"\1", cleaned)
    cleaned = re.sub(r"[,;]+\s*(\)|$)", r"\1", cleaned)
    return cleaned.strip(), found
