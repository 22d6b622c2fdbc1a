"""Messages in English and Vietnamese.

A message is written once, in both languages, where it is raised: ``say("expected a number", "cần một số")``.
The result is a :class:`Text`, a ``str`` whose value is the English message (so logs, tests and code that
compares strings see English) and which carries its Vietnamese rendering; :func:`render` picks one when the
message reaches a person. The language is ``MEL_LANG`` (``vi`` or ``en``), else the locale (``LANG`` starting
with ``vi``), else English; ``mel --lang vi`` sets it for one command.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

LANGUAGES = ("en", "vi")


class Text(str):
    """An English message (the string itself) with its Vietnamese rendering in :attr:`vi`."""

    vi: str

    def __new__(cls, en: str, vi: str) -> Text:
        text = super().__new__(cls, en)
        text.vi = vi
        return text

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # pickling keeps both languages
        return (str(self), self.vi)


def say(en: str, vi: str) -> str:
    """One message in both languages (typed as ``str``: it is one, in English)."""
    return Text(en, vi)


def language(environ: Mapping[str, str] | None = None) -> str:
    """The language messages are shown in: MEL_LANG, else the locale's, else English."""
    env = os.environ if environ is None else environ
    chosen = env.get("MEL_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def render(text: Any, lang: str | None = None) -> str:
    """``text`` in ``lang`` (default: :func:`language`); a plain string is shown as it is."""
    lang = lang or language()
    if lang == "vi" and isinstance(text, Text):
        return text.vi
    return str(text)


#: Words that frame messages (where a problem is, what follows an error).
WORDS = {
    "row": say("row", "dòng"),
    "column": say("column", "cột"),
    "value": say("value", "giá trị"),
    "Error": say("Error", "Lỗi"),
}


def word(key: str, lang: str | None = None) -> str:
    return render(WORDS[key], lang)
