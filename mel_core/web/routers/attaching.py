"""Attaching a file in the portal: the form on a programme's, an evaluation's and a lesson's page posts the file,
its title and whether it is public or internal to ``/programmes/{code}/attachments``,
``/evaluations/{code}/attachments`` or ``/lessons/{key}/attachments`` (JSON twins under ``/api/``, the CSRF token
as ``X-CSRF-Token``).

Who may attach is decided in :mod:`mel_core.access` (:func:`~mel_core.access.may_attach`); what attaching does
(the limits, the checks, the file kept once by its content, the audit record) in :mod:`mel_core.attachments`.
The request body is capped at ``MEL_LIMIT_ATTACHMENT_MB`` before it is read (:mod:`mel_core.web.uploads`). A file
that is refused writes nothing and comes back to the page with why, in the reader's language.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from mel_core.access import AUDIENCES, Viewer
from mel_core.attachments import AttachmentError, AttachmentForbidden, AttachmentRefused, attach
from mel_core.attachments.files import too_large
from mel_core.attachments.record import Target, as_json
from mel_core.errors import MelError
from mel_core.i18n import render
from mel_core.kb.index import update_index, update_lessons
from mel_core.limits import Limits
from mel_core.store import Attachment, Programme, read
from mel_core.vocabulary import VISIBILITY
from mel_core.web.deps import Denied, check_csrf, db, lang_of, portal, require
from mel_core.web.render import page, twin
from mel_core.web.routers.evaluations import evaluation_context, evaluation_data, visible_evaluation
from mel_core.web.routers.lessons import lesson_data, visible_lesson
from mel_core.web.routers.programmes import programme_data
from mel_core.web.routers.review import INDEX_WAIT_S

router = APIRouter(tags=["attachments"])
log = logging.getLogger("mel.portal")

#: The addresses whose request bodies :class:`mel_core.web.uploads.BodyLimit` caps at the attachment limit.
UPLOAD_PATH = re.compile(r"(?:/api)?/(?:programmes|evaluations|lessons)/[^/]+/attachments")


def _lesson_page(request: Request, data: dict[str, Any], viewer: Viewer, status: int) -> HTMLResponse:
    return page(request, "lesson.html", {"lesson": data, "title": data["title"]}, status_code=status)


def _programme_page(request: Request, data: dict[str, Any], viewer: Viewer, status: int) -> HTMLResponse:
    return page(request, "programme.html", {"p": data, "title": data["title"]}, status_code=status)


def _evaluation_page(request: Request, data: dict[str, Any], viewer: Viewer, status: int) -> HTMLResponse:
    return page(request, "evaluation.html", evaluation_context(data, viewer), status_code=status)


def _visible_programme(session: Session, viewer: Viewer, code: str) -> Programme:
    """The programme of ``code`` (every programme is visible to whoever may browse); else 404."""
    return read.programme(session, code)  # NotFound: the portal's 404


#: entity → (its pages' address, the check that the viewer may see one (404), the data of its page, how its
#: page is rendered with a status)
_PAGES: dict[
    str, tuple[str, Callable[..., Any], Callable[..., dict[str, Any]], Callable[..., HTMLResponse]]
] = {
    "programme": ("/programmes", _visible_programme, programme_data, _programme_page),
    "evaluation": ("/evaluations", visible_evaluation, evaluation_data, _evaluation_page),
    "lesson": ("/lessons", visible_lesson, lesson_data, _lesson_page),
}


def _refusal(exc: AttachmentError) -> int:
    if isinstance(exc, AttachmentRefused):
        return 413 if exc.too_large else 422
    return 403 if isinstance(exc, AttachmentForbidden) else 422


def _receive(
    request: Request,
    session: Session,
    viewer: Viewer,
    entity: str,
    key: str,
    upload: UploadFile,
    title: str,
    visibility: str,
) -> Attachment:
    """Attach the uploaded file to ``entity:key`` in ``session`` (not committed); 404 when ``viewer`` may not see
    what it would be attached to.

    Raises:
        AttachmentError: refused (nothing was written; the caller rolls back).
    """
    if not viewer.signed_in:
        raise Denied(status_code=401)
    _, visible, _, _ = _PAGES[entity]
    visible(session, viewer, key)  # 404 to those who may not see it
    if visibility not in VISIBILITY:
        raise HTTPException(status_code=422)
    limits = Limits.from_environment()
    name = upload.filename or ""
    data = upload.file.read(limits.attachment_bytes + 1)
    if len(data) > limits.attachment_bytes:
        raise too_large(name, upload.size or len(data), limits.attachment_bytes)
    return attach(
        session,
        portal(request).settings.home,
        Target(entity, key),
        data,
        name,
        title=title,
        visibility=visibility,
        by=viewer,
        limits=limits,
    )


def _reindex(request: Request, entity: str, key: str) -> None:
    """The new file in both search indexes: a lesson's at once (with its own documents), a programme's or an
    evaluation's by bringing the index in step with the store. An index that cannot be written now is caught up
    by the next ``mel kb index`` or start of ``mel serve``; the file itself is already saved."""
    state = portal(request)
    for name in AUDIENCES:
        folder = state.settings.index_dir_for(name)
        try:
            if entity == "lesson":
                update_lessons(state.engine, folder, [key], name, wait_s=INDEX_WAIT_S)
            else:
                update_index(state.engine, folder, audience=name)
        except MelError as exc:
            log.warning("the %s index was not updated for %s:%s: %s", name, entity, key, exc.message)


#: How a post is answered once the file is attached (the attachment) or refused (why): the request, the session,
#: the viewer and the key of what it was attached to come first.
Answer = Callable[[Request, Session, Viewer, str, "Attachment | AttachmentError"], Response]


def _page_answer(entity: str) -> Answer:
    """Back to the page the form is on: at the new file, or with why it was refused, in the reader's language."""
    address, _, data_of, render_page = _PAGES[entity]

    def answer(
        request: Request, session: Session, viewer: Viewer, key: str, outcome: Attachment | AttachmentError
    ) -> Response:
        if isinstance(outcome, AttachmentError):
            lang = lang_of(request)
            data = data_of(request, session, viewer, key)
            data["attach_error"] = render(outcome.message, lang)
            data["attach_hint"] = render(outcome.hint, lang) if outcome.hint else ""
            return render_page(request, data, viewer, _refusal(outcome))
        return RedirectResponse(f"{address}/{key}#attachment-{outcome.id}", status_code=303)

    return answer


def _json_answer(
    request: Request, session: Session, viewer: Viewer, key: str, outcome: Attachment | AttachmentError
) -> Response:
    """201 with the attachment, or the status of the refusal with why."""
    if isinstance(outcome, AttachmentError):
        lang = lang_of(request)
        error = {
            "error": render(outcome.message, lang),
            "hint": render(outcome.hint, lang) if outcome.hint else "",
        }
        return twin(error, _refusal(outcome))
    return twin(as_json(outcome), 201)


def _post(entity: str, answer: Answer, doc: str) -> Callable[..., Response]:
    """The route that attaches a file to an ``entity``: the file is kept and indexed, or nothing is (the session
    rolls back), and ``answer`` says which."""

    def post(
        key: str,
        request: Request,
        file: UploadFile = File(...),
        title: str = Form("", max_length=300),
        visibility: str = Form("public", max_length=16),
        viewer: Viewer = Depends(require("browse")),
        session: Session = Depends(db),
    ) -> Response:
        outcome: Attachment | AttachmentError
        try:
            outcome = _receive(request, session, viewer, entity, key, file, title, visibility)
            session.commit()
        except AttachmentError as exc:
            session.rollback()
            outcome = exc
        else:
            _reindex(request, entity, key)
        return answer(request, session, viewer, key, outcome)

    post.__doc__ = doc
    return post


for _entity, (_address, *_) in _PAGES.items():
    router.add_api_route(
        f"{_address}/{{key}}/attachments",
        _post(
            _entity,
            _page_answer(_entity),
            f"Attach a PDF, Word or Excel file to a {_entity}; back to its page, or the page with why not.",
        ),
        methods=["POST"],
        dependencies=[Depends(check_csrf)],
        response_model=None,
        include_in_schema=False,
    )
    router.add_api_route(
        f"/api{_address}/{{key}}/attachments",
        _post(
            _entity,
            _json_answer,
            f"Attach a PDF, Word or Excel file to a {_entity} (multipart: ``file``, ``title``, ``visibility`` public"
            " or internal; the CSRF token as X-CSRF-Token): 201 with the attachment, 403 to those who may not"
            " attach, 413 or 422 with why the file was refused (nothing kept).",
        ),
        methods=["POST"],
        dependencies=[Depends(check_csrf)],
        status_code=201,
        response_model=None,
        name=f"attach_to_{_entity}",
    )
