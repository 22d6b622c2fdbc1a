"""What can go wrong with a workbook submission, each error carrying what the person needs to act on it."""

from __future__ import annotations

from dataclasses import dataclass

from mel_core.errors import ImportValidationError, MelError, Problem
from mel_core.i18n import message


class SubmissionError(MelError):
    """A step that cannot be taken: an unknown submission, a missing comment, a decision that is not one."""

    exit_code = 65  # EX_DATAERR


class SubmissionConflict(SubmissionError):
    """Someone else decided on the submission first (or it is not waiting for a reviewer)."""

    exit_code = 75  # EX_TEMPFAIL: read the submission again


class UploadRefused(SubmissionError):
    """An upload refused before anything parsed it (too large, a zip bomb, not a workbook, a wrong name): nothing
    was kept. ``too_large`` tells the portal to answer 413."""

    def __init__(
        self, message: str, problems: list[Problem], *, too_large: bool = False, hint: str = ""
    ) -> None:
        super().__init__(message, hint)
        self.problems = problems
        self.too_large = too_large


@dataclass
class SubmissionProblems(ImportValidationError, SubmissionError):
    """An approval refused because the workbook no longer passes its check (the store or the contributor's scope
    changed since): nothing was imported, and the submission is back with its contributor. Carries every
    problem found, as :class:`~mel_core.errors.ImportValidationError` does."""

    submission_id: int = 0

    def __post_init__(self) -> None:
        n = len(self.problems)
        MelError.__init__(
            self,
            message("submissions.errors.submission_no_longer_passes", submission_id=self.submission_id, n=n),
            hint=message("submissions.errors.contributor_sees_problems_submission"),
        )
