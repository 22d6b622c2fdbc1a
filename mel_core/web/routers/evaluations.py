"""``/evaluations/{code}`` (ratings, findings, recommendations, executed notebooks), its notebooks' HTML, and
``/recommendations`` across evaluations; each with its JSON twin."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sqlalchemy import select
from sqlmodel import Session, col

from mel_core.access import Viewer, evaluations_clause, may
from mel_core.evaluations.record import describe
from mel_core.evaluations.responses import tracker
from mel_core.store import Evaluation, Programme
from mel_core.vocabulary import ACTION_STATUSES, RATED, RECOMMENDATION_STATES
from mel_core.web.deps import db, lang_of, require
from mel_core.web.render import page, twin
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
    data["notebooks"] = [
        {"template": name, "url": f"/evaluations/{evaluation.code}/notebooks/{name}.html"}
        for name in notebook_files(evaluation)
    ]
    return data


@router.get("/evaluations/{code}", response_class=HTMLResponse, include_in_schema=False)
def evaluation_page(
    code: str, request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> HTMLResponse:
    """An evaluation: ratings computed and final with their justification, findings, recommendations."""
    data = evaluation_data(request, session, viewer, code)
    return page(request, "evaluation.html", {"e": data, "title": data["code"]})


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
