"""Workbook submissions of the portal (DESIGN.md, "Workbook submissions"): a contributor uploads a workbook or
CSV file for their scope, sees the problems ``mel import --dry-run`` would list and the rows outside their
scope, and a reviewer approves it (imported, all or nothing) or returns it with a comment.

The states and what moves a submission between them are in :mod:`~mel_core.submissions.workflow`; whose a row
is, in :mod:`mel_core.access` (asked by :mod:`~mel_core.submissions.scope`); how an upload is received and
kept, in :mod:`~mel_core.submissions.files`.
"""

from mel_core.submissions.errors import SubmissionConflict, SubmissionError, SubmissionProblems, UploadRefused
from mel_core.submissions.files import upload_kind
from mel_core.submissions.workflow import (
    Approval,
    check,
    decide,
    every,
    find,
    listing,
    problem_rows,
    queue,
    reviewer_of,
    same_file,
    shown_problems,
    submit,
    visible,
)

__all__ = [
    "Approval",
    "SubmissionConflict",
    "SubmissionError",
    "SubmissionProblems",
    "UploadRefused",
    "check",
    "decide",
    "every",
    "find",
    "listing",
    "problem_rows",
    "queue",
    "reviewer_of",
    "same_file",
    "shown_problems",
    "submit",
    "upload_kind",
    "visible",
]
