"""``/evaluations/{code}`` (ratings, findings, recommendations, executed notebooks), its notebooks' HTML, and
``/recommendations`` across evaluations; each with its JSON twin."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import Session, col

from mel_core import audit
from mel_core.access import Viewer, evaluations_clause, may
from mel_core.evaluations.record import describe
from mel_core.evaluations.responses import ResponseError, respond, tracker, update
from mel_core.i18n import message, render
from mel_core.store import Evaluation, Programme
from mel_core.vocabulary import ACTION_STATUSES, MANAGEMENT_RESPONSES, RATED, RECOMMENDATION_STATES
from mel_core.web.deps import check_csrf, db, lang_of, require
from mel_core.web.render import page, twin
from mel_core.web.routers.attachments import attach_form, attachment_list
from mel_core.web.security import NOTEBOOK_CSP

router = APIRouter(tags=["evaluations"])

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
NOTEBOOKS = (*RATED[:-1], "synthesis")
PAGE_SIZE = 50


def visible_evaluation(session: Session, viewer: Viewer, code: str) -> Evaluation:
    """The evaluation of ``code`` if ``viewer`` may see it; else 404."""
    if not _CODE.match(code):
        raise HTTPException(status_code=404)
    found = session.scalars(
        select(Evaluation).where(col(Evaluation.code) == code, evaluations_clause(viewer))
    ).first()
    if found is None:
        raise HTTPException(status_code=404)
    return found


def notebook_files(evaluation: Evaluation) -> dict[str, Path]:
    """The executed notebooks' HTML exports of an evaluation that exist on this machine, by template."""
    if not evaluation.output_dir:
        return {}
    folder = Path(evaluation.output_dir)
    return {name: folder / f"{name}.html" for name in NOTEBOOKS if (folder / f"{name}.html").is_file()}


def evaluation_data(request: Request, session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    """Everything the evaluation page shows, as plain data."""
    evaluation = visible_evaluation(session, viewer, code)
    data = describe(session, evaluation.code, lang_of(request))
    data.pop("output_dir", None)
    if not may(viewer, "see_unfinished_evaluations"):
        data.pop("provenance", None)
    programme = session.get(Programme, evaluation.programme_id)
    data["programme_title"] = programme.title if programme else ""
    if may(viewer, "review_lessons"):  # reviewers see the overrides' and responses' trail
        trail = audit.events(session, entity="rating", key_prefix=f"{evaluation.code}/")
        trail += audit.events(session, entity="recommendation", key_prefix=f"{evaluation.code}#")
        data["audit"] = [
            {**e.as_json(), "changes": [list(c) for c in e.changes()]}
            for e in sorted(trail, key=lambda e: e.at)
        ]
    data["notebooks"] = [
        {"template": name, "url": f"/evaluations/{evaluation.code}/notebooks/{name}.html"}
        for name in notebook_files(evaluation)
    ]
    data["attachments"] = attachment_list(session, viewer, "evaluation", evaluation.code)
    data.update(attach_form(viewer, "evaluation"))
    return data


@router.get("/evaluations/{code}", response_class=HTMLResponse, include_in_schema=False)
def evaluation_page(
    code: str, request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> HTMLResponse:
    """An evaluation: ratings computed and final with their justification, findings, recommendations."""
    data = evaluation_data(request, session, viewer, code)
    return page(request, "evaluation.html", evaluation_context(data, viewer))


def evaluation_context(data: dict[str, Any], viewer: Viewer, error: str | None = None) -> dict[str, Any]:
    return {
        "e": data,
        "title": data["code"],
        "can_respond": may(viewer, "respond_recommendations"),
        "responses": MANAGEMENT_RESPONSES,
        "action_states": ACTION_STATUSES,
        "error": error,
    }


def _answered(
    request: Request, session: Session, viewer: Viewer, ref: str, record: Callable[[], object]
) -> Response:
    """Run ``record`` (a response or an update of ``ref``); back to the evaluation page, or the page with the
    reason it was refused (400)."""
    code = ref.rpartition("#")[0]
    visible_evaluation(session, viewer, code)
    try:
        record()
    except ResponseError as exc:
        session.rollback()
        data = evaluation_data(request, session, viewer, code)
        message = render(exc.message, lang_of(request))
        return page(request, "evaluation.html", evaluation_context(data, viewer, message), status_code=400)
    session.commit()
    return RedirectResponse(f"/evaluations/{code}#rec-{ref.rpartition('#')[2]}", status_code=303)


@router.post(
    "/recommendations/{ref}/respond",
    dependencies=[Depends(check_csrf)],
    response_model=None,
    include_in_schema=False,
)
def respond_form(
    ref: str,
    request: Request,
    response: str = Form(..., max_length=24),
    text: str = Form("", max_length=5000),
    action_text: str = Form("", max_length=2000),
    action_unit: str = Form("", max_length=256),
    action_due: str = Form("", max_length=10),
    viewer: Viewer = Depends(require("respond_recommendations")),
    session: Session = Depends(db),
) -> Response:
    """Record management's response to recommendation ``ref`` (``EVALUATION#N``), and a key action if given."""

    def record() -> None:
        actions = []
        if action_text.strip() or action_unit.strip() or action_due:
            try:
                due = date.fromisoformat(action_due)
            except ValueError:
                raise ResponseError(message("web.action_needs_due")) from None
            actions.append((action_text, action_unit, due))
        respond(session, ref, response, text, viewer.email, actions)

    return _answered(request, session, viewer, ref, record)


@router.post(
    "/recommendations/{ref}/actions/{position}",
    dependencies=[Depends(check_csrf)],
    response_model=None,
    include_in_schema=False,
)
def update_form(
    ref: str,
    position: int,
    request: Request,
    status: str = Form(..., max_length=24),
    comment: str = Form("", max_length=2000),
    viewer: Viewer = Depends(require("respond_recommendations")),
    session: Session = Depends(db),
) -> Response:
    """Record where key action ``position`` of ``ref`` stands today."""
    return _answered(
        request, session, viewer, ref, lambda: update(session, ref, position, status, viewer.email, comment)
    )


@router.get("/api/evaluations/{code}")
def evaluation_api(
    code: str, request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> JSONResponse:
    """An evaluation as JSON."""
    return twin(evaluation_data(request, session, viewer, code))


@router.get("/evaluations/{code}/notebooks/{name}.html", include_in_schema=False)
def notebook_html(
    code: str,
    name: str,
    viewer: Viewer = Depends(require("browse")),
    session: Session = Depends(db),
) -> FileResponse:
    """An executed notebook's HTML export, served as a sandboxed document (none of its scripts run)."""
    evaluation = visible_evaluation(session, viewer, code)
    path = notebook_files(evaluation).get(name)  # only the templates' names: no path is built from input
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        path, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": NOTEBOOK_CSP}
    )


def recommendations_data(request: Request, session: Session, viewer: Viewer) -> dict[str, Any]:
    """The recommendation tracker: recommendations of the evaluations ``viewer`` may see, newest evaluation
    first, with management's response and key actions as they stood on ``?as_of=`` (default today), counted by
    state, evaluation and responsible unit; ``?state=`` filters (``overdue`` for those with an overdue action)."""
    wanted = request.query_params.get("state") or ""
    if wanted and wanted not in (*RECOMMENDATION_STATES, "overdue"):
        raise HTTPException(
            status_code=400, detail=f"state: use one of {', '.join((*RECOMMENDATION_STATES, 'overdue'))}"
        )
    day = request.query_params.get("as_of") or ""
    try:
        as_of = date.fromisoformat(day) if day else None
    except ValueError:
        raise HTTPException(status_code=400, detail="as_of: a date, YYYY-MM-DD") from None
    tracked = tracker(session, as_of=as_of, where=evaluations_clause(viewer))
    items = [
        item.as_json()
        for item in tracked.items
        if not wanted or item.state == wanted or (wanted == "overdue" and item.overdue)
    ]
    return {
        "state": wanted,
        "as_of": tracked.as_of.isoformat(),
        "states": [*RECOMMENDATION_STATES, "overdue"],
        "counts": {**tracked.by_state, "overdue": tracked.overdue},
        "by_evaluation": tracked.by_evaluation,
        "by_unit": tracked.by_unit,
        "recommendations": items,
    }


@router.get("/recommendations", response_class=HTMLResponse, include_in_schema=False)
def recommendations_page(
    request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> HTMLResponse:
    """Recommendations across evaluations, with their management response and status."""
    data = recommendations_data(request, session, viewer)
    return page(request, "recommendations.html", {**data, "action_states": ACTION_STATUSES})


@router.get("/api/recommendations")
def recommendations_api(
    request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> JSONResponse:
    """The recommendation tracker as JSON (``?state=awaiting|not_accepted|no_actions|not_started|initiated|
    completed|overdue``, ``?as_of=YYYY-MM-DD``)."""
    return twin(recommendations_data(request, session, viewer))
