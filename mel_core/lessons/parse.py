"""Reading a lesson file: YAML front matter, then Markdown whose numbered headings follow letter 247/KTHT-GN.

Headings are matched by their number (``## 1.``, ``### 1.1``, ``## 3.``), never by their words, so the same
parser reads Vietnamese and English submissions. Under ``## 3.`` every ``###`` heading, or else every top-level
bullet, is one lesson (:func:`lesson_items`). All text is NFC-normalised on the way in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mel_core import safe_yaml
from mel_core.errors import LineProblem
from mel_core.i18n import message
from mel_core.limits import check_upload
from mel_core.text import nfc

#: The section of the outline that holds the lessons themselves.
LESSONS_SECTION = "3"
#: Top-level sections of the outline and the subsections each may have (letter 247/KTHT-GN).
OUTLINE: dict[str, tuple[str, ...]] = {
    "1": tuple(f"1.{i}" for i in range(1, 10)),
    "2": tuple(f"2.{i}" for i in range(1, 9)),
    "3": (),
    "4": (),
    "5": (),
}

_FENCE = "---"
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)\.?(?=\s|$)\s*(.*)$")
_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])[ \t]+(.*)$")
_BOLD_LEAD = re.compile(r"^\*\*(.+?)\*\*[ \t]*[.:]?[ \t]*(.*)$", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s")
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*:")
#: Characters that have no place in a lesson: C0 controls but tab (NUL, ESC …), DEL, C1 controls, and the
#: bidirectional overrides and isolates that make text read differently from how it is stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class LessonItem:
    """One lesson of section 3: a ``###`` heading with its text, or one top-level bullet."""

    title: str
    text: str
    position: int


@dataclass(frozen=True)
class Section:
    """A numbered section (``1``, ``1.7``, ``3``) with its heading words and Markdown body.

    The body of ``## 3.`` is the whole section (its lessons included); the body of another ``##`` section is
    the text before its first ``###`` subsection.
    """

    number: str
    heading: str
    body: str
    line: int


@dataclass
class LessonFile:
    """A lesson file as read: front matter, body, sections and lessons, and the problems met reading it."""

    source: str
    meta: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[str, int]
    sections: list[Section] = field(default_factory=list)
    items: list[LessonItem] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        """The line of front-matter key ``key`` (the opening ``---`` when the key is missing)."""
        return self.key_lines.get(key, 1)

    def section(self, number: str) -> Section | None:
        """The section numbered ``number``, if the file has it."""
        return next((s for s in self.sections if s.number == number), None)


def read_lesson(path: Path, source: str | None = None) -> LessonFile:
    """Read and parse one lesson file; an unreadable file, or one larger than ``MEL_LIMIT_LESSON_KB``, becomes a
    problem, not an exception."""
    shown = source or str(path)
    refused = check_upload(path, "md", name=shown)  # a folder or a device named .md, a file beyond the limit
    if refused:
        return LessonFile(
            shown, {}, "", 1, {}, problems=[LineProblem(shown, 0, "", "", p.reason) for p in refused]
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = message("lessons.parse.not_utf8", start=exc.start)
        return LessonFile(shown, {}, "", 1, {}, problems=[LineProblem(shown, 0, "", "", reason)])
    return parse_lesson(text, shown)


def parse_lesson(text: str, source: str = "<lesson>") -> LessonFile:
    """Parse the text of a lesson file (NFC-normalised first)."""
    lines = nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, key_lines, body_start, problems = _front_matter(lines, source)
    problems += _control_characters(lines, source)
    body = "\n".join(lines[body_start:])
    lesson = LessonFile(source, meta, body, body_start + 1, key_lines, problems=problems)
    lesson.sections = _sections(lines, body_start, lesson)
    three = lesson.section(LESSONS_SECTION)
    lesson.items = lesson_items(three.body) if three else []
    return lesson


def _control_characters(lines: list[str], source: str) -> list[LineProblem]:
    """A problem for each line holding a control character (one per line, naming the first)."""
    out = []
    for number, line in enumerate(lines, 1):
        found = _CONTROL.search(line)
        if found:
            point = f"U+{ord(found.group(0)):04X}"
            reason = message("lessons.parse.control_character", point=point)
            out.append(LineProblem(source, number, "", point, reason))
    return out


def _front_matter(
    lines: list[str], source: str
) -> tuple[dict[str, Any], dict[str, int], int, list[LineProblem]]:
    if not lines or lines[0].strip() != _FENCE:
        reason = message("lessons.parse.no_front_matter")
        return {}, {}, 0, [LineProblem(source, 1, "", "", reason)]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == _FENCE), None)
    if end is None:
        reason = message("lessons.parse.unclosed_front_matter")
        return {}, {}, len(lines), [LineProblem(source, 1, "", "", reason)]
    key_lines = {}
    for i in range(1, end):
        m = _KEY_LINE.match(lines[i])
        if m and m.group(1) not in key_lines:
            key_lines[m.group(1)] = i + 1
    try:
        meta = safe_yaml.load("\n".join(lines[1:end]))
    except safe_yaml.YamlLimitError as exc:
        return {}, key_lines, end + 1, [LineProblem(source, 1, "", "", exc.reason)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        detail = getattr(exc, "problem", None) or str(exc)
        reason = message("lessons.parse.bad_yaml", detail=detail)
        return {}, key_lines, end + 1, [LineProblem(source, line, "", "", reason)]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        reason = message("lessons.parse.front_matter_not_keys")
        return {}, key_lines, end + 1, [LineProblem(source, 2, "", "", reason)]
    return {str(k): v for k, v in meta.items()}, key_lines, end + 1, []


def _sections(lines: list[str], start: int, lesson: LessonFile) -> list[Section]:
    """Numbered sections with their line numbers; heading problems are added to ``lesson.problems``."""
    found: list[tuple[int, str, str, int]] = []  # (level, number, heading, index of the heading line)
    top = ""
    in_fence = False
    for i in range(start, len(lines)):
        stripped = lines[i].strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(lines[i])
        if m is None:
            continue
        level, words = len(m.group(1)), m.group(2)
        number_match = _NUMBER.match(words)
        if (level == 3 and top == LESSONS_SECTION) or level >= 4:
            continue  # a lesson of section 3 whatever its words, or a free sub-heading inside a section
        if level not in (2, 3) or number_match is None:
            lesson.problems.append(_heading_problem(lesson.source, i + 1, stripped))
            continue
        number, heading = number_match.group(1), number_match.group(2).strip()
        if level == 2 and number in OUTLINE:
            top = number
        elif not (level == 3 and number in OUTLINE.get(top, ())):
            lesson.problems.append(_number_problem(lesson.source, i + 1, number, level, top))
            continue
        if any(f[1] == number for f in found):
            reason = message("lessons.parse.section_twice", number=number)
            lesson.problems.append(LineProblem(lesson.source, i + 1, number, "", reason))
            continue
        found.append((level, number, heading, i))
    # A section runs to the next numbered heading; the ### lessons of section 3 are not numbered headings, so
    # section 3 runs to section 4 with its lessons inside.
    sections = []
    for k, (_, number, heading, i) in enumerate(found):
        stop = found[k + 1][3] if k + 1 < len(found) else len(lines)
        sections.append(Section(number, heading, "\n".join(lines[i + 1 : stop]).strip(), i + 1))
    return sections


def _heading_problem(source: str, line: int, text: str) -> LineProblem:
    reason = message("lessons.parse.bad_heading")
    return LineProblem(source, line, "", text, reason)


def _number_problem(source: str, line: int, number: str, level: int, top: str) -> LineProblem:
    if level == 2:
        reason = message("lessons.parse.unknown_section", number=number)
    else:
        allowed = ", ".join(OUTLINE.get(top, ())) or "-"
        reason = message(
            "lessons.parse.misplaced_subsection", number=number, section=top or "?", allowed=allowed
        )
    return LineProblem(source, line, number, "", reason)


def lesson_items(body: str) -> list[LessonItem]:
    """The individual lessons in the text of section 3: each ``###`` heading, else each top-level bullet.

    Args:
        body: the Markdown of section 3 (without its ``## 3.`` heading); NFC-normalised here.

    Returns:
        The lessons in order, positions from 1. A ``###`` heading's title drops a leading number (``3.1.``);
        a bullet's title is its bold lead (``**…**``) or else its first sentence.
    """
    lines = nfc(body).split("\n")
    headed = [i for i, line in enumerate(lines) if (m := _HEADING.match(line)) and len(m.group(1)) == 3]
    items: list[LessonItem] = []
    if headed:
        for k, i in enumerate(headed):
            stop = headed[k + 1] if k + 1 < len(headed) else len(lines)
            m = _HEADING.match(lines[i])
            assert m is not None
            title = _NUMBER.sub(r"\2", m.group(2)).strip() or m.group(2)
            text = "\n".join(lines[i + 1 : stop]).strip()
            items.append(LessonItem(title=title, text=text, position=k + 1))
        return items
    bullets: list[list[str]] = []
    for line in lines:
        m = _BULLET.match(line)
        if m:
            bullets.append([m.group(1).strip()])
        elif bullets and line.strip() and (line[:1] in " \t" or not _HEADING.match(line)):
            bullets[-1].append(line.strip())
        elif not line.strip() and bullets and bullets[-1][-1] != "":
            bullets[-1].append("")
    for k, parts in enumerate(bullets):
        whole = " ".join(p for p in parts if p).strip()
        bold = _BOLD_LEAD.match(whole)
        if bold:
            title, text = bold.group(1).strip().rstrip(".:"), bold.group(2).strip()
        else:
            title, text = _SENTENCE_END.split(whole, maxsplit=1)[0].rstrip(".:"), whole
        items.append(LessonItem(title=title, text=text or whole, position=k + 1))
    return items
