"""Personal data in submissions: phone numbers and e-mail addresses.

Letter 247/KTHT-GN itself carries an officer's phone and e-mail, and so do the submissions answering it. In a
lesson file such data belongs only in the private ``contact`` block; anywhere else it is a problem
(``mel lessons check``) or, when a Word submission is converted, it is moved into ``contact``.
"""

from __future__ import annotations

import re

#: An e-mail address.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A Vietnamese phone number: +84 or 0, then 9 or 10 digits, spaces, dots or dashes allowed between them.
#: Not preceded by a digit, dot or comma, so amounts such as 1.000.000.000 đồng are not phone numbers.
PHONE = re.compile(r"(?<![\d.,])(?:\+84|0084|0)[ .\-]?[1-9](?:[ .\-]?\d){7,9}(?![\d])")


def find_personal(text: str) -> list[str]:
    """Every e-mail address and phone number in ``text``, in order of appearance."""
    found = [(m.start(), m.group(0)) for m in EMAIL.finditer(text)]
    emails = [m.span() for m in EMAIL.finditer(text)]
    for m in PHONE.finditer(text):
        if not any(a <= m.start() < b for a, b in emails):
            found.append((m.start(), m.group(0).strip()))
    return [value for _, value in sorted(found)]


def mask(value: str) -> str:
    """A value shown in a problem report without repeating the personal data in full."""
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:2]}…@{domain}"
    digits = re.sub(r"\D", "", value)
    return f"{digits[:4]}…{digits[-2:]}"


def remove_personal(text: str) -> tuple[str, list[str]]:
    """``text`` without its e-mail addresses and phone numbers, and the values removed.

    Labels left dangling by the removal (``ĐT:``, ``Email:``, ``Tel.``) are removed too.
    """
    found = find_personal(text)
    cleaned = text
    for value in found:
        cleaned = cleaned.replace(value, " ")
    cleaned = re.sub(
        r"(?i)\b(?:đt|điện thoại|dđ|di động|tel|phone|mobile|email|e-mail|hòm thư|ht)"
        r"\s*[.:]?\s*(?=[,;)\s]*(?:$|[,;)]))",
        "",
        cleaned,
    )
    cleaned = re.sub(r"\(\s*[,;]?\s*\)", "", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    cleaned = re.sub(r"\s+([,;.)])", r"\1", cleaned)
    cleaned = re.sub(r"([,;])(?:\s*[,;])+", r"\1", cleaned)
    cleaned = re.sub(r"[,;]+\s*(\)|$)", r"\1", cleaned)
    return cleaned.strip(), found
