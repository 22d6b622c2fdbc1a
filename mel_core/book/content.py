"""What goes into a year's book: the year's evaluations from the store and the year's public lesson files.

Everything is read and checked before a page is written: a lesson file with a problem, an evaluation whose
notebook is missing or unreadable, fails the build with every problem listed (file, line, field, reason).
Internal lessons and drafts are left out here, so no later step can show them, and a lesson's ``contact``
block is never carried: :class:`BookLesson` has no field for it, and its values are blanked from the text.
This module only reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import nbformat
from sqlalchemy import Engine, extract, select, true
from sqlmodel import Session

from mel_core.access import ANONYMOUS
from mel_core.attachments.files import ascii_name, kept_file, kind_of_media
from mel_core.attachments.record import visible_clause
from mel_core.book.cache import BuildCache, file_stamp
from mel_core.config import load_settings
from mel_core.errors import BookInputError, LineProblem
from mel_core.evaluations.responses import tracker
from mel_core.i18n import message
from mel_core.kb.documents import PUBLIC_STATUSES
from mel_core.lessons.check import check_lesson, lesson_files
from mel_core.lessons.ingest import content_hash
from mel_core.lessons.parse import LessonFile, read_lesson
from mel_core.privacy import private_values, redact
from mel_core.store import (
    Attachment,
    Evaluation,
    Finding,
    Lesson,
    Programme,
    Rating,
    read,
    table_of,
)
from mel_core.vocabulary import CRITERIA

#: The order of an evaluation's notebooks in its chapter.
NOTEBOOK_ORDER = (*CRITERIA, "synthesis")


@dataclass(frozen=True)
class BookRating:
    criterion: str
    level: int | None
    computed_level: int | None
    justification: str
    override_reason: str | None


@dataclass(frozen=True)
class BookFinding:
    criterion: str
    statement: str
    confidence: str | None


@dataclass(frozen=True)
class BookRecommendation:
    """A recommendation as the book shows it: where it stood on the day the book was built."""

    criterion: str | None
    text: str
    state: str  # mel_core.vocabulary.RECOMMENDATION_STATES
    response: str | None
    response_text: str | None
    actions: tuple[tuple[str, str, str, str, bool], ...] = ()  # (text, unit, due date, status, overdue)
    overdue: bool = False


@dataclass
class BookEvaluation:
    """One succeeded evaluation of the year with what the book shows of it (no evaluator, no store address)."""

    code: str
    kind: str
    programme: str
    programme_name: str
    programme_name_en: str
    sector: str
    provinces: tuple[str, ...]
    finished: datetime | None
    notebooks: list[tuple[str, Path]] = field(default_factory=list)
    ratings: list[BookRating] = field(default_factory=list)
    findings: list[BookFinding] = field(default_factory=list)
    recommendations: list[BookRecommendation] = field(default_factory=list)

    def rating(self, criterion: str) -> BookRating | None:
        return next((r for r in self.ratings if r.criterion == criterion), None)


@dataclass(frozen=True)
class BookLesson:
    """A public lesson as the book shows it: its metadata and its sections, personal details blanked out."""

    key: str
    title: str
    language: str
    year: int
    submitted_by: str
    funding: str
    provinces: tuple[str, ...]
    sector: str
    themes: tuple[str, ...]
    programme: str
    sections: tuple[tuple[str, str, str], ...]  # (number, heading, body)
    source: Path
    version: str = ""  # the content hash the store keeps of this file (mel_core.lessons.ingest.content_hash)


@dataclass(frozen=True)
class BookAttachment:
    """A public file attached to what the book shows (a lesson, an evaluation, a programme), as the book carries
    it: a copy of the kept file named by its content and a safe name, and its text with personal details blanked
    out (:mod:`mel_core.privacy`)."""

    id: int
    entity: str  # programme, evaluation or lesson
    key: str  # the programme's or evaluation's code, the lesson's id
    owner: str  # what it belongs to as the book names it (a programme's or lesson's title)
    owner_en: str
    title: str
    file_name: str  # the copy's name: ASCII, no folder (mel_core.attachments.files.ascii_name)
    kind: str  # pdf, docx or xlsx
    size: int
    sha256: str
    text: str  # "" when none was read
    note: str  # why no text, or not all of it, was read
    stored: Path  # the kept file under MEL_HOME/attachments

    @property
    def copy(self) -> str:
        """Where the book's source keeps its copy (Sphinx copies it to the website's ``_downloads``): a folder
        named by the content's SHA-256 and a name made of ASCII letters only, so no name can leave the book."""
        return f"_attachments/{self.sha256}/{self.file_name}"


@dataclass
class BookContent:
    year: int  # the book's year; in the cumulative edition, the latest year it holds
    evaluations: list[BookEvaluation]
    lessons: list[BookLesson]
    skipped_lessons: int = 0
    #: Lessons whose file says published but the store has in review (or published in another version).
    held_lessons: list[str] = field(default_factory=list)
    #: The book's date: recommendations are shown as they stood that day.
    as_of: date = field(default_factory=date.today)
    #: The cumulative edition: every year's published lessons and evaluations.
    all_years: bool = False
    first_year: int | None = None
    #: The public files attached to the book's lessons, evaluations and programmes (:func:`_read_attachments`).
    attachments: list[BookAttachment] = field(default_factory=list)

    def attachments_of(self, entity: str, key: str) -> list[BookAttachment]:
        """The book's attachments of one lesson, evaluation or programme, oldest first."""
        return [a for a in self.attachments if a.entity == entity and a.key == key]

    @property
    def span(self) -> str:
        """The years the book covers as its pages name them: ``2026``, or ``2013–2026`` for the cumulative one."""
        if self.all_years and self.first_year is not None and self.first_year != self.year:
            return f"{self.first_year}\u2013{self.year}"
        return str(self.year)


def read_content(
    engine: Engine,
    year: int,
    lessons_dir: Path | None,
    *,
    evaluation_year: int | None = None,
    cache: BuildCache | None = None,
    all_years: bool = False,
    home: Path | None = None,
) -> BookContent:
    """The year's evaluations and lessons, all checked; raises :class:`BookInputError` with every problem.

    ``all_years``: the cumulative edition, every year's public lessons and evaluations (``year`` is ignored; the
    book's year is the latest one it holds). ``home``: the ``MEL_HOME`` whose ``attachments/`` keeps the files
    attached to them (default: :func:`mel_core.config.load_settings`'s).
    """
    cache = cache or BuildCache(None)
    problems: list[LineProblem] = []
    lessons, skipped = _read_lessons(None if all_years else year, lessons_dir, problems, cache)
    today = date.today()
    wanted = None if all_years else evaluation_year or year
    evaluations = _read_evaluations(engine, wanted, problems, cache, as_of=today)
    lessons, held = _as_reviewed(engine, lessons)
    attachments = _read_attachments(
        engine, home or load_settings().home, lessons, evaluations, wanted, all_years, problems, cache
    )
    if problems:
        raise BookInputError(problems=list(problems), path=str(lessons_dir or ""))
    years = [lesson.year for lesson in lessons] + [e.finished.year for e in evaluations if e.finished]
    return BookContent(
        year=max(years) if all_years and years else year,
        evaluations=evaluations,
        lessons=lessons,
        skipped_lessons=skipped + len(held),
        held_lessons=held,
        as_of=today,
        all_years=all_years,
        first_year=min(years) if years else None,
        attachments=attachments,
    )


def _as_reviewed(engine: Engine, lessons: list[BookLesson]) -> tuple[list[BookLesson], list[str]]:
    """The lessons the store does not contradict, and the ids of those it does.

    A file's ``status: published`` stands unless the store holds the same lesson in another state, or published
    in another version (the file changed since a reviewer published it): a lesson a reviewer returned or
    rejected in the portal never reaches the book through its file. A file the store has never seen is the
    publishing team's own.
    """
    if not lessons:
        return lessons, []
    table = table_of(Lesson)
    keys = [lesson.key for lesson in lessons]
    with engine.connect() as conn:
        stored = {
            row.key: row
            for row in conn.execute(
                select(table.c.key, table.c.status, table.c.visibility, table.c.content_hash).where(
                    table.c.key.in_(keys)
                )
            )
        }
    kept: list[BookLesson] = []
    held: list[str] = []
    for lesson in lessons:
        row = stored.get(lesson.key)
        agreed = row is None or (
            row.status == "published" and row.visibility == "public" and row.content_hash == lesson.version
        )
        if agreed:
            kept.append(lesson)
        else:
            held.append(lesson.key)
    return kept, held


# ------------------------------------------------------------------------------------------------- attachments
def _read_attachments(
    engine: Engine,
    home: Path,
    lessons: list[BookLesson],
    evaluations: list[BookEvaluation],
    evaluation_year: int | None,
    all_years: bool,
    problems: list[LineProblem],
    cache: BuildCache,
) -> list[BookAttachment]:
    """The public files the book carries, each kept file checked against its SHA-256 (unless unchanged since a
    build that found it good): a missing or altered file is a problem of the build.

    Which: those an anonymous visitor of the portal may download (:func:`mel_core.attachments.record.
    visible_clause`: public files of programmes, finished evaluations and published public lessons) that belong
    to the book: its lessons; the evaluations finished in its year (every year's in the cumulative edition),
    those a later run replaced included; and every programme (cumulative edition) or the programmes of its
    evaluations and lessons (a year's book).
    """
    attachments, evaluations_t = table_of(Attachment), table_of(Evaluation)
    lessons_t, programmes_t = table_of(Lesson), table_of(Programme)
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(attachments)
                .where(visible_clause(ANONYMOUS), attachments.c.visibility == "public")
                .order_by(attachments.c.id)
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        programmes = {
            r.code: (r.title, r.title_en or r.title)
            for r in conn.execute(select(programmes_t.c.code, programmes_t.c.title, programmes_t.c.title_en))
        }
        finished = {
            r.code: (r.programme, r.finished_at)
            for r in conn.execute(
                select(
                    evaluations_t.c.code, programmes_t.c.code.label("programme"), evaluations_t.c.finished_at
                )
                .join(programmes_t, programmes_t.c.id == evaluations_t.c.programme_id)
                .where(evaluations_t.c.status == "succeeded")
            )
        }
        book_lessons = {lesson.key: lesson for lesson in lessons}
        contacts = {
            r.key: r.contact
            for r in conn.execute(
                select(lessons_t.c.key, lessons_t.c.contact).where(lessons_t.c.key.in_(list(book_lessons)))
            )
        }
    shown_programmes = {ev.programme for ev in evaluations} | {x.programme for x in lessons if x.programme}
    out: list[BookAttachment] = []
    for r in rows:
        entity, key = r["entity"], r["entity_key"]
        private: list[str] = []
        if entity == "lesson":
            if key not in book_lessons:
                continue
            owner = owner_en = book_lessons[key].title
            private = private_values(contacts.get(key))
        elif entity == "evaluation":
            programme, ended = finished.get(key, ("", None))
            if ended is None or not (all_years or ended.year == evaluation_year):
                continue
            name, name_en = programmes.get(programme, ("", ""))
            owner, owner_en = f"{key} ({programme}: {name})", f"{key} ({programme}: {name_en})"
        else:
            if not (all_years or key in shown_programmes):
                continue
            name, name_en = programmes.get(key, ("", ""))
            owner, owner_en = f"{key}: {name}", f"{key}: {name_en}"
        kind = kind_of_media(r["media_type"])
        stored = kept_file(home, r["sha256"], kind)
        if not _kept_intact(stored, r["sha256"], problems, cache, r["id"]):
            continue
        out.append(
            BookAttachment(
                id=r["id"],
                entity=entity,
                key=key,
                owner=owner,
                owner_en=owner_en,
                title=redact(r["title"], private),
                file_name=ascii_name(redact(r["file_name"], private), kind, f"attachment-{r['id']}"),
                kind=kind,
                size=r["size"],
                sha256=r["sha256"],
                text=redact(r["text"] or "", private),
                note=r["extraction_note"] or "",
                stored=stored,
            )
        )
    return out


def _kept_intact(
    path: Path, sha256: str, problems: list[LineProblem], cache: BuildCache, number: int
) -> bool:
    """Whether the kept file of attachment ``number`` is there and still holds the content it is named by."""
    if path.is_file():
        stamp = file_stamp(path)
        if cache.get("attachments", str(path), stamp) == sha256:
            return True
        with path.open("rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest()
        if found == sha256:
            cache.put("attachments", str(path), stamp, sha256)
            return True
        reason = message("book.messages.attachment_changed", number=number, found=found)
    else:
        reason = message("book.messages.attachment_missing", number=number)
    problems.append(LineProblem(str(path), 0, "attachment", str(number), reason))
    return False


# ----------------------------------------------------------------------------------------------------- lessons
def _read_lessons(
    year: int | None, lessons_dir: Path | None, problems: list[LineProblem], cache: BuildCache
) -> tuple[list[BookLesson], int]:
    """Every lesson file under ``lessons_dir`` checked (a file unchanged since a build that passed is not read
    again), and the year's public ones (every year's when ``year`` is None) as the book shows them. An id used
    twice, in any year, is a problem."""
    if lessons_dir is None:
        return [], 0
    if not lessons_dir.is_dir():
        reason = message("book.messages.no_lessons_folder")
        problems.append(LineProblem(str(lessons_dir), 0, "", "", reason))
        return [], 0
    files, found = lesson_files([lessons_dir])
    mine: list[LineProblem] = list(found)
    lessons: list[BookLesson] = []
    skipped = 0
    seen: dict[str, tuple[str, int]] = {}
    for path in files:
        stamp = file_stamp(path)
        record = cache.get("lessons", str(path), stamp)
        if record is None:
            lesson = read_lesson(path)
            file_problems = lesson.problems + check_lesson(lesson, path)
            if file_problems:
                mine.extend(file_problems)
                continue
            meta = lesson.meta
            public = meta.get("visibility", "public") == "public" and meta.get("status", "submitted") in (
                PUBLIC_STATUSES
            )
            shown = _book_lesson(path, lesson) if public else None
            record = {
                "id": str(meta["id"]),
                "line": lesson.line_of("id"),
                "year": meta.get("year"),
                "public": public,
                "lesson": _lesson_json(shown) if shown else None,
            }
            cache.put("lessons", str(path), stamp, record)
        key = record["id"]
        if key in seen:
            first, line = seen[key]
            reason = message("book.messages.duplicate_id", key=key, first=first, line=line)
            mine.append(LineProblem(str(path), record["line"], "id", key, reason))
            continue
        seen[key] = (str(path), record["line"])
        if year is not None and record["year"] != year:
            continue
        if not record["public"]:
            skipped += 1
        elif record["lesson"] is not None:
            lessons.append(_lesson_from_json(record["lesson"]))
    problems.extend(sorted(mine, key=lambda p: (p.source, p.row)))
    lessons.sort(key=lambda x: (x.title.casefold(), x.key))
    return lessons, skipped


def _lesson_json(lesson: BookLesson) -> dict[str, Any]:
    data = asdict(lesson)
    data["source"] = str(lesson.source)
    return data


def _lesson_from_json(data: dict[str, Any]) -> BookLesson:
    values = dict(data)
    for name in ("provinces", "themes"):
        values[name] = tuple(values[name])
    values["sections"] = tuple(tuple(s) for s in values["sections"])
    values["source"] = Path(values["source"])
    return BookLesson(**values)


def _book_lesson(path: Path, lesson: LessonFile) -> BookLesson:
    meta = lesson.meta
    private = private_values(meta.get("contact"))

    def clean(text: Any) -> str:
        return redact(str(text or ""), private)

    sections = tuple((s.number, clean(s.heading), clean(s.body)) for s in lesson.sections)
    return BookLesson(
        key=str(meta["id"]),
        title=clean(meta["title"]),
        language=str(meta.get("language", "")),
        year=int(meta["year"]),
        submitted_by=clean(meta.get("submitted_by")),
        funding=str(meta.get("funding") or ""),
        provinces=tuple(str(p) for p in meta.get("provinces") or ()),
        sector=str(meta.get("sector") or ""),
        themes=tuple(str(t) for t in meta.get("themes") or ()),
        programme=str(meta.get("programme") or ""),
        sections=sections,
        version=content_hash(lesson),
        source=path,
    )


# ------------------------------------------------------------------------------------------------- evaluations
def _read_evaluations(
    engine: Engine,
    year: int | None,
    problems: list[LineProblem],
    cache: BuildCache,
    as_of: date | None = None,
) -> list[BookEvaluation]:
    """The year's evaluations; their recommendations as they stood on ``as_of`` (default: today, the book's
    date)."""
    e, p = table_of(Evaluation), table_of(Programme)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                e,
                p.c.code.label("programme_code"),
                p.c.title.label("programme_name"),
                p.c.title_en.label("programme_name_en"),
                p.c.sector,
            )
            .join(p, p.c.id == e.c.programme_id)
            .where(
                e.c.status == "succeeded",
                true() if year is None else extract("year", e.c.finished_at) == year,
            )
            .order_by(e.c.finished_at, e.c.id)
        ).mappings()
        # a later evaluation of the same programme and kind in the year supersedes an earlier one (a re-run)
        latest: dict[tuple[str, str, int], Any] = {}
        for row in rows:
            latest[(row["programme_code"], row["kind"], row["finished_at"].year)] = row
        chosen = sorted(latest.values(), key=lambda r: (r["programme_code"], r["code"]))
        ids = [r["id"] for r in chosen]
        places = read.programme_provinces(conn, {r["programme_id"] for r in chosen})
        ratings = _by_evaluation(conn, Rating, ids)
        findings = _by_evaluation(conn, Finding, ids, order=("criterion", "position"))
    with Session(engine) as session:
        tracked = tracker(session, as_of=as_of, where=table_of(Evaluation).c.id.in_(ids))
    recommendations: dict[str, list[BookRecommendation]] = {}
    for item in tracked.items:
        recommendations.setdefault(item.evaluation, []).append(
            BookRecommendation(
                item.criterion,
                item.text,
                item.state,
                item.response,
                item.response_text,
                tuple((a.text, a.unit, a.due_date.isoformat(), a.status, a.overdue) for a in item.actions),
                item.overdue,
            )
        )
    out: list[BookEvaluation] = []
    for r in chosen:
        ev = BookEvaluation(
            code=r["code"],
            kind=r["kind"],
            programme=r["programme_code"],
            programme_name=r["programme_name"],
            programme_name_en=r["programme_name_en"] or r["programme_name"],
            sector=r["sector"] or "",
            provinces=tuple(sorted(places.get(r["programme_id"], []))),
            finished=r["finished_at"],
            ratings=[
                BookRating(x.criterion, x.final_level, x.computed_level, x.justification, x.override_reason)
                for x in ratings.get(r["id"], [])
            ],
            findings=[BookFinding(x.criterion, x.statement, x.confidence) for x in findings.get(r["id"], [])],
            recommendations=recommendations.get(r["code"], []),
        )
        ev.notebooks = _notebooks(r["code"], r["output_dir"], problems, cache)
        out.append(ev)
    return out


def _by_evaluation(
    conn: Any, model: Any, ids: list[int], order: tuple[str, ...] = ("id",)
) -> dict[int, list]:
    t = table_of(model)
    out: dict[int, list[Any]] = {}
    if not ids:
        return out
    query = select(t).where(t.c.evaluation_id.in_(ids)).order_by(*(t.c[c] for c in order), t.c.id)
    for row in conn.execute(query):
        out.setdefault(row.evaluation_id, []).append(row)
    return out


def _notebooks(
    code: str, output_dir: str | None, problems: list[LineProblem], cache: BuildCache
) -> list[tuple[str, Path]]:
    """The evaluation's executed notebooks in chapter order; each one is read and validated here (unless it is
    unchanged since a build that found it good)."""
    folder = Path(output_dir) if output_dir else None
    if folder is None or not folder.is_dir():
        reason = message("book.messages.notebooks_missing", code=code, folder=output_dir or "—")
        problems.append(LineProblem(str(output_dir or code), 0, "output_dir", code, reason))
        return []
    found: list[tuple[str, Path]] = []
    for name in NOTEBOOK_ORDER:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            continue
        stamp = file_stamp(path)
        if cache.get("notebooks", str(path), stamp) == "ok":
            found.append((name, path))
            continue
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # nbformat raises JSON, validation and OS errors alike
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            reason = message("book.messages.unreadable_notebook", first=first)
            problems.append(LineProblem(str(path), 0, "", "", reason))
            continue
        errors = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.output_type == "error"
        ]
        if errors:
            first = errors[0]
            reason = message(
                "book.messages.notebook_error", ename=first.get("ename"), evalue=first.get("evalue")
            )
            problems.append(LineProblem(str(path), 0, "", "", reason))
            continue
        cache.put("notebooks", str(path), stamp, "ok")
        found.append((name, path))
    if not found and not any(p.source.startswith(str(folder)) for p in problems):
        reason = message("book.messages.no_notebook", code=code)
        problems.append(LineProblem(str(folder), 0, "", "", reason))
    return found
