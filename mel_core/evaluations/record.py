"""The evaluation record in the store: create it, store its results in one transaction, mark it failed, read it.

An evaluation is created *running* before any notebook runs, so a failure leaves a record. Its ratings, findings
and recommendations are written together with the status *succeeded* in one transaction, or not at all. An
evaluator may override a computed rating only with a written reason; the computed level is kept beside it.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from mel_core import audit
from mel_core.errors import MelError, NotFound
from mel_core.evaluations.responses import tracker
from mel_core.i18n import message
from mel_core.i18n import rating as label
from mel_core.store import (
    Evaluation,
    Finding,
    Programme,
    Rating,
    Recommendation,
    read,
    session_scope,
    table_of,
)
from mel_core.vocabulary import EVALUATION_KINDS, RATED


class OverrideError(MelError):
    """An override lacks its reason or names a criterion or level that does not exist."""

    exit_code = 65


def _now() -> datetime:
    return datetime.now(UTC)


def new_evaluation(
    engine: Engine,
    programme: str,
    *,
    kind: str = "other",
    evaluator: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    day: date | None = None,
) -> tuple[int, str]:
    """Create a *running* evaluation of ``programme``; return its id and code (``<programme>-<yyyymmdd>-<nn>``).

    Two processes creating evaluations of the same programme on the same day get different numbers: a clash on
    the unique code is retried with the next number.
    """
    if kind not in EVALUATION_KINDS:
        raise MelError(message("evaluations.record.unknown_kind", kinds=", ".join(EVALUATION_KINDS)))
    day = day or date.today()
    e = table_of(Evaluation)
    prefix = f"{programme}-{day:%Y%m%d}-"
    for _attempt in range(50):
        try:
            with engine.begin() as conn:
                pid = read.programme_id(conn, programme)
                taken = conn.scalar(select(func.count()).where(e.c.code.like(f"{prefix}%")))
                code = f"{prefix}{(taken or 0) + 1:02d}"
                new_id = conn.execute(
                    e.insert()
                    .values(
                        code=code,
                        programme_id=pid,
                        kind=kind,
                        evaluator=evaluator,
                        status="running",
                        period_start=period_start,
                        period_end=period_end,
                        started_at=_now(),
                        runner_host=socket.gethostname(),
                        runner_pid=os.getpid(),
                    )
                    .returning(e.c.id)
                ).scalar_one()
        except IntegrityError:
            continue  # another process took this number a moment ago
        return int(new_id), code
    raise MelError(message("evaluations.record.no_number"))


def _alive(pid: int) -> bool:
    """Whether a process of this machine with ``pid`` exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(engine: Engine, ids: list[int] | None = None) -> list[str]:
    """Mark *running* evaluations that no process is running any more as ``interrupted``; return their codes.

    Without ``ids``: those started on this machine whose process is gone (killed, or stopped by a power cut).
    With ``ids``: those of this process's run that did not finish (Ctrl+C, SIGTERM). Nothing they wrote is kept,
    as for a failed run. An evaluation started on another machine is left to that machine's next run.
    """
    e = table_of(Evaluation)
    host = socket.gethostname()
    with engine.begin() as conn:
        query = select(e.c.id, e.c.code, e.c.runner_pid).where(e.c.status == "running")
        if ids is not None:
            query = query.where(e.c.id.in_(ids))
        else:
            query = query.where(e.c.runner_host == host, e.c.runner_pid.is_not(None))
        rows = conn.execute(query).all()
        gone = [
            r for r in rows if ids is not None or (r.runner_pid != os.getpid() and not _alive(r.runner_pid))
        ]
        for row in gone:
            for model in (Rating, Finding, Recommendation):
                t = table_of(model)
                conn.execute(delete(t).where(t.c.evaluation_id == row.id))
            reason = (
                "interrupted: the run was stopped before it finished"
                if ids is not None
                else f"interrupted: the process that ran it ({host}, pid {row.runner_pid}) ended before it finished"
            )
            conn.execute(
                update(e)
                .where(e.c.id == row.id, e.c.status == "running")
                .values(status="interrupted", error=reason, finished_at=_now())
            )
    return [r.code for r in gone]


def set_output(engine: Engine, evaluation_id: int, output_dir: str) -> None:
    e = table_of(Evaluation)
    with engine.begin() as conn:
        conn.execute(update(e).where(e.c.id == evaluation_id).values(output_dir=output_dir))


def mark_failed(engine: Engine, evaluation_id: int, error: str, provenance: dict[str, Any]) -> None:
    """Mark the evaluation failed with its error; no rating, finding or recommendation is kept."""
    e = table_of(Evaluation)
    with engine.begin() as conn:
        for model in (Rating, Finding, Recommendation):
            t = table_of(model)
            conn.execute(delete(t).where(t.c.evaluation_id == evaluation_id))
        conn.execute(
            update(e)
            .where(e.c.id == evaluation_id)
            .values(status="failed", error=error, finished_at=_now(), provenance=provenance)
        )


def store_results(
    engine: Engine, evaluation_id: int, results: dict[str, dict[str, Any]], provenance: dict[str, Any]
) -> None:
    """Write every criterion's rating, findings and recommendations and mark the evaluation succeeded, at once."""
    e = table_of(Evaluation)
    with engine.begin() as conn:
        for model in (Rating, Finding, Recommendation):
            t = table_of(model)
            conn.execute(delete(t).where(t.c.evaluation_id == evaluation_id))
        ratings: list[dict[str, Any]] = []
        findings: list[dict[str, Any]] = []
        recommendations: list[dict[str, Any]] = []
        for criterion, result in results.items():
            if criterion not in RATED:
                raise ValueError(f"unknown criterion {criterion!r} in the results")
            rating = result.get("rating") or {}
            ratings.append(
                {
                    "evaluation_id": evaluation_id,
                    "criterion": criterion,
                    "computed_level": rating.get("level"),
                    "final_level": rating.get("level"),
                    "justification": rating.get("justification", ""),
                    "rules_version": rating.get("rules_version"),
                    "evidence": {
                        **(rating.get("evidence") or {}),
                        "scores": result.get("scores"),
                        "caps": result.get("caps"),
                        "metrics": result.get("metrics"),
                        "lang": result.get("lang"),
                    },
                }
            )
            for n, finding in enumerate(result.get("findings", [])):
                findings.append(
                    {
                        "evaluation_id": evaluation_id,
                        "criterion": criterion,
                        "position": n,
                        "statement": finding["statement"],
                        "confidence": finding.get("confidence"),
                        "evidence": finding.get("evidence"),
                    }
                )
            if criterion != "overall":  # the synthesis repeats the criteria's recommendations
                for text in result.get("recommendations", []):
                    recommendations.append(
                        {
                            "evaluation_id": evaluation_id,
                            "criterion": criterion,
                            "position": len(recommendations),
                            "text": text,
                        }
                    )
        for model, rows in ((Rating, ratings), (Finding, findings), (Recommendation, recommendations)):
            if rows:
                conn.execute(table_of(model).insert(), rows)
        conn.execute(
            update(e)
            .where(e.c.id == evaluation_id)
            .values(status="succeeded", error=None, finished_at=_now(), provenance=provenance)
        )


def find_evaluation(session: Session, code: str) -> Evaluation:
    """The evaluation with this code; for a programme's code, its latest evaluation."""
    found = session.exec(orm_select(Evaluation).where(Evaluation.code == code)).first()
    if found is not None:
        return found
    try:
        pid: int | None = read.programme_id(session, code)
    except NotFound:
        pid = None
    if pid is not None:
        latest = session.exec(
            orm_select(Evaluation).where(Evaluation.programme_id == pid).order_by(col(Evaluation.id).desc())
        ).first()
        if latest is not None:
            return latest
    raise NotFound(
        message("evaluations.record.not_in_store", code=code),
        hint=message("evaluations.record.not_in_store_hint"),
        entity="evaluation",
        key=code,
    )


def describe(session: Session, code: str, lang: str = "en") -> dict[str, Any]:
    """The stored evaluation as JSON-able data: status, provenance, ratings, findings, recommendations."""
    ev = find_evaluation(session, code)
    conn = session.connection()
    p = table_of(Programme)
    programme = conn.scalar(select(p.c.code).where(p.c.id == ev.programme_id))
    r, f = table_of(Rating), table_of(Finding)
    ratings = [
        {
            "criterion": row.criterion,
            "computed_level": row.computed_level,
            "final_level": row.final_level,
            "label": label(row.criterion, row.final_level, lang),
            "computed_label": label(row.criterion, row.computed_level, lang),
            "override_reason": row.override_reason,
            "justification": row.justification,
            "rules_version": row.rules_version,
        }
        for row in conn.execute(select(r).where(r.c.evaluation_id == ev.id).order_by(r.c.id))
    ]
    findings = [
        {
            "criterion": row.criterion,
            "statement": row.statement,
            "confidence": row.confidence,
            "evidence": row.evidence,
        }
        for row in conn.execute(
            select(f).where(f.c.evaluation_id == ev.id).order_by(f.c.criterion, f.c.position)
        )
    ]
    # each with management's response, its key actions and where it stands today (mel_core.evaluations.responses)
    recommendations = [item.as_json() for item in tracker(session, evaluation=ev.code).items]
    return {
        "code": ev.code,
        "programme": programme,
        "kind": ev.kind,
        "evaluator": ev.evaluator,
        "status": ev.status,
        "error": ev.error,
        "started_at": ev.started_at.isoformat(timespec="seconds") if ev.started_at else None,
        "finished_at": ev.finished_at.isoformat(timespec="seconds") if ev.finished_at else None,
        "output_dir": ev.output_dir,
        "provenance": ev.provenance,
        "ratings": ratings,
        "findings": findings,
        "recommendations": recommendations,
    }


def stored_results(session: Session, code: str) -> dict[str, dict[str, Any]]:
    """The criteria's stored ratings (final levels) and recommendations, shaped as the notebooks emit them."""
    data = describe(session, code)
    out: dict[str, dict[str, Any]] = {}
    for rating in data["ratings"]:
        if rating["criterion"] == "overall":
            continue
        out[rating["criterion"]] = {
            "rating": {"level": rating["computed_level"], "final_level": rating["final_level"]},
            "recommendations": [
                rec["text"] for rec in data["recommendations"] if rec["criterion"] == rating["criterion"]
            ],
        }
    return out


def override(
    engine: Engine, code: str, criterion: str, level: int, reason: str, by: str | None = None
) -> None:
    """Set the final level of one criterion's rating; the computed level and who changed it, and why, are kept."""
    if criterion not in RATED:
        raise OverrideError(message("evaluations.record.unknown_criterion", criterion=criterion))
    if level not in (1, 2, 3, 4):
        raise OverrideError(message("evaluations.record.bad_level"))
    if not reason or not reason.strip():
        raise OverrideError(
            message("evaluations.record.no_reason"),
            hint=message("evaluations.record.no_reason_hint"),
        )
    with session_scope(engine) as session:
        ev = find_evaluation(session, code)
        rating = session.exec(
            orm_select(Rating).where(Rating.evaluation_id == ev.id, Rating.criterion == criterion)
        ).first()
        if rating is None:
            raise OverrideError(message("evaluations.record.no_rating", code=ev.code, criterion=criterion))
        audit.record(
            session,
            "rating.override",
            "rating",
            f"{ev.code}/{criterion}",
            actor=by,
            before={"final_level": rating.final_level, "override_reason": rating.override_reason},
            after={"final_level": level, "override_reason": reason.strip()},
        )
        rating.final_level = level
        rating.override_reason = reason.strip()
        evidence = dict(rating.evidence or {})
        history = list(evidence.get("overrides", []))
        history.append(
            {"level": level, "reason": reason.strip(), "by": by, "at": _now().isoformat(timespec="seconds")}
        )
        evidence["overrides"] = history
        rating.evidence = evidence
        session.add(rating)
