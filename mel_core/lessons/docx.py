"""``mel lessons import-docx``: a Word submission written to the outline's numbered headings → a lesson file.

Submissions answer letter 247/KTHT-GN in Word, with its numbered headings (``1.1. Tên mô hình: …``), in heading
styles or as plain numbered paragraphs. The conversion keeps the outline's numbers, turns section 3 into one lesson
per heading or bullet, moves every phone number and e-mail address into the private ``contact`` block, and marks
what a document cannot tell (id, sector, themes, provinces, funding…) ``TODO`` for a person to fill in;
``mel lessons check`` then lists each of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mel_core import geo
from mel_core.errors import LessonFormatError, LineProblem, OutputError, Problem
from mel_core.i18n import message
from mel_core.lessons.parse import LESSONS_SECTION, OUTLINE
from mel_core.lessons.templates import write_text_atomic
from mel_core.limits import check_upload
from mel_core.privacy import remove_personal
from mel_core.text import clean_cell, fold

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)?)\s*[.)]?\s+(.*)$|^(\d+(?:\.\d+)?)[.)]?$")
_BULLET = re.compile(r"^[-–•*+·]\s*")
#: Words that name each top-level section, so a numbered list item is not taken for a section (Vietnamese and
#: English, compared without diacritics).
_TOP_WORDS = {
    "1": ("thong tin", "information"),
    "2": ("qua trinh", "process", "design", "implementation"),
    "3": ("bai hoc", "lesson"),
    "4": ("khuyen nghi", "thuan loi", "de xuat", "recommend", "difficult", "proposal", "opportunit"),
    "5": ("dien hinh", "typical", "mo hinh", "model"),
}
#: Labels of the "general information" block of the NGO outline.
_GENERAL = {
    "organisation": re.compile(r"(?i)^(?:\d+\.\s*)?(?:tên tổ chức|organi[sz]ation(?: name)?)\s*:\s*(.*)$"),
    "address": re.compile(r"(?i)^(?:\d+\.\s*)?(?:địa chỉ[^:]*|address[^:]*)\s*:\s*(.*)$"),
    "area": re.compile(r"(?i)^(?:\d+\.\s*)?(?:vùng hoạt động[^:]*|areas? of (?:work|operation))\s*:\s*(.*)$"),
    "name": re.compile(
        r"(?i)^(?:\d+\.\s*)?(?:người đại diện[^:]*|representative[^:]*|contact person)\s*:\s*(.*)$"
    ),
}
_VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.I)


@dataclass(frozen=True)
class DocxImport:
    """The lesson file written from a Word submission, the keys left ``TODO``, and the personal data moved."""

    path: Path
    todo: list[str]
    moved_to_contact: int


@dataclass
class _Draft:
    lines: list[str] = field(default_factory=list)
    general: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[str]] = field(default_factory=dict)
    found: list[str] = field(default_factory=list)
    top: str = ""
    last: str = ""


def import_docx(file: Path, out: Path = Path("lessons"), *, year: int | None = None) -> DocxImport:
    """Convert a Word (.docx) submission into ``<out>/<year>/<year>-<name>.md``.

    Args:
        file: the Word document.
        out: the lessons folder.
        year: the year of the submission; default: this year.

    Raises:
        LessonFormatError: the file is not a Word document, or has none of the outline's numbered headings.
        OutputError: the lesson file exists already or cannot be written.
    """
    year = year or date.today().year
    draft = _read(file)
    if not draft.sections:
        reason = message("lessons.docx.no_outline")
        raise LessonFormatError(problems=[LineProblem(str(file), 0, "", "", reason)], path=str(file))
    slug = re.sub(r"[^a-z0-9]+", "-", fold(file.stem)).strip("-") or "submission"
    suggested = slug if slug.startswith(str(year)) else f"{year}-{slug}"
    text, todo = _render(draft, year, suggested)
    target = out / str(year) / f"{suggested}.md"
    if target.exists():
        raise OutputError(
            message("lessons.docx.exists", target=target),
            hint=message("lessons.docx.exists_hint"),
        )
    write_text_atomic(target, text)
    return DocxImport(target, todo, len(draft.found))


def _paragraphs(file: Path) -> Iterator[tuple[str, str]]:
    """(style name, text) of every paragraph and table row, in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # within limits first: a .docx is a zip archive, and python-docx would inflate a bomb whole
    refused = check_upload(file, "docx", name=str(file))
    if refused:
        problems: list[Problem] = [LineProblem(p.source, 0, "", "", p.reason) for p in refused]
        raise LessonFormatError(problems=problems, path=str(file))
    try:
        document = docx.Document(str(file))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        reason = message("lessons.docx.not_docx", error=exc)
        raise LessonFormatError(problems=[LineProblem(str(file), 0, "", "", reason)], path=str(file)) from exc
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            style = paragraph.style.name if paragraph.style is not None else ""
            yield style or "", paragraph.text
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = list(dict.fromkeys(clean_cell(c.text) for c in row.cells if clean_cell(c.text)))
                if cells:
                    yield "Table", " | ".join(cells)


def _read(file: Path) -> _Draft:
    draft = _Draft()
    for style, raw in _paragraphs(file):
        for part in clean_cell(raw).split("\n"):
            text, found = remove_personal(clean_cell(part))
            draft.found.extend(found)
            if text:
                _take(draft, style.lower(), text)
    return draft


def _take(draft: _Draft, style: str, text: str) -> None:
    heading_style = style.startswith("heading") or style.startswith("title")
    if not draft.top:
        for key, pattern in _GENERAL.items():
            m = pattern.match(text)
            if m:
                draft.general[key] = m.group(1).strip()
                return
    numbered = _NUMBERED.match(text)
    if numbered:
        number = numbered.group(1) or numbered.group(3)
        rest = (numbered.group(2) or "").strip()
        heading, _, answer = rest.partition(":")
        accepted = _accept(draft, number, heading, heading_style or len(rest) < 160)
        if accepted:
            draft.sections[accepted] = []
            draft.lines.append(
                ("## " if "." not in accepted else "### ") + f"{accepted}. {heading.strip()}".rstrip()
            )
            if answer.strip():
                draft.sections[accepted].append(answer.strip())
                draft.lines.append(answer.strip())
            return
        if draft.top == LESSONS_SECTION and number.startswith(f"{LESSONS_SECTION}.") and rest:
            draft.sections[draft.last].append(f"### {rest}")  # lessons numbered 3.1, 3.2 …
            draft.lines.append(f"### {rest}")
            return
    if not draft.top:
        return  # before the outline starts: cover page, letterhead
    if draft.top == LESSONS_SECTION and heading_style:
        line = f"### {text}"
    elif _BULLET.match(text) or "list" in style:
        line = "- " + _BULLET.sub("", text)
    else:
        line = text
    draft.sections[draft.last].append(line)
    draft.lines.append(line)


def _accept(draft: _Draft, number: str, heading: str, looks_like_heading: bool) -> str | None:
    """The outline number a numbered paragraph stands for, or None when it is an ordinary numbered line."""
    if "." not in number:
        words = fold(heading)
        if (
            number in OUTLINE
            and int(number) > int(draft.top or 0)
            and any(w in words for w in _TOP_WORDS[number])
        ):
            draft.top = draft.last = number
            return number
        return None
    top = number.partition(".")[0]
    if top != draft.top or not looks_like_heading or not OUTLINE.get(top):
        return None
    allowed = OUTLINE[top]
    if number in draft.sections:  # the letter itself numbers 1.9 as a second 1.7: take the next free number
        number = next((n for n in allowed if n not in draft.sections and n > draft.last), "")
    if number not in allowed:
        return None
    draft.last = number
    return number


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _render(draft: _Draft, year: int, suggested: str) -> tuple[str, list[str]]:
    title = next(iter(draft.sections.get("1.1", [])), "")
    organisation = draft.general.get("organisation", "")
    todo = [
        key
        for key, missing in [("id", True), ("title", not title), ("submitted_by", not organisation)]
        if missing
    ] + ["submitter_kind", "funding", "provinces", "sector", "themes"]
    body = "\n".join(draft.lines)
    language = "vi" if len(_VIETNAMESE.findall(body)) > len(body) / 200 else "en"
    where = " ".join([draft.general.get("area", ""), *draft.sections.get("1.2", [])])
    provinces = _provinces_in(where)
    hint = ", ".join(f"{code} {geo.provinces()[code].name}" for code in provinces)
    meta = [
        "---",
        f"id: TODO  # suggested: {suggested} (the file's name)",
        f"title: {_q(title) if title else 'TODO'}",
        f"language: {language}",
        f"year: {year}",
        f"submitted_by: {_q(organisation) if organisation else 'TODO'}",
        "submitter_kind: TODO  # state | ngo | donor | consultant | enterprise | other",
        "funding: TODO  # state_budget | ngo | oda | mixed | private",
        "provinces: [TODO]" + (f"  # found in the text: {hint}" if hint else "  # GSO codes"),
        "sector: TODO  # see kb/taxonomy.yml",
        "themes: [TODO]  # process | empowerment | building_on_existing | leveraging_support",
        "visibility: internal  # public once a person has reviewed it",
        "status: draft",
    ]
    contact = _contact(draft)
    if contact:
        meta.append("contact: {" + ", ".join(f"{k}: {_q(v)}" for k, v in contact.items()) + "}")
    meta.append("---")
    return "\n".join(meta) + "\n" + _spaced(draft.lines) + "\n", todo


def _contact(draft: _Draft) -> dict[str, str]:
    contact: dict[str, str] = {}
    if draft.general.get("name"):
        contact["name"] = draft.general["name"]
    emails = [v for v in draft.found if "@" in v]
    phones = [v for v in draft.found if "@" not in v]
    if phones:
        contact["phone"] = phones[0]
    if emails:
        contact["email"] = emails[0]
    if draft.general.get("organisation"):
        contact["organisation"] = draft.general["organisation"]
    if draft.general.get("address"):
        contact["address"] = draft.general["address"]
    others = list(dict.fromkeys(phones[1:] + emails[1:]))
    if others:
        contact["other"] = "; ".join(others)
    return contact


def _provinces_in(text: str) -> list[str]:
    folded = fold(text)
    return [
        code for code, p in geo.provinces().items() if re.search(rf"\b{re.escape(fold(p.name))}\b", folded)
    ]


def _spaced(lines: list[str]) -> str:
    """Markdown with a blank line around headings and between paragraphs (bullets stay together)."""
    out: list[str] = []
    for line in lines:
        if out and not (line.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append(line)
    return "\n".join(out)
