"""Workbook submissions in the portal: ``/submit/workbook`` (upload, and the contributor's own submissions),
``/submissions/{id}`` (its problems and warnings; a reviewer's approve or return form) and ``/review/workbooks`` (the
reviewer's queue), each with its JSON twin under ``/api/``.

Who may do what is decided in :mod:`mel_core.access` (``submit_workbooks``, ``review_workbooks``, and which
submissions a viewer sees); what each step does, in :mod:`mel_core.submissions`. Upload bodies are capped
before they are read (:mod:`mel_core.web.uploads`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlmodel import Session, col

from mel_core import audit
from mel_core.access import Viewer, may
from mel_core.i18n import render, t
from mel_core.ingest.formats import BY_NAME
from mel_core.limits import Limits
from mel_core.store import WorkbookSubmission, session_scope
from mel_core.submissions import (
    SubmissionConflict,
    SubmissionError,
    SubmissionProblems,
    UploadRefused,
    decide,
    listing,
    problem_rows,
    queue,
    same_file,
    shown_problems,
    submit,
    visible,
)
from mel_core.web.deps import check_csrf, db, lang_of, portal, require
from mel_core.web.render import page, twin

router = APIRouter(tags=["submissions"])

#: The addresses whose request bodies :class:`mel_core.web.uploads.BodyLimit` caps.
UPLOAD_PATHS = ("/submit/workbook", "/api/submit/workbook")


def _when(value: Any) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def submission_info(submission: WorkbookSubmission) -> dict[str, Any]:
    """A submission as its listings show it."""
    return {
        "id": submission.id,
        "file_name": submission.file_name,
        "kind": submission.kind,
        "size": submission.size,
        "uploaded_by": submission.uploaded_by,
        "uploaded_at": _when(submission.uploaded_at),
        "status": submission.status,
        "checked": submission.checked_at is not None,
        "checked_at": _when(submission.checked_at),
        "problems_count": submission.problems_count,
        "warnings_count": len(submission.warnings or []),
        "rows": submission.row_counts or {},
        "reviewed_by": submission.reviewed_by,
        "decided_at": _when(submission.decided_at),
        "comment": submission.comment,
    }


def submission_data(
    session: Session, viewer: Viewer, submission: WorkbookSubmission, lang: str
) -> dict[str, Any]:
    """Everything the page of one submission shows."""
    data = {
        **submission_info(submission),
        "sha256": submission.sha256,
        "problems": shown_problems(submission.problems or [], lang),
        "warnings": shown_problems(submission.warnings or [], lang),
        "same_file": [{"id": i, "status": s} for i, s in same_file(session, viewer, submission)],
        "can_decide": may(viewer, "review_workbooks") and submission.status == "checked",
    }
    if may(viewer, "review_workbooks"):
        data["audit"] = [
            {**e.as_json(), "changes": [list(c) for c in e.changes()]}
            for e in audit.history(session, "submission", str(submission.id))
        ]
    return data


def upload_data(session: Session, viewer: Viewer) -> dict[str, Any]:
    """The upload form's settings and the viewer's own submissions, newest first."""
    return {
        "submissions": [submission_info(s) for s in listing(session, viewer, own=True)],
        "limit_bytes": Limits.from_environment().file_bytes,
        "tables": [f"{name}.csv" for name in BY_NAME],
    }


@router.get("/submit/workbook", response_class=HTMLResponse, include_in_schema=False)
def upload_page(
    request: Request, viewer: Viewer = Depends(require("submit_workbooks")), session: Session = Depends(db)
) -> HTMLResponse:
    """The upload form and the contributor's own submissions with their state and problems."""
    return page(
        request,
        "submit_workbook.html",
        {**upload_data(session, viewer), "title": t("web.submit_workbook", lang_of(request))},
    )


@router.get("/api/submit/workbook")
def upload_api(
    viewer: Viewer = Depends(require("submit_workbooks")), session: Session = Depends(db)
) -> JSONResponse:
    """The viewer's own submissions (newest first) and what the upload takes, as JSON."""
    return twin(upload_data(session, viewer))


def _receive(request: Request, viewer: Viewer, upload: UploadFile) -> WorkbookSubmission:
    state = portal(request)
    return submit(state.engine, state.settings.home, viewer, upload.file, upload.filename or "")


def _refused(request: Request, exc: UploadRefused) -> dict[str, Any]:
    lang = lang_of(request)
    return {
        "error": render(exc.message, lang),
        "hint": render(exc.hint, lang) if exc.hint else "",
        "problems": shown_problems(problem_rows(exc.problems, "", ""), lang),
    }


@router.post(
    "/submit/workbook", dependencies=[Depends(check_csrf)], response_model=None, include_in_schema=False
)
def upload(
    request: Request,
    file: UploadFile = File(...),
    viewer: Viewer = Depends(require("submit_workbooks")),
) -> Response:
    """Receive and check a workbook; on to its page, or back to the form with why it was not accepted."""
    try:
        submission = _receive(request, viewer, file)
    except UploadRefused as exc:
        with session_scope(portal(request).engine) as session:
            data = upload_data(session, viewer)
        return page(
            request,
            "submit_workbook.html",
            {**data, **_refused(request, exc), "title": t("web.upload_refused", lang_of(request))},
            status_code=413 if exc.too_large else 422,
        )
    return RedirectResponse(f"/submissions/{submission.id}", status_code=303)


@router.post("/api/submit/workbook", dependencies=[Depends(check_csrf)], status_code=201)
def upload_api_post(
    request: Request,
    file: UploadFile = File(...),
    viewer: Viewer = Depends(require("submit_workbooks")),
) -> JSONResponse:
    """Receive and check a workbook (multipart field ``file``; the CSRF token as ``X-CSRF-Token``): 201 with
    the submission and its problems, 413 or 422 with why it was not accepted (nothing kept)."""
    try:
        submission = _receive(request, viewer, file)
    except UploadRefused as exc:
        return twin(_refused(request, exc), 413 if exc.too_large else 422)
    with session_scope(portal(request).engine) as session:
        data = submission_data(session, viewer, submission, lang_of(request))
    return twin(data, 201)


def _visible(session: Session, viewer: Viewer, submission_id: int) -> WorkbookSubmission:
    found = visible(session, viewer, submission_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


@router.get("/submissions/{submission_id}", response_class=HTMLResponse, include_in_schema=False)
def submission_page(
    submission_id: int,
    request: Request,
    viewer: Viewer = Depends(require("submit_workbooks")),
    session: Session = Depends(db),
) -> HTMLResponse:
    """One submission: its state, rows, problems and warnings; for a reviewer the decision form and the audit trail."""
    submission = _visible(session, viewer, submission_id)
    data = submission_data(session, viewer, submission, lang_of(request))
    return page(request, "submission.html", {"submission": data, "title": data["file_name"]})


@router.get("/api/submissions/{submission_id}")
def submission_api(
    submission_id: int,
    request: Request,
    viewer: Viewer = Depends(require("submit_workbooks")),
    session: Session = Depends(db),
) -> JSONResponse:
    """One submission as JSON (a contributor sees only their own)."""
    submission = _visible(session, viewer, submission_id)
    return twin(submission_data(session, viewer, submission, lang_of(request)))


def _decide(request: Request, viewer: Viewer, submission_id: int, decision: str, comment: str) -> None:
    state = portal(request)
    with session_scope(state.engine) as session:
        _visible(session, viewer, submission_id)
    decide(state.engine, state.settings.home, submission_id, decision, viewer, comment)


def _status_of(exc: SubmissionError) -> int:
    if isinstance(exc, SubmissionConflict):
        return 409
    return 422 if isinstance(exc, SubmissionProblems) else 400


@router.post(
    "/submissions/{submission_id}/decision",
    dependencies=[Depends(check_csrf)],
    response_model=None,
    include_in_schema=False,
)
def decision_form(
    submission_id: int,
    request: Request,
    decision: str = Form(..., max_length=16),
    comment: str = Form("", max_length=20_000),
    viewer: Viewer = Depends(require("review_workbooks")),
) -> Response:
    """Approve (import) or return a checked submission; back to its page, with what went wrong if anything."""
    try:
        _decide(request, viewer, submission_id, decision, comment)
    except SubmissionError as exc:
        with session_scope(portal(request).engine) as session:
            data = submission_data(
                session, viewer, _visible(session, viewer, submission_id), lang_of(request)
            )
        return page(
            request,
            "submission.html",
            {"submission": data, "title": data["file_name"], "error": render(exc.message, lang_of(request))},
            status_code=_status_of(exc),
        )
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


@router.post("/api/submissions/{submission_id}/decision", dependencies=[Depends(check_csrf)])
def decision_api(
    submission_id: int,
    request: Request,
    decision: str = Form(..., max_length=16),
    comment: str = Form("", max_length=20_000),
    viewer: Viewer = Depends(require("review_workbooks")),
) -> JSONResponse:
    """Approve or return a checked submission: 200 with it, 409 if someone decided first, 422 if it no longer
    passes its check (nothing imported), 400 for a wrong request."""
    lang = lang_of(request)
    try:
        _decide(request, viewer, submission_id, decision, comment)
    except SubmissionError as exc:
        body: dict[str, Any] = {"error": render(exc.message, lang)}
        if isinstance(exc, SubmissionProblems):
            body["problems"] = shown_problems(problem_rows(exc.problems, "", ""), lang)
        return twin(body, _status_of(exc))
    with session_scope(portal(request).engine) as session:
        data = submission_data(session, viewer, _visible(session, viewer, submission_id), lang)
    return twin(data)


def queue_data(session: Session) -> dict[str, Any]:
    """Checked submissions waiting for a reviewer (oldest first) and how many are in each state."""
    counts = {
        status: n
        for status, n in session.execute(
            select(col(WorkbookSubmission.status), func.count()).group_by(col(WorkbookSubmission.status))
        )
    }
    return {"queue": [submission_info(s) for s in queue(session)], "counts": counts}


@router.get("/review/workbooks", response_class=HTMLResponse, include_in_schema=False)
def queue_page(
    request: Request, viewer: Viewer = Depends(require("review_workbooks")), session: Session = Depends(db)
) -> HTMLResponse:
    """The submissions waiting for a reviewer, the longest-waiting first."""
    return page(
        request,
        "review_workbooks.html",
        {**queue_data(session), "title": t("web.workbook_queue", lang_of(request))},
    )


@router.get("/api/review/workbooks")
def queue_api(
    viewer: Viewer = Depends(require("review_workbooks")), session: Session = Depends(db)
) -> JSONResponse:
    """The workbook review queue and the number of submissions in each state, as JSON."""
    return twin(queue_data(session))
