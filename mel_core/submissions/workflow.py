"""A workbook submission from upload to decision (DESIGN.md, "Workbook submissions").

``uploaded`` → ``checked`` → ``approved`` or ``returned``:

- :func:`submit` receives the file (refused, and nothing kept, when it is too large or unsafe to parse), keeps it
  once by its content, records the submission as ``uploaded`` and checks it at once with the problems of
  ``mel import --dry-run`` plus the rows outside the contributor's scope (:mod:`mel_core.submissions.scope`),
  keeping the warnings ``mel import`` prints too (figures typed in that differ from what the trade-promotion
  records count: :mod:`mel_core.trade.checks`), which do not stop it. Without a problem it becomes ``checked``
  and waits for a reviewer; with problems it stays ``uploaded``, its problems listed, and never reaches a
  reviewer: the contributor corrects the file and sends it again (a new submission). A server stopped during
  the check leaves it ``uploaded`` and unchecked.
- :func:`decide` approves or returns a ``checked`` submission. Returning needs a comment. Approving imports the
  file through :func:`mel_core.ingest.import_path`, all or nothing, in one transaction with the change of state
  and its audit event: a stopped server leaves the store before or after the approval, never between. The
  import checks everything again in its writing transaction (the contributor's scope too, as it is then); if
  the file no longer passes, nothing is imported and the submission goes back to ``uploaded`` with the new
  problems. The figures it sets remember the submission, its contributor and the reviewer
  (:class:`mel_core.ingest.Provenance`); a figure whose value does not change keeps what it had, so approving
  the same workbook again changes nothing.
- Of two reviewers deciding at once, one wins; the other's conditional UPDATE (``WHERE status = 'checked'``)
  changes nothing and they are told who decided (:class:`SubmissionConflict`), the import rolled back.

Every step is an event of the audit trail (``submission.upload``, ``.check``, ``.approve``, ``.return``),
written in the transaction of the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, update
from sqlmodel import Session, col, select

from mel_core import audit
from mel_core.access import Viewer, may, submissions_clause
from mel_core.accounts.users import acting_user
from mel_core.errors import ImportValidationError, MelError, Problem
from mel_core.i18n import message, render
from mel_core.ingest import ImportReport, Provenance, check_path, import_path
from mel_core.limits import Limits
from mel_core.store import User, WorkbookSubmission, session_scope, table_of
from mel_core.submissions.errors import SubmissionConflict, SubmissionError, SubmissionProblems
from mel_core.submissions.files import keep, receive, stored_file
from mel_core.submissions.scope import scope_check
from mel_core.text import nfc
from mel_core.trade.checks import import_warnings
from mel_core.vocabulary import SUBMISSION_DECISIONS

#: How many problems a submission keeps to show (all of them are counted).
KEPT_PROBLEMS = 1000
ENTITY = "submission"


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Approval:
    """A submission approved, and what its import did."""

    submission: WorkbookSubmission
    report: ImportReport


def problem_rows(problems: list[Problem], stored_name: str, file_name: str) -> list[dict[str, Any]]:
    """Problems (or warnings) as the pages show them: file, sheet, row, column, value, reason (English and
    Vietnamese).

    The importer names the kept file (its hash); the contributor reads the name they gave it. A warning about a
    row already in the store names the store, in both languages.
    """
    rows = []
    for p in problems[:KEPT_PROBLEMS]:
        source = str(p.source)
        if source.startswith(stored_name):
            source = file_name + source[len(stored_name) :]
        file, _, sheet = source.partition(" › ")
        row = {
            "file": file,
            "sheet": sheet,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "reason": str(p.reason),
            "reason_vi": render(p.reason, "vi"),
        }
        if render(p.source, "vi") != str(p.source):
            row["file_vi"] = render(p.source, "vi")
        rows.append(row)
    return rows


def shown_problems(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Problem rows (:func:`problem_rows`, as a submission keeps them) with their reason (and the store, where
    a warning names it) in ``lang``."""
    return [
        {
            **{k: v for k, v in p.items() if k not in ("reason_vi", "file_vi")},
            "file": (p.get("file_vi") or p["file"]) if lang == "vi" else p["file"],
            "reason": (p.get("reason_vi") or p["reason"]) if lang == "vi" else p["reason"],
        }
        for p in rows
    ]


def viewer_of_user(session: Session, email: str) -> Viewer:
    """The scope a submission's rows are held to: its contributor's, as the store has it now (a contributor
    unknown to the store has none, so every row is outside it)."""
    user = session.exec(select(User).where(col(User.email) == email)).first()
    if user is None:
        return Viewer(role="contributor", email=email)
    return Viewer(
        role=user.role,
        user_id=user.id,
        email=user.email,
        provinces=tuple(user.provinces or ()),
        organisation=user.organisation or "",
    )


def reviewer_of(session: Session, email: str) -> Viewer:
    """The enabled user ``email`` as a viewer who may approve or return workbooks (``mel submissions``).

    Raises:
        SubmissionError: no such user, disabled, or of a role that does not review.
    """
    user = acting_user(session, email, "review_workbooks")
    viewer = viewer_of_user(session, user.email) if user is not None else None
    if viewer is None:
        raise SubmissionError(
            message("submissions.workflow.not_enabled_reviewer_administrator", email=email),
            hint=message("submissions.workflow.give_e_mail_reviewer"),
        )
    return viewer


def submit(
    engine: Engine, home: Path, viewer: Viewer, stream: BinaryIO, name: str, *, limits: Limits | None = None
) -> WorkbookSubmission:
    """Receive, keep, record and check an upload from ``viewer``; the submission as it stands after its check.

    Raises:
        SubmissionError: ``viewer`` may not submit workbooks.
        UploadRefused: too large, not a workbook or CSV file of the formats, or unsafe to parse: nothing kept.
    """
    if not may(viewer, "submit_workbooks") or not viewer.email:
        raise SubmissionError(message("submissions.workflow.your_role_may_not"))
    received = receive(stream, name, home, limits)
    try:
        stored = keep(received, home)
    finally:
        received.path.unlink(missing_ok=True)
    with session_scope(engine) as session:
        submission = WorkbookSubmission(
            uploaded_by=viewer.email,
            uploaded_at=now(),
            file_name=received.name,
            kind=received.kind,
            sha256=received.sha256,
            size=received.size,
            stored_path=stored,
            status="uploaded",
        )
        session.add(submission)
        session.flush()
        key = str(submission.id)
        audit.record(
            session,
            "submission.upload",
            ENTITY,
            key,
            actor=viewer.email,
            after={
                "status": "uploaded",
                "file": received.name,
                "sha256": received.sha256,
                "size": received.size,
            },
        )
    return check(engine, home, int(key))


def check(engine: Engine, home: Path, submission_id: int) -> WorkbookSubmission:
    """Check the ``uploaded`` submission ``submission_id`` as ``mel import --dry-run`` would, and its rows
    against its contributor's scope; it becomes ``checked`` if nothing is wrong.

    Raises:
        SubmissionError: no such submission.
    """
    with session_scope(engine) as session:
        submission = _get(session, submission_id)
        uploader = viewer_of_user(session, submission.uploaded_by)
        path = stored_file(home, submission.stored_path)
        file_name = submission.file_name
    counts: dict[str, int] | None = None
    warnings: list[Problem] = []
    try:
        batch, sources = check_path(engine, path, also=scope_check(uploader))
        problems: list[Problem] = []
        counts = {name: len(rows) for name, rows in batch.records.items()}
        with engine.connect() as conn:
            warnings = import_warnings(conn, batch, sources)
    except ImportValidationError as exc:
        problems = exc.problems
    except MelError as exc:  # the kept file is gone, or of a kind the importer does not read
        problems = [Problem(file_name, 0, "", "", exc.message)]
    status = "uploaded" if problems else "checked"
    with session_scope(engine) as session:
        s = table_of(WorkbookSubmission)
        changed = session.execute(
            update(s)
            .where(s.c.id == submission_id, s.c.status == "uploaded")
            .values(
                status=status,
                checked_at=now(),
                problems_count=len(problems),
                problems=problem_rows(problems, path.name, file_name),
                warnings=problem_rows(warnings, path.name, file_name),
                row_counts=counts,
            )
        ).rowcount  # type: ignore[attr-defined]
        if changed == 1:
            audit.record(
                session,
                "submission.check",
                ENTITY,
                str(submission_id),
                actor=uploader.email,
                before={"status": "uploaded"},
                after={
                    "status": status,
                    "problems": len(problems),
                    "warnings": len(warnings),
                    "rows": counts,
                },
            )
    return find(engine, submission_id)


def decide(
    engine: Engine, home: Path, submission_id: int, decision: str, reviewer: Viewer, comment: str = ""
) -> Approval | WorkbookSubmission:
    """Approve (import) or return the ``checked`` submission ``submission_id``.

    Args:
        decision: ``approve`` or ``return`` (:data:`~mel_core.vocabulary.SUBMISSION_DECISIONS`).
        reviewer: who decides (a reviewer or an administrator).
        comment: what the contributor reads; required to return.

    Returns:
        An :class:`Approval` (the submission and its import's report), or the returned submission.

    Raises:
        SubmissionError: not a decision, not a reviewer, no comment to return, no such submission.
        SubmissionConflict: the submission is not ``checked`` (someone decided first, or it has problems).
        SubmissionProblems: the workbook no longer passes its check; nothing was imported.
    """
    if decision not in SUBMISSION_DECISIONS:
        raise SubmissionError(
            message("submissions.workflow.not_decision", decision=decision),
            hint=message("submissions.workflow.use_approve_return"),
        )
    if not may(reviewer, "review_workbooks") or not reviewer.email:
        raise SubmissionError(
            message("submissions.workflow.may_not_approve_return", email=reviewer.email)
            if reviewer.email
            else message("submissions.workflow.anonymous_visitor_may_not"),
            hint=message("submissions.workflow.ask_reviewer_administrator"),
        )
    text = nfc(comment or "").strip()
    if decision == "return":
        return _return(engine, submission_id, reviewer, text)
    return _approve(engine, home, submission_id, reviewer, text)


def _return(engine: Engine, submission_id: int, reviewer: Viewer, text: str) -> WorkbookSubmission:
    if not text:
        raise SubmissionError(
            message("submissions.workflow.returning_workbook_needs_comment"),
            hint=message("submissions.workflow.say_what_change"),
        )
    with session_scope(engine) as session:
        _get(session, submission_id)
        _claim(session.connection(), submission_id, "returned", reviewer.email, text)
    return find(engine, submission_id)


def _approve(engine: Engine, home: Path, submission_id: int, reviewer: Viewer, text: str) -> Approval:
    with session_scope(engine) as session:
        submission = _get(session, submission_id)
        if submission.status != "checked":  # known before reading the file; checked again under the lock
            raise SubmissionConflict(_conflict(session.connection(), submission_id))
        uploader = viewer_of_user(session, submission.uploaded_by)
        path = stored_file(home, submission.stored_path)
        file_name, uploaded_by = submission.file_name, submission.uploaded_by

    def claim(conn: Connection) -> None:
        _claim(conn, submission_id, "approved", reviewer.email, text)

    try:
        report = import_path(
            engine,
            path,
            actor=reviewer.email,
            provenance=Provenance(uploaded_by, reviewer.email, submission_id),
            also=scope_check(uploader),
            before_write=claim,
        )
    except ImportValidationError as exc:
        _back_to_contributor(engine, submission_id, exc.problems, path.name, file_name, reviewer.email)
        raise SubmissionProblems(exc.problems, file_name, submission_id) from None
    return Approval(find(engine, submission_id), report)


def _claim(conn: Connection, submission_id: int, state: str, by: str, text: str) -> None:
    """Move a ``checked`` submission to ``state`` with its audit event, or raise if it is not ``checked``."""
    s = table_of(WorkbookSubmission)
    changed = conn.execute(
        update(s)
        .where(s.c.id == submission_id, s.c.status == "checked")
        .values(status=state, reviewed_by=by, decided_at=now(), comment=text or None)
    ).rowcount
    if changed != 1:
        raise SubmissionConflict(_conflict(conn, submission_id))
    decision = next(d for d, to in SUBMISSION_DECISIONS.items() if to == state)
    audit.record(
        conn,
        f"submission.{decision}",
        ENTITY,
        str(submission_id),
        actor=by,
        before={"status": "checked"},
        after={"status": state},
        note=text or None,
    )


def _back_to_contributor(
    engine: Engine, submission_id: int, problems: list[Problem], stored_name: str, file_name: str, by: str
) -> None:
    with session_scope(engine) as session:
        s = table_of(WorkbookSubmission)
        changed = session.execute(
            update(s)
            .where(s.c.id == submission_id, s.c.status == "checked")
            .values(
                status="uploaded",
                checked_at=now(),
                problems_count=len(problems),
                problems=problem_rows(problems, stored_name, file_name),
                warnings=[],
            )
        ).rowcount  # type: ignore[attr-defined]
        if changed == 1:
            audit.record(
                session,
                "submission.check",
                ENTITY,
                str(submission_id),
                actor=by,
                before={"status": "checked"},
                after={"status": "uploaded", "problems": len(problems)},
                note="checked again at approval: the store or the contributor's scope changed",
            )


def _conflict(conn: Connection, submission_id: int) -> str:
    s = table_of(WorkbookSubmission)
    row = conn.execute(
        select(s.c.status, s.c.reviewed_by, s.c.decided_at).where(s.c.id == submission_id)
    ).first()
    status, by, at = row if row is not None else ("", None, None)
    who = f" ({by}, {at:%Y-%m-%d %H:%M} UTC)" if by and at else ""
    return message(
        "submissions.workflow.submission_not_waiting_reviewer",
        submission_id=submission_id,
        status=status,
        who=who,
    )


def _get(session: Session, submission_id: int) -> WorkbookSubmission:
    found = session.get(WorkbookSubmission, submission_id)
    if found is None:
        raise SubmissionError(
            message("submissions.workflow.no_submission", submission_id=submission_id),
            hint=message("submissions.workflow.list_them_mel_submissions"),
        )
    return found


def find(engine: Engine, submission_id: int) -> WorkbookSubmission:
    """The stored submission ``submission_id``, detached from any session.

    Raises:
        SubmissionError: there is none.
    """
    with session_scope(engine) as session:
        found = _get(session, submission_id)
        session.expunge(found)
    return found


def visible(session: Session, viewer: Viewer, submission_id: int) -> WorkbookSubmission | None:
    """The submission if ``viewer`` may see it (a reviewer any, a contributor their own), else None."""
    return session.exec(
        select(WorkbookSubmission).where(
            col(WorkbookSubmission.id) == submission_id, submissions_clause(viewer)
        )
    ).first()


def listing(
    session: Session, viewer: Viewer, *, own: bool = False, status: str | None = None
) -> list[WorkbookSubmission]:
    """Submissions ``viewer`` may see, newest first (``own``: only theirs; ``status``: only in that state)."""
    query = select(WorkbookSubmission).where(submissions_clause(viewer))
    if own:
        query = query.where(col(WorkbookSubmission.uploaded_by) == viewer.email)
    if status:
        query = query.where(col(WorkbookSubmission.status) == status)
    return list(session.exec(query.order_by(col(WorkbookSubmission.id).desc())).all())


def every(session: Session, status: str | None = None) -> list[WorkbookSubmission]:
    """Every submission, newest first (``status``: only in that state), for whoever holds the store."""
    query = select(WorkbookSubmission)
    if status:
        query = query.where(col(WorkbookSubmission.status) == status)
    return list(session.exec(query.order_by(col(WorkbookSubmission.id).desc())).all())


def queue(session: Session) -> list[WorkbookSubmission]:
    """Checked submissions waiting for a reviewer, the longest-waiting first."""
    return list(
        session.exec(
            select(WorkbookSubmission)
            .where(col(WorkbookSubmission.status) == "checked")
            .order_by(col(WorkbookSubmission.id))
        ).all()
    )


def same_file(session: Session, viewer: Viewer, submission: WorkbookSubmission) -> list[tuple[int, str]]:
    """Other submissions ``viewer`` may see of the same bytes: (id, status), oldest first."""
    return [
        (s.id or 0, s.status)
        for s in session.exec(
            select(WorkbookSubmission)
            .where(
                col(WorkbookSubmission.sha256) == submission.sha256,
                col(WorkbookSubmission.id) != submission.id,
                submissions_clause(viewer),
            )
            .order_by(col(WorkbookSubmission.id))
        ).all()
    ]
