"""``/calls`` and ``/calls/{id}``: the calls for lessons and, for each, who has submitted, who is late and what was
returned (:mod:`mel_core.lessons.calls`); reviewers and administrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlmodel import Session

from mel_core.access import Viewer
from mel_core.i18n import t
from mel_core.lessons.calls import CallError, call_status, open_calls
from mel_core.store import LessonCall
from mel_core.web.deps import db, lang_of, require
from mel_core.web.render import page, twin

router = APIRouter(tags=["calls"])


def calls_data(session: Session) -> dict[str, Any]:
    """Every call with its counts of those asked, by state."""
    out = []
    for call in open_calls(session):
        status = call_status(session, call.code)
        out.append(
            {"id": call.id, **{k: v for k, v in status.as_json().items() if k not in ("invitees", "others")}}
        )
    return {"calls": out}


def call_data(session: Session, call_id: int) -> dict[str, Any]:
    """One call: each province or organisation asked, its state and its lessons; lessons from others."""
    call = session.get(LessonCall, call_id)
    if call is None:
        raise HTTPException(status_code=404)
    try:
        return {"id": call.id, **call_status(session, call.code).as_json()}
    except CallError:
        raise HTTPException(status_code=404) from None


@router.get("/calls", response_class=HTMLResponse, include_in_schema=False)
def calls_page(
    request: Request, viewer: Viewer = Depends(require("review_lessons")), session: Session = Depends(db)
) -> HTMLResponse:
    """The calls for lessons, the latest deadline first, with how many of those asked are late."""
    return page(request, "calls.html", {**calls_data(session), "title": t("web.calls", lang_of(request))})


@router.get("/api/calls")
def calls_api(
    viewer: Viewer = Depends(require("review_lessons")), session: Session = Depends(db)
) -> JSONResponse:
    """The calls for lessons as JSON."""
    return twin(calls_data(session))


@router.get("/calls/{call_id}", response_class=HTMLResponse, include_in_schema=False)
def call_page(
    call_id: int,
    request: Request,
    viewer: Viewer = Depends(require("review_lessons")),
    session: Session = Depends(db),
) -> HTMLResponse:
    """A call: who has submitted, who is late, what was returned."""
    data = call_data(session, call_id)
    return page(request, "call.html", {"call": data, "title": data["code"]})


@router.get("/api/calls/{call_id}")
def call_api(
    call_id: int, viewer: Viewer = Depends(require("review_lessons")), session: Session = Depends(db)
) -> JSONResponse:
    """A call as JSON."""
    return twin(call_data(session, call_id))
