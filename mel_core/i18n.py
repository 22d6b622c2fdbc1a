"""Words and messages in Vietnamese and English: one catalogue, one way to ask for them.

Where a word comes from:

- **the catalogue** (``mel_core/catalogue/<area>.yml``): the words of the book, the reports, the portal and the
  CLI, each under a stable key with both languages, ``{placeholders}`` filled in by name.
  ``t("book.overview", "vi", year=2024)`` gives the words in one language; :func:`message` gives a :class:`Text`
  that carries both, for a message that is rendered later, when it reaches a person (an error's message);
  :func:`both` makes one from words given per language, when a value is itself a word (a report kind);
- **the taxonomy** (``kb/taxonomy.yml``): the labels of controlled vocabularies (sectors, criteria, indicator
  levels, rating levels …), asked for with :func:`term` and :func:`rating`, never copied into code.

A :class:`Text` is a ``str`` whose value is the English message (so logs, tests and code that compares strings
see English) and which carries its Vietnamese rendering; :func:`render` picks one when the message reaches a
person. The language is ``MEL_LANG`` (``vi`` or ``en``), else the locale (``LANG`` starting with ``vi``), else
English; ``mel --lang vi`` sets it for one command. A key missing from the catalogue or the taxonomy is a bug
and raises :class:`MissingLabel`, which names the key and the file it should be in.
"""

from __future__ import annotations

import os
import string
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
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


#: The folder of the catalogue: one YAML file per area (``book.yml`` holds the keys ``book.*``).
CATALOGUE_DIR = Path(__file__).parent / "catalogue"


class MissingLabel(KeyError):
    """A key asked for is not in the catalogue or the taxonomy (a bug: add it, in both languages)."""

    def __init__(self, key: str, where: str) -> None:
        super().__init__(key)
        self.key, self.where = key, where

    def __str__(self) -> str:
        return f"no words for {self.key!r} in {self.where}: add them there with their vi and en"


class CatalogueError(ValueError):
    """A file of the catalogue is malformed: a key without both languages, or placeholders that differ."""


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every entry of the catalogue: ``"area.key"`` → ``{"vi": …, "en": …}``, NFC, checked as it is read.

    An entry is a mapping with exactly the keys ``vi`` and ``en``, both non-empty strings with the same
    ``{placeholders}``; any other mapping is a group whose keys continue the dotted key (``book.rec.completed``).
    """
    import yaml  # imported here so that a command's --help does not load it

    # libyaml's safe loader where PyYAML was built with it: the same data, read about ten times faster (the first
    # message of a command reads the whole catalogue)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        _read_group(path, path.stem, data, entries)
    return entries


def _read_group(path: Path, prefix: str, data: object, into: dict[str, dict[str, str]]) -> None:
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: {prefix} is neither an entry (vi, en) nor a group of entries")
    for name, value in data.items():
        key = f"{prefix}.{name}"
        if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
            raise CatalogueError(f"{path.name}: {key!r}: a key is made of letters, digits, _ and -")
        if isinstance(value, dict) and set(value) & set(LANGUAGES):
            if set(value) != set(LANGUAGES):
                raise CatalogueError(
                    f"{path.name}: {key} must have both vi and en, and only them: {sorted(value)}"
                )
            into[key] = _entry(path, key, value)
        else:
            _read_group(path, key, value, into)


def _entry(path: Path, key: str, value: dict[str, object]) -> dict[str, str]:
    words = {}
    for lang in LANGUAGES:
        shown = value[lang]
        if not isinstance(shown, str) or not shown.strip():
            raise CatalogueError(f"{path.name}: {key}.{lang} must be a non-empty string, not {shown!r}")
        words[lang] = unicodedata.normalize("NFC", shown)
    if placeholders(words["vi"]) != placeholders(words["en"]):
        raise CatalogueError(
            f"{path.name}: {key}: vi has the placeholders {sorted(placeholders(words['vi']))},"
            f" en has {sorted(placeholders(words['en']))}"
        )
    return words


def placeholders(words: str) -> set[str]:
    """The names of the ``{placeholders}`` in ``words``."""
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


def _lookup(key: str) -> dict[str, str]:
    try:
        return catalogue()[key]
    except KeyError:
        area = key.split(".", 1)[0]
        raise MissingLabel(key, f"mel_core/catalogue/{area}.yml") from None


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """The words of ``key`` in ``lang`` (default: :func:`language`), with ``{placeholders}`` filled in."""
    words = _lookup(key)["vi" if (lang or language()) == "vi" else "en"]
    return words.format(**values) if values else words


def message(key: str, /, **values: object) -> str:
    """The words of ``key`` in both languages, as a :class:`Text` (English as the string), placeholders filled."""
    entry = _lookup(key)
    if values:
        return Text(entry["en"].format(**values), entry["vi"].format(**values))
    return Text(entry["en"], entry["vi"])


def both(words: Callable[[str], str]) -> str:
    """A message whose values differ by language, as a :class:`Text`: ``words(lang)`` gives it in ``lang``.

    ``both(lambda lang: t("reports.units.unknown", lang, level=t(f"reports.units.{level}", lang)))``: for a
    message that names a word of the catalogue or the taxonomy, which :func:`message` would give in one language.
    """
    return Text(words("en"), words("vi"))


def term(vocabulary: str, key: str, lang: str | None = None) -> str:
    """The label of ``key`` of a controlled vocabulary of ``kb/taxonomy.yml`` (``term("criteria", "impact")``)."""
    from mel_core.reference import taxonomy  # the reference data reads the store's modules: imported late

    entry = taxonomy().get(vocabulary, {}).get(key)
    if entry is None:
        raise MissingLabel(f"{vocabulary}.{key}", "kb/taxonomy.yml")
    return entry["vi" if (lang or language()) == "vi" else "en"]


def rating(criterion: str, level: int | None, lang: str | None = None) -> str:
    """The label of rating ``level`` (4 best … 1) of ``criterion`` (``rating_levels`` of ``kb/taxonomy.yml``).

    ``None`` is *not rated* ("chưa đủ căn cứ để xếp hạng"); a level outside 1–4 is a ValueError.
    """
    if level is None:
        return term("rating_levels", "not_rated", lang)
    if level not in (1, 2, 3, 4):
        raise ValueError(f"a rating level is 1 to 4, not {level!r}")
    return term("rating_levels", f"{criterion}_{level}", lang)
