"""``mel lessons export``: lessons written back out of the store as lesson files.

The store is the source of truth for where a lesson is in its review, and for the text of lessons written in the
portal; the files of ``lessons/`` stay a first-class way in. Exporting writes a lesson as the store holds it
(front matter with its state, the numbered sections) to ``<out>/<year>/<id>.md``; ingesting that file again
changes nothing (:func:`mel_core.lessons.ingest.content_hash` reads both alike). A file already there with
other content is not overwritten unless asked (``force``): it may hold edits not yet ingested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from mel_core.errors import MelError
from mel_core.files import inside
from mel_core.i18n import message
from mel_core.lessons.check import ID_PATTERN
from mel_core.lessons.ingest import content_hash
from mel_core.lessons.parse import parse_lesson, read_lesson
from mel_core.lessons.templates import write_text_atomic
from mel_core.store import Lesson, LessonProvince, LessonSection, LessonTheme, Programme


class ExportError(MelError):
    """Lessons that cannot be exported as asked (an unknown id)."""

    exit_code = 65


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # a different file is there: not overwritten


def lesson_text(session: Session, lesson: Lesson) -> str:
    """The lesson file of a stored lesson: its front matter (contact included: the file is private) and sections."""
    themes = sorted(session.exec(select(LessonTheme.theme).where(LessonTheme.lesson_id == lesson.id)).all())
    codes = sorted(
        session.exec(
            select(LessonProvince.admin_unit_code).where(LessonProvince.lesson_id == lesson.id)
        ).all()
    )
    programme = session.get(Programme, lesson.programme_id) if lesson.programme_id else None
    meta: dict[str, Any] = {
        "id": lesson.key,
        "title": lesson.title,
        "language": lesson.language,
        "year": lesson.year,
        "submitted_by": lesson.submitted_by,
        "submitter_kind": lesson.submitter_kind,
        "funding": lesson.funding,
        "provinces": codes,
        "sector": lesson.sector,
        "themes": themes,
    }
    if programme is not None:
        meta["programme"] = programme.code
    meta["visibility"] = lesson.visibility
    meta["status"] = lesson.status if lesson.status in ("draft", "submitted", "published") else "submitted"
    if lesson.contact:
        meta["contact"] = {str(k): str(v) for k, v in lesson.contact.items()}
    meta = {k: v for k, v in meta.items() if v not in (None, "")}
    lines = [
        "---",
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip(),
        "---",
        "",
    ]
    sections = session.exec(
        select(LessonSection)
        .where(LessonSection.lesson_id == lesson.id)
        .order_by(col(LessonSection.position))
    ).all()
    for section in sections:
        marks = "##" if "." not in section.number else "###"
        number = section.number if section.number.count(".") > 1 else f"{section.number}."
        lines.append(f"{marks} {number} {section.heading}".rstrip())
        lines += [section.body.strip(), ""] if section.body.strip() else [""]
    return "\n".join(lines).rstrip() + "\n"


def export_lessons(
    session: Session, out: Path, keys: list[str] | None = None, *, force: bool = False
) -> ExportReport:
    """Write the lessons of ``keys`` (default: every published lesson) to ``<out>/<year>/<id>.md``.

    Raises:
        ExportError: an id in ``keys`` is not in the store.
    """
    chosen = col(Lesson.key).in_(keys) if keys else col(Lesson.status) == "published"
    query = select(Lesson).where(chosen).order_by(col(Lesson.year), col(Lesson.key))
    lessons = session.exec(query).all()
    if keys:
        missing = sorted(set(keys) - {lesson.key for lesson in lessons})
        if missing:
            raise ExportError(message("lessons.export.not_in_store", missing=", ".join(missing)))
    report = ExportReport()
    for lesson in lessons:
        if not ID_PATTERN.match(lesson.key):  # a key the check would refuse never names a file
            continue
        target = inside(out, out / str(lesson.year) / f"{lesson.key}.md")
        text = lesson_text(session, lesson)
        if target.exists():
            if content_hash(read_lesson(target)) == content_hash(parse_lesson(text, str(target))):
                report.unchanged.append(target)
                continue
            if not force:
                report.kept.append(target)
                continue
        write_text_atomic(target, text)
        report.written.append(target)
    return report
