"""Is a lesson complete? Every section of the 247/KTHT-GN outline present and filled.

The format check (:mod:`mel_core.lessons.check`) asks only for section 3 with at least one lesson, so a file with
nothing else passes it. Letter 247/KTHT-GN asks for every section: the model (1.1–1.9), its process (2.1–2.8),
the lessons (3), recommendations (4) and a typical model (5). A section counts as filled when it has text of
its own beyond the outline's hints (``> …`` lines) and ``TODO``; a top-level section with subsections is filled
when they are. The portal refuses to submit an incomplete lesson (a draft may be incomplete) and shows what is
missing; ``mel lessons check --complete`` reports it for files.
"""

from __future__ import annotations

import re

from mel_core.errors import LineProblem
from mel_core.i18n import message
from mel_core.lessons.parse import OUTLINE, LessonFile

_HINT = re.compile(r"^\s*>.*$", re.MULTILINE)


def outline_numbers() -> list[str]:
    """Every section a complete lesson has, in the outline's order: 1.1 … 1.9, 2.1 … 2.8, 3, 4, 5."""
    out: list[str] = []
    for top, subsections in OUTLINE.items():
        out.extend(subsections or (top,))
    return out


def filled(text: str) -> bool:
    """Whether ``text`` says something beyond the outline's hints and TODO markers."""
    return bool(_HINT.sub("", text).replace("TODO", "").strip())


def missing_sections(lesson: LessonFile) -> list[str]:
    """The numbers of the outline's sections that ``lesson`` lacks or leaves empty, in the outline's order."""
    bodies = {s.number: s.body for s in lesson.sections}
    return [n for n in outline_numbers() if not filled(bodies.get(n, ""))]


def completeness_problems(lesson: LessonFile) -> list[LineProblem]:
    """One problem naming every section ``lesson`` lacks or leaves empty (none when complete)."""
    missing = missing_sections(lesson)
    if not missing:
        return []
    listed = ", ".join(missing)
    reason = message("lessons.completeness.incomplete", listed=listed)
    return [LineProblem(lesson.source, lesson.body_line, "sections", listed, reason)]
