"""The one error root of the package.

Every error a user can cause is a :class:`MelError`; the CLI translates each into a short message that says
what to do next and an exit code (see ``mel_core.cli``). Anything else escaping is a bug and keeps its
traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from mel_core.i18n import message, render, t


class MelError(Exception):
    """Base class of every expected, user-facing error.

    Attributes:
        hint: what the user should do next, one sentence.
        exit_code: the process exit code the CLI uses.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def details(self, lang: str = "en") -> list[str]:
        """Lines to show before the message (what failed, where), in ``lang``; none by default."""
        return []


class ConfigurationError(MelError):
    """A setting (environment variable, database URL, path) is missing or wrong."""

    exit_code = 78  # EX_CONFIG


class StoreError(MelError):
    """The store cannot be opened, is at the wrong schema version, or refused a write."""

    exit_code = 74  # EX_IOERR


class OutputError(MelError):
    """An output (an export, a report) cannot be written where it was asked for."""

    exit_code = 73  # EX_CANTCREAT


class NotFound(MelError):
    """No record of this kind has this code in the store: a programme, an evaluation, a lesson …

    The one error for a code that names nothing (``mel evaluate NOPE``, ``/programmes/NOPE``): the CLI exits 65
    like any wrong value of an input, the portal answers 404.

    Attributes:
        entity: what was looked for (``"programme"``, ``"evaluation"`` …).
        key: the code that was asked for.
    """

    exit_code = 65  # EX_DATAERR

    def __init__(self, message: str, hint: str = "", *, entity: str = "", key: str = "") -> None:
        super().__init__(message, hint)
        self.entity = entity
        self.key = key


class PeriodError(MelError, ValueError):
    """A period string does not follow one of the accepted syntaxes."""

    exit_code = 65  # EX_DATAERR


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input file: where it is and why it is wrong.

    ``row`` is the row number as a spreadsheet shows it (header = 1); 0 means the whole file or sheet.
    """

    source: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return self.render("en")

    def render(self, lang: str = "en") -> str:
        """``source, row N, column 'c': reason (value: 'v')`` in English or Vietnamese."""
        where = self.source if self.row == 0 else f"{self.source}, {t('common.row', lang)} {self.row}"
        if self.column:
            where += f", {t('common.column', lang)} '{self.column}'"
        shown = f" ({t('common.value', lang)}: {self.value!r})" if self.value != "" else ""
        return f"{where}: {render(self.reason, lang)}{shown}"


@dataclass
class ImportValidationError(MelError):
    """The input has problems; nothing was written. Carries every problem found."""

    problems: list[Problem] = field(default_factory=list)
    path: str = ""
    exit_code = 65  # EX_DATAERR

    def __post_init__(self) -> None:
        n = len(self.problems)
        super().__init__(
            message(
                "core.errors.import_problem" if n == 1 else "core.errors.import_problems", path=self.path, n=n
            ),
            hint=message("core.errors.import_hint"),
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, order=True)
class LineProblem(Problem):
    """A problem in a text file (a lesson): ``row`` is the line number (1 = first line), ``column`` the field."""

    def render(self, lang: str = "en") -> str:
        """``source, line N, field 'f': reason (value: 'v')`` in English or Vietnamese."""
        line = t("core.errors.line", lang)
        field_word = t("core.errors.field", lang)
        where = self.source if self.row == 0 else f"{self.source}, {line} {self.row}"
        if self.column:
            where += f", {field_word} '{self.column}'"
        shown = f" ({t('common.value', lang)}: {self.value!r})" if self.value != "" else ""
        return f"{where}: {render(self.reason, lang)}{shown}"


@dataclass
class LessonFormatError(ImportValidationError):
    """Lesson files break the format of DESIGN.md; nothing was written. Carries every problem found."""

    def __post_init__(self) -> None:
        n = len(self.problems)
        MelError.__init__(
            self,
            message(
                "core.errors.lesson_problem" if n == 1 else "core.errors.lesson_problems", path=self.path, n=n
            ),
            hint=message("core.errors.lessons_hint"),
        )


class ByName:
    """Read a payload's fields also by name (``failure["ename"]``), as the dicts the payloads replaced were read."""

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        return getattr(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        """The field ``name``, or ``default`` when there is no such field."""
        return getattr(self, name) if name in self._names() else default

    def _names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CellError(ByName):
    """Where and how a notebook stopped, as papermill's ``PapermillExecutionError`` tells it.

    Attributes:
        ename: the exception's name (``KernelStartError``, ``NoResult`` … when it did not stop in a cell).
        evalue: the exception's message.
        cell: the index of the failing cell; None when the notebook did not stop in a cell.
        execution_count: the ``In [n]`` number of the failing cell; None as ``cell``.
    """

    ename: str
    evalue: str
    cell: int | None = None
    execution_count: int | None = None

    def __str__(self) -> str:
        return f"In [{self.execution_count or '?'}]: {self.ename}: {self.evalue}"


@dataclass(frozen=True)
class NotebookFailure(ByName):
    """One failed evaluation: which template failed, the output notebook kept with its error, and the error.

    Attributes:
        evaluation: the evaluation's code.
        template: the template's name (``coherence`` …).
        notebook: the path of the kept output notebook.
        cell, execution_count, ename, evalue: as in :class:`CellError`.
    """

    evaluation: str
    template: str
    notebook: str
    ename: str
    evalue: str
    cell: int | None = None
    execution_count: int | None = None

    @classmethod
    def of(cls, evaluation: str, template: str, notebook: str, error: CellError) -> NotebookFailure:
        """The failure of ``template`` in ``evaluation``, whose output notebook stopped with ``error``."""
        return cls(
            evaluation, template, notebook, error.ename, error.evalue, error.cell, error.execution_count
        )

    def summary(self) -> str:
        """``coherence.ipynb, cell 3: RuntimeError: …``: the error an evaluation's record keeps."""
        return f"{self.template}.ipynb, cell {self.execution_count or '?'}: {self.ename}: {self.evalue}"

    def provenance(self) -> dict[str, object]:
        """The failure as the record's provenance keeps it (under ``failed``)."""
        return {
            "template": self.template,
            "notebook": self.notebook,
            "cell": self.cell,
            "execution_count": self.execution_count,
            "ename": self.ename,
            "evalue": self.evalue,
        }

    def render(self) -> str:
        """``CODE: <notebook>, In [3]: RuntimeError: …``: one line of the CLI's report."""
        return (
            f"{self.evaluation}: {self.notebook or self.template}, In [{self.execution_count or '?'}]:"
            f" {self.ename}: {self.evalue}"
        )


class EvaluationFailed(MelError):
    """Evaluation notebooks failed while they ran (one, or several under ``mel evaluate --all``).

    The message, hint and the lines of :meth:`details` are made from the failures, in English and Vietnamese.

    Attributes:
        failures: one :class:`NotebookFailure` per failed evaluation.
        outcomes: what became of every evaluation of the run (``EvaluationOutcome`` of
            :mod:`mel_core.evaluations.runner`), the succeeded ones too.
    """

    exit_code = 1

    def __init__(self, failures: Sequence[NotebookFailure], outcomes: Sequence[Any] = ()) -> None:
        self.failures = list(failures)
        self.outcomes = list(outcomes)
        which = "; ".join(f"{f.evaluation} ({f.template}: {f.ename})" for f in self.failures)
        n = len(self.failures)
        super().__init__(
            message("core.errors.evaluations_failed", n=n, which=which),
            hint=message("core.errors.evaluation_hint"),
        )

    def details(self, lang: str = "en") -> list[str]:
        """One line per failed evaluation: its code, the kept notebook, the failing cell and the error."""
        return [f.render() for f in self.failures]


class BookBuildError(MelError):
    """The book's Sphinx build (or its PDF printing) failed; ``problems`` are the warnings and errors reported."""

    exit_code = 70

    def __init__(self, message: str, hint: str = "", problems: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.problems = list(problems or [])


@dataclass
class BookInputError(ImportValidationError):
    """A lesson file or an evaluation notebook of the book's year has problems; the book was not built."""

    def __post_init__(self) -> None:
        n = len(self.problems)
        MelError.__init__(
            self,
            message("core.errors.book_problems", n=n),
            hint=message("core.errors.book_hint"),
        )
