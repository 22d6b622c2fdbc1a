"""``/review``: the lessons waiting for a reviewer; ``POST /lessons/{id}/review``: publish, return or reject.

Who may do this is decided in :mod:`mel_core.access` (``review_lessons``); what a decision does, and how two
reviewers acting at once are kept apart, in :mod:`mel_core.lessons.workflow`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlmodel import Session, col

from mel_core.access import AUDIENCES, Viewer
from mel_core.errors import MelError
from mel_core.i18n import render, t
from mel_core.kb.index import update_lessons
from mel_core.lessons.workflow import ReviewConflict, ReviewError, decide, queue
from mel_core.store import Lesson, LessonProvince
from mel_core.web.deps import check_csrf, db, lang_of, portal, require
from mel_core.web.render import page, twin
from mel_core.web.routers.lessons import lesson_data, province_info, visible_lesson

router = APIRouter(tags=["review"])
log = logging.getLogger("mel.portal")
#: How long a decision waits for another writer of a search index.
INDEX_WAIT_S = 20.0


def review_data(session: Session) -> dict[str, Any]:
    """The review queue (oldest first) and how many lessons are in each state."""
    waiting = queue(session)
    places: dict[int, list[str]] = {}
    ids = [lesson.id for lesson in waiting if lesson.id is not None]
    if ids:
        for lesson_id, code in session.execute(
            select(col(LessonProvince.lesson_id), col(LessonProvince.admin_unit_code)).where(
                col(LessonProvince.lesson_id).in_(ids)
            )
        ):
            places.setdefault(lesson_id, []).append(code)
    counts = {
        status: n
        for status, n in session.execute(
            select(col(Lesson.status), func.count()).group_by(col(Lesson.status))
        )
    }
    return {
        "queue": [
            {
                "key": lesson.key,
                "title": lesson.title,
                "year": lesson.year,
                "submitted_by": lesson.submitted_by,
                "submitted_by_user": lesson.submitted_by_user,
                "submitted_at": lesson.submitted_at.isoformat(timespec="minutes")
                if lesson.submitted_at
                else None,
                "provinces": [province_info(c) for c in sorted(places.get(lesson.id or 0, []))],
            }
            for lesson in waiting
        ],
        "counts": counts,
    }


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(
    request: Request, viewer: Viewer = Depends(require("review_lessons")), session: Session = Depends(db)
) -> HTMLResponse:
    """The lessons waiting for a reviewer, the longest-waiting first."""
    return page(
        request, "review.html", {**review_data(session), "title": t("web.review_queue", lang_of(request))}
    )


@router.get("/api/review")
def review_api(
    viewer: Viewer = Depends(require("review_lessons")), session: Session = Depends(db)
) -> JSONResponse:
    """The review queue and the number of lessons in each state, as JSON."""
    return twin(review_data(session))


@router.post(
    "/lessons/{key}/review", dependencies=[Depends(check_csrf)], response_model=None, include_in_schema=False
)
def review_decision(
    key: str,
    request: Request,
    decision: str = Form(..., max_length=16),
    comment: str = Form("", max_length=20_000),
    version: str = Form(..., max_length=64),
    viewer: Viewer = Depends(require("review_lessons")),
    session: Session = Depends(db),
) -> Response:
    """Publish, return or reject a submitted lesson, as the version the reviewer read (``version``)."""
    visible_lesson(session, viewer, key)
    try:
        decide(session, key, decision, viewer.email, comment, seen_version=version)
    except ReviewError as exc:
        session.rollback()
        status = 409 if isinstance(exc, ReviewConflict) else 400
        data = lesson_data(request, session, viewer, key)
        message = render(exc.message, lang_of(request))
        return page(
            request,
            "lesson.html",
            {"lesson": data, "title": data["title"], "error": message},
            status_code=status,
        )
    session.commit()
    reindex(request, key)
    return RedirectResponse(f"/lessons/{key}", status_code=303)


def reindex(request: Request, key: str) -> None:
    """Bring both search indexes in step with the lesson's new state (a published lesson becomes findable, a
    rejected one never is). An index that cannot be written now is caught up by the next ``mel kb index`` or
    start of ``mel serve``; the decision itself is already saved."""
    state = portal(request)
    for name in AUDIENCES:
        try:
            update_lessons(state.engine, state.settings.index_dir_for(name), [key], name, wait_s=INDEX_WAIT_S)
        except MelError as exc:
            log.warning("the %s index was not updated for lesson %s: %s", name, key, exc.message)
