"""``/programmes/{code}`` and its JSON twin: results framework with achievement, activities, money, evaluations
and lessons of a programme."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select
from sqlmodel import Session, col

from mel_core.access import Viewer, evaluations_clause, lessons_clause, shown_text
from mel_core.criteria.data import load_programme
from mel_core.criteria.effectiveness import programme_achievement
from mel_core.evaluations.responses import tracker
from mel_core.i18n import rating as rating_label
from mel_core.indicators.achievement import WHOLE, final_targets, latest_assessed
from mel_core.store import (
    Activity,
    Evaluation,
    Expenditure,
    Indicator,
    Lesson,
    Objective,
    Organisation,
    Rating,
    read,
)
from mel_core.vocabulary import INDICATOR_LEVELS
from mel_core.web.deps import db, lang_of, require
from mel_core.web.render import page, twin
from mel_core.web.routers.attachments import attach_form, attachment_list
from mel_core.web.routers.lessons import province_info

router = APIRouter(tags=["programmes"])


def _number(value: Any) -> float | None:
    """A finite float, or None (NaN and missing values are not figures)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _flag(value: Any) -> bool | None:
    """A yes/no figure, or None when it is missing (pandas' NA included)."""
    return None if value is None or value is pd.NA or value != value else bool(value)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def results_framework(session: Session, code: str, indicators: list[Indicator]) -> list[dict[str, Any]]:
    """Indicators by level with the final target, the actual against it, and the latest assessed target.

    The achievement table is the effectiveness criterion's (a one-province programme's figures stand for the
    whole programme): ``progress`` is the actual's share of the way from the baseline to the final target, the
    chart's bar; ``met`` whether the latest assessed target was met. A one-province programme whose plan for an
    indicator is set for its province only (a trade-promotion centre's) is read at that province.
    """
    data = load_programme(session, code)
    table = programme_achievement(data)
    units = [WHOLE, *data.provinces] if len(data.provinces) == 1 else [WHOLE]
    final: dict[str, dict[str, Any]] = {}
    latest: dict[str, dict[str, Any]] = {}
    for unit in reversed(units):  # the whole programme's rows win over its province's
        if len(table):
            final.update({r["indicator_code"]: r for r in final_targets(table, unit).to_dict("records")})
            latest.update({r["indicator_code"]: r for r in latest_assessed(table, unit).to_dict("records")})
    by_level: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ind in indicators:
        end = final.get(ind.code, {})
        done = latest.get(ind.code, {})
        progress = _number(end.get("progress"))
        by_level[ind.level].append(
            {
                "code": ind.code,
                "name": ind.name,
                "name_en": ind.name_en,
                "unit": ind.unit,
                "baseline": ind.baseline_value,
                "final_target": _number(end.get("target")),
                "final_period": end.get("period"),
                "actual": _number(end.get("actual")) if end else None,
                # no figure for a final target yet: no actual period (NaN in the table, not JSON)
                "actual_period": _text(end.get("actual_period")),
                "progress": progress,
                "bar": max(0.0, min(progress, 1.0)) if progress is not None else None,
                "latest_target": _number(done.get("target")),
                "latest_period": done.get("period"),
                "latest_actual": _number(done.get("actual")),
                "met": _flag(done.get("met")),
            }
        )
    return [{"level": level, "indicators": by_level[level]} for level in INDICATOR_LEVELS if by_level[level]]


def programme_data(request: Request, session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    """Everything the programme page shows, as plain data."""
    lang = lang_of(request)
    programme = read.programme(session, code)  # NotFound: the portal's 404
    pid = programme.id
    provinces = read.programme_provinces(session, [pid]).get(pid, []) if pid is not None else []
    implementer = (
        session.get(Organisation, programme.implementer_id) if programme.implementer_id is not None else None
    )
    objectives = session.scalars(
        select(col(Objective.statement))
        .where(col(Objective.programme_id) == pid)
        .order_by(col(Objective.number))
    ).all()
    indicators = list(
        session.scalars(
            select(Indicator).where(col(Indicator.programme_id) == pid).order_by(col(Indicator.id))
        )
    )
    activities = session.scalars(
        select(Activity).where(col(Activity.programme_id) == pid).order_by(col(Activity.code))
    ).all()
    spent = session.scalars(
        select(Expenditure)
        .where(col(Expenditure.programme_id) == pid)
        .order_by(col(Expenditure.period_start), col(Expenditure.source))
    ).all()
    evaluations = session.scalars(
        select(Evaluation)
        .where(col(Evaluation.programme_id) == pid, evaluations_clause(viewer))
        .order_by(col(Evaluation.finished_at).desc(), col(Evaluation.id).desc())
    ).all()
    overall = {
        r.evaluation_id: r.final_level
        for r in session.scalars(
            select(Rating).where(
                col(Rating.evaluation_id).in_([e.id for e in evaluations]), col(Rating.criterion) == "overall"
            )
        )
    }
    lessons = session.scalars(
        select(Lesson)
        .where(col(Lesson.programme_id) == pid, lessons_clause(viewer))
        .order_by(col(Lesson.year).desc(), col(Lesson.key))
    ).all()
    return {
        "code": programme.code,
        "title": programme.title,
        "title_en": programme.title_en,
        "kind": programme.kind,
        "sector": programme.sector,
        "funding": programme.funding,
        "implementer": implementer.name if implementer else None,
        "start_date": programme.start_date.isoformat(),
        "end_date": programme.end_date.isoformat() if programme.end_date else None,
        "budget_million_vnd": programme.budget_million_vnd,
        "households": programme.households,
        "provinces": [province_info(c) for c in provinces],
        "objectives": list(objectives),
        "results_framework": results_framework(session, programme.code, indicators),
        "activities": [
            {
                "code": a.code,
                "type": a.type,
                "title": a.title,
                "planned_date": a.planned_date.isoformat() if a.planned_date else None,
                "actual_date": a.actual_date.isoformat() if a.actual_date else None,
                "status": a.status,
                "participants": sum(
                    n or 0
                    for n in (a.participants_officials, a.participants_enterprises, a.participants_households)
                ),
                "cost_actual_million_vnd": a.cost_actual_million_vnd,
            }
            for a in activities
        ],
        "expenditures": [
            {
                "period": e.period,
                "source": e.source,
                "planned_million_vnd": e.planned_million_vnd,
                "disbursed_million_vnd": e.disbursed_million_vnd,
            }
            for e in spent
        ],
        "expenditure_totals": {
            "planned_million_vnd": sum(e.planned_million_vnd or 0 for e in spent),
            "disbursed_million_vnd": sum(e.disbursed_million_vnd or 0 for e in spent),
        },
        "evaluations": [
            {
                "code": e.code,
                "kind": e.kind,
                "status": e.status,
                "evaluator": e.evaluator,
                "finished_at": e.finished_at.isoformat(timespec="minutes") if e.finished_at else None,
                "overall_level": overall.get(e.id or 0),
                "overall_label": rating_label("overall", overall.get(e.id or 0), lang),
            }
            for e in evaluations
        ],
        "lessons": [
            {"key": les.key, "title": shown_text(viewer, les.contact)(les.title), "year": les.year}
            for les in lessons
        ],
        "recommendations": [
            item.as_json()
            for item in tracker(session, where=evaluations_clause(viewer), programme_id=programme.id).items
        ],
        "recommendations_as_of": date.today().isoformat(),
        "attachments": attachment_list(session, viewer, "programme", programme.code),
        **attach_form(viewer, "programme"),
    }


@router.get("/programmes/{code}", response_class=HTMLResponse, include_in_schema=False)
def programme_page(
    code: str, request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> HTMLResponse:
    """A programme: results framework by level with achievement charts, activities, money, evaluations,
    lessons."""
    data = programme_data(request, session, viewer, code)
    return page(request, "programme.html", {"p": data, "title": data["title"]})


@router.get("/api/programmes/{code}")
def programme_api(
    code: str, request: Request, viewer: Viewer = Depends(require("browse")), session: Session = Depends(db)
) -> JSONResponse:
    """A programme as JSON."""
    return twin(programme_data(request, session, viewer, code))
