"""Reading the store: a programme by its code, its provinces, and any query as a pandas frame.

The domain packages (criteria, indicators, reports, kb, the book, the portal) read the store through these
functions rather than each writing its own look-up: a code that names no programme is the one
:class:`~mel_core.errors.NotFound` everywhere, with the same message and the list of the programmes there are.

Every function takes an open :class:`~sqlmodel.Session` or, inside a transaction that already holds one, its
:class:`~sqlalchemy.Connection`; none opens, commits or closes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from mel_core.errors import NotFound
from mel_core.i18n import message
from mel_core.store.base import table_of
from mel_core.store.programmes import Programme, ProgrammeProvince

if TYPE_CHECKING:
    import pandas as pd

#: What the functions read from: a session, or the connection of a transaction under way.
Reader = Session | Connection


def connection(source: Reader) -> Connection:
    """The connection ``source`` reads through (a session's own, joined to its transaction)."""
    return source.connection() if isinstance(source, Session) else source


def frame(
    source: Reader, query: Any, columns: list[str], types: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The rows of ``query`` as a frame with ``columns`` (one name per selected column, in order), each column of
    ``types`` cast to its type (``{"cumulative": bool}``: SQLite returns 0 and 1).

    The rows go to pandas as plain tuples: given SQLAlchemy's rows, pandas probes each for attributes it lacks,
    which costs microseconds a row.
    """
    import pandas as pd  # here: the store's other readers (the portal's pages, the book) do without it

    out = pd.DataFrame([tuple(row) for row in connection(source).execute(query)], columns=columns)
    for name, kind in (types or {}).items():
        out[name] = out[name].astype(kind)
    return out


def programme_codes(source: Reader) -> list[str]:
    """Every programme code in the store, sorted."""
    p = table_of(Programme)
    return list(connection(source).scalars(select(p.c.code).order_by(p.c.code)))


def unknown_programme(source: Reader, code: str) -> NotFound:
    """The error for a programme code that is not in the store, naming the programmes there are."""
    known = ", ".join(programme_codes(source))
    return NotFound(
        message("store.read.programme_not_store", code=code),
        hint=message("store.read.known_programmes", known=known)
        if known
        else message("store.read.known_programmes_none_mel"),
        entity="programme",
        key=code,
    )


def programme_record(source: Reader, code: str) -> dict[str, Any]:
    """The programme's own fields (every column of ``programmes``) by its code.

    Raises:
        NotFound: no programme has this code.
    """
    p = table_of(Programme)
    row = connection(source).execute(select(p).where(p.c.code == code)).mappings().first()
    if row is None:
        raise unknown_programme(source, code)
    return dict(row)


def programme_id(source: Reader, code: str) -> int:
    """The id of the programme of ``code``.

    Raises:
        NotFound: no programme has this code.
    """
    return int(programme_record(source, code)["id"])


def programme(session: Session, code: str) -> Programme:
    """The programme of ``code`` as a model object (for pages that read its relations).

    Raises:
        NotFound: no programme has this code.
    """
    found = session.exec(orm_select(Programme).where(col(Programme.code) == code)).first()
    if found is None:
        raise unknown_programme(session, code)
    return found


def programme_provinces(source: Reader, ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """The provinces of each programme (of ``ids``; None: of every programme) in their workbook order, by
    programme id; a programme without provinces is left out."""
    pp = table_of(ProgrammeProvince)
    query = select(pp.c.programme_id, pp.c.admin_unit_code).order_by(pp.c.programme_id, pp.c.position)
    if ids is not None:
        query = query.where(pp.c.programme_id.in_(list(ids)))
    out: dict[int, list[str]] = {}
    for pid, unit in connection(source).execute(query):
        out.setdefault(pid, []).append(unit)
    return out
