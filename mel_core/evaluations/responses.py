"""Management responses to recommendations, their key actions and the tracking of those actions.

The model is the UNDP Evaluation Resource Centre's: management answers each recommendation (accepted,
partially accepted, not accepted, with text) and names key actions, each with a responsible unit and a due date;
then dated status updates record where each action stands (not started, initiated, completed, no longer
applicable). A recommendation's state is computed, never typed in (:func:`state`), *as of* a day, so the book and
the portal's pages can show it as it was on their date. An action is overdue when its due date has passed and it
is neither completed nor no longer applicable.

A recommendation is named by its evaluation's code and its position: ``DB-BSS-2011-ex-post#2``. Every change is
an event of the audit trail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, true
from sqlmodel import Session, col, select

from mel_core import audit
from mel_core.accounts.users import acting_user
from mel_core.errors import MelError
from mel_core.i18n import message
from mel_core.store import Evaluation, KeyAction, KeyActionUpdate, Programme, Recommendation, User
from mel_core.text import clean_cell, nfc
from mel_core.vocabulary import ACTION_STATUSES, MANAGEMENT_RESPONSES, RECOMMENDATION_STATES

#: Action statuses that end an action: it cannot be overdue any more.
DONE = ("completed", "no_longer_applicable")


class ResponseError(MelError):
    """A response or update that cannot be recorded as asked (unknown recommendation, bad value, no right)."""

    exit_code = 65  # EX_DATAERR


@dataclass(frozen=True)
class ActionState:
    """A key action as it stood on a day."""

    position: int
    text: str
    unit: str
    due_date: date
    status: str
    overdue: bool
    history: tuple[tuple[date, str, str | None, str], ...] = ()  # (as of, status, comment, by)


@dataclass(frozen=True)
class RecommendationState:
    """A recommendation, its response and its key actions, as they stood on ``as_of``."""

    ref: str
    evaluation: str
    programme: str
    programme_title: str
    criterion: str | None
    text: str
    response: str | None
    response_text: str | None
    responded_by: str | None
    actions: tuple[ActionState, ...]
    state: str
    overdue: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "evaluation": self.evaluation,
            "programme": self.programme,
            "programme_title": self.programme_title,
            "criterion": self.criterion,
            "text": self.text,
            "response": self.response,
            "response_text": self.response_text,
            "responded_by": self.responded_by,
            "state": self.state,
            "overdue": self.overdue,
            "actions": [
                {
                    "position": a.position,
                    "text": a.text,
                    "unit": a.unit,
                    "due_date": a.due_date.isoformat(),
                    "status": a.status,
                    "overdue": a.overdue,
                    "history": [
                        {"as_of": d.isoformat(), "status": s, "comment": c, "by": b}
                        for d, s, c, b in a.history
                    ],
                }
                for a in self.actions
            ],
        }


@dataclass
class Tracker:
    """Recommendations as of a day, counted by state, evaluation and responsible unit."""

    as_of: date
    items: list[RecommendationState]
    by_state: dict[str, int] = field(default_factory=dict)
    by_evaluation: dict[str, dict[str, int]] = field(default_factory=dict)
    by_unit: dict[str, dict[str, int]] = field(default_factory=dict)
    overdue: int = 0


def state(response: str | None, actions: Iterable[ActionState]) -> str:
    """Where a recommendation stands: awaiting a response, not accepted, accepted without key actions, or its
    actions not started, initiated (some under way or done), completed (every one done or no longer applicable)."""
    listed = list(actions)
    if response is None:
        return "awaiting"
    if response == "not_accepted":
        return "not_accepted"
    if not listed:
        return "no_actions"
    if all(a.status in DONE for a in listed):
        return "completed"
    if any(a.status != "not_started" for a in listed):
        return "initiated"
    return "not_started"


def responder(session: Session, email: str) -> User:
    """The enabled user ``email`` who may record management responses.

    Raises:
        ResponseError: no such user, disabled, or of a role that may not.
    """
    user = acting_user(session, email, "respond_recommendations")
    if user is None:
        raise ResponseError(
            message("evaluations.responses.not_responder", email=email),
            hint=message("evaluations.responses.not_responder_hint"),
        )
    return user


def find(session: Session, ref: str) -> tuple[Recommendation, Evaluation]:
    """The recommendation ``EVALUATION#N``.

    Raises:
        ResponseError: the reference is malformed or names nothing.
    """
    code, _, number = ref.rpartition("#")
    if not code or not number.isdigit():
        raise ResponseError(
            message("evaluations.responses.bad_ref", ref=ref),
            hint=message("evaluations.responses.list_hint"),
        )
    found = session.exec(
        select(Recommendation, Evaluation)
        .join(Evaluation, col(Evaluation.id) == col(Recommendation.evaluation_id))
        .where(col(Evaluation.code) == code, col(Recommendation.position) == int(number))
    ).first()
    if found is None:
        raise ResponseError(
            message("evaluations.responses.not_in_store", ref=ref),
            hint=message("evaluations.responses.list_hint"),
        )
    return found[0], found[1]


def _text(value: str, what: str) -> str:
    cleaned = clean_cell(nfc(value or "")).strip()
    if not cleaned:
        raise ResponseError(message("evaluations.responses.empty", what=what))
    return cleaned


def respond(
    session: Session,
    ref: str,
    response: str,
    text: str,
    by: str,
    actions: Iterable[tuple[str, str, date]] = (),
) -> Recommendation:
    """Record (or revise) management's response to ``ref`` and add key actions (text, unit, due date).

    Raises:
        ResponseError: unknown recommendation or user, a response not in the list, empty text, a due date
            before the evaluation.
    """
    if response not in MANAGEMENT_RESPONSES:
        raise ResponseError(
            message("evaluations.responses.unknown_response", response=response),
            hint=message(
                "evaluations.responses.unknown_response_hint", responses=", ".join(MANAGEMENT_RESPONSES)
            ),
        )
    user = responder(session, by)
    rec, _evaluation = find(session, ref)
    before = {"response": rec.response, "text": rec.management_response}
    rec.response = response
    rec.management_response = _text(text, message("evaluations.responses.response_text"))
    rec.responded_by = user.email
    rec.responded_at = datetime.now(UTC)
    session.add(rec)
    audit.record(
        session,
        "recommendation.respond",
        "recommendation",
        ref,
        actor=user.email,
        before=before,
        after={"response": rec.response, "text": rec.management_response},
    )
    listed = list(actions)
    if listed and response == "not_accepted":
        raise ResponseError(message("evaluations.responses.no_actions_if_rejected"))
    last = session.exec(
        select(func.max(col(KeyAction.position))).where(col(KeyAction.recommendation_id) == rec.id)
    ).one()
    for offset, (action, unit, due) in enumerate(listed, start=1):
        key_action = KeyAction(
            recommendation_id=rec.id or 0,
            position=(last or 0) + offset,
            text=_text(action, message("evaluations.responses.key_action")),
            unit=_text(unit, message("evaluations.responses.responsible_unit")),
            due_date=due,
            created_by=user.email,
            created_at=datetime.now(UTC),
        )
        session.add(key_action)
        audit.record(
            session,
            "recommendation.add_action",
            "recommendation",
            ref,
            actor=user.email,
            after={
                "position": key_action.position,
                "text": key_action.text,
                "unit": key_action.unit,
                "due": due,
            },
        )
    session.flush()
    return rec


def update(
    session: Session,
    ref: str,
    position: int,
    status: str,
    by: str,
    comment: str = "",
    as_of: date | None = None,
) -> KeyActionUpdate:
    """Record where key action ``position`` of ``ref`` stands from ``as_of`` (default today).

    Raises:
        ResponseError: unknown recommendation, action or user; a status not in the list.
    """
    if status not in ACTION_STATUSES:
        raise ResponseError(
            message("evaluations.responses.unknown_status", status=status),
            hint=message("evaluations.responses.unknown_status_hint", statuses=", ".join(ACTION_STATUSES)),
        )
    user = responder(session, by)
    rec, _evaluation = find(session, ref)
    action = session.exec(
        select(KeyAction).where(
            col(KeyAction.recommendation_id) == rec.id, col(KeyAction.position) == position
        )
    ).first()
    if action is None:
        raise ResponseError(
            message("evaluations.responses.no_action", ref=ref, position=position),
            hint=message("evaluations.responses.no_action_hint"),
        )
    day = as_of or date.today()
    if day > date.today():
        raise ResponseError(message("evaluations.responses.future_day", day=day))
    previous = _statuses(session, [action.id or 0], day).get(action.id or 0, "not_started")
    row = KeyActionUpdate(
        key_action_id=action.id or 0,
        as_of=day,
        status=status,
        comment=clean_cell(nfc(comment)).strip() or None,
        by=user.email,
        at=datetime.now(UTC),
    )
    session.add(row)
    audit.record(
        session,
        "recommendation.update_action",
        "recommendation",
        ref,
        actor=user.email,
        before={"action": position, "status": previous},
        after={"action": position, "status": status, "as_of": day},
        note=row.comment,
    )
    session.flush()
    return row


def _statuses(session: Session, action_ids: list[int], as_of: date) -> dict[int, str]:
    """The status of each action on ``as_of`` (its latest update on or before that day), keyed by action id."""
    if not action_ids:
        return {}
    rows = session.exec(
        select(KeyActionUpdate)
        .where(col(KeyActionUpdate.key_action_id).in_(action_ids), col(KeyActionUpdate.as_of) <= as_of)
        .order_by(col(KeyActionUpdate.as_of), col(KeyActionUpdate.id))
    ).all()
    return {row.key_action_id: row.status for row in rows}  # the last update of each action wins


def tracker(
    session: Session,
    *,
    as_of: date | None = None,
    where: ColumnElement[bool] | None = None,
    evaluation: str | None = None,
    programme_id: int | None = None,
) -> Tracker:
    """Every recommendation (of the evaluations ``where`` lets through) as it stood on ``as_of`` (default today).

    Responses and actions recorded after ``as_of`` are not counted: the state is what was known that day.
    """
    day = as_of or date.today()
    end = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
    query = (
        select(Recommendation, col(Evaluation.code), col(Programme.code), col(Programme.title))
        .join(Evaluation, col(Evaluation.id) == col(Recommendation.evaluation_id))
        .join(Programme, col(Programme.id) == col(Evaluation.programme_id))
        .where(where if where is not None else true())
        .order_by(col(Evaluation.finished_at).desc(), col(Evaluation.id).desc(), col(Recommendation.position))
    )
    if evaluation:
        query = query.where(col(Evaluation.code) == evaluation)
    if programme_id is not None:
        query = query.where(col(Evaluation.programme_id) == programme_id)
    rows = session.exec(query).all()
    rec_ids = [rec.id for rec, *_ in rows if rec.id is not None]
    actions: dict[int, list[KeyAction]] = {}
    if rec_ids:
        for action in session.exec(
            select(KeyAction)
            .where(col(KeyAction.recommendation_id).in_(rec_ids), col(KeyAction.created_at) <= end)
            .order_by(col(KeyAction.position))
        ).all():
            actions.setdefault(action.recommendation_id, []).append(action)
    all_ids = [a.id for listed in actions.values() for a in listed if a.id is not None]
    history: dict[int, list[tuple[date, str, str | None, str]]] = {}
    if all_ids:
        for u in session.exec(
            select(KeyActionUpdate)
            .where(col(KeyActionUpdate.key_action_id).in_(all_ids), col(KeyActionUpdate.as_of) <= day)
            .order_by(col(KeyActionUpdate.as_of), col(KeyActionUpdate.id))
        ).all():
            history.setdefault(u.key_action_id, []).append((u.as_of, u.status, u.comment, u.by))
    items: list[RecommendationState] = []
    for rec, evaluation_code, programme_code, programme_title in rows:
        responded = rec.responded_at is not None and _utc(rec.responded_at) <= end
        shown_actions = []
        for a in actions.get(rec.id or 0, []):
            steps = history.get(a.id or 0, [])
            status = steps[-1][1] if steps else "not_started"
            overdue = a.due_date < day and status not in DONE
            shown_actions.append(
                ActionState(a.position, a.text, a.unit, a.due_date, status, overdue, tuple(steps))
            )
        response = rec.response if responded else None
        items.append(
            RecommendationState(
                ref=f"{evaluation_code}#{rec.position}",
                evaluation=evaluation_code,
                programme=programme_code,
                programme_title=programme_title,
                criterion=rec.criterion,
                text=rec.text,
                response=response,
                response_text=rec.management_response if responded else None,
                responded_by=rec.responded_by if responded else None,
                actions=tuple(shown_actions),
                state=state(response, shown_actions),
                overdue=any(a.overdue for a in shown_actions),
            )
        )
    result = Tracker(as_of=day, items=items)
    result.by_state = {s: n for s, n in Counter(i.state for i in items).items()}
    for item in items:
        result.by_evaluation.setdefault(item.evaluation, {}).setdefault(item.state, 0)
        result.by_evaluation[item.evaluation][item.state] += 1
        for shown in item.actions:
            unit = result.by_unit.setdefault(shown.unit, {})
            unit[shown.status] = unit.get(shown.status, 0) + 1
            if shown.overdue:
                unit["overdue"] = unit.get("overdue", 0) + 1
    result.overdue = sum(1 for i in items if i.overdue)
    assert set(result.by_state) <= set(RECOMMENDATION_STATES)
    return result


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
