"""How much a person may send, declared in one place and checked before anything is parsed.

Every file that comes in (``mel import``, ``mel lessons import-docx``, and the portal's uploads) is held to
:class:`Limits`: its size first; for a workbook or a Word document (both are zip archives) the archive's central
directory next, where every part declares its size, so that a zip bomb is refused without inflating a byte; then
each XML part is read once as a stream, in bounded memory, for what a spreadsheet program never writes (a DTD,
entity declarations, thousands of nested elements, a shared-strings table larger than any sheet). What only the
reading of a table can tell (rows, columns, cell lengths) is checked by the readers against the same limits.

The defaults fit real workbooks by a wide margin (a sheet of a million observations, 30 MB as .xlsx, 370 MB
unpacked); each can be raised by a setting ``MEL_LIMIT_…`` (:data:`SETTINGS`, documented in
``docs/import-formats.md``). The limits of YAML front matter live in :mod:`mel_core.safe_yaml` and are read here
too, so that :meth:`Limits.from_environment` is the one place that reads them all.

The plain API is :func:`check_upload` (the problems, if any) and :func:`enforce_upload` (raises with them).
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import IO, Literal

from mel_core.errors import ConfigurationError, ImportValidationError, Problem
from mel_core.i18n import message
from mel_core.safe_yaml import YamlLimits

MIB = 1 << 20
#: What a worksheet can hold at most (Excel's own limits): a sheet that claims more is not a real workbook.
SHEET_ROWS = 1_048_576
SHEET_COLUMNS = 16_384

Kind = Literal["csv", "xlsx", "docx", "md"]


@dataclass(frozen=True)
class Limits:
    """How much input is read. Sizes are in bytes, lengths in characters."""

    file_bytes: int = 500 * MIB  # a CSV file or a workbook
    docx_bytes: int = 100 * MIB  # a Word document (photos included)
    attachment_bytes: int = 50 * MIB  # a file attached to a programme, evaluation or lesson (mel attach)
    lesson_bytes: int = MIB  # a lesson file (Markdown): the longest sample lesson has 20 KB
    unpacked_bytes: int = 2048 * MIB  # all parts of a workbook or Word document, inflated
    zip_ratio: int = 100  # inflated size / stored size of one part (over 1 MiB)
    zip_entries: int = 10_000  # parts in one archive
    xml_depth: int = 100  # nesting of elements in an XML part
    shared_strings: int = 10_000_000  # strings in a workbook's shared-strings table
    rows: int = 2_000_000  # rows of one table (CSV file or sheet), the header not counted
    columns: int = 1_000  # columns of one table
    cell_chars: int = 1_000_000  # characters in one cell
    csv_field_chars: int = 1_000_000  # characters the CSV reader takes in one field
    yaml: YamlLimits = field(default_factory=YamlLimits)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, each replaced by its setting (:data:`SETTINGS`) where one is given.

        Raises:
            ConfigurationError: a setting is not a whole number above 0.
        """
        env = os.environ if environ is None else environ
        values = {s.field: s.read(env) for s in SETTINGS if env.get(s.variable, "").strip()}
        try:
            yaml = YamlLimits.from_environment()
        except ValueError as exc:
            raise ConfigurationError(message("ingest.limits.yaml_setting_not_number", exc=exc)) from None
        return replace(cls(), **values, yaml=yaml)


@dataclass(frozen=True)
class Setting:
    """The environment variable that sets one limit, in the unit people write it in."""

    field: str
    variable: str
    unit: str
    scale: int
    what: str  # for the documentation

    @property
    def default(self) -> int:
        return int(getattr(Limits(), self.field)) // self.scale

    def read(self, environ: Mapping[str, str]) -> int:
        text = environ[self.variable].strip().replace("_", "")
        if not text.isdigit() or int(text) == 0:
            raise ConfigurationError(
                message(
                    "ingest.limits.expected_whole_number_above",
                    variable=self.variable,
                    value=environ[self.variable],
                    unit=self.unit,
                ),
                hint=message(
                    "ingest.limits.set_number_such_unset", variable=self.variable, default=self.default
                ),
            )
        return int(text) * self.scale


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "file_bytes", "MEL_LIMIT_FILE_MB", "MB", MIB, "size of one input file (a CSV file or a workbook)"
    ),
    Setting(
        "docx_bytes", "MEL_LIMIT_DOCX_MB", "MB", MIB, "size of a Word document (`mel lessons import-docx`)"
    ),
    Setting(
        "attachment_bytes",
        "MEL_LIMIT_ATTACHMENT_MB",
        "MB",
        MIB,
        "size of a file attached to a programme, evaluation or lesson (`mel attach`: PDF, Word, Excel)",
    ),
    Setting(
        "lesson_bytes", "MEL_LIMIT_LESSON_KB", "KB", 1024, "size of a lesson file (Markdown, `lessons/`)"
    ),
    Setting(
        "unpacked_bytes",
        "MEL_LIMIT_UNPACKED_MB",
        "MB",
        MIB,
        "size of all parts of a workbook or Word document once inflated, read from the zip's directory",
    ),
    Setting(
        "zip_ratio",
        "MEL_LIMIT_ZIP_RATIO",
        "",
        1,
        "how many times larger a part (over 1 MB) may inflate than it is stored (spreadsheets: 5 to 15)",
    ),
    Setting("zip_entries", "MEL_LIMIT_ZIP_ENTRIES", "", 1, "parts in one workbook or Word document"),
    Setting("xml_depth", "MEL_LIMIT_XML_DEPTH", "", 1, "levels of nested elements in one XML part"),
    Setting(
        "shared_strings", "MEL_LIMIT_SHARED_STRINGS", "", 1, "texts in a workbook's shared-strings table"
    ),
    Setting("rows", "MEL_LIMIT_ROWS", "", 1, "rows of one table (CSV file or sheet), the header not counted"),
    Setting("columns", "MEL_LIMIT_COLUMNS", "", 1, "columns of one table"),
    Setting("cell_chars", "MEL_LIMIT_CELL_CHARS", "", 1, "characters in one cell"),
    Setting(
        "csv_field_chars",
        "MEL_LIMIT_CSV_FIELD_CHARS",
        "",
        1,
        "characters the CSV reader takes in one field (a longer one stops the file's reading there)",
    ),
)


def setting(name: str) -> str:
    """The environment variable of the limit ``name`` (a field of :class:`Limits`)."""
    return next(s.variable for s in SETTINGS if s.field == name)


assert {s.field for s in SETTINGS} == {f.name for f in fields(Limits)} - {"yaml"}, "every limit has a setting"


# ----------------------------------------------------------------------------------------------- the checks


def check_upload(
    source: Path | bytes, kind: Kind, *, name: str = "", limits: Limits | None = None
) -> list[Problem]:
    """What is wrong with ``source`` (a path or the bytes of an upload) before it is parsed as ``kind``.

    The file is read at most once, as a stream: a .csv is measured; a .xlsx or .docx also has its zip directory
    checked (parts, sizes, compression ratios, encryption) and its XML parts scanned (DTD, entities, depth,
    shared strings). Problems name the file (``name``, else the file's name) at row 0.
    """
    limits = limits or Limits.from_environment()
    label = name or (source.name if isinstance(source, Path) else "upload")
    found = Found(label)
    largest = {"docx": limits.docx_bytes, "md": limits.lesson_bytes}.get(kind, limits.file_bytes)
    if isinstance(source, Path):
        if not source.is_file():
            found.add(message("ingest.limits.not_file_folder_device", kind=kind))
            return found.problems
        size = source.stat().st_size
    else:
        size = len(source)
    if size > largest:
        variable = setting({"docx": "docx_bytes", "md": "lesson_bytes"}.get(kind, "file_bytes"))
        found.add(
            message("ingest.limits.file_bytes_most_read", size=size, largest=largest, variable=variable)
        )
        return found.problems
    if kind in ("xlsx", "docx"):
        with source.open("rb") if isinstance(source, Path) else io.BytesIO(source) as stream:
            _check_archive(stream, size, kind, limits, found)
    return found.problems


def enforce_upload(source: Path | bytes, kind: Kind, *, name: str = "", limits: Limits | None = None) -> None:
    """:func:`check_upload`, raising when anything is wrong.

    Raises:
        ImportValidationError: with every problem found (exit 65).
    """
    problems = check_upload(source, kind, name=name, limits=limits)
    if problems:
        raise ImportValidationError(problems, name or (source.name if isinstance(source, Path) else "upload"))


@dataclass
class Found:
    """The problems found in one file so far."""

    label: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, reason: str) -> None:
        self.problems.append(Problem(self.label, 0, "", "", reason))


#: The first bytes of an OLE compound file: an .xls or .doc, or an Office file saved with a password.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLD_OR_LOCKED = message("ingest.limits.old_or_locked")


def not_readable(kind: Kind, reason: str) -> str:
    """'this file is not a readable .xlsx workbook (reason) …' in both languages (``reason`` is shown as is)."""
    if kind == "docx":
        return message("ingest.limits.file_not_word_docx", reason=reason)
    return message("ingest.limits.file_not_readable_xlsx", reason=reason)


def _check_archive(stream: IO[bytes], size: int, kind: Kind, limits: Limits, found: Found) -> None:
    head = stream.read(len(_OLE))
    if head == _OLE:
        found.add(not_readable(kind, _OLD_OR_LOCKED))
        return
    entries = _declared_entries(stream, size)
    if entries is not None and entries > limits.zip_entries:
        found.add(_too_many_parts(entries, limits))
        return
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error) as exc:
        found.add(not_readable(kind, str(exc) or type(exc).__name__))
        return
    with archive:
        infos = archive.infolist()
        if not _check_directory(infos, kind, limits, found):
            return
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")):
                _scan_xml(archive, info, kind, limits, found)
                if found.problems:
                    return


def _too_many_parts(entries: int, limits: Limits) -> str:
    variable = setting("zip_entries")
    return message(
        "ingest.limits.archive_holds_parts_most",
        entries=entries,
        zip_entries=limits.zip_entries,
        variable=variable,
    )


def _declared_entries(stream: IO[bytes], size: int) -> int | None:
    """How many parts the zip's end record declares, read before the directory itself (None: no such record)."""
    tail = min(size, 22 + 0xFFFF)  # the end record, and a comment of at most 64 KiB
    stream.seek(size - tail)
    data = stream.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return None
    entries = int(struct.unpack_from("<H", data, at + 10)[0])
    return None if entries == 0xFFFF else entries  # 0xFFFF: a zip64 archive counts elsewhere


def _check_directory(infos: list[zipfile.ZipInfo], kind: Kind, limits: Limits, found: Found) -> bool:
    """The checks of the zip's directory (nothing inflated yet); True when the parts may be read."""
    if len(infos) > limits.zip_entries:
        found.add(_too_many_parts(len(infos), limits))
        return False
    names: set[str] = set()
    for info in infos:
        part = info.filename
        if part in names:
            found.add(not_readable(kind, f"two parts are named {part}"))
            return False
        names.add(part)
        if info.flag_bits & 0x1:
            found.add(not_readable(kind, f"the part {part} is encrypted; {_OLD_OR_LOCKED}"))
            return False
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            found.add(not_readable(kind, f"the part {part} uses compression method {info.compress_type}"))
            return False
    total = sum(info.file_size for info in infos)
    if total > limits.unpacked_bytes:
        variable = setting("unpacked_bytes")
        found.add(
            message(
                "ingest.limits.parts_file_would_inflate",
                total=total,
                unpacked_bytes=limits.unpacked_bytes,
                variable=variable,
            )
        )
        return False
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MIB and ratio > limits.zip_ratio:
            variable = setting("zip_ratio")
            found.add(
                message(
                    "ingest.limits.part_would_inflate_times",
                    filename=info.filename,
                    ratio=ratio,
                    compress_size=info.compress_size,
                    file_size=info.file_size,
                    zip_ratio=limits.zip_ratio,
                    variable=variable,
                )
            )
            return False
    return True


_CHUNK = MIB
_STRINGS_DECLARED = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\b(?:uniqueCount|count)=[\"'](\d+)[\"']")


def _scan_xml(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: Kind, limits: Limits, found: Found
) -> None:
    """Read one XML part as a stream, in chunks, for what a spreadsheet or word processor never writes.

    Depth is counted at the end of every chunk from the tags opened and closed so far (``<x``, ``</x>``,
    ``<x/>``; declarations, comments and processing instructions aside): C speed, and exact for the XML these
    programs write, which holds no CDATA. A DTD is refused outright: it is what entity expansion ("billion
    laughs") and external entities need, and no workbook has one.
    """
    part = info.filename
    strings_table = part.lower().endswith("sharedstrings.xml")
    depth = ends = 0  # ``si>`` ends both tags of a shared text: two per text
    tail = b""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                pair = tail[-1:] + chunk  # a two-byte token cut by the chunk's end is counted once
                ends_tag = pair.count(b"</")
                opens, closes = chunk.count(b"<") - ends_tag, ends_tag + pair.count(b"/>")
                for aside in (b"<?", b"<!"):  # declarations, comments, instructions: rare, looked for first
                    if aside in pair:
                        opens -= pair.count(aside)
                if b"<!" in pair and (b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk):
                    found.add(message("ingest.limits.part_declares_dtd_doctype", part=part))
                    return
                depth += opens - closes
                if depth > limits.xml_depth:
                    variable = setting("xml_depth")
                    found.add(
                        message(
                            "ingest.limits.part_nests_elements_more",
                            part=part,
                            xml_depth=limits.xml_depth,
                            variable=variable,
                        )
                    )
                    return
                if strings_table:
                    declared = _STRINGS_DECLARED.search(chunk, 0, 4096) if not tail else None
                    ends += (tail[-2:] + chunk).count(b"si>")
                    strings = max(int(declared.group(1)) if declared else 0, ends // 2)
                    if strings > limits.shared_strings:
                        _too_many_strings(part, strings, limits, found)
                        return
                tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        found.add(not_readable(kind, f"the part {part} is damaged: {exc}"))


def _too_many_strings(part: str, strings: int, limits: Limits, found: Found) -> None:
    variable = setting("shared_strings")
    found.add(
        message(
            "ingest.limits.part_holds_shared_texts",
            part=part,
            strings=strings,
            shared_strings=limits.shared_strings,
            variable=variable,
        )
    )


__all__ = [
    "SETTINGS",
    "SHEET_COLUMNS",
    "SHEET_ROWS",
    "Limits",
    "Setting",
    "YamlLimits",
    "check_upload",
    "enforce_upload",
    "not_readable",
    "setting",
]
