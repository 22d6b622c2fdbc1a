"""``/lessons/{id}`` and ``/api/lessons/{id}``: a lesson with every section of the 247/KTHT-GN outline."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select
from sqlmodel import Session, col

from mel_core import audit, geo
from mel_core.access import Viewer, audience, lessons_clause, may, sees_contact, shown_text
from mel_core.errors import MelError
from mel_core.kb.documents import lesson_items
from mel_core.kb.search import LessonTraits, similar_lessons
from mel_core.lessons.workflow import steps
from mel_core.store import Lesson, LessonProvince, LessonSection, LessonTheme, Programme, table_of
from mel_core.web.deps import db, portal, require
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


def visible_lesson(session: Session, viewer: Viewer, key: str) -> Lesson:
    """The lesson of ``key`` if ``viewer`` may see it; else 404 (never saying whether it exists)."""
    if not _KEY.match(key):
        raise HTTPException(status_code=404)
    found = session.scalars(select(Lesson).where(col(Lesson.key) == key, lessons_clause(viewer))).first()
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


def lesson_data(request: Request, session: Session, viewer: Viewer, key: str) -> dict[str, Any]:
    """Everything the lesson page shows, as plain data."""
    lesson = visible_lesson(session, viewer, key)
    sections = session.scalars(
        select(LessonSection)
        .where(col(LessonSection.lesson_id) == lesson.id)
        .order_by(col(LessonSection.position))
    ).all()
    themes = sorted(
        session.scalars(select(col(LessonTheme.theme)).where(col(LessonTheme.lesson_id) == lesson.id))
    )
    codes = sorted(
        session.scalars(
            select(col(LessonProvince.admin_unit_code)).where(col(LessonProvince.lesson_id) == lesson.id)
        )
    )
    programme = None
    if lesson.programme_id is not None:
        p = table_of(Programme)
        row = (
            session.connection()
            .execute(select(p.c.code, p.c.title).where(p.c.id == lesson.programme_id))
            .first()
        )
        if row is not None:
            programme = {"code": row.code, "title": row.title}
    shown = shown_text(viewer, lesson.contact)
    shown_sections = [
        {"number": s.number, "heading": shown(s.heading), "body": shown(s.body)} for s in sections
    ]
    lessons_part = "\n\n".join(s["body"] for s in shown_sections if s["number"].strip(". ") == "3")
    data: dict[str, Any] = {
        "key": lesson.key,
        "title": shown(lesson.title),
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
                for s in steps(session, lesson)
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
def lesson_page(
    key: str, request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> HTMLResponse:
    """A lesson: every section of the outline, its lessons, provinces old and new, similar lessons."""
    data = lesson_data(request, session, viewer, key)
    return page(request, "lesson.html", {"lesson": data, "title": data["title"]})


@router.get("/api/lessons/{key}")
def lesson_api(
    key: str, request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> JSONResponse:
    """A lesson as JSON (contact details only for reviewers and administrators)."""
    return twin(lesson_data(request, session, viewer, key))
