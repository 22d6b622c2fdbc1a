"""Lessons learned as files: ``lessons/<year>/<id>.md`` following the outline of letter 247/KTHT-GN.

Modules, one noun each: :mod:`~mel_core.lessons.parse` (front matter, numbered sections, the lessons of
section 3), :mod:`~mel_core.lessons.check` (every problem, with file and line), :mod:`~mel_core.lessons.ingest`
(into the store, all or nothing), :mod:`~mel_core.lessons.templates` (the outlines, ``mel lessons new``),
:mod:`~mel_core.lessons.docx` (Word submissions); phones and e-mails are found by :mod:`mel_core.privacy`.
"""

from mel_core.lessons.parse import LessonFile, LessonItem, Section, lesson_items, parse_lesson, read_lesson

__all__ = ["LessonFile", "LessonItem", "Section", "lesson_items", "parse_lesson", "read_lesson"]
