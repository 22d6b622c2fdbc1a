"""Attach a file to a programme, an evaluation or a lesson, and list what a viewer may see of them.

Who may attach (:func:`mel_core.access.may_attach`): to a programme or an evaluation, evaluators, reviewers and
administrators; to a lesson, reviewers and administrators, and its author while it is a draft or returned. Who
may see an attachment (:func:`visible_clause`): whoever may see what it belongs to (every programme; the
evaluations and lessons of :mod:`mel_core.access`), and for an ``internal`` attachment only those who may see
internal lessons too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, or_, select, true
from sqlmodel import Session, col

from mel_core import audit
from mel_core.access import Viewer, evaluations_clause, lessons_clause, may, may_attach
from mel_core.accounts.users import acting_user
from mel_core.attachments.errors import AttachmentError, AttachmentForbidden
from mel_core.attachments.extract import extract
from mel_core.attachments.files import MEDIA_TYPES, check, digest, keep, kept_file, kind_of, kind_of_media
from mel_core.i18n import message
from mel_core.limits import Limits
from mel_core.store import Attachment, Evaluation, Lesson, Programme, table_of
from mel_core.submissions.files import shown_name
from mel_core.text import nfc
from mel_core.vocabulary import ATTACHMENT_ENTITIES, VISIBILITY

#: entity → (its table's model, the column that names one)
_KEYS: dict[str, tuple[Any, str]] = {
    "programme": (Programme, "code"),
    "evaluation": (Evaluation, "code"),
    "lesson": (Lesson, "key"),
}


@dataclass(frozen=True)
class Target:
    """What a file is attached to: an entity of :data:`~mel_core.vocabulary.ATTACHMENT_ENTITIES` and its key."""

    entity: str
    key: str

    def __str__(self) -> str:
        return f"{self.entity}:{self.key}"


def parse_target(text: str) -> Target:
    """``programme:CODE``, ``evaluation:CODE`` or ``lesson:KEY`` as a :class:`Target`.

    Raises:
        AttachmentError: no entity, or one that takes no attachments.
    """
    entity, colon, key = nfc(text).partition(":")
    entity, key = entity.strip().lower(), key.strip()
    if not colon or entity not in ATTACHMENT_ENTITIES or not key:
        raise AttachmentError(
            message("attachments.record.does_not_name_programme", text=text),
            hint=message("attachments.record.write_entity_key_e"),
        )
    return Target(entity, key)


def _owner(session: Session, target: Target) -> Any | None:
    """The row ``target`` names (None: there is none)."""
    model, column = _KEYS[target.entity]
    return session.exec(select(model).where(getattr(model, column) == target.key)).scalars().first()  # type: ignore[call-overload]


def attacher(session: Session, email: str) -> Viewer:
    """The enabled user ``email`` as the viewer who attaches a file at a terminal (``--by EMAIL``).

    Raises:
        AttachmentError: no such user, or disabled.
    """
    user = acting_user(session, email, "browse")
    if user is None:
        raise AttachmentError(
            message("attachments.record.not_enabled_user_portal", email=email),
            hint=message("attachments.record.give_e_mail_user"),
        )
    return Viewer(
        role=user.role,
        user_id=user.id,
        email=user.email,
        provinces=tuple(user.provinces or ()),
        organisation=user.organisation or "",
    )


def _check_may_attach(viewer: Viewer, target: Target, owner: Any) -> None:
    lesson = target.entity == "lesson"
    author = owner.submitted_by_user if lesson else None
    status = owner.status if lesson else None
    if may_attach(viewer, target.entity, author=author, status=status):
        return
    who = viewer.email or message("attachments.record.anonymous_visitor")
    raise AttachmentForbidden(
        message("attachments.record.may_not_attach_files", who=who, target=target),
        hint=message("attachments.record.reviewers_administrators_attach_files"),
    )


def attach(
    session: Session,
    home: Path,
    target: Target,
    data: bytes,
    filename: str,
    *,
    title: str = "",
    visibility: str = "public",
    by: str | Viewer,
    limits: Limits | None = None,
) -> Attachment:
    """Attach ``data`` (a file named ``filename``) to ``target``: checked, kept once by its content under
    ``home``, its text read, and recorded with an audit event, in the transaction of ``session``. ``by``: the
    signed-in viewer (the portal), or the e-mail of the user at a terminal.

    Raises:
        AttachmentRefused: a wrong kind of file, too large, or not what its name says; nothing is kept.
        AttachmentForbidden: ``by`` may not attach files to ``target`` (:func:`mel_core.access.may_attach`).
        AttachmentError: an unknown target or user, the same file already attached.
    """
    if visibility not in VISIBILITY:
        raise AttachmentError(message("attachments.record.unknown_visibility", visibility=visibility))
    viewer = by if isinstance(by, Viewer) else attacher(session, by)
    owner = _owner(session, target)
    if owner is None:
        raise AttachmentError(
            message("attachments.record.not_in_store", entity=target.entity, key=target.key),
            hint=message("attachments.record.check_key_mel_programmes"),
        )
    _check_may_attach(viewer, target, owner)
    name = shown_name(filename)
    kind = kind_of(name)
    check(data, kind, name, limits)
    sha256 = digest(data)
    already = session.exec(
        select(Attachment.id).where(  # type: ignore[call-overload]
            col(Attachment.entity) == target.entity,
            col(Attachment.entity_key) == target.key,
            col(Attachment.sha256) == sha256,
        )
    ).first()
    if already is not None:
        raise AttachmentError(
            message(
                "attachments.record.file_already_attached_attachment", target=target, attachment=already[0]
            )
        )
    extracted = extract(data, kind)
    attachment = Attachment(
        sha256=sha256,
        size=len(data),
        media_type=MEDIA_TYPES[kind],
        file_name=name,
        title=nfc(title).strip() or name.rpartition(".")[0] or name,
        entity=target.entity,
        entity_key=target.key,
        visibility=visibility,
        uploaded_by=viewer.email,
        uploaded_at=datetime.now(UTC),
        text=extracted.text,
        extraction_note=extracted.note,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        "attachment.add",
        target.entity,
        target.key,
        actor=viewer.email,
        after={
            "attachment": attachment.id,
            "title": attachment.title,
            "file_name": name,
            "sha256": sha256,
            "visibility": visibility,
        },
    )
    keep(home, data, sha256, kind)  # last: a refused attachment leaves no file behind
    return attachment


def visible_clause(viewer: Viewer) -> ColumnElement[bool]:
    """The SQL condition (on ``attachments``) of the attachments ``viewer`` may see."""
    attachments = table_of(Attachment)
    evaluations, lessons = table_of(Evaluation), table_of(Lesson)
    # EXISTS, correlated on the attachment's key, rather than IN (SELECT …): SQLite builds the whole list of
    # visible lessons for an IN before looking at a single attachment (7 ms a lesson page at 25,000 lessons)
    owners = or_(
        attachments.c.entity == "programme",
        and_(
            attachments.c.entity == "evaluation",
            exists().where(evaluations.c.code == attachments.c.entity_key, evaluations_clause(viewer)),
        ),
        and_(
            attachments.c.entity == "lesson",
            exists().where(lessons.c.key == attachments.c.entity_key, lessons_clause(viewer)),
        ),
    )
    if not may(viewer, "browse"):
        return false()
    internal = true() if may(viewer, "see_internal") else attachments.c.visibility == "public"
    return and_(owners, internal)


@lru_cache(maxsize=256)
def _of_target(viewer: Viewer) -> Select[Any]:
    """The query of the attachments ``viewer`` may see of one entity (its ``entity`` and ``key`` bound when run),
    built once per kind of viewer: building it costs more than running it."""
    return (
        select(Attachment)
        .where(
            visible_clause(viewer),
            col(Attachment.entity) == bindparam("entity"),
            col(Attachment.entity_key) == bindparam("key"),
        )
        .order_by(col(Attachment.id))
    )


#: What a page lists of an attachment: not its extracted text, which may be long.
LISTED = ("id", "title", "file_name", "media_type", "size", "visibility")


@lru_cache(maxsize=256)
def _listed_of_target(viewer: Viewer) -> Select[Any]:
    """:func:`_of_target` as a Core query of the listed columns only."""
    attachments = table_of(Attachment)
    return (
        select(*(attachments.c[name] for name in LISTED))
        .where(
            visible_clause(viewer),
            attachments.c.entity == bindparam("entity"),
            attachments.c.entity_key == bindparam("key"),
        )
        .order_by(attachments.c.id)
    )


def listed_attachments(session: Session, viewer: Viewer, target: Target) -> list[dict[str, Any]]:
    """What a page lists (:data:`LISTED`) of the attachments ``viewer`` may see of ``target``, oldest first: one
    Core query, without loading the rows as objects."""
    found = session.connection().execute(
        _listed_of_target(viewer), {"entity": target.entity, "key": target.key}
    )
    return [dict(row._mapping) for row in found]


def attachments_of(session: Session, viewer: Viewer, target: Target | None = None) -> list[Attachment]:
    """The attachments ``viewer`` may see, of ``target`` (None: of everything), oldest first."""
    if target is not None:
        found = session.scalars(_of_target(viewer), {"entity": target.entity, "key": target.key})
        return list(found.all())
    query = select(Attachment).where(visible_clause(viewer)).order_by(col(Attachment.id))
    return list(session.exec(query).scalars().all())  # type: ignore[call-overload]


def attachment(session: Session, viewer: Viewer, attachment_id: int) -> Attachment | None:
    """Attachment ``attachment_id``, if ``viewer`` may see it."""
    query = select(Attachment).where(col(Attachment.id) == attachment_id, visible_clause(viewer))
    return session.exec(query).scalars().first()  # type: ignore[call-overload]


def stored_file(home: Path, row: Attachment) -> Path:
    """The kept file of attachment ``row``."""
    return kept_file(home, row.sha256, kind_of_media(row.media_type))


#: Who runs ``mel attachments list`` at a terminal: someone with the store itself in hand, who sees every file.
TERMINAL = Viewer(role="admin")


def as_json(row: Attachment) -> dict[str, Any]:
    """An attachment as plain JSON values: what it is and belongs to, and how much text was read (not the text)."""
    return {
        "id": row.id,
        "entity": row.entity,
        "key": row.entity_key,
        "title": row.title,
        "file_name": row.file_name,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "visibility": row.visibility,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at.isoformat(timespec="seconds"),
        "text_chars": len(row.text or ""),
        "extraction_note": row.extraction_note,
    }
