"""Build a generated book source with Jupyter Book 1.x's Sphinx build, in a process of its own.

``python -m mel_core.book.sphinx_build SOURCE OUTPUT BUILDER`` builds ``SOURCE`` (with its ``_config.yml``
and ``_toc.yml``) into ``OUTPUT`` with the ``html`` or ``singlehtml`` builder, warnings as errors, keeping
going so that every warning is reported, and incrementally (only changed pages are read again). The doctrees
live beside the output, one folder per builder. The exit status is Sphinx's (0 when clean). It is run by
:func:`mel_core.book.build.build_book` in a subprocess, so a Sphinx crash or a stuck extension never takes the
``mel`` process with it, and a build can be timed out.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[2] not in ("html", "singlehtml"):
        print("usage: python -m mel_core.book.sphinx_build SOURCE OUTPUT html|singlehtml", file=sys.stderr)
        return 64
    source, output, builder = Path(argv[0]).resolve(), Path(argv[1]).resolve(), argv[2]
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        str(source),
        str(output),
        noconfig=True,
        path_config=str(source / "_config.yml"),
        confoverrides={"external_toc_path": (source / "_toc.yml").as_posix(), "latex_individualpages": False},
        builder=builder,
        doctreedir=str(output.parent / f".doctrees-{builder}"),
        warningiserror=True,
        keep_going=True,
        freshenv=False,
        verbosity=0,
        quiet=True,
        really_quiet=False,
    )
    if isinstance(result, BaseException):
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
