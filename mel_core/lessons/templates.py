"""The two outlines of letter 247/KTHT-GN as lesson-file templates, and ``mel lessons new``.

Letter 247/KTHT-GN has one outline for models funded by the state budget and one for models of NGOs and
development partners. Each exists in Vietnamese and English (``state.vi.md``, ``ngo.en.md`` …). The packaged copies
in ``mel_core/lessons/outlines/`` are the ones ``mel lessons new`` uses (they travel in the wheel); the copies in
``lessons/_templates/`` are for people to read and are kept identical by a test.
"""

from __future__ import annotations

import re
from pathlib import Path

from mel_core.errors import LessonFormatError, LineProblem, OutputError, Problem
from mel_core.i18n import message
from mel_core.lessons.check import ID_PATTERN
from mel_core.vocabulary import LANGUAGES

OUTLINES_DIR = Path(__file__).resolve().parent / "outlines"
KINDS = ("state", "ngo")


def template_path(kind: str = "state", lang: str = "vi") -> Path:
    """The packaged outline for ``kind`` (state | ngo) in ``lang`` (vi | en)."""
    return OUTLINES_DIR / f"{kind}.{lang}.md"


def template_paths() -> list[Path]:
    """All four packaged outlines."""
    return [template_path(kind, lang) for kind in KINDS for lang in ("vi", "en")]


def render_template(lesson_id: str, year: int, kind: str = "state", lang: str = "vi") -> str:
    """The text of a new lesson file: the outline with its id and year filled in, the rest marked TODO."""
    text = template_path(kind, lang).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^id: TODO$", f"id: {lesson_id}", text, count=1)
    return re.sub(r"(?m)^year: TODO$", f"year: {year}", text, count=1)


def new_lesson(
    lesson_id: str, year: int, *, kind: str = "state", lang: str = "vi", out: Path = Path("lessons")
) -> Path:
    """Write ``<out>/<year>/<id>.md`` from the outline; never overwrite an existing file.

    Raises:
        LessonFormatError: the id, year, kind or language is not allowed.
        OutputError: the file exists already or cannot be written.
    """
    problems: list[Problem] = []
    if not ID_PATTERN.match(lesson_id) or len(lesson_id) > 128:
        problems.append(
            LineProblem(
                "--id",
                0,
                "id",
                lesson_id,
                message("lessons.templates.bad_id"),
            )
        )
    if not 1900 <= year <= 2100:
        problems.append(LineProblem("--year", 0, "year", str(year), message("lessons.templates.bad_year")))
    if kind not in KINDS:
        problems.append(LineProblem("--kind", 0, "kind", kind, message("lessons.templates.bad_kind")))
    if lang not in LANGUAGES:
        problems.append(LineProblem("--lang", 0, "lang", lang, message("lessons.templates.bad_lang")))
    if problems:
        raise LessonFormatError(problems=problems, path="mel lessons new")
    target = out / str(year) / f"{lesson_id}.md"
    if target.exists():
        raise OutputError(
            message("lessons.templates.exists", target=target),
            hint=message("lessons.templates.exists_hint"),
        )
    write_text_atomic(target, render_template(lesson_id, year, kind, lang))
    return target


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file in the same folder, so no half file is left."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        raise OutputError(
            message("lessons.templates.cannot_write", target=target, strerror=exc.strerror),
            hint=message("lessons.templates.cannot_write_hint"),
        ) from exc
