"""``mel lessons check``: every problem of every lesson file, with file, line and field.

A lesson file is checked against the format of DESIGN.md: front matter keys and their vocabularies (sectors and
themes from ``kb/taxonomy.yml``, provinces by GSO code, pre-2025 codes included), the id and its file and year
folder, the lessons of section 3, no raw HTML, and no personal data outside the private ``contact`` block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mel_core import geo
from mel_core.errors import LessonFormatError, LineProblem
from mel_core.i18n import message
from mel_core.lessons.completeness import completeness_problems
from mel_core.lessons.parse import LESSONS_SECTION, LessonFile, read_lesson
from mel_core.privacy import find_personal, mask
from mel_core.reference import taxonomy
from mel_core.vocabulary import FUNDING, LANGUAGES, ORGANISATION_KINDS, VISIBILITY

REQUIRED = (
    "id",
    "title",
    "language",
    "year",
    "submitted_by",
    "submitter_kind",
    "funding",
    "provinces",
    "sector",
    "themes",
)
#: The states a lesson file may claim: returned and rejected are the store's, set by a reviewer. A file that says
#: published is published only by a reviewer (``mel lessons ingest --publish-as``); see mel_core.lessons.workflow.
FILE_STATUSES = ("draft", "submitted", "published")
#: Optional keys. ``illustrative: true`` marks sample content that describes no real submission.
OPTIONAL = ("programme", "visibility", "status", "contact", "illustrative")
CONTACT_KEYS = ("name", "phone", "email", "organisation", "position", "address", "other")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TODO = "TODO"
#: Where HTML begins markup: "<" then a letter (a tag), "/" (an end tag), "!" (a comment or declaration) or "?"
#: (the HTML tokenizer's tag-open state). Upper case, "/" instead of a space before an attribute, or a tag left
#: open to go on in the next line are all markup; "a < b", "<5 ha" and "<=" stay text. The match runs to the next
#: space, so the problem shows the tag and its first attribute.
_MARKUP = re.compile(r"<[A-Za-z/!?][^\s<>]*")
#: A Markdown autolink (``<https://example.org>``): in a lesson's text the book shows it as its words.
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>")


def _markup(text: str, *, autolinks: bool = False) -> str | None:
    """The first thing in ``text`` that HTML would read as markup, or None (autolinks allowed if asked)."""
    for found in _MARKUP.finditer(text):
        if not (autolinks and _AUTOLINK.match(text, found.start())):
            return found.group(0)
    return None


def lesson_files(paths: Iterable[Path]) -> tuple[list[Path], list[LineProblem]]:
    """The ``.md`` files under ``paths`` (files or folders), skipping folders whose name starts with ``_``."""
    files: list[Path] = []
    problems: list[LineProblem] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*.md"))
                if not any(part.startswith("_") for part in p.relative_to(path).parts)
            )
        else:
            reason = message("lessons.check.no_such_path")
            problems.append(LineProblem(str(path), 0, "", "", reason))
    return files, problems


def validate_lessons(
    paths: Sequence[Path], *, complete: bool = False
) -> tuple[list[tuple[Path, LessonFile]], list[LineProblem]]:
    """Read and check every lesson file under ``paths``; return them with every problem found.

    ``complete``: also report the outline's sections a lesson lacks or leaves empty
    (:mod:`mel_core.lessons.completeness`).
    """
    files, problems = lesson_files(paths)
    lessons = [(path, read_lesson(path)) for path in files]
    seen: dict[str, LessonFile] = {}
    for path, lesson in lessons:
        problems.extend(lesson.problems)
        problems.extend(check_lesson(lesson, path))
        if complete and lesson.meta:
            problems.extend(completeness_problems(lesson))
        key = lesson.meta.get("id")
        if isinstance(key, str) and key != TODO:
            if key in seen:
                first = seen[key]
                reason = message(
                    "lessons.check.duplicate_id", key=key, source=first.source, line=first.line_of("id")
                )
                problems.append(LineProblem(lesson.source, lesson.line_of("id"), "id", key, reason))
            else:
                seen[key] = lesson
    return lessons, sorted(problems, key=lambda p: (p.source, p.row))


def check_lessons(paths: Sequence[Path], *, complete: bool = False) -> list[LessonFile]:
    """Check lesson files and folders (``lessons/_templates/`` skipped).

    Returns:
        The lesson files read, when none has a problem.

    Raises:
        LessonFormatError: every problem of every file (file, line, field, value, reason).
    """
    lessons, problems = validate_lessons(paths, complete=complete)
    if problems:
        raise LessonFormatError(problems=list(problems), path=", ".join(str(p) for p in paths))
    return [lesson for _, lesson in lessons]


def check_lesson(lesson: LessonFile, path: Path | None = None) -> list[LineProblem]:
    """The problems of one parsed lesson file (its parse problems are in ``lesson.problems``)."""
    if not lesson.meta and lesson.problems:
        return _body_problems(lesson)  # no front matter to check: its problem is already reported
    out = _meta_problems(lesson)
    if path is not None:
        out.extend(_place_problems(lesson, path))
    out.extend(_body_problems(lesson))
    return out


def _problem(lesson: LessonFile, key: str, value: Any, reason: str) -> LineProblem:
    shown = "" if value is None else str(value)
    return LineProblem(lesson.source, lesson.line_of(key), key, shown, reason)


def _one_of(lesson: LessonFile, key: str, value: Any, allowed: Sequence[str]) -> list[LineProblem]:
    if isinstance(value, str) and value in allowed:
        return []
    listed = ", ".join(allowed)
    return [_problem(lesson, key, value, message("lessons.check.must_be_one_of", listed=listed))]


def _meta_problems(lesson: LessonFile) -> list[LineProblem]:
    meta, out = lesson.meta, []
    for key in REQUIRED:
        if meta.get(key) in (None, "", []):
            out.append(
                _problem(
                    lesson,
                    key,
                    None,
                    message("lessons.check.missing_key", key=key),
                )
            )
    for key, value in meta.items():
        if key not in REQUIRED and key not in OPTIONAL:
            known = ", ".join((*REQUIRED, *OPTIONAL))
            out.append(
                _problem(
                    lesson,
                    key,
                    None,
                    message("lessons.check.unknown_key", key=key, known=known),
                )
            )
        elif _is_todo(value):
            out.append(
                _problem(
                    lesson,
                    key,
                    value,
                    message("lessons.check.todo"),
                )
            )
        elif value not in (None, "", []):
            out.extend(_value_problems(lesson, key, value))
    for key, value in meta.items():
        if key == "contact":
            continue
        for found in (f for s in _strings(value) for f in find_personal(s)):
            out.append(
                _problem(
                    lesson,
                    key,
                    mask(found),
                    message("lessons.check.personal_outside_contact"),
                )
            )
    return out


def _is_todo(value: Any) -> bool:
    return any(TODO in s for s in _strings(value))


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def _value_problems(lesson: LessonFile, key: str, value: Any) -> list[LineProblem]:
    vocab = taxonomy()
    if key == "id":
        if isinstance(value, str) and ID_PATTERN.match(value) and len(value) <= 128:
            return []
        return [
            _problem(
                lesson,
                key,
                value,
                message("lessons.check.bad_id"),
            )
        ]
    if key == "year":
        if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
            return []
        return [_problem(lesson, key, value, message("lessons.check.bad_year"))]
    if key in ("title", "submitted_by", "programme"):
        if not isinstance(value, str):
            return [_problem(lesson, key, value, message("lessons.check.not_text"))]
        if _markup(value):  # shown in the book's headings and search results, as the body is
            return [_problem(lesson, key, value, message("lessons.check.raw_html_in_value"))]
        return []
    if key == "language":
        return _one_of(lesson, key, value, LANGUAGES)
    if key == "submitter_kind":
        return _one_of(lesson, key, value, ORGANISATION_KINDS)
    if key == "funding":
        return _one_of(lesson, key, value, FUNDING)
    if key == "sector":
        return _one_of(lesson, key, value, list(vocab["sectors"]))
    if key == "visibility":
        return _one_of(lesson, key, value, VISIBILITY)
    if key == "status":
        if value == "reviewed":
            return [
                _problem(
                    lesson,
                    key,
                    value,
                    message("lessons.check.reviewed_state"),
                )
            ]
        return _one_of(lesson, key, value, FILE_STATUSES)
    if key == "illustrative":
        if isinstance(value, bool):
            return []
        return [_problem(lesson, key, value, message("lessons.check.not_boolean"))]
    if key == "themes":
        return _list_problems(lesson, key, value, list(vocab["themes"]))
    if key == "provinces":
        codes = [geo.normalise_code(v) for v in value] if isinstance(value, list) else value
        return _list_problems(lesson, key, codes, list(geo.provinces()), listed="GSO")
    if key == "contact":
        return _contact_problems(lesson, value)
    return []


def _list_problems(
    lesson: LessonFile, key: str, value: Any, allowed: Sequence[str], listed: str = ""
) -> list[LineProblem]:
    if not isinstance(value, list):
        return [_problem(lesson, key, value, message("lessons.check.not_list"))]
    out = []
    names = listed or ", ".join(allowed)
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            if listed:
                reason = message("lessons.check.unknown_province_code", names=names)
            else:
                reason = message("lessons.check.must_be_one_of", listed=names)
            out.append(_problem(lesson, key, item, reason))
    if len(set(map(str, value))) != len(value):
        out.append(_problem(lesson, key, value, message("lessons.check.listed_twice")))
    return out


def _contact_problems(lesson: LessonFile, value: Any) -> list[LineProblem]:
    if not isinstance(value, dict):
        return [
            _problem(
                lesson,
                "contact",
                None,
                message("lessons.check.contact_block", example="{name: …, phone: …, email: …}"),
            )
        ]
    known = ", ".join(CONTACT_KEYS)
    return [
        _problem(
            lesson,
            "contact",
            key,
            message("lessons.check.unknown_contact_key", known=known),
        )
        for key in value
        if key not in CONTACT_KEYS
    ]


def _place_problems(lesson: LessonFile, path: Path) -> list[LineProblem]:
    out = []
    key, year = lesson.meta.get("id"), lesson.meta.get("year")
    if isinstance(key, str) and not _is_todo(key) and path.stem != key:
        out.append(
            _problem(
                lesson,
                "id",
                key,
                message("lessons.check.wrong_file_name", key=key, name=path.name),
            )
        )
    if isinstance(year, int) and path.parent.name != str(year):
        out.append(
            _problem(
                lesson,
                "year",
                year,
                message("lessons.check.wrong_folder", year=year, value=path.parent.name or "."),
            )
        )
    return out


def _body_problems(lesson: LessonFile) -> list[LineProblem]:
    out = []
    lines = lesson.body.split("\n")
    for offset, line in enumerate(lines):
        number = lesson.body_line + offset
        tag = _markup(line, autolinks=True)
        if tag:
            if "script" in tag.lower():
                reason = message("lessons.check.script_tag")
            else:
                reason = message("lessons.check.raw_html")
            out.append(LineProblem(lesson.source, number, "body", tag[:40], reason))
        for found in find_personal(line):
            out.append(
                LineProblem(
                    lesson.source,
                    number,
                    "body",
                    mask(found),
                    message("lessons.check.personal_in_text"),
                )
            )
    if lesson.meta or not lesson.problems:
        three = lesson.section(LESSONS_SECTION)
        if three is None:
            out.append(
                LineProblem(
                    lesson.source,
                    lesson.body_line,
                    LESSONS_SECTION,
                    "",
                    message("lessons.check.no_lessons_section"),
                )
            )
        elif not lesson.items:
            out.append(
                LineProblem(
                    lesson.source,
                    three.line,
                    LESSONS_SECTION,
                    "",
                    message("lessons.check.no_lesson_in_section"),
                )
            )
    return out
