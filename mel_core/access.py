"""Who may see and do what: the one place that decides (DESIGN.md, "The portal").

Every page, API route, search and listing of the portal asks this module; nothing else compares roles.

- A :class:`Viewer` is who asks: anonymous, or a signed-in user with one role (``reader``, ``contributor``,
  ``evaluator``, ``reviewer``, ``admin``); a contributor is scoped to provinces and/or an organisation.
- :func:`may` answers a yes/no permission (:data:`PERMISSIONS` lists them and the roles that hold them).
- :func:`lessons_clause` and :func:`evaluations_clause` are the SQL conditions of the lessons and
  evaluations a viewer may see, for listings and single pages alike.
- :func:`audience` names the search index a viewer searches: ``public`` (visible lessons only, what the book
  and ``mel kb search`` show) or ``internal`` (internal lessons too). Neither index holds contact details.
- :func:`workbook_row_scope` says whether a contributor may submit one row of a workbook (see below), and
  :func:`submissions_clause` which workbook submissions a viewer may see.

The rules (a lesson is public once a reviewer has published it; DESIGN.md, "Lesson states"):

| who | lessons | evaluations | contact details | review |
| --- | --- | --- | --- | --- |
| anonymous | published public ones | finished | no | no |
| reader, evaluator | published ones, internal too | finished; evaluator also running, failed | no | no |
| contributor | as anonymous, and those of their scope in any state | finished | no | submits (scope) |
| reviewer, admin | all, in any state | all | yes | publishes, returns, rejects |

Workbook submissions (``submit_workbooks``: contributor, reviewer, admin; ``review_workbooks``: reviewer, admin).
A contributor sees only their own submissions, a reviewer all of them. Every row of a contributor's workbook
must be within their scope, or it is refused as a problem of that row; reviewers and administrators have no
such restriction. A row belongs to a programme (its ``programme_code``, or the ``code`` of a programmes row)
and, for targets, observations and the survey, to a place (``admin_unit``; empty or ``VN`` is the whole
programme). With *their provinces* the contributor's province codes and the pre-2025 codes merged into them
(:func:`scope_codes`):

1. A programme implemented by the contributor's organisation (``implementer`` equal to it, compared without
   regard to case or Unicode form) is theirs entirely: every row of it, for any place.
2. Otherwise a programme is theirs when at least one of its provinces is theirs; then a row for a province is
   theirs when the province is (a district or commune counts as its province), and a row for the whole
   programme (targets and observations without a place, indicators, expenditures, activities) only when every
   province of the programme is theirs: figures of a programme that reaches beyond their provinces are
   submitted province by province.
3. A programmes row is a row for the whole programme, judged both on what it says (its provinces and
   implementer) and, when the programme is already in the store, on what the store holds: no one takes over a
   programme by listing it under their provinces.
4. Trade promotion (seed 000): an activity row is for its ``province`` (or the whole programme); participants
   and results belong to their activity's programme. A row of the enterprise register or of an enterprise's
   report is for the enterprise's province (:func:`enterprise_row_scope`); a contributor of an organisation
   (an association reporting for its members) may submit enterprises of any province.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from mel_core import geo
from mel_core.privacy import private_values, redact_each
from mel_core.store import Evaluation, Lesson, LessonProvince, WorkbookSubmission, table_of
from mel_core.text import nfc
from mel_core.vocabulary import ROLES

#: Lesson statuses that readers (and, for public lessons, anyone) may see: only what a reviewer published.
LISTED_STATUSES = ("published",)
AUDIENCES = ("public", "internal")

#: permission → the roles that hold it (anonymous holds only ``browse``, unless MEL_PUBLIC=0).
PERMISSIONS: dict[str, frozenset[str]] = {
    "browse": frozenset(ROLES),
    "see_internal": frozenset({"reader", "evaluator", "reviewer", "admin"}),
    "see_drafts": frozenset({"reviewer", "admin"}),
    "see_contact": frozenset({"reviewer", "admin"}),
    "see_unfinished_evaluations": frozenset({"evaluator", "reviewer", "admin"}),
    "submit_lessons": frozenset({"contributor", "reviewer", "admin"}),
    "review_lessons": frozenset({"reviewer", "admin"}),
    "respond_recommendations": frozenset({"reviewer", "admin"}),
    "submit_workbooks": frozenset({"contributor", "reviewer", "admin"}),
    "review_workbooks": frozenset({"reviewer", "admin"}),
    "attach_files": frozenset({"evaluator", "reviewer", "admin"}),
    "manage_users": frozenset({"admin"}),
    # trade promotion (seed 000): "my reports", of the programmes of one's scope (trade_report_scope)
    "see_trade_reports": frozenset(ROLES),
}


@dataclass(frozen=True)
class Viewer:
    """Who is asking. ``role`` is empty for an anonymous visitor."""

    role: str = ""
    user_id: int | None = None
    email: str = ""
    provinces: tuple[str, ...] = ()
    organisation: str = ""

    @property
    def signed_in(self) -> bool:
        return bool(self.role)


ANONYMOUS = Viewer()


def may(viewer: Viewer, permission: str, *, public_site: bool = True) -> bool:
    """Whether ``viewer`` holds ``permission``.

    Args:
        viewer: who asks.
        permission: a key of :data:`PERMISSIONS`.
        public_site: False when the site requires a sign-in for everything (``MEL_PUBLIC=0``).

    Raises:
        KeyError: ``permission`` is not one of :data:`PERMISSIONS` (a typo must not grant or deny silently).
    """
    roles = PERMISSIONS[permission]
    if not viewer.signed_in:
        return permission == "browse" and public_site
    return viewer.role in roles


def audience(viewer: Viewer) -> str:
    """The search index ``viewer`` searches: ``internal`` for those who may see internal lessons."""
    return "internal" if may(viewer, "see_internal") else "public"


def audience_lessons(name: str) -> ColumnElement[bool]:
    """The lessons an index of audience ``name`` holds (``public`` or ``internal``)."""
    lessons = table_of(Lesson)
    # equalities, not IN: an IN's list is a parameter SQLAlchemy writes into the SQL again at every execution
    listed = or_(*(lessons.c.status == status for status in LISTED_STATUSES))
    if name == "public":
        return and_(lessons.c.visibility == "public", listed)
    if name == "internal":
        return listed
    raise ValueError(f"unknown audience {name!r}; use one of {AUDIENCES}")


def scope_codes(viewer: Viewer) -> list[str]:
    """The province codes of a contributor's scope, with the pre-2025 provinces merged into them."""
    codes: set[str] = set()
    for code in viewer.provinces:
        codes.add(code)
        codes.update(geo.predecessors(code))
    return sorted(codes)


@dataclass(frozen=True)
class ProgrammeScope:
    """What decides whose a programme is: the provinces it works in (codes as listed) and its implementer."""

    code: str
    provinces: frozenset[str]
    implementer: str = ""


#: Why a row of a workbook is outside a contributor's scope (:func:`workbook_row_scope`); '' when it is not.
OUT_OF_SCOPE = ("programme", "province", "whole")


def _same_organisation(a: str, b: str) -> bool:
    return bool(a.strip()) and nfc(a).strip().casefold() == nfc(b).strip().casefold()


def workbook_row_scope(viewer: Viewer, programme: ProgrammeScope, province: str | None) -> str:
    """Whether ``viewer`` may submit a row of ``programme`` for ``province`` (None: the whole programme).

    Returns:
        ``''`` when they may; else why not (:data:`OUT_OF_SCOPE`): ``programme`` (not a programme of theirs),
        ``province`` (a province outside theirs) or ``whole`` (a figure for the whole of a programme that also
        works outside their provinces). The rules are in this module's docstring.
    """
    if may(viewer, "review_workbooks"):
        return ""
    if not may(viewer, "submit_workbooks"):
        return "programme"
    if viewer.organisation and _same_organisation(programme.implementer, viewer.organisation):
        return ""
    mine = set(scope_codes(viewer))
    if not programme.provinces & mine:
        return "programme"
    if province is None:
        return "" if programme.provinces <= mine else "whole"
    return "" if province in mine else "province"


def enterprise_row_scope(viewer: Viewer, province: str | None) -> str:
    """Whether ``viewer`` may submit a row of the enterprise register or an enterprise's report, the enterprise
    being in ``province``: ``''`` when they may, else ``province`` (rule 4 above)."""
    if may(viewer, "review_workbooks"):
        return ""
    if not may(viewer, "submit_workbooks"):
        return "programme"
    if viewer.organisation:
        return ""
    return "" if province is not None and province in set(scope_codes(viewer)) else "province"


def trade_report_scope(viewer: Viewer, programme: ProgrammeScope) -> bool:
    """Whether ``viewer`` sees the trade-promotion reports of ``programme`` in the portal ("my reports"):
    readers and above see every programme's; a contributor those of the programmes that are theirs, by
    organisation (an association's) or working only in their provinces (a centre's); anonymous visitors none."""
    if not may(viewer, "see_trade_reports"):
        return False
    if may(viewer, "see_internal") or may(viewer, "review_workbooks"):
        return True
    if viewer.organisation and _same_organisation(programme.implementer, viewer.organisation):
        return True
    return bool(programme.provinces) and programme.provinces <= set(scope_codes(viewer))


def lessons_clause(viewer: Viewer) -> ColumnElement[bool]:
    """The SQL condition (on the ``lessons`` table) of the lessons ``viewer`` may see."""
    if may(viewer, "see_drafts"):
        return true()
    lessons = table_of(Lesson)
    seen = audience_lessons(audience(viewer))
    if viewer.role == "contributor":
        own: list[ColumnElement[bool]] = []
        codes = scope_codes(viewer)
        if codes:
            places = table_of(LessonProvince)
            own.append(
                lessons.c.id.in_(select(places.c.lesson_id).where(places.c.admin_unit_code.in_(codes)))
            )
        if viewer.organisation:
            own.append(lessons.c.submitted_by == viewer.organisation)
        if own:
            seen = or_(seen, *own)
    return seen


def evaluations_clause(viewer: Viewer) -> ColumnElement[bool]:
    """The SQL condition (on the ``evaluations`` table) of the evaluations ``viewer`` may see."""
    if may(viewer, "see_unfinished_evaluations"):
        return true()
    return table_of(Evaluation).c.status == "succeeded"


def submissions_clause(viewer: Viewer) -> ColumnElement[bool]:
    """The SQL condition (on ``workbook_submissions``) of the submissions ``viewer`` may see: a reviewer all of
    them, a contributor their own, anyone else none."""
    if may(viewer, "review_workbooks"):
        return true()
    if may(viewer, "submit_workbooks") and viewer.email:
        return table_of(WorkbookSubmission).c.uploaded_by == viewer.email
    return false()


#: The states in which a lesson's author may still change it and attach files to it.
AUTHOR_STATES = ("draft", "returned")


def may_attach(viewer: Viewer, entity: str, *, author: str | None = None, status: str | None = None) -> bool:
    """Whether ``viewer`` may attach a file to a ``programme`` or an ``evaluation`` (those who edit them:
    evaluators, reviewers, administrators: ``attach_files``) or to a ``lesson`` whose author (the e-mail of who
    wrote it in the portal) and status are given: reviewers and administrators, and its author while it is a
    draft or returned (:data:`AUTHOR_STATES`). Who may see the target is a separate question (a lesson's page is
    404 to those who may not see it)."""
    if entity == "lesson":
        if may(viewer, "review_lessons"):
            return True
        return (
            may(viewer, "submit_lessons")
            and bool(viewer.email)
            and author == viewer.email
            and status in AUTHOR_STATES
        )
    return may(viewer, "attach_files")


def sees_contact(viewer: Viewer) -> bool:
    """Whether ``viewer`` may see a lesson's contact details (names, phone numbers, e-mails)."""
    return may(viewer, "see_contact")


def shown_text(viewer: Viewer, contact: Any) -> Callable[[str], str]:
    """How a lesson's text is shown to ``viewer``: as filed to those who see contact details; otherwise with
    phone numbers, e-mail addresses and the contact's own details blanked out (:func:`mel_core.privacy.redact`)."""
    many = shown_texts(viewer, contact)
    return lambda text: many([text])[0] if text else text


def shown_texts(viewer: Viewer, contact: Any) -> Callable[[Sequence[str]], list[str]]:
    """:func:`shown_text` for the texts of a whole page at once (:func:`mel_core.privacy.redact_each`)."""
    if sees_contact(viewer):
        return list
    private = private_values(contact)
    return lambda texts: redact_each(texts, private)
