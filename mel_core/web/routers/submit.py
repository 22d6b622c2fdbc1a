"""``/submit/lesson``: a contributor writes a lesson in the outline's form, or uploads a Word or Markdown file,
sees a preview and what is missing, saves a draft or submits it for review (:mod:`mel_core.lessons.submit`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from mel_core import geo
from mel_core.access import Viewer, scope_codes
from mel_core.errors import LineProblem
from mel_core.i18n import t
from mel_core.lessons.calls import open_calls
from mel_core.lessons.completeness import outline_numbers
from mel_core.lessons.submit import (
    CONTACT_FIELDS,
    KINDS,
    Checked,
    Draft,
    SubmissionError,
    check_draft,
    editable,
    from_store,
    outline,
    read_upload,
    save,
)
from mel_core.lessons.workflow import steps
from mel_core.limits import Limits
from mel_core.reference import taxonomy
from mel_core.store import Lesson
from mel_core.vocabulary import FUNDING, VISIBILITY
from mel_core.web.deps import check_csrf, db, lang_of, require
from mel_core.web.render import page, twin

router = APIRouter(tags=["submit"])
_NUMBERS = set(outline_numbers())


def _mine(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """The viewer's own lessons in the portal, newest first, with their state and the last comment."""
    rows = session.exec(
        select(Lesson).where(Lesson.submitted_by_user == viewer.email).order_by(col(Lesson.id).desc())
    ).all()
    out = []
    for lesson in rows:
        done = steps(session, lesson)
        comment = next((s.comment for s in reversed(done) if s.comment), None)
        out.append(
            {
                "key": lesson.key,
                "title": lesson.title,
                "status": lesson.status,
                "comment": comment,
                "editable": editable(viewer, lesson),
            }
        )
    return out


def _choices(viewer: Viewer) -> dict[str, Any]:
    """What the form offers: the contributor's provinces (others type codes), sectors, themes, funding."""
    vocab = taxonomy()
    known = geo.provinces()
    provinces = (
        [{"code": c, "name": known[c].name if c in known else c} for c in scope_codes(viewer)]
        if viewer.role == "contributor"
        else []
    )
    return {
        "province_choices": provinces,
        "sectors": list(vocab["sectors"]),
        "themes": list(vocab["themes"]),
        "fundings": list(FUNDING),
        "visibilities": list(VISIBILITY),
        "kinds": list(KINDS),
    }


def _form_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    draft: Draft,
    *,
    checked: Checked | None = None,
    problems: list[LineProblem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    lang = lang_of(request)
    shown = [*(problems or []), *(checked.problems if checked else [])]
    data = {
        "draft": draft,
        "outline": outline(draft.kind, draft.lang),
        "contact_fields": CONTACT_FIELDS,
        "problems": [p.render(lang) for p in shown],
        "missing": checked.missing if checked else [],
        "preview": _preview(checked) if checked else None,
        "mine": _mine(session, viewer),
        "calls": [
            {"code": c.code, "title": c.title, "deadline": c.deadline.isoformat()}
            for c in open_calls(session)
        ],
        "title": t("web.submit_lesson", lang),
        **_choices(viewer),
    }
    return page(request, "submit_lesson.html", data, status_code=status_code)


def _preview(checked: Checked) -> dict[str, Any]:
    lesson = checked.lesson
    return {
        "title": str(lesson.meta.get("title") or ""),
        "sections": [
            {"number": s.number, "heading": s.heading, "body": s.body}
            for s in lesson.sections
            if s.body.strip()
        ],
    }


@router.get("/submit/lesson", response_class=HTMLResponse, include_in_schema=False)
def submit_form(
    request: Request,
    viewer: Viewer = Depends(require("submit_lessons")),
    session: Session = Depends(db),
) -> HTMLResponse:
    """The outline as a form: a new lesson, or (``?key=``) one's own draft or returned lesson to finish."""
    key = request.query_params.get("key") or ""
    kind = request.query_params.get("kind") or "state"
    lang = request.query_params.get("lang") or "vi"
    if key:
        lesson = session.exec(select(Lesson).where(Lesson.key == key)).first()
        if lesson is None or not editable(viewer, lesson):
            raise HTTPException(status_code=404)
        draft = from_store(session, lesson)
    else:
        draft = Draft(
            kind=kind if kind in KINDS else "state",
            lang=lang if lang in ("vi", "en") else "vi",
            submitted_by=viewer.organisation,
            provinces=list(viewer.provinces),
        )
    return _form_page(request, session, viewer, draft)


@router.get("/api/submit/lesson")
def submit_api(
    request: Request,
    viewer: Viewer = Depends(require("submit_lessons")),
    session: Session = Depends(db),
) -> JSONResponse:
    """The outline (``?kind=state|ngo&lang=vi|en``) and the viewer's own lessons with their state."""
    kind = request.query_params.get("kind") or "state"
    lang = request.query_params.get("lang") or "vi"
    if kind not in KINDS or lang not in ("vi", "en"):
        raise HTTPException(status_code=400, detail="kind: state or ngo; lang: vi or en")
    return twin(
        {
            "outline": [
                {"number": s.number, "heading": s.heading, "hint": s.hint} for s in outline(kind, lang)
            ],
            "mine": _mine(session, viewer),
        }
    )


def _draft_of(form: FormData) -> Draft:
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    year = text("year").strip()
    codes = [c for c in form.getlist("provinces") if isinstance(c, str)]
    codes += [c.strip() for c in text("province_codes").replace(";", ",").split(",") if c.strip()]
    kind, lang = text("kind"), text("lang")
    return Draft(
        kind=kind if kind in KINDS else "state",
        lang=lang if lang in ("vi", "en") else "vi",
        key=text("key").strip(),
        title=text("title"),
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        provinces=list(dict.fromkeys(codes)),
        sector=text("sector"),
        themes=[v for v in form.getlist("themes") if isinstance(v, str)],
        funding=text("funding"),
        programme=text("programme"),
        visibility=text("visibility") or "public",
        submitted_by=text("submitted_by"),
        contact={f: text(f"contact_{f}") for f in CONTACT_FIELDS},
        call=text("call").strip(),
        sections={n: text(f"s_{n}") for n in _NUMBERS if text(f"s_{n}").strip()},
    )


@router.post(
    "/submit/lesson", dependencies=[Depends(check_csrf)], response_model=None, include_in_schema=False
)
async def submit_lesson(
    request: Request,
    viewer: Viewer = Depends(require("submit_lessons")),
    session: Session = Depends(db),
) -> Response:
    """Read an upload into the form, preview, save a draft, or submit for review (``action``)."""
    limits = Limits.from_environment()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.docx_bytes + 2 * 1024 * 1024:
        raise HTTPException(status_code=413, detail="the upload is larger than MEL_LIMIT_DOCX_MB allows")
    form = await request.form()
    upload = form.get("file")
    data, filename = b"", ""
    if form.get("action") == "upload" and isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(
            limits.docx_bytes + 1
        )  # one byte more than allowed: the check then refuses it
        filename = upload.filename
    return await run_in_threadpool(_handle, request, session, viewer, form, data, filename)


def _handle(
    request: Request, session: Session, viewer: Viewer, form: FormData, data: bytes, filename: str
) -> Response:
    """The form's action, in a worker thread (the store is read and written synchronously)."""
    action = form.get("action")
    draft = _draft_of(form)
    if action == "upload":
        if not filename:
            return _form_page(request, session, viewer, draft)
        read, problems = read_upload(data, filename)
        read.key = draft.key
        if not read.submitted_by:
            read.submitted_by = draft.submitted_by or viewer.organisation
        status = 400 if problems else 200
        checked = None if problems else check_draft(read, read.key or "new-lesson", viewer, "draft")
        return _form_page(
            request, session, viewer, read, checked=checked, problems=problems, status_code=status
        )
    if action == "preview":
        checked = check_draft(draft, draft.key or "new-lesson", viewer)
        return _form_page(request, session, viewer, draft, checked=checked)
    if action not in ("draft", "submit"):
        raise HTTPException(status_code=400, detail="action: upload, preview, draft or submit")
    try:
        stored, checked = save(session, draft, viewer, submit=action == "submit")
    except SubmissionError as exc:
        session.rollback()
        problem = LineProblem(draft.key or "lesson", 0, "", "", exc.message)
        return _form_page(request, session, viewer, draft, problems=[problem], status_code=403)
    if stored is None:
        session.rollback()
        return _form_page(request, session, viewer, draft, checked=checked, status_code=400)
    session.commit()
    return RedirectResponse(f"/lessons/{stored.key}", status_code=303)
