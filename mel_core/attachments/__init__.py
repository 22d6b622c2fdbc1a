"""Files attached to a programme, an evaluation or a lesson: PDF, Word and Excel, kept once by their content
under ``MEL_HOME/attachments``, their text read and searchable with the same visibility as what they belong to.

Modules, one noun each: :mod:`~mel_core.attachments.files` (kinds, limits, the file kept by its hash),
:mod:`~mel_core.attachments.extract` (the text, bounded), :mod:`~mel_core.attachments.record` (``attach``,
``attachments_of``: the rows, who may add and see them).
"""

from mel_core.attachments.errors import AttachmentError, AttachmentForbidden, AttachmentRefused
from mel_core.attachments.record import attach, attachments_of, parse_target, stored_file

__all__ = [
    "AttachmentError",
    "AttachmentForbidden",
    "AttachmentRefused",
    "attach",
    "attachments_of",
    "parse_target",
    "stored_file",
]
