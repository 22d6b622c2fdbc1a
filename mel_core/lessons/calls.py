"""Calls for lessons: the letter itself. Letter 247/KTHT-GN (2013) asked provinces and organisations to send, by a
deadline, the lessons of their poverty-reduction models in a given outline; the ministry compiled them.

A call names the provinces and organisations it asks, the year of the lessons, the outline (state-budget, NGO,
or either) and the deadline. A lesson answers a call when its contributor says so in the portal. For each one
asked, :func:`call_status` says where they stand on a day: ``published`` or ``submitted`` (a lesson of theirs
answering the call is in review or out), ``returned`` (their lessons came back with comments and wait for
corrections), ``late`` (nothing submitted and the deadline has passed) or ``waiting`` (nothing yet, still in
time). A province asked is matched by the lessons filed under it or under a former province merged into it
(2025); an organisation by the lessons it submitted (``submitted_by``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from mel_core import audit, geo
from mel_core.accounts.users import acting_user
from mel_core.errors import MelError
from mel_core.i18n import message
from mel_core.store import Lesson, LessonCall, LessonCallInvitee, LessonProvince, User
from mel_core.store.calls import CALL_OUTLINES
from mel_core.text import clean_cell, nfc

#: Where one asked by a call stands, from the best to the worst.
INVITEE_STATES = ("published", "submitted", "returned", "late", "waiting")


class CallError(MelError):
    """A call that cannot be made or read as asked."""

    exit_code = 65


@dataclass(frozen=True)
class Answer:
    key: str
    title: str
    status: str


@dataclass
class InviteeStatus:
    """One province or organisation asked, and what it has sent."""

    province: str | None
    organisation: str | None
    name: str
    state: str
    lessons: list[Answer] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "province": self.province,
            "organisation": self.organisation,
            "name": self.name,
            "state": self.state,
            "lessons": [{"key": a.key, "title": a.title, "status": a.status} for a in self.lessons],
        }


@dataclass
class CallStatus:
    """A call on a day: each one asked with their state, and lessons answering it that no invitee sent."""

    code: str
    title: str
    year: int
    issued_on: date
    deadline: date
    outline: str
    as_of: date
    invitees: list[InviteeStatus]
    others: list[Answer]

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(INVITEE_STATES, 0)
        for invitee in self.invitees:
            out[invitee.state] += 1
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "year": self.year,
            "issued_on": self.issued_on.isoformat(),
            "deadline": self.deadline.isoformat(),
            "outline": self.outline,
            "as_of": self.as_of.isoformat(),
            "counts": self.counts,
            "invitees": [i.as_json() for i in self.invitees],
            "others": [{"key": a.key, "title": a.title, "status": a.status} for a in self.others],
        }


def _issuer(session: Session, email: str) -> User:
    user = acting_user(session, email, "review_lessons")
    if user is None:
        raise CallError(message("lessons.calls.not_issuer", email=email))
    return user


def new_call(
    session: Session,
    code: str,
    title: str,
    *,
    year: int,
    deadline: date,
    by: str,
    provinces: Sequence[str] = (),
    organisations: Sequence[str] = (),
    issued_on: date | None = None,
    outline: str = "any",
) -> LessonCall:
    """Issue a call for lessons (the caller commits).

    Raises:
        CallError: the code is taken or empty, a province unknown, nobody asked, the deadline before the issue
            date, an outline not in :data:`~mel_core.store.calls.CALL_OUTLINES`, or ``by`` may not issue calls.
    """
    user = _issuer(session, by)
    code = clean_cell(nfc(code)).strip()
    issued = issued_on or datetime.now(UTC).date()
    problems = []
    if not code or len(code) > 64:
        problems.append(message("lessons.calls.code_too_long"))
    elif session.exec(select(LessonCall.id).where(LessonCall.code == code)).first() is not None:
        problems.append(message("lessons.calls.exists", code=code))
    if not clean_cell(nfc(title)).strip():
        problems.append(message("lessons.calls.no_title"))
    if deadline < issued:
        problems.append(message("lessons.calls.deadline_before_issue"))
    if outline not in CALL_OUTLINES:
        problems.append(message("lessons.calls.unknown_outline", outlines=", ".join(CALL_OUTLINES)))
    known = geo.provinces()
    codes = [geo.normalise_code(c) for c in provinces if str(c).strip()]
    unknown = [c for c in codes if c not in known]
    if unknown:
        problems.append(message("lessons.calls.unknown_provinces", unknown=", ".join(unknown)))
    names = [clean_cell(nfc(o)).strip() for o in organisations if o and o.strip()]
    if not codes and not names:
        problems.append(message("lessons.calls.no_recipient"))
    if problems:
        raise CallError("; ".join(str(p) for p in problems))
    call = LessonCall(
        code=code,
        title=clean_cell(nfc(title)).strip(),
        year=year,
        issued_on=issued,
        deadline=deadline,
        outline=outline,
        created_by=user.email,
        created_at=datetime.now(UTC),
    )
    session.add(call)
    session.flush()
    for province in dict.fromkeys(codes):
        session.add(LessonCallInvitee(call_id=call.id or 0, province_code=province))
    for name in dict.fromkeys(names):
        session.add(LessonCallInvitee(call_id=call.id or 0, organisation=name))
    audit.record(
        session,
        "call.issue",
        "call",
        code,
        actor=user.email,
        after={
            "year": year,
            "deadline": deadline,
            "provinces": codes,
            "organisations": names,
            "outline": outline,
        },
    )
    session.flush()
    return call


def find_call(session: Session, code: str) -> LessonCall:
    """The call ``code``.

    Raises:
        CallError: there is none.
    """
    call = session.exec(select(LessonCall).where(LessonCall.code == code)).first()
    if call is None:
        raise CallError(
            message("lessons.calls.no_call", code=code),
            hint=message("lessons.calls.list_hint"),
        )
    return call


def open_calls(session: Session) -> list[LessonCall]:
    """Every call, the latest deadline first (a contributor may answer a call after its deadline: it is late)."""
    return list(
        session.exec(select(LessonCall).order_by(col(LessonCall.deadline).desc(), col(LessonCall.id)))
    )


def call_status(session: Session, code: str, as_of: date | None = None) -> CallStatus:
    """Where everyone asked by call ``code`` stands on ``as_of`` (default today)."""
    call = find_call(session, code)
    day = as_of or datetime.now(UTC).date()
    invitees = session.exec(
        select(LessonCallInvitee)
        .where(LessonCallInvitee.call_id == call.id)
        .order_by(col(LessonCallInvitee.id))
    ).all()
    answers = session.exec(select(Lesson).where(Lesson.call_id == call.id).order_by(col(Lesson.key))).all()
    places: dict[int, set[str]] = {}
    ids = [a.id for a in answers if a.id is not None]
    if ids:
        for lesson_id, place in session.exec(
            select(LessonProvince.lesson_id, LessonProvince.admin_unit_code).where(
                col(LessonProvince.lesson_id).in_(ids)
            )
        ):
            places.setdefault(lesson_id, set()).add(place)
    known = geo.provinces()
    claimed: set[str] = set()
    out = []
    for invitee in invitees:
        if invitee.province_code:
            codes = {invitee.province_code, *geo.predecessors(invitee.province_code)}
            mine = [a for a in answers if places.get(a.id or 0, set()) & codes]
            province = known.get(invitee.province_code)
            name = province.name if province else invitee.province_code
        else:
            wanted = nfc(invitee.organisation or "").casefold()
            mine = [a for a in answers if nfc(a.submitted_by or "").casefold() == wanted]
            name = invitee.organisation or ""
        claimed.update(a.key for a in mine)
        listed = [Answer(a.key, a.title, a.status) for a in mine if a.status != "draft"]
        out.append(
            InviteeStatus(
                invitee.province_code, invitee.organisation, name, _state(listed, day, call.deadline), listed
            )
        )
    others = [
        Answer(a.key, a.title, a.status) for a in answers if a.key not in claimed and a.status != "draft"
    ]
    return CallStatus(
        call.code, call.title, call.year, call.issued_on, call.deadline, call.outline, day, out, others
    )


def _state(answers: list[Answer], day: date, deadline: date) -> str:
    statuses = {a.status for a in answers}
    for state in ("published", "submitted", "returned"):
        if state in statuses:
            return state
    return "late" if day > deadline else "waiting"
