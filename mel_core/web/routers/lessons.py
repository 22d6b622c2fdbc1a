"""``/lessons/{id}`` and ``/api/lessons/{id}``: a lesson with every section of the 247/KTHT-GN outline."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import Select, bindparam, literal, select, union_all
from sqlmodel import Session, col

from mel_core import audit, geo
from mel_core.access import Viewer, audience, lessons_clause, may, sees_contact, shown_texts
from mel_core.errors import MelError
from mel_core.kb.documents import lesson_items
from mel_core.kb.search import LessonTraits, similar_lessons
from mel_core.lessons.workflow import steps
from mel_core.store import Lesson, LessonProvince, LessonSection, LessonTheme, Programme, table_of
from mel_core.web.deps import portal, read_in_worker, require
from mel_core.web.render import page, twin
from mel_core.web.routers.attachments import attach_form, attachment_list

router = APIRouter(tags=["lessons"])

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
SIMILAR = 5


def province_info(code: str) -> dict[str, Any]:
    """A province as filed and as it is today (the 2025 merger)."""
    known = geo.provinces().get(code)
    if known is None:
        return {"code": code, "name": code, "now_code": code, "now_name": code, "merged": False}
    return {
        "code": code,
        "name": known.name,
        "now_code": known.successor_code,
        "now_name": known.successor_name,
        "merged": not known.is_current,
    }


@lru_cache(maxsize=256)
def _visible_lesson(viewer: Viewer) -> Select[Any]:
    """The query of a lesson by key (bound when run) if ``viewer`` may see it, built once per kind of viewer."""
    return select(Lesson).where(col(Lesson.key) == bindparam("key"), lessons_clause(viewer))


def visible_lesson(session: Session, viewer: Viewer, key: str) -> Lesson:
    """The lesson of ``key`` if ``viewer`` may see it; else 404 (never saying whether it exists)."""
    if not _KEY.match(key):
        raise HTTPException(status_code=404)
    found = session.scalars(_visible_lesson(viewer), {"key": key}).first()
    if found is None:
        raise HTTPException(status_code=404)
    return found


def similar_to(request: Request, viewer: Viewer, traits: LessonTraits) -> list[dict[str, str]]:
    """Lessons like this one, from the index the viewer searches (so only lessons they may see)."""
    try:
        found = similar_lessons(portal(request).settings.index_dir_for(audience(viewer)), traits, SIMILAR)
    except MelError:
        return []
    return [{"key": key, "title": title} for key, title in found]


_lessons, _sections, _themes, _places, _programmes = (
    table_of(m) for m in (Lesson, LessonSection, LessonTheme, LessonProvince, Programme)
)
_SECTIONS = (
    select(_sections.c.number, _sections.c.heading, _sections.c.body)
    .where(_sections.c.lesson_id == bindparam("lesson"))
    .order_by(_sections.c.position)
)
_TRAITS = union_all(
    select(literal("theme").label("kind"), _themes.c.theme.label("value")).where(
        _themes.c.lesson_id == bindparam("lesson")
    ),
    select(literal("province"), _places.c.admin_unit_code).where(_places.c.lesson_id == bindparam("lesson")),
)


@lru_cache(maxsize=256)
def _visible_row(viewer: Viewer) -> Select[Any]:
    """:func:`_visible_lesson` as a Core query of the lesson's row, with its programme's code and title: the page
    reads it, nothing writes to it."""
    return (
        select(
            _lessons, _programmes.c.code.label("programme_code"), _programmes.c.title.label("programme_title")
        )
        .outerjoin(_programmes, _programmes.c.id == _lessons.c.programme_id)
        .where(_lessons.c.key == bindparam("key"), lessons_clause(viewer))
    )


def lesson_data(request: Request, session: Session, viewer: Viewer, key: str) -> dict[str, Any]:
    """Everything the lesson page shows, as plain data."""
    if not _KEY.match(key):
        raise HTTPException(status_code=404)
    # each part of the page in one query built once (at import, or per kind of viewer): building a query costs
    # more than running it, and a row costs less than an ORM object
    connection = session.connection()
    lesson = connection.execute(_visible_row(viewer), {"key": key}).first()
    if lesson is None:
        raise HTTPException(status_code=404)
    sections = connection.execute(_SECTIONS, {"lesson": lesson.id}).all()
    traits = connection.execute(_TRAITS, {"lesson": lesson.id}).all()
    themes = sorted(value for kind, value in traits if kind == "theme")
    codes = sorted(value for kind, value in traits if kind == "province")
    programme = None
    if lesson.programme_code is not None:
        programme = {"code": lesson.programme_code, "title": lesson.programme_title}
    # the title, headings and bodies blanked out in one pass over them all (for those who may not see contacts)
    title, *parts = shown_texts(viewer, lesson.contact)(
        [lesson.title, *(s.heading for s in sections), *(s.body for s in sections)]
    )
    shown_sections = [
        {"number": s.number, "heading": heading, "body": body}
        for s, heading, body in zip(sections, parts[: len(sections)], parts[len(sections) :], strict=True)
    ]
    lessons_part = "\n\n".join(s["body"] for s in shown_sections if s["number"].strip(". ") == "3")
    data: dict[str, Any] = {
        "key": lesson.key,
        "title": title,
        "language": lesson.language,
        "year": lesson.year,
        "submitted_by": lesson.submitted_by,
        "submitter_kind": lesson.submitter_kind,
        "funding": lesson.funding,
        "sector": lesson.sector,
        "themes": themes,
        "visibility": lesson.visibility,
        "status": lesson.status,
        "provinces": [province_info(c) for c in codes],
        "programme": programme,
        "sections": shown_sections,
        "items": [{"title": title, "text": text} for title, text in lesson_items(lessons_part)],
        "similar": similar_to(
            request,
            viewer,
            LessonTraits(lesson.key, lesson.title, lesson.sector, tuple(themes), tuple(codes), lesson.year),
        ),
        "attachments": attachment_list(session, viewer, "lesson", lesson.key),
        **attach_form(viewer, "lesson", author=lesson.submitted_by_user, status=lesson.status),
    }
    if sees_contact(viewer):
        data["contact"] = lesson.contact or {}
    if may(viewer, "submit_lessons") or may(viewer, "review_lessons"):
        data["review"] = {
            "steps": [
                {
                    "at": s.at.isoformat(timespec="minutes"),
                    "by": s.by,
                    "action": s.action,
                    "comment": s.comment,
                }
                for s in steps(session, session.get_one(Lesson, lesson.id))
            ],
            "version": lesson.content_hash,
            "can_decide": may(viewer, "review_lessons") and lesson.status == "submitted",
        }
    if may(viewer, "review_lessons"):
        data["audit"] = [
            {**e.as_json(), "changes": [list(c) for c in e.changes()]}
            for e in audit.history(session, "lesson", lesson.key)
        ]
    return data


@router.get("/lessons/{key}", response_class=HTMLResponse, include_in_schema=False)
async def lesson_page(
    key: str, request: Request, viewer: Viewer = Depends(require("browse"))
) -> HTMLResponse:
    """A lesson: every section of the outline, its lessons, provinces old and new, similar lessons."""

    def render(session: Session) -> HTMLResponse:
        data = lesson_data(request, session, viewer, key)
        return page(request, "lesson.html", {"lesson": data, "title": data["title"]})

    return await read_in_worker(request, render)


@router.get("/api/lessons/{key}")
async def lesson_api(key: str, request: Request, viewer: Viewer = Depends(require("browse"))) -> JSONResponse:
    """A lesson as JSON (contact details only for reviewers and administrators)."""
    return await read_in_worker(request, lambda session: twin(lesson_data(request, session, viewer, key)))
