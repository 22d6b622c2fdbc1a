"""The text of an attached file, read with maintained libraries and bounded: PDF with pypdfium2, Word with
python-docx, Excel with openpyxl (read-only, values only).

At most :data:`MAX_PAGES` pages, :data:`MAX_ROWS` rows and :data:`MAX_CHARS` characters are read; the text is
NFC. A file that cannot be read (damaged, protected by a password, a scan without text) is still kept: its text
is None and its note says why. Nothing here raises for a bad file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from mel_core.i18n import message
from mel_core.text import nfc

MAX_CHARS = 1_000_000
MAX_PAGES = 2_000
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Extracted:
    """The text read from a file (None: none), and why it is missing or cut short (None: all of it was read)."""

    text: str | None
    note: str | None


def extract(data: bytes, kind: str) -> Extracted:
    """The text of ``data``, a file of ``kind`` (``pdf``, ``docx``, ``xlsx``)."""
    reader = {"pdf": _pdf_parts, "docx": _docx_parts, "xlsx": _xlsx_parts}[kind]
    parts: list[str] = []
    length = 0
    note: str | None = None
    try:
        for part in reader(data):
            if part is _CUT:
                note = _cut_note()
                break
            parts.append(part)
            length += len(part) + 1
            if length > MAX_CHARS:
                note = _cut_note()
                break
    except Exception as exc:  # a damaged file is a note, never a crash
        reason = str(exc).strip() or type(exc).__name__
        return Extracted(
            None,
            message("attachments.extract.text_file_could_not", kind=kind, reason=reason[:200]),
        )
    text = nfc("\n".join(p for p in parts if p.strip()))[:MAX_CHARS].strip()
    if not text:
        return Extracted(
            None,
            note or message("attachments.extract.no_text_found_file"),
        )
    return Extracted(text, note)


_CUT = "\x00cut"  # a reader's sign that it stopped at its bound


def _cut_note() -> str:
    return message(
        "attachments.extract.only_beginning_text_read",
        max_pages=MAX_PAGES,
        max_rows=MAX_ROWS,
        max_chars=MAX_CHARS,
    )


def _pdf_parts(data: bytes) -> Iterator[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(document)):
            if index >= MAX_PAGES:
                yield _CUT
                return
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    yield textpage.get_text_range()
                finally:
                    textpage.close()
            finally:
                page.close()
    finally:
        document.close()


def _docx_parts(data: bytes) -> Iterator[str]:
    import docx

    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        yield paragraph.text
    rows = 0
    for table in document.tables:
        for row in table.rows:
            rows += 1
            if rows > MAX_ROWS:
                yield _CUT
                return
            yield "\t".join(cell.text for cell in row.cells)


def _xlsx_parts(data: bytes) -> Iterator[str]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = 0
        for sheet in workbook.worksheets:
            yield sheet.title
            for values in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > MAX_ROWS:
                    yield _CUT
                    return
                cells = [str(v) for v in values if v is not None and str(v).strip()]
                if cells:
                    yield "\t".join(cells)
    finally:
        workbook.close()
