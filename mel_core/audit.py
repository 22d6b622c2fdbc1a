"""The audit trail: every change of state, rating override, approval and user change, as who, when, what, before
and after (``mel audit``; a reviewer sees an entity's history on its page).

Events are written in the same transaction as the change they describe, so a change that rolls back leaves no
event and an event never describes a change that did not happen. The table is append-only (the database
refuses UPDATE and DELETE on it; see :mod:`mel_core.store.audit`).

The actor is a portal user's e-mail, or ``cli:<account>@<machine>`` for a command run at a terminal.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert
from sqlmodel import Session, col, select

from mel_core.store import AuditEvent, table_of


@dataclass(frozen=True)
class Event:
    """One line of the trail, as the CLI and the portal show it."""

    at: datetime
    actor: str
    action: str
    entity: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field whose value differs."""
        before, after = self.before or {}, self.after or {}
        names = list(dict.fromkeys([*before, *after]))
        return [(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)]

    def as_json(self) -> dict[str, Any]:
        """The event as plain JSON values."""
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "key": self.key,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }


def cli_actor() -> str:
    """The actor of a command run at a terminal: ``cli:<account>@<machine>``."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        account = "unknown"
    return f"cli:{account}@{socket.gethostname()}"


def _plain(value: Any) -> Any:
    """``value`` as JSON can hold it (dates as ISO text, tuples as lists, decimals as numbers)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def record(
    session: Session | Connection,
    action: str,
    entity: str,
    key: str,
    *,
    actor: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Add one event to the trail, in the transaction of ``session`` (an ORM session or a connection): it is
    committed, or rolled back, with the change it describes.

    Args:
        action: ``noun.verb``, e.g. ``lesson.publish``, ``user.set_role``, ``rating.override``.
        entity: the kind of thing changed (``lesson``, ``user``, ``rating`` …) and ``key`` which one.
        actor: who; default :func:`cli_actor`.
        before, after: the values that changed, before and after (only what the change is about).
    """
    row = {
        "at": datetime.now(UTC),
        "actor": actor or cli_actor(),
        "action": action,
        "entity": entity,
        "entity_key": key,
        "before": _plain(dict(before)) if before is not None else None,
        "after": _plain(dict(after)) if after is not None else None,
        "note": note,
    }
    session.execute(insert(table_of(AuditEvent)).values(**row))


def events(
    session: Session,
    *,
    entity: str | None = None,
    key: str | None = None,
    key_prefix: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Events of the trail, oldest first, narrowed by entity, key (or the start of the key: ``key_prefix``), actor
    and time (``limit``: the newest N)."""
    query = select(AuditEvent)
    if entity:
        query = query.where(col(AuditEvent.entity) == entity)
    if key:
        query = query.where(col(AuditEvent.entity_key) == key)
    if key_prefix:
        escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(AuditEvent.entity_key).like(f"{escaped}%", escape="\\"))
    if actor:
        query = query.where(col(AuditEvent.actor) == actor)
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    query = query.order_by(col(AuditEvent.id).desc())
    if limit:
        query = query.limit(limit)
    rows: Sequence[AuditEvent] = session.exec(query).all()
    return [_event(r) for r in reversed(rows)]


def history(session: Session, entity: str, key: str) -> list[Event]:
    """Everything that happened to one entity, oldest first."""
    return events(session, entity=entity, key=key)


def _event(row: AuditEvent) -> Event:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return Event(at, row.actor, row.action, row.entity, row.entity_key, row.before, row.after, row.note)
