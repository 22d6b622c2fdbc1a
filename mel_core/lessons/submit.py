"""Lessons written or uploaded in the portal by contributors: the outline as a form, a preview, the checks, the
store.

A submission is composed into the same text as a lesson file (front matter and the numbered outline of letter
247/KTHT-GN, state-budget or NGO variant, Vietnamese or English), so the portal and ``mel lessons ingest`` read
one format with one parser and one check. A Word (.docx) or Markdown (.md) upload is read into the form first,
within the limits of :mod:`mel_core.limits`; the contributor sees it, corrects it and submits.

Rules: a contributor may submit lessons of their own provinces (or organisation) only, and change only their
own drafts and returned lessons; a draft may be incomplete, a submission must have every section of the
outline filled (:mod:`mel_core.lessons.completeness`). Submitting puts the lesson in the reviewers' queue
(:mod:`mel_core.lessons.workflow`); it is public only once a reviewer publishes it.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from mel_core import geo
from mel_core.access import Viewer, may, scope_codes
from mel_core.errors import LessonFormatError, LineProblem, MelError
from mel_core.i18n import message
from mel_core.lessons import workflow
from mel_core.lessons.check import check_lesson
from mel_core.lessons.completeness import completeness_problems, missing_sections, outline_numbers
from mel_core.lessons.ingest import lesson_values, write_lesson
from mel_core.lessons.parse import LessonFile, parse_lesson
from mel_core.lessons.templates import template_path
from mel_core.limits import check_upload
from mel_core.store import Lesson, LessonCall, LessonProvince, LessonSection, LessonTheme, Programme
from mel_core.text import fold, nfc

KINDS = ("state", "ngo")
#: The contact fields of the form (private: never indexed or published).
CONTACT_FIELDS = ("name", "phone", "email")


class SubmissionError(MelError):
    """A submission that cannot be saved as asked: not the contributor's to change, or out of their scope."""

    exit_code = 65


@dataclass(frozen=True)
class OutlineSection:
    """One section of the outline as the form shows it: its number, heading and the letter's hint."""

    number: str
    heading: str
    hint: str

    @property
    def top(self) -> bool:
        return "." not in self.number


@dataclass
class Draft:
    """What the submission form holds."""

    kind: str = "state"
    lang: str = "vi"
    key: str = ""
    title: str = ""
    year: int | None = None
    provinces: list[str] = field(default_factory=list)
    sector: str = ""
    themes: list[str] = field(default_factory=list)
    funding: str = ""
    programme: str = ""
    visibility: str = "public"
    submitted_by: str = ""
    contact: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    call: str = ""  # the code of the call for lessons it answers (mel_core.lessons.calls), if any


@dataclass
class Checked:
    """A draft composed into a lesson and checked: its problems, and the sections it lacks."""

    text: str
    lesson: LessonFile
    problems: list[LineProblem]
    missing: list[str]


@cache
def outline(kind: str = "state", lang: str = "vi") -> tuple[OutlineSection, ...]:
    """The outline of letter 247/KTHT-GN in one variant (``state`` or ``ngo``) and language, from the templates."""
    lesson = parse_lesson(template_path(kind, lang).read_text(encoding="utf-8"), "template")
    out = []
    for section in lesson.sections:
        hint = " ".join(
            line.lstrip("> ").strip() for line in section.body.splitlines() if line.startswith(">")
        )
        out.append(OutlineSection(section.number, section.heading, hint))
    return tuple(out)


def compose(draft: Draft, key: str, status: str) -> str:
    """The lesson file's text of ``draft`` (front matter, then the outline with the draft's text)."""
    meta: dict[str, Any] = {
        "id": key,
        "title": nfc(draft.title).strip(),
        "language": draft.lang,
        "year": draft.year,
        "submitted_by": nfc(draft.submitted_by).strip(),
        "submitter_kind": draft.kind,
        "funding": draft.funding or ("state_budget" if draft.kind == "state" else "ngo"),
        "provinces": [geo.normalise_code(c) for c in draft.provinces if c.strip()],
        "sector": draft.sector,
        "themes": [t for t in draft.themes if t],
        "visibility": draft.visibility or "public",
        "status": status,
    }
    if draft.programme.strip():
        meta["programme"] = draft.programme.strip()
    contact = {k: nfc(v).strip() for k, v in draft.contact.items() if k in CONTACT_FIELDS and v and v.strip()}
    if contact:
        meta["contact"] = contact
    lines = [
        "---",
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip(),
        "---",
        "",
    ]
    for section in outline(draft.kind, draft.lang):
        marks = "##" if section.top else "###"
        number = f"{section.number}." if section.top or section.number.count(".") == 1 else section.number
        lines.append(f"{marks} {number} {section.heading}")
        text = _body(draft.sections.get(section.number, ""))
        lines += [text, ""] if text else [""]
    return "\n".join(lines).rstrip() + "\n"


def _body(text: str) -> str:
    """A section's text as the contributor wrote it, with line ends normalised and no heading that would break
    the outline (a line starting with ``#`` gets a space-escaped hash)."""
    text = nfc(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return re.sub(r"(?m)^(\s*)#", r"\1\\#", text)


def from_lesson(lesson: LessonFile) -> Draft:
    """A form filled from a lesson's text (an uploaded .md, or a .docx converted)."""
    meta = lesson.meta
    kind = str(meta.get("submitter_kind") or "state")
    draft = Draft(
        kind=kind if kind in KINDS else "state",
        lang=str(meta.get("language") or "vi") if meta.get("language") in ("vi", "en") else "vi",
        title=_scalar(meta.get("title")),
        year=meta.get("year") if isinstance(meta.get("year"), int) else None,
        provinces=[str(c) for c in meta.get("provinces") or [] if str(c) != "TODO"]
        if isinstance(meta.get("provinces"), list)
        else [],
        sector=_scalar(meta.get("sector")),
        themes=[str(t) for t in meta.get("themes") or [] if str(t) != "TODO"]
        if isinstance(meta.get("themes"), list)
        else [],
        funding=_scalar(meta.get("funding")),
        programme=_scalar(meta.get("programme")),
        visibility=_scalar(meta.get("visibility")) or "public",
        submitted_by=_scalar(meta.get("submitted_by")),
        contact={k: _scalar(v) for k, v in (meta.get("contact") or {}).items() if k in CONTACT_FIELDS}
        if isinstance(meta.get("contact"), dict)
        else {},
    )
    known = set(outline_numbers()) | {"1", "2"}
    for section in lesson.sections:
        if section.number in known:
            draft.sections[section.number] = "\n".join(
                line for line in section.body.splitlines() if not line.startswith(">")
            ).strip()
    return draft


def _scalar(value: Any) -> str:
    return "" if value is None or str(value).strip() == "TODO" else str(value)


def from_store(session: Session, lesson: Lesson) -> Draft:
    """The form of a stored lesson (to correct a returned lesson or finish a draft)."""
    sections = session.exec(
        select(LessonSection)
        .where(LessonSection.lesson_id == lesson.id)
        .order_by(col(LessonSection.position))
    ).all()
    themes = session.exec(select(LessonTheme.theme).where(LessonTheme.lesson_id == lesson.id)).all()
    codes = session.exec(
        select(LessonProvince.admin_unit_code).where(LessonProvince.lesson_id == lesson.id)
    ).all()
    programme = session.get(Programme, lesson.programme_id) if lesson.programme_id else None
    call = session.get(LessonCall, lesson.call_id) if lesson.call_id else None
    return Draft(
        call=call.code if call else "",
        kind=lesson.submitter_kind if lesson.submitter_kind in KINDS else "state",
        lang=lesson.language,
        key=lesson.key,
        title=lesson.title,
        year=lesson.year,
        provinces=list(codes),
        sector=lesson.sector,
        themes=list(themes),
        funding=lesson.funding or "",
        programme=programme.code if programme else "",
        visibility=lesson.visibility,
        submitted_by=lesson.submitted_by or "",
        contact={k: str(v) for k, v in (lesson.contact or {}).items() if k in CONTACT_FIELDS},
        sections={s.number: s.body for s in sections},
    )


def read_upload(data: bytes, filename: str) -> tuple[Draft, list[LineProblem]]:
    """A form filled from an uploaded ``.md`` or ``.docx`` file, and the problems met reading it.

    The upload is held to the limits first (size, a Word document's archive) and never written under its own
    name: a Word document goes through ``mel lessons import-docx`` in a private temporary folder.
    """
    suffix = Path(filename).suffix.lower()
    shown = Path(filename).name or "upload"
    if suffix not in (".md", ".docx"):
        reason = message("lessons.submit.wrong_kind")
        return Draft(), [LineProblem(shown, 0, "", "", reason)]
    refused = check_upload(data, "md" if suffix == ".md" else "docx", name=shown)
    if refused:
        return Draft(), [LineProblem(shown, 0, "", "", p.reason) for p in refused]
    if suffix == ".md":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reason = message("lessons.submit.not_utf8", start=exc.start)
            return Draft(), [LineProblem(shown, 0, "", "", reason)]
        lesson = parse_lesson(text, shown)
        return from_lesson(lesson), list(lesson.problems)
    from mel_core.lessons.docx import import_docx

    with tempfile.TemporaryDirectory(prefix="mel-upload-") as folder:
        source = Path(folder) / "submission.docx"
        source.write_bytes(data)
        try:
            converted = import_docx(source, Path(folder) / "out")
        except LessonFormatError as exc:
            return Draft(), [LineProblem(shown, p.row, p.column, p.value, p.reason) for p in exc.problems]
        lesson = parse_lesson(converted.path.read_text(encoding="utf-8"), shown)
    return from_lesson(lesson), []


def new_key(session: Session, year: int | None, title: str) -> str:
    """A new lesson id: the year and the title's words, folded (``2026-nuoi-ga-tha-vuon``), unique in the store."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60].strip("-") or "bai-hoc"
    base = f"{year or datetime.now(UTC).year}-{words}"
    key, n = base, 1
    while session.exec(select(Lesson.id).where(Lesson.key == key)).first() is not None:
        n += 1
        key = f"{base}-{n}"
    return key


def check_draft(draft: Draft, key: str, viewer: Viewer, status: str = "submitted") -> Checked:
    """Compose and check ``draft`` as lesson ``key``: the format check, the contributor's scope, completeness."""
    text = compose(draft, key, status)
    source = f"lessons/{draft.year or 'YYYY'}/{key}.md"
    lesson = parse_lesson(text, source)
    problems = list(lesson.problems) + check_lesson(lesson, Path(source)) + _scope_problems(lesson, viewer)
    return Checked(text, lesson, problems, missing_sections(lesson))


def _scope_problems(lesson: LessonFile, viewer: Viewer) -> list[LineProblem]:
    """A contributor submits for their own provinces (today's and the former ones merged into them) only."""
    if viewer.role != "contributor":
        return []
    allowed = set(scope_codes(viewer))
    codes = [
        geo.normalise_code(str(c)) for c in lesson.meta.get("provinces") or [] if isinstance(c, str | int)
    ]
    outside = [c for c in codes if c not in allowed]
    if not outside:
        return []
    reason = message("lessons.submit.outside_provinces")
    return [LineProblem(lesson.source, lesson.line_of("provinces"), "provinces", ", ".join(outside), reason)]


def editable(viewer: Viewer, lesson: Lesson) -> bool:
    """Whether ``viewer`` may change ``lesson`` in the form: their own draft or returned lesson; a reviewer any
    lesson not yet published."""
    if may(viewer, "review_lessons"):
        return lesson.status != "published"
    return lesson.submitted_by_user == viewer.email and lesson.status in ("draft", "returned")


def save(session: Session, draft: Draft, viewer: Viewer, *, submit: bool) -> tuple[Lesson | None, Checked]:
    """Save ``draft`` as a draft, or submit it for review (the caller commits).

    Returns the stored lesson, or None with the checked draft when it has problems (nothing was written).

    Raises:
        SubmissionError: the lesson exists and is not the viewer's to change.
    """
    if not may(viewer, "submit_lessons"):
        raise SubmissionError(message("lessons.submit.not_allowed"))
    row = None
    if draft.key:
        row = session.exec(select(Lesson).where(Lesson.key == draft.key)).first()
        if row is None or not editable(viewer, row):
            raise SubmissionError(message("lessons.submit.not_yours", key=draft.key))
    key = row.key if row is not None else new_key(session, draft.year, draft.title)
    status = "submitted" if submit else "draft"
    checked = check_draft(draft, key, viewer, status)
    if submit:
        checked.problems += completeness_problems(checked.lesson)
    if checked.problems:
        return None, checked
    lesson = checked.lesson
    programme_id = None
    if lesson.meta.get("programme"):
        programme_id = session.exec(
            select(Programme.id).where(Programme.code == str(lesson.meta["programme"]))
        ).first()
        if programme_id is None:
            reason = message("lessons.submit.unknown_programme")
            checked.problems.append(
                LineProblem(
                    lesson.source, lesson.line_of("programme"), "programme", lesson.meta["programme"], reason
                )
            )
            return None, checked
    values = lesson_values(lesson, programme_id=programme_id, source_path=None, status=status)
    if draft.call:
        call_id = session.exec(select(LessonCall.id).where(LessonCall.code == draft.call)).first()
        if call_id is None:
            reason = message("lessons.submit.unknown_call")
            checked.problems.append(LineProblem(lesson.source, 0, "call", draft.call, reason))
            return None, checked
        values["call_id"] = call_id
    when = workflow.now()
    values["submitted_by_user"] = (
        row.submitted_by_user if row is not None and row.submitted_by_user else viewer.email
    )
    if submit:
        values["submitted_at"] = when
    action = "lesson.submit" if submit else "lesson.save_draft"
    stored = write_lesson(session, row, lesson, values, action=action, actor=viewer.email)
    if submit:
        workflow.record_submission(session, stored, viewer.email, when=when)
    session.flush()
    return stored, checked
