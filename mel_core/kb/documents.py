"""What the public index holds, read from the store: one :class:`Document` per searchable thing.

Kinds: ``lesson`` (a whole lesson file), ``lesson_item`` (one lesson of its section 3), ``finding``,
``recommendation``, ``rating`` (a rating's justification), ``programme`` and ``attachment`` (the text of a file
attached to a programme, an evaluation or a lesson, in the index that holds what it belongs to). Internal
lessons and drafts are left out, the ``contact`` column is never read into a document, and the lesson's own
contact details (and any e-mail address or phone number) are blanked out of the text it carries. This module only reads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from mel_core import geo
from mel_core.access import LISTED_STATUSES, audience_lessons
from mel_core.privacy import private_values, redact
from mel_core.reference import taxonomy
from mel_core.store import (
    Attachment,
    Evaluation,
    Finding,
    Lesson,
    LessonProvince,
    LessonSection,
    LessonTheme,
    Objective,
    Programme,
    Rating,
    Recommendation,
    read,
    table_of,
)

KINDS = ("lesson", "lesson_item", "finding", "recommendation", "rating", "programme", "attachment")
#: Lesson statuses the public index shows (drafts are not ready to be read by others); decided in
#: :mod:`mel_core.access`.
PUBLIC_STATUSES = LISTED_STATUSES


@dataclass
class Document:
    """One searchable document with its facet values.

    ``provinces`` are the codes as filed (pre-2025 ones stay); the index adds their successors.
    """

    kind: str
    key: str
    title: str
    body: str
    meta: str = ""
    parent: str = ""
    language: str = ""
    provinces: tuple[str, ...] = ()
    sector: str = ""
    themes: tuple[str, ...] = ()
    criterion: str = ""
    years: tuple[int, ...] = ()
    funding: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        """The document's unique id in the index: ``kind:key``."""
        return f"{self.kind}:{self.key}"

    def fingerprint(self) -> str:
        """A hash of everything indexed, so an update re-indexes only what changed."""
        parts = [self.kind, self.key, self.title, self.body, self.meta, self.parent, self.language]
        parts += [",".join(self.provinces), self.sector, ",".join(self.themes), self.criterion]
        parts += [",".join(map(str, self.years)), self.funding]
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=12).hexdigest()


def _labels(vocabulary: str, *keys: str) -> list[str]:
    terms = taxonomy().get(vocabulary, {})
    return [label for k in keys if k in terms for label in (terms[k]["vi"], terms[k]["en"])]


def place_names(codes: Iterable[str]) -> list[str]:
    """The names of the provinces of ``codes``: as they were, and the provinces they are part of today."""
    known = geo.provinces()
    names: list[str] = []
    for code in codes:
        p = known.get(code)
        if p is not None:
            names += [p.name] if p.is_current else [p.name, p.successor_name]
    return list(dict.fromkeys(names))


def _fallback_items(body: str) -> list[tuple[str, str]]:
    """Lessons of a section 3 body: each ``###`` heading with its text, or each top-level bullet."""
    items: list[tuple[str, str]] = []
    title = ""
    lines: list[str] = []
    bullet = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
    for line in body.splitlines():
        if line.startswith("#"):
            if title or any(s.strip() for s in lines):
                items.append((title, "\n".join(lines).strip()))
            title, lines = line.lstrip("#").strip(), []
        elif not title and bullet.match(line):
            if lines:
                items.append(("", "\n".join(lines).strip()))
            lines = [bullet.sub("", line)]
        else:
            lines.append(line)
    if title or any(s.strip() for s in lines):
        items.append((title, "\n".join(lines).strip()))
    return [(t, x) for t, x in items if t or x]


def lesson_items(body: str) -> list[tuple[str, str]]:
    """(title, text) of each individual lesson of a section 3 body, by the lessons package when present."""
    try:
        from mel_core.lessons.parse import lesson_items as parse_items
    except ImportError:
        return _fallback_items(body)
    return [(item.title, item.text) for item in parse_items(body)]


def _grouped(conn: Connection, statement: Any) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in conn.execute(statement):
        out.setdefault(row[0], []).append(row[1:] if len(row) > 2 else row[1])
    return out


def lesson_documents(
    conn: Connection, keys: Iterable[str] | None = None, audience: str = "public"
) -> Iterator[Document]:
    """The documents of the lessons an index of ``audience`` holds (all, or those of ``keys``): each lesson and
    its items. ``public``: public lessons only; ``internal``: internal ones too (:mod:`mel_core.access`)."""
    lessons, sections = table_of(Lesson), table_of(LessonSection)
    # one query per table for every lesson (not one per lesson): a full build reads the store in seconds
    in_ids = audience_lessons(audience)
    if keys is not None:
        in_ids = and_(in_ids, lessons.c.key.in_(list(keys)))
    rows = conn.execute(select(lessons).where(in_ids).order_by(lessons.c.id)).mappings().all()
    if not rows:
        return
    themes = _grouped(conn, select(table_of(LessonTheme)).join(lessons).where(in_ids))
    places = _grouped(
        conn,
        select(LessonProvince.lesson_id, LessonProvince.admin_unit_code)  # type: ignore[call-overload]
        .join(lessons)
        .where(in_ids),
    )
    programme_codes = dict(
        conn.execute(
            select(table_of(Programme).c.id, table_of(Programme).c.code).where(
                table_of(Programme).c.id.in_({r["programme_id"] for r in rows if r["programme_id"]})
            )
        ).all()
    )
    bodies = _grouped(
        conn,
        select(sections.c.lesson_id, sections.c.number, sections.c.heading, sections.c.body)
        .join(lessons)
        .where(in_ids)
        .order_by(sections.c.lesson_id, sections.c.position),
    )
    for r in rows:
        yield from _lesson_documents(
            r,
            bodies.get(r["id"], []),
            tuple(sorted(themes.get(r["id"], []))),
            tuple(sorted(places.get(r["id"], []))),
            programme_codes.get(r["programme_id"], ""),
        )


def _lesson_documents(
    r: Any, sections: list[Any], themes: tuple[str, ...], provinces: tuple[str, ...], programme: str
) -> Iterator[Document]:
    private = private_values(r["contact"])
    meta = [r["submitted_by"] or "", programme, *place_names(provinces)]
    # sector and funding labels, not the themes': a theme's label is a sentence that would match most queries
    meta += _labels("sectors", r["sector"]) + _labels("funding", r["funding"] or "")
    common = {
        "language": r["language"],
        "provinces": provinces,
        "sector": r["sector"],
        "themes": themes,
        "years": (r["year"],),
        "funding": r["funding"] or "",
    }
    title = redact(r["title"], private)
    text = "\n\n".join(f"{number}. {heading}\n{body}".strip() for number, heading, body in sections)
    yield Document(
        kind="lesson",
        key=r["key"],
        title=title,
        body=redact(text, private),
        meta=redact(" · ".join(m for m in meta if m), private),
        extra={"status": r["status"]},
        **common,
    )
    lessons_part = "\n\n".join(body for number, _h, body in sections if number.strip(". ") == "3")
    for position, (item_title, item_text) in enumerate(lesson_items(lessons_part), 1):
        yield Document(
            kind="lesson_item",
            key=f"{r['key']}#{position}",
            title=redact(item_title, private) or f"{title} ({position})",
            body=redact(item_text, private),
            meta=redact(" · ".join(m for m in meta if m), private),
            parent=r["key"],
            **common,
        )


def _programme_facets(conn: Connection) -> dict[int, dict[str, Any]]:
    """sector, funding, provinces, years and code of every programme, by id."""
    programmes = table_of(Programme)
    provinces = read.programme_provinces(conn)
    out: dict[int, dict[str, Any]] = {}
    for p in conn.execute(select(programmes)).mappings():
        last = p["end_date"].year if p["end_date"] else p["start_date"].year
        out[p["id"]] = {
            "row": p,
            "provinces": tuple(provinces.get(p["id"], [])),
            "years": tuple(range(p["start_date"].year, min(last, p["start_date"].year + 30) + 1)),
        }
    return out


def evaluation_documents(conn: Connection) -> Iterator[Document]:
    """Programmes, and the findings, recommendations and rating justifications of finished evaluations."""
    facets = _programme_facets(conn)
    objectives = _grouped(conn, select(Objective.programme_id, Objective.statement))  # type: ignore[call-overload]
    for pid, f in facets.items():
        p = f["row"]
        meta = [p["code"], *place_names(f["provinces"])]
        meta += _labels("sectors", p["sector"]) + _labels("funding", p["funding"])
        meta += _labels("programme_kinds", p["kind"])
        yield Document(
            kind="programme",
            key=p["code"],
            title=p["title"],
            body="\n".join([p["title_en"] or "", *objectives.get(pid, [])]).strip(),
            meta=" · ".join(m for m in meta if m),
            provinces=f["provinces"],
            sector=p["sector"],
            years=f["years"],
            funding=p["funding"],
        )
    evaluations = {
        e["id"]: e
        for e in conn.execute(
            select(table_of(Evaluation)).where(table_of(Evaluation).c.status == "succeeded")
        ).mappings()
    }

    def common(evaluation_id: int, criterion: str | None) -> dict[str, Any]:
        e = evaluations[evaluation_id]
        f = facets[e["programme_id"]]
        p = f["row"]
        end = e["period_end"] or (e["finished_at"].date() if e["finished_at"] else None)
        meta = [e["code"], p["code"], p["title"], *place_names(f["provinces"])]
        meta += _labels("criteria", criterion or "") + _labels("sectors", p["sector"])
        return {
            "parent": p["code"],
            "meta": " · ".join(m for m in meta if m),
            "provinces": f["provinces"],
            "sector": p["sector"],
            "criterion": criterion or "",
            "years": (end.year,) if end else f["years"][-1:],
            "funding": p["funding"],
        }

    for kind, model, text_of in (
        ("finding", Finding, lambda r: r["statement"]),
        ("recommendation", Recommendation, lambda r: f"{r['text']}\n{r['management_response'] or ''}"),
        ("rating", Rating, lambda r: r["justification"]),
    ):
        table = table_of(model)
        for r in conn.execute(select(table).where(table.c.evaluation_id.in_(list(evaluations)))).mappings():
            e = evaluations[r["evaluation_id"]]
            criterion = r.get("criterion")
            position = r.get("position", 0)
            key = (
                f"{e['code']}/{criterion or '-'}/{position}"
                if kind != "rating"
                else f"{e['code']}/{criterion}"
            )
            text = text_of(r).strip()
            yield Document(
                kind=kind,
                key=key,
                title=" ".join(text.split()[:14]) + ("…" if len(text.split()) > 14 else ""),
                body=text,
                **common(r["evaluation_id"], criterion),
            )


def attachment_key(entity: str, entity_key: str, attachment_id: int) -> str:
    """An attachment's key in the index: ``entity:key/id`` (the start names what it belongs to)."""
    return f"{entity}:{entity_key}/{attachment_id}"


def attachment_documents(
    conn: Connection, audience: str = "public", lesson_keys: Iterable[str] | None = None
) -> Iterator[Document]:
    """The attached files an index of ``audience`` holds: those of every programme, of finished evaluations and
    of the lessons the index holds; ``public`` only the public ones. Their text has e-mail addresses, phone
    numbers and, for a lesson's, its contact's details blanked out. ``lesson_keys``: only those lessons'.

    Each carries the facets of what it belongs to (:func:`_owner_facets`), so that a search narrowed to a
    province, sector, theme, year or kind of funding narrows the files too."""
    attachments, lessons, evaluations = table_of(Attachment), table_of(Lesson), table_of(Evaluation)
    lesson_rows = conn.execute(select(lessons.c.key, lessons.c.contact).where(audience_lessons(audience)))
    contacts = {key: contact for key, contact in lesson_rows}
    finished = select(evaluations.c.code).where(evaluations.c.status == "succeeded")
    owners = or_(
        attachments.c.entity == "programme",
        and_(attachments.c.entity == "evaluation", attachments.c.entity_key.in_(finished)),
        and_(attachments.c.entity == "lesson", attachments.c.entity_key.in_(list(contacts))),
    )
    query = select(attachments).where(owners)
    if audience == "public":
        query = query.where(attachments.c.visibility == "public")
    if lesson_keys is not None:
        query = query.where(attachments.c.entity == "lesson", attachments.c.entity_key.in_(list(lesson_keys)))
    rows = conn.execute(query.order_by(attachments.c.id)).mappings().all()
    facets = _owner_facets(conn, rows)
    for r in rows:
        private = private_values(contacts.get(r["entity_key"])) if r["entity"] == "lesson" else []
        meta = [r["file_name"], r["entity_key"], r["uploaded_by"]]
        yield Document(
            kind="attachment",
            key=attachment_key(r["entity"], r["entity_key"], r["id"]),
            title=redact(r["title"], private),
            body=redact(r["text"] or "", private),
            meta=redact(" · ".join(m for m in meta if m), private),
            parent=f"{r['entity']}:{r['entity_key']}",
            extra={"attachment": r["id"], "visibility": r["visibility"]},
            **facets.get((r["entity"], r["entity_key"]), {}),
        )


def _owner_facets(conn: Connection, rows: Iterable[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(entity, key) → the facet values of what each attachment of ``rows`` belongs to, as its own documents
    carry them: a lesson's language, provinces, sector, themes, year and funding; a programme's provinces,
    sector, years and funding; an evaluation's programme's, with the year it ended (as its findings)."""
    wanted: dict[str, set[str]] = {"programme": set(), "evaluation": set(), "lesson": set()}
    for r in rows:
        wanted[r["entity"]].add(r["entity_key"])
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if wanted["lesson"]:
        lessons = table_of(Lesson)
        chosen = lessons.c.key.in_(sorted(wanted["lesson"]))
        themes = _grouped(conn, select(LessonTheme.lesson_id, LessonTheme.theme).join(lessons).where(chosen))  # type: ignore[call-overload]
        places = _grouped(
            conn,
            select(LessonProvince.lesson_id, LessonProvince.admin_unit_code).join(lessons).where(chosen),  # type: ignore[call-overload]
        )
        for r in conn.execute(select(lessons).where(chosen)).mappings():
            out[("lesson", r["key"])] = {
                "language": r["language"],
                "provinces": tuple(sorted(places.get(r["id"], []))),
                "sector": r["sector"],
                "themes": tuple(sorted(themes.get(r["id"], []))),
                "years": (r["year"],),
                "funding": r["funding"] or "",
            }
    if not wanted["programme"] and not wanted["evaluation"]:
        return out
    programmes = _programme_facets(conn)

    def of_programme(f: dict[str, Any], years: tuple[int, ...]) -> dict[str, Any]:
        p = f["row"]
        return {"provinces": f["provinces"], "sector": p["sector"], "years": years, "funding": p["funding"]}

    for f in programmes.values():
        if f["row"]["code"] in wanted["programme"]:
            out[("programme", f["row"]["code"])] = of_programme(f, f["years"])
    evaluations = table_of(Evaluation)
    for e in conn.execute(
        select(evaluations).where(evaluations.c.code.in_(sorted(wanted["evaluation"])))
    ).mappings():
        f = programmes[e["programme_id"]]
        end = e["period_end"] or (e["finished_at"].date() if e["finished_at"] else None)
        out[("evaluation", e["code"])] = of_programme(f, (end.year,) if end else f["years"][-1:])
    return out


def store_documents(conn: Connection, audience: str = "public") -> Iterator[Document]:
    """Every document of the store an index of ``audience`` holds (``public`` or ``internal``)."""
    yield from lesson_documents(conn, audience=audience)
    yield from evaluation_documents(conn)
    yield from attachment_documents(conn, audience)
