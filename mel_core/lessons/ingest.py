"""``mel lessons ingest``: lesson files into the store, all or nothing, matched by their id.

Every file is checked first (format, then programme codes against the store); one problem anywhere and nothing
is written. Then, in one transaction, each lesson is inserted or updated by its id (``Lesson.key``); a file whose
content and links have not changed is left alone (``content_hash``). Lessons in the store whose file is gone are
reported, and deleted only when asked (``prune``).

Where a lesson is in its review is the store's to say (:mod:`mel_core.lessons.workflow`): a file may say
``draft`` or ``submitted``, and a new or changed file enters in that state. A file that says ``published`` is
published only when a reviewer takes responsibility (``publish_as``, their e-mail); otherwise it enters as
``submitted`` and waits for a reviewer (:attr:`IngestReport.held`). A lesson whose content has not changed keeps
its state, whatever its file says, so an ingest never undoes a reviewer's decision; a published lesson whose
content changed goes back to ``submitted``, to be read again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from mel_core import audit, geo
from mel_core.errors import LessonFormatError, LineProblem
from mel_core.i18n import message
from mel_core.lessons import workflow
from mel_core.lessons.check import validate_lessons
from mel_core.lessons.parse import LessonFile
from mel_core.store import (
    Lesson,
    LessonProvince,
    LessonReview,
    LessonSection,
    LessonTheme,
    Programme,
    session_scope,
)
from mel_core.text import clean_cell, nfc


@dataclass
class IngestReport:
    """What an ingest did, by lesson id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)
    pruned: bool = False
    published: list[str] = field(default_factory=list)  # published by this ingest (publish_as)
    held: list[str] = field(default_factory=list)  # files that say published, waiting for a reviewer

    @property
    def counts(self) -> dict[str, int]:
        """``{"added": n, "updated": n, "unchanged": n, "removed_files": n}``."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed_files": len(self.removed_files),
        }

    def lines(self) -> list[str]:
        """The report for a person, one bilingual line each."""
        c = self.counts
        out = [
            message(
                "lessons.ingest.summary", added=c["added"], updated=c["updated"], unchanged=c["unchanged"]
            )
        ]
        if self.published:
            n = len(self.published)
            out.append(message("lessons.ingest.published", n=n))
        if self.held:
            n = len(self.held)
            out.append(message("lessons.ingest.held", n=n))
        for key in self.removed_files:
            if self.pruned:
                out.append(message("lessons.ingest.deleted", key=key))
            else:
                out.append(message("lessons.ingest.orphan", key=key))
        return out


#: Front-matter keys that are not the lesson's content: its state is the store's (``mel_core.lessons.workflow``),
#: and ``illustrative`` marks a sample file.
NOT_CONTENT = ("status", "illustrative")


def content_hash(lesson: LessonFile) -> str:
    """A fingerprint of what the store keeps of a lesson: its front matter (but its state) and its sections, in a
    canonical form (lists of codes sorted, text NFC and trimmed, each section's number, heading and text).

    The same lesson written out by ``mel lessons export`` and read back has the same fingerprint, so writing a
    published lesson back to a file and ingesting it again changes nothing; text outside the numbered sections
    (the outline's notes) is not content.
    """
    meta: dict[str, Any] = {}
    for key, value in lesson.meta.items():
        if key in NOT_CONTENT:
            continue
        if key == "provinces" and isinstance(value, list):
            value = sorted({geo.normalise_code(str(c)) for c in value})
        elif key == "themes" and isinstance(value, list):
            value = sorted({str(t) for t in value})
        elif key == "contact" and isinstance(value, dict):
            value = {str(k): nfc(str(v)).strip() for k, v in sorted(value.items()) if v is not None}
        elif isinstance(value, str):
            value = nfc(value).strip()
        meta[key] = value
    sections = [[s.number, nfc(s.heading).strip(), nfc(s.body).strip()] for s in lesson.sections]
    blob = json.dumps({"meta": meta, "sections": sections}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def ingest_lessons(
    engine: Engine,
    path: Path,
    *,
    prune: bool = False,
    publish_as: str | None = None,
    actor: str | None = None,
) -> IngestReport:
    """Check every lesson file under ``path``, then upsert them into the store in one transaction.

    Args:
        engine: the store (at the newest schema, reference data loaded).
        path: a lesson file, a year folder (``lessons/2026``) or the lessons folder (``lessons``).
        prune: delete the store's lessons whose file is gone (within ``path``'s reach) instead of reporting them.
        publish_as: the e-mail of a reviewer (or administrator) who publishes the files that say ``published``.
        actor: who runs the ingest, for the audit trail (default: the account at the terminal).

    Returns:
        Lesson ids added, updated, unchanged, and in the store without a file.

    Raises:
        LessonFormatError: any file has a problem (every problem listed); nothing was written.
        ReviewError: ``publish_as`` is not an enabled reviewer or administrator; nothing was written.
    """
    lessons, problems = validate_lessons([path])
    with session_scope(engine) as session:
        publisher = workflow.reviewer(session, publish_as).email if publish_as else None
        programmes = _programme_ids(session, lessons, problems)
        if problems:
            raise LessonFormatError(problems=list(problems), path=str(path))
        report = IngestReport(pruned=prune)
        existing = {row.key: row for row in session.exec(select(Lesson)).all()}
        who = _Who(actor or audit.cli_actor(), publisher, workflow.now())
        for file, lesson in lessons:
            _upsert(session, existing, file, lesson, programmes, report, who)
        seen = {str(lesson.meta["id"]) for _, lesson in lessons}
        for key, row in sorted(existing.items()):
            if key not in seen and _in_reach(row, path):
                report.removed_files.append(key)
                if prune:
                    _delete(session, row)
    return report


def _programme_ids(
    session: Session, lessons: list[tuple[Path, LessonFile]], problems: list[LineProblem]
) -> dict[str, int]:
    wanted = {str(x.meta["programme"]) for _, x in lessons if x.meta.get("programme")}
    ids = {
        code: pid
        for code, pid in session.exec(
            select(Programme.code, Programme.id).where(col(Programme.code).in_(wanted))
        ).all()
        if pid is not None
    }
    for _, lesson in lessons:
        code = lesson.meta.get("programme")
        if code and str(code) not in ids:
            reason = message("lessons.ingest.unknown_programme")
            problems.append(
                LineProblem(lesson.source, lesson.line_of("programme"), "programme", str(code), reason)
            )
    return ids


def _text(value: Any) -> str | None:
    return None if value in (None, "") else clean_cell(str(value))


@dataclass(frozen=True)
class _Who:
    actor: str  # who runs the ingest
    publisher: str | None  # the reviewer who publishes the files that say published
    at: datetime


def _state(row: Lesson | None, digest: str, claimed: str, who: _Who) -> str:
    """The state a lesson takes: if its content has not changed, its own (a reviewer's decision stands), but a
    draft or submitted lesson follows its file between draft and submitted, and is published when a reviewer
    now publishes what its file says is published; if its content changed, what its file says, ``published``
    only with a reviewer."""
    if row is not None and row.content_hash == digest:
        if claimed == "published" and who.publisher and row.status in ("draft", "submitted"):
            return "published"
        if row.status in ("draft", "submitted") and claimed in ("draft", "submitted"):
            return claimed  # the file submits its draft, or withdraws it from the queue
        return row.status
    if claimed == "published":
        return "published" if who.publisher else "submitted"
    return claimed


def _upsert(
    session: Session,
    existing: dict[str, Lesson],
    file: Path,
    lesson: LessonFile,
    programmes: dict[str, int],
    report: IngestReport,
    who: _Who,
) -> None:
    meta = lesson.meta
    key = str(meta["id"])
    digest = content_hash(lesson)
    programme_id = programmes.get(str(meta["programme"])) if meta.get("programme") else None
    source_path = "/".join(file.parts[-3:])  # lessons/<year>/<id>.md, whatever the working directory
    row = existing.get(key)
    claimed = str(meta.get("status") or "submitted")
    status = _state(row, digest, claimed, who)
    if claimed == "published" and status != "published":
        report.held.append(key)
    if row is not None and (row.content_hash, row.programme_id, row.source_path, row.status) == (
        digest,
        programme_id,
        source_path,
        status,
    ):
        report.unchanged.append(key)
        return
    values = lesson_values(lesson, programme_id=programme_id, source_path=source_path, status=status)
    before = row.status if row is not None else None
    if status != before:
        if status == "submitted":
            values.update(submitted_at=who.at)
        if status == "published":
            values.update(published_by=who.publisher, published_at=who.at)
            report.published.append(key)
    (report.added if row is None else report.updated).append(key)
    row = write_lesson(session, row, lesson, values, action="lesson.ingest", actor=who.actor)
    assert row.id is not None
    if status != before and status in ("submitted", "published"):
        workflow.record_submission(session, row, who.actor, when=who.at)
    if status != before and status == "published":
        session.add(
            LessonReview(
                lesson_id=row.id,
                at=who.at,
                by=who.publisher or who.actor,
                action="publish",
                content_hash=digest,
                comment=None,
            )
        )
    session.flush()


def lesson_values(
    lesson: LessonFile, *, programme_id: int | None, source_path: str | None, status: str
) -> dict[str, Any]:
    """The columns of the ``lessons`` row of a checked lesson (its front matter, NFC, cells cleaned)."""
    meta = lesson.meta
    contact = meta.get("contact")
    return {
        "title": _text(meta["title"]),
        "language": meta["language"],
        "year": int(meta["year"]),
        "submitted_by": _text(meta.get("submitted_by")),
        "submitter_kind": meta.get("submitter_kind"),
        "funding": meta.get("funding"),
        "sector": meta["sector"],
        "programme_id": programme_id,
        "visibility": meta.get("visibility") or "public",
        "status": status,
        "source_path": source_path,
        "content_hash": content_hash(lesson),
        "contact": {str(k): nfc(str(v)) for k, v in contact.items()} if isinstance(contact, dict) else None,
    }


def write_lesson(
    session: Session,
    row: Lesson | None,
    lesson: LessonFile,
    values: dict[str, Any],
    *,
    action: str,
    actor: str,
) -> Lesson:
    """Insert the lesson (``row`` None) or replace ``row``'s columns and its sections, themes and provinces; the
    change of state, content and place goes into the audit trail as ``action`` by ``actor``."""
    watched = ("status", "visibility", "content_hash", "source_path")
    key = str(lesson.meta["id"])
    if row is None:
        row = Lesson(key=key, **values)
        session.add(row)
        session.flush()
        audit.record(session, action, "lesson", key, actor=actor, after={n: values.get(n) for n in watched})
    else:
        before = {n: getattr(row, n) for n in watched}
        audit.record(
            session,
            action,
            "lesson",
            key,
            actor=actor,
            before=before,
            after={n: values.get(n) for n in watched},
        )
        for name, value in values.items():
            setattr(row, name, value)
        _delete_children(session, row)
    assert row.id is not None
    for position, section in enumerate(lesson.sections, start=1):
        session.add(
            LessonSection(
                lesson_id=row.id,
                position=position,
                number=section.number,
                heading=section.heading,
                body=section.body,
            )
        )
    for theme in dict.fromkeys(lesson.meta["themes"]):
        session.add(LessonTheme(lesson_id=row.id, theme=theme))
    for code in dict.fromkeys(geo.normalise_code(c) for c in lesson.meta["provinces"]):
        session.add(LessonProvince(lesson_id=row.id, admin_unit_code=code))
    session.flush()
    return row


def _in_reach(row: Lesson, path: Path) -> bool:
    """Whether a stored lesson's file would have been found under ``path`` (a single file reaches nothing)."""
    if path.is_file():
        return False
    if path.name.isdigit() and len(path.name) == 4:
        return row.year == int(path.name)
    return True


def _delete_children(session: Session, row: Lesson) -> None:
    for model in (LessonSection, LessonTheme, LessonProvince):
        session.execute(delete(model).where(col(model.lesson_id) == row.id))
    session.flush()


def _delete(session: Session, row: Lesson) -> None:
    session.execute(delete(LessonReview).where(col(LessonReview.lesson_id) == row.id))
    audit.record(
        session,
        "lesson.prune",
        "lesson",
        row.key,
        before={"status": row.status, "source_path": row.source_path},
    )
    _delete_children(session, row)
    session.delete(row)
    session.flush()
