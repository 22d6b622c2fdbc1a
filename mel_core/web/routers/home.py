"""``/`` and ``/api/home``: the latest lessons and evaluations, counts by province and sector; ``/healthz``;
``/lang/{code}`` (the language switch)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from sqlalchemy import func, select
from sqlmodel import Session, col

from mel_core import geo
from mel_core.access import Viewer, evaluations_clause, lessons_clause, shown_text
from mel_core.i18n import rating as rating_label
from mel_core.store import Evaluation, Lesson, LessonProvince, Programme, ProgrammeProvince, Rating
from mel_core.web.deps import db, lang_of, require
from mel_core.web.render import page, term, twin
from mel_core.web.security import LANG_COOKIE

router = APIRouter(tags=["home"])

LATEST = 8


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this site (``/…`` but not ``//…``), else ``/``: no open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def home_data(request: Request, session: Session, viewer: Viewer) -> dict[str, Any]:
    """Latest lessons and evaluations the viewer may see, and counts by today's province and by sector."""
    lang = lang_of(request)
    seen = lessons_clause(viewer)
    lessons = session.scalars(
        select(Lesson).where(seen).order_by(col(Lesson.year).desc(), col(Lesson.id).desc()).limit(LATEST)
    ).all()
    evaluations = session.execute(
        select(Evaluation, col(Programme.title))
        .join(Programme, col(Programme.id) == col(Evaluation.programme_id))
        .where(evaluations_clause(viewer))
        .order_by(col(Evaluation.finished_at).desc(), col(Evaluation.id).desc())
        .limit(LATEST)
    ).all()
    overall = {
        r.evaluation_id: r.final_level
        for r in session.scalars(
            select(Rating).where(
                col(Rating.evaluation_id).in_([e.id for e, _ in evaluations]),
                col(Rating.criterion) == "overall",
            )
        )
    }
    known = geo.provinces()
    by_province: Counter[str] = Counter()
    for code, n in session.execute(
        select(col(LessonProvince.admin_unit_code), func.count())
        .join(Lesson, col(Lesson.id) == col(LessonProvince.lesson_id))
        .where(seen)
        .group_by(col(LessonProvince.admin_unit_code))
    ):
        by_province[known[code].successor_code if code in known else code] += n
    programmes_by_province: Counter[str] = Counter()
    for code, n in session.execute(
        select(col(ProgrammeProvince.admin_unit_code), func.count()).group_by(
            col(ProgrammeProvince.admin_unit_code)
        )
    ):
        programmes_by_province[known[code].successor_code if code in known else code] += n
    lessons_by_sector: dict[str, int] = dict(
        session.execute(
            select(col(Lesson.sector), func.count()).where(seen).group_by(col(Lesson.sector))
        ).all()
    )
    programmes_by_sector: dict[str, int] = dict(
        session.execute(select(col(Programme.sector), func.count()).group_by(col(Programme.sector))).all()
    )
    provinces = sorted(set(by_province) | set(programmes_by_province))
    sectors = sorted(set(lessons_by_sector) | set(programmes_by_sector))
    return {
        "lessons": [
            {
                "key": les.key,
                "title": shown_text(viewer, les.contact)(les.title),
                "year": les.year,
                "sector": les.sector,
            }
            for les in lessons
        ],
        "evaluations": [
            {
                "code": e.code,
                "programme_title": title,
                "finished_at": e.finished_at.date().isoformat() if e.finished_at else None,
                "status": e.status,
                "overall_label": rating_label("overall", overall.get(e.id), lang),
            }
            for e, title in evaluations
        ],
        "by_province": sorted(
            (
                {
                    "code": code,
                    "name": known[code].successor_name if code in known else code,
                    "lessons": by_province.get(code, 0),
                    "programmes": programmes_by_province.get(code, 0),
                }
                for code in provinces
            ),
            key=lambda r: (-r["lessons"] - r["programmes"], r["name"]),
        ),
        "by_sector": [
            {
                "key": key,
                "label": term("sectors", key, lang),
                "lessons": lessons_by_sector.get(key, 0),
                "programmes": programmes_by_sector.get(key, 0),
            }
            for key in sectors
        ],
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home_page(
    request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> HTMLResponse:
    """The home page."""
    return page(request, "home.html", home_data(request, session, viewer))


@router.get("/api/home")
def home_api(
    request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> JSONResponse:
    """The home page as JSON."""
    return twin(home_data(request, session, viewer))


@router.get("/healthz", response_class=PlainTextResponse)
def healthz() -> str:
    """Liveness: the process answers (it touches neither the store nor the index)."""
    return "ok"


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, next: str = "/") -> RedirectResponse:
    """Remember the language (``vi`` or ``en``) in a cookie and go back to the page."""
    response = RedirectResponse(local_path(next), status_code=303)
    if code in ("vi", "en"):
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax")
    return response
