"""Layered settings: environment variables over defaults.

``MEL_HOME`` (default ``.mel/`` in the working directory) holds machine-local derived data: the default
SQLite store ``mel.db``, the public search index ``index/`` and the portal's internal one ``index-internal/``.
``MEL_DB_URL`` overrides the store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    home: Path
    db_url: str

    @property
    def index_dir(self) -> Path:
        """The public search index (public lessons only), which ``mel kb search`` reads."""
        return self.home / "index"

    def index_dir_for(self, audience: str) -> Path:
        """The search index of an audience (:mod:`mel_core.access`): ``public`` or ``internal``, the portal's
        index for signed-in readers, which also holds internal lessons (never contact details)."""
        return self.index_dir if audience == "public" else self.home / f"index-{audience}"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path.resolve()}"


def load_settings(environ: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Read settings from the environment (``MEL_HOME``, ``MEL_DB_URL``)."""
    env = os.environ if environ is None else environ
    base = cwd or Path.cwd()
    home = Path(env.get("MEL_HOME") or base / ".mel")
    if not home.is_absolute():
        home = base / home
    db_url = env.get("MEL_DB_URL") or sqlite_url(home / "mel.db")
    return Settings(home=home, db_url=db_url)


def kb_dir() -> Path:
    """The curated vocabulary folder ``kb/``: packaged copy in a wheel, the source tree's otherwise."""
    packaged = PACKAGE_DIR / "_kb"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "kb"


def sample_lessons_dir() -> Path:
    """The sample lesson files ``lessons/``: packaged copy in a wheel, the source tree's otherwise."""
    packaged = PACKAGE_DIR / "_lessons"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "lessons"
