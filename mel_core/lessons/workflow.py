"""A lesson's review: submitted, then published, returned with comments, or rejected (DESIGN.md, "Lesson states").

The store is the source of truth for where a lesson is in its review; the lesson's text comes from a file
(``mel lessons ingest``) or from the portal, and a published lesson can be written back out as a file. Every
step is a :class:`~mel_core.store.LessonReview` (the comment the contributor reads) and an event of the audit
trail, written in the same transaction as the change of state.

A decision is taken on the version the reviewer read: the state changes only if the lesson is still
``submitted`` and its content is still that version (one conditional UPDATE), so of two reviewers acting at
once one wins and the other is told what happened, and a lesson changed while it was being read is not
published unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from mel_core import audit
from mel_core.accounts.users import acting_user
from mel_core.errors import MelError
from mel_core.i18n import message
from mel_core.store import Lesson, LessonReview, User, table_of
from mel_core.text import nfc
from mel_core.vocabulary import LESSON_DECISIONS


class ReviewError(MelError):
    """A review step that cannot be taken: an unknown lesson or reviewer, a missing comment, a wrong state."""

    exit_code = 65  # EX_DATAERR


class ReviewConflict(ReviewError):
    """Someone else decided on the lesson first, or it changed since the reviewer read it."""

    exit_code = 75  # EX_TEMPFAIL: read the lesson again


@dataclass(frozen=True)
class Step:
    """One step of a lesson's review, as the lesson page and ``mel lessons history`` show it."""

    at: datetime
    by: str
    action: str
    comment: str | None


def now() -> datetime:
    return datetime.now(UTC)


def find_lesson(session: Session, key: str) -> Lesson:
    """The stored lesson ``key``.

    Raises:
        ReviewError: there is none.
    """
    lesson = session.exec(select(Lesson).where(Lesson.key == key)).first()
    if lesson is None:
        raise ReviewError(
            message("lessons.workflow.not_in_store", key=key),
            hint=message("lessons.workflow.not_in_store_hint"),
        )
    return lesson


def reviewer(session: Session, email: str) -> User:
    """The enabled user ``email``, who may review lessons (a reviewer or an administrator).

    Raises:
        ReviewError: no such user, disabled, or of a role that does not review.
    """
    user = acting_user(session, email, "review_lessons")
    if user is None:
        raise ReviewError(
            message("lessons.workflow.not_reviewer", email=email),
            hint=message("lessons.workflow.not_reviewer_hint"),
        )
    return user


def decide(
    session: Session,
    key: str,
    decision: str,
    by: str,
    comment: str = "",
    *,
    seen_version: str | None = None,
) -> Lesson:
    """Publish, return or reject the submitted lesson ``key`` (the caller commits).

    Args:
        decision: ``publish``, ``return`` or ``reject`` (:data:`~mel_core.vocabulary.LESSON_DECISIONS`).
        by: the reviewer's e-mail.
        comment: what the contributor reads; required to return or reject.
        seen_version: the content hash of the version the reviewer read (the portal sends it); the decision is
            refused if the lesson changed since.

    Raises:
        ReviewError: unknown lesson or reviewer, no comment where one is needed, an unknown decision.
        ReviewConflict: the lesson is no longer submitted, or no longer the version read.
    """
    if decision not in LESSON_DECISIONS:
        raise ReviewError(
            message("lessons.workflow.unknown_decision", decision=decision),
            hint=message("lessons.workflow.unknown_decision_hint"),
        )
    text = nfc(comment or "").strip()
    if decision != "publish" and not text:
        raise ReviewError(
            message("lessons.workflow.comment_needed"),
            hint=message("lessons.workflow.comment_needed_hint"),
        )
    user = reviewer(session, by)
    lesson = find_lesson(session, key)
    state = LESSON_DECISIONS[decision]
    when = now()
    values: dict[str, object] = {"status": state}
    if decision == "publish":
        values.update(published_by=user.email, published_at=when)
    lessons = table_of(Lesson)
    condition = (lessons.c.id == lesson.id) & (lessons.c.status == "submitted")
    if seen_version is not None:
        condition = condition & (lessons.c.content_hash == seen_version)
    changed = session.execute(update(lessons).where(condition).values(**values)).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        session.refresh(lesson)
        raise ReviewConflict(_conflict(session, lesson, seen_version))
    session.add(
        LessonReview(
            lesson_id=lesson.id or 0,
            at=when,
            by=user.email,
            action=decision,
            comment=text or None,
            content_hash=lesson.content_hash,
        )
    )
    audit.record(
        session,
        f"lesson.{decision}",
        "lesson",
        key,
        actor=user.email,
        before={"status": "submitted"},
        after={"status": state},
        note=text or None,
    )
    session.flush()
    session.refresh(lesson)
    return lesson


def _conflict(session: Session, lesson: Lesson, seen_version: str | None) -> str:
    if lesson.status == "submitted" and seen_version is not None and lesson.content_hash != seen_version:
        return message("lessons.workflow.changed_since_read", key=lesson.key)
    last = steps(session, lesson)[-1:] or None
    who = f" ({last[0].by}, {last[0].at:%Y-%m-%d %H:%M} UTC)" if last else ""
    return message("lessons.workflow.not_submitted", key=lesson.key, status=lesson.status, who=who)


def record_submission(session: Session, lesson: Lesson, by: str, *, when: datetime | None = None) -> None:
    """Note that ``lesson`` was (re)submitted by ``by`` (a portal user, or the account that ran an ingest)."""
    when = when or now()
    session.add(
        LessonReview(
            lesson_id=lesson.id or 0, at=when, by=by, action="submit", content_hash=lesson.content_hash
        )
    )


def steps(session: Session, lesson: Lesson) -> list[Step]:
    """The lesson's review so far, oldest first."""
    rows = session.exec(
        select(LessonReview).where(LessonReview.lesson_id == lesson.id).order_by(col(LessonReview.id))
    ).all()
    return [Step(_utc(r.at), r.by, r.action, r.comment) for r in rows]


def queue(session: Session) -> list[Lesson]:
    """Lessons waiting for a reviewer, the longest-waiting first."""
    return list(
        session.exec(
            select(Lesson)
            .where(Lesson.status == "submitted")
            .order_by(col(Lesson.submitted_at).asc().nulls_first(), col(Lesson.id))
        ).all()
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
