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
from mel_core.i18n import say
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
            raise ConfigurationError(
                say(
                    f"a MEL_LIMIT_YAML_… setting is not a number: {exc}",
                    f"một thiết lập MEL_LIMIT_YAML_… không phải là số: {exc}",
                )
            ) from None
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
                say(
                    f"{self.variable}={environ[self.variable]!r}: expected a whole number of {self.unit} above 0",
                    f"{self.variable}={environ[self.variable]!r}: cần một số nguyên {self.unit} lớn hơn 0",
                ),
                hint=say(
                    f"Set {self.variable} to a number such as {self.default}, or unset it for the default.",
                    f"Đặt {self.variable} bằng một số như {self.default}, hoặc bỏ đi để dùng mặc định.",
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
            found.add(
                say(
                    f"this is not a file (a folder, a device or a link to nothing): give a .{kind} file",
                    f"đây không phải là tệp (là thư mục, thiết bị hoặc liên kết hỏng): hãy chỉ định tệp .{kind}",
                )
            )
            return found.problems
        size = source.stat().st_size
    else:
        size = len(source)
    if size > largest:
        variable = setting({"docx": "docx_bytes", "md": "lesson_bytes"}.get(kind, "file_bytes"))
        found.add(
            say(
                f"the file has {size:,} bytes; at most {largest:,} are read ({variable} raises the limit)",
                f"tệp dài {size:,} byte; chỉ đọc tối đa {largest:,} byte ({variable} nâng giới hạn)",
            )
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


_NOT_READABLE = {
    "xlsx": say(
        "this file is not a readable .xlsx workbook ({reason}); save it as 'Excel Workbook (.xlsx)'",
        "tệp này không phải là tệp .xlsx đọc được ({reason}); hãy lưu dưới dạng 'Excel Workbook (.xlsx)'",
    ),
    "docx": say(
        "this file is not a Word .docx file that can be read ({reason}); save it as 'Word Document (.docx)'",
        "tệp này không phải là tệp Word .docx đọc được ({reason}); hãy lưu dưới dạng 'Word Document (.docx)'",
    ),
}
#: The first bytes of an OLE compound file: an .xls or .doc, or an Office file saved with a password.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLD_OR_LOCKED = say(
    "it is an old .xls/.doc file or one saved with a password: save it again without a password in the new format",
    "đây là tệp .xls/.doc cũ hoặc tệp có mật khẩu: hãy lưu lại theo định dạng mới, không đặt mật khẩu",
)


def not_readable(kind: Kind, reason: str) -> str:
    """'this file is not a readable .xlsx workbook (reason) …' in both languages (``reason`` is shown as is)."""
    template = _NOT_READABLE["docx" if kind == "docx" else "xlsx"]
    vi = getattr(template, "vi", template)
    return say(template.format(reason=reason), vi.format(reason=reason))


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
    return say(
        f"the archive holds {entries:,} parts; at most {limits.zip_entries:,} are read ({variable} raises the limit)",
        f"tệp nén có {entries:,} phần; chỉ đọc tối đa {limits.zip_entries:,} ({variable} nâng giới hạn)",
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
            say(
                f"the parts of this file would inflate to {total:,} bytes; at most {limits.unpacked_bytes:,}"
                f" are read ({variable} raises the limit)",
                f"các phần của tệp sẽ giải nén ra {total:,} byte; chỉ đọc tối đa {limits.unpacked_bytes:,}"
                f" byte ({variable} nâng giới hạn)",
            )
        )
        return False
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MIB and ratio > limits.zip_ratio:
            variable = setting("zip_ratio")
            found.add(
                say(
                    f"the part {info.filename} would inflate {ratio:,.0f} times, from {info.compress_size:,} to"
                    f" {info.file_size:,} bytes (a zip bomb?); at most {limits.zip_ratio} times is read"
                    f" ({variable} raises the limit)",
                    f"phần {info.filename} sẽ giải nén ra gấp {ratio:,.0f} lần, từ {info.compress_size:,} thành"
                    f" {info.file_size:,} byte (bom nén?); chỉ đọc tối đa {limits.zip_ratio} lần"
                    f" ({variable} nâng giới hạn)",
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
                    found.add(
                        say(
                            f"the part {part} declares a DTD (<!DOCTYPE …>), which a spreadsheet or word"
                            " processor never writes and which can expand entities without bound: refused",
                            f"phần {part} khai báo DTD (<!DOCTYPE …>), điều mà phần mềm bảng tính hay soạn thảo"
                            " không bao giờ ghi, và có thể mở rộng thực thể vô hạn: bị từ chối",
                        )
                    )
                    return
                depth += opens - closes
                if depth > limits.xml_depth:
                    variable = setting("xml_depth")
                    found.add(
                        say(
                            f"the part {part} nests elements more than {limits.xml_depth} levels deep"
                            f" ({variable} raises the limit)",
                            f"phần {part} lồng các phần tử sâu quá {limits.xml_depth} cấp ({variable} nâng giới hạn)",
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
        say(
            f"the part {part} holds {strings:,} shared texts; at most {limits.shared_strings:,} are read"
            f" ({variable} raises the limit)",
            f"phần {part} chứa {strings:,} chuỗi dùng chung; chỉ đọc tối đa {limits.shared_strings:,}"
            f" ({variable} nâng giới hạn)",
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
