"""The only modules that touch other libraries' inner workings, one per library.

Three libraries carry our speed or our fixes through names they do not promise to keep: Whoosh (its block
buffers, read and written a block at a time: :mod:`mel_core.adapters.whoosh_postings`), papermill and nbclient
(an engine that closes the kernel client it opened: :mod:`mel_core.adapters.papermill_engine`) and Sphinx (its
search index's ``freeze``: :mod:`mel_core.adapters.sphinx_search`). Each adapter

- was written for the versions pinned in ``constraints.txt`` (``make`` and CI install with it) and says which
  range it supports (:class:`Internals`);
- has a second path through the library's public API that gives the same results, tested against the first;
- takes that public path when ``MEL_PUBLIC_API=1`` is set, and, with a warning
  (:class:`LibraryVersionWarning`), when the installed version is outside its range: a new release makes the
  work slower, never wrong.

Nothing else in ``mel_core`` reaches into these libraries' private names.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

#: Set to 1 to take every adapter's public-API path (CI runs the adapters' tests so as well).
PUBLIC_API_ENV = "MEL_PUBLIC_API"


class LibraryVersionWarning(UserWarning):
    """A library's installed version is outside the range an adapter was written for: its public path is used."""


@dataclass(frozen=True)
class Internals:
    """A library whose inner names an adapter uses, and the versions it was written for."""

    distribution: str  # as pip names it: "whoosh-reloaded", "nbclient", "Sphinx"
    supported: str  # a version specifier: ">=2.7.5,<2.8"
    what: str  # the inner names used, for the warning

    def installed(self) -> str | None:
        """The installed version, or None when the distribution is not installed."""
        return installed_version(self.distribution)

    def in_range(self) -> bool:
        version = self.installed()
        return version is not None and _within(version, self.supported)


@cache
def installed_version(distribution: str) -> str | None:
    """``importlib.metadata``'s version of ``distribution`` (read once per process)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


@cache
def _within(version: str, supported: str) -> bool:
    try:
        return Version(version) in SpecifierSet(supported)
    except InvalidVersion:
        return False


def public_api_forced() -> bool:
    """True when ``MEL_PUBLIC_API`` asks for the public paths (any value but empty or ``0``)."""
    return os.environ.get(PUBLIC_API_ENV, "").strip() not in ("", "0")


def use_internals(lib: Internals) -> bool:
    """Whether an adapter may take its fast path through ``lib``'s inner names.

    False when ``MEL_PUBLIC_API`` is set, and when the installed version is outside ``lib.supported``; in that
    case a :class:`LibraryVersionWarning` says which library, which version and what is slower now (Python
    shows it once per place it is raised from).
    """
    if public_api_forced():
        return False
    if lib.in_range():
        return True
    warnings.warn(
        f"{lib.distribution} {lib.installed() or '(not installed)'} is outside the versions {lib.supported} "
        f"that mel_core's adapter was written for ({lib.what}): its public API is used instead, which gives "
        f"the same results more slowly. Install the pinned versions with `pip install -c constraints.txt -e .`.",
        LibraryVersionWarning,
        stacklevel=3,
    )
    return False
