"""The errors of the knowledge base, each saying what to do next (subclasses of the one root, MelError)."""

from __future__ import annotations

from pathlib import Path

from mel_core.errors import MelError
from mel_core.i18n import say


class IndexMissingError(MelError):
    """There is no search index where one was looked for (or it was built by an older version)."""

    exit_code = 66  # EX_NOINPUT

    def __init__(self, index_dir: Path, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            say(
                f"no search index at {index_dir}{detail}",
                f"chưa có chỉ mục tìm kiếm tại {index_dir}{detail}",
            ),
            hint=say(
                "Run `mel kb index` to build it from the store, then search again.",
                "Chạy `mel kb index` để tạo chỉ mục từ kho dữ liệu, rồi tìm lại.",
            ),
        )
        self.index_dir = index_dir


class IndexLockedError(MelError):
    """Another process is writing the index; only one writer at a time."""

    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, index_dir: Path, holder: str = "") -> None:
        who = f" (process {holder})" if holder else ""
        who_vi = f" (tiến trình {holder})" if holder else ""
        super().__init__(
            say(
                f"the search index at {index_dir} is being written by another command{who}",
                f"chỉ mục tìm kiếm tại {index_dir} đang được một lệnh khác ghi{who_vi}",
            ),
            hint=say(
                "Wait for that `mel kb index` (or `mel demo`) to finish and run this command again.",
                "Chờ lệnh `mel kb index` (hoặc `mel demo`) kia chạy xong rồi chạy lại lệnh này.",
            ),
        )
        self.index_dir = index_dir


class FilterError(MelError):
    """A search filter names a value that does not exist (an unknown province, sector, year …)."""

    exit_code = 64  # EX_USAGE

    def __init__(self, facet: str, value: str, accepted: str) -> None:
        super().__init__(
            say(
                f"--{facet} {value!r} is not a known {facet}",
                f"--{facet} {value!r} không phải giá trị hợp lệ của {facet}",
            ),
            hint=say(f"Use one of: {accepted}.", f"Dùng một trong: {accepted}."),
        )
        self.facet = facet
        self.value = value
