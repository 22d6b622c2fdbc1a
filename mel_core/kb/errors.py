"""The errors of the knowledge base, each saying what to do next (subclasses of the one root, MelError)."""

from __future__ import annotations

from pathlib import Path

from mel_core.errors import MelError
from mel_core.i18n import message


class IndexMissingError(MelError):
    """There is no search index where one was looked for (or it was built by an older version)."""

    exit_code = 66  # EX_NOINPUT

    def __init__(self, index_dir: Path, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            message("kb.messages.no_index", index_dir=index_dir, detail=detail),
            hint=message("kb.messages.build_index_hint"),
        )
        self.index_dir = index_dir


class IndexLockedError(MelError):
    """Another process is writing the index; only one writer at a time."""

    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, index_dir: Path, holder: str = "") -> None:
        super().__init__(
            message("kb.errors.index_locked_by", index_dir=index_dir, holder=holder)
            if holder
            else message("kb.errors.index_locked", index_dir=index_dir),
            hint=message("kb.messages.index_busy_hint"),
        )
        self.index_dir = index_dir


class FilterError(MelError):
    """A search filter names a value that does not exist (an unknown province, sector, year …)."""

    exit_code = 64  # EX_USAGE

    def __init__(self, facet: str, value: str, accepted: str) -> None:
        super().__init__(
            message("kb.messages.unknown_value", facet=facet, value=value),
            hint=message("kb.messages.use_one_of", accepted=accepted),
        )
        self.facet = facet
        self.value = value
