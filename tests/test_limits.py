"""mel_core.limits: every limit declared once, raised by its setting, and checked before anything is parsed (#19)."""

from __future__ import annotations

import io
import random
import warnings
import zipfile
from pathlib import Path

import pytest

from mel_core.errors import ConfigurationError, ImportValidationError, LessonFormatError
from mel_core.limits import MIB, SETTINGS, Limits, check_upload, enforce_upload
from tests.datasets import write_xlsx
from tests.hostile_inputs import MAIN, SHEET, deflated_zeros, rewrite, shared_strings, with_raw_part

SAMPLE = Path(__file__).parents[1] / "mel_core" / "demo" / "sample_workbook.xlsx"


def test_the_defaults_and_each_setting():
    assert Limits.from_environment({}) == Limits()
    for setting in SETTINGS:
        raised = Limits.from_environment({setting.variable: "7"})
        assert getattr(raised, setting.field) == 7 * setting.scale, setting.variable
        assert raised == Limits(**{setting.field: 7 * setting.scale}), "one setting changes one limit"
    assert Limits.from_environment({"MEL_LIMIT_ROWS": "3_000_000"}).rows == 3_000_000


@pytest.mark.parametrize("value", ["many", "0", "-5", "1.5"])
def test_a_setting_that_is_not_a_whole_number_above_zero_is_a_configuration_error(value):
    with pytest.raises(ConfigurationError) as refused:
        Limits.from_environment({"MEL_LIMIT_FILE_MB": value})
    assert "MEL_LIMIT_FILE_MB" in refused.value.message and refused.value.exit_code == 78


def test_every_limit_is_documented_with_its_default():
    from mel_core.ingest.docs import formats_markdown

    doc = formats_markdown()
    for setting in SETTINGS:
        assert f"`{setting.variable}`" in doc and f"{setting.default:,}" in doc, setting.variable
    assert "MEL_LIMIT_YAML_KB" in doc and "1,000,000,000,000" in doc  # front matter; the bound on money


def test_real_workbooks_are_within_the_limits_by_a_wide_margin():
    """The sample workbook (a 4 MB sheet among others) is read whole by the checks: depth counted over many
    chunks without drifting, nothing refused."""
    assert check_upload(SAMPLE, "xlsx") == []
    assert check_upload(SAMPLE, "xlsx", limits=Limits(xml_depth=8, zip_ratio=20)) == []


def test_uploads_are_checked_from_their_bytes_too():
    """The portal hands over the bytes of an upload: the same checks, the same problems."""
    data = SAMPLE.read_bytes()
    assert check_upload(data, "xlsx", name="upload.xlsx") == []
    [problem] = check_upload(data, "xlsx", name="upload.xlsx", limits=Limits(file_bytes=1000))
    assert (
        problem.source == "upload.xlsx"
        and f"the file has {len(data):,} bytes; at most 1,000" in problem.reason
    )
    with pytest.raises(ImportValidationError) as refused:
        enforce_upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "xlsx", name="old.xls.xlsx")
    assert refused.value.exit_code == 65
    assert "saved with a password" in refused.value.problems[0].reason
    assert refused.value.problems[0].reason.vi != str(refused.value.problems[0].reason)  # type: ignore[attr-defined]


def _workbook(tmp_path: Path, parts: dict[str, bytes | None] | None = None) -> Path:
    return rewrite(write_xlsx(tmp_path / "book.xlsx"), parts or {})


def _duplicate_part(path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate it is told to write
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(SHEET["targets"], b"<worksheet/>")
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _with(path: Path, part: str, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(part, data, compress_type=method)
    return path


ARCHIVES = [
    ("not-a-zip", lambda p: _bytes(p, b"PK\x03\x04" + bytes(500)), Limits(), "not a readable .xlsx"),
    (
        "lzma",
        lambda p: _with(_workbook(p.parent), "x.bin", b"x" * 100, zipfile.ZIP_LZMA),
        Limits(),
        "method 14",
    ),
    ("parts", lambda p: _workbook(p.parent), Limits(zip_entries=5), "holds 15 parts; at most 5"),
    ("duplicate", lambda p: _duplicate_part(_workbook(p.parent)), Limits(), "two parts are named"),
    (
        "unpacked",
        lambda p: _with(_workbook(p.parent), "xl/media/a.png", random.Random(1).randbytes(2 * MIB)),
        Limits(unpacked_bytes=MIB),
        "would inflate to 2,",
    ),
    (
        "ratio",
        lambda p: with_raw_part(_workbook(p.parent), SHEET["targets"], deflated_zeros(8 * MIB), 8 * MIB),
        Limits(),
        "would inflate 1,0",
    ),
    (
        "dtd",
        lambda p: _workbook(p.parent, {SHEET["targets"]: b"<!DOCTYPE worksheet><worksheet %s/>" % MAIN}),
        Limits(),
        "declares a DTD",
    ),
    (
        "entity-in-the-strings",
        lambda p: _workbook(p.parent, {"xl/sharedStrings.xml": b'<!ENTITY a "b"><sst/>'}),
        Limits(),
        "declares a DTD",
    ),
    (
        "strings-counted",
        lambda p: _workbook(p.parent, {"xl/sharedStrings.xml": shared_strings(50)}),
        Limits(shared_strings=49),
        "50 shared texts; at most 49",
    ),
    (
        "strings-declared",
        lambda p: _workbook(p.parent, {"xl/sharedStrings.xml": shared_strings(2, declared=50)}),
        Limits(shared_strings=49),
        "50 shared texts; at most 49",
    ),
]


@pytest.mark.parametrize(
    ("build", "limits", "words"), [a[1:] for a in ARCHIVES], ids=[a[0] for a in ARCHIVES]
)
def test_an_archive_beyond_a_limit_is_refused_before_it_is_parsed(tmp_path, build, limits, words):
    path = build(tmp_path / "book.xlsx")
    problems = check_upload(path, "xlsx", limits=limits)
    assert len(problems) == 1 and words in problems[0].reason, problems
    assert problems[0].source == path.name and problems[0].row == 0


def test_depth_is_counted_exactly_where_a_tag_is_cut_by_the_end_of_a_chunk(tmp_path):
    """Every ``</a>`` starts on the last byte of a 1 MiB chunk: a count that missed the cut ones would find the
    part a level deeper at each chunk and refuse it."""
    unit = b"<a>" + b"x" * (MIB - 7) + b"</a>"  # MiB long: with the 3-byte <r>, each '</' straddles a chunk
    part = b"<r>" + unit * 12 + b"</r>"
    path = _workbook(tmp_path, {"xl/worksheets/sheet9.xml": part})
    lenient = Limits(xml_depth=4, zip_ratio=10**6)
    assert check_upload(path, "xlsx", limits=lenient) == []
    # depth is looked at where a chunk ends: five levels open there
    deep = _workbook(tmp_path, {"xl/worksheets/sheet9.xml": b"<a>" * 5 + b"x" * MIB + b"</a>" * 5})
    assert "more than 4 levels deep" in check_upload(deep, "xlsx", limits=lenient)[0].reason


def test_a_csv_file_is_measured_and_must_be_a_file(tmp_path):
    (tmp_path / "a.csv").write_text("x\n" * 1000, encoding="utf-8")
    assert check_upload(tmp_path / "a.csv", "csv") == []
    assert (
        "at most 100 are read"
        in check_upload(tmp_path / "a.csv", "csv", limits=Limits(file_bytes=100))[0].reason
    )
    assert "not a file" in check_upload(tmp_path, "csv")[0].reason


# ---------------------------------------------------------------------------------------------- Word documents


def _submission(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("3. Bài học kinh nghiệm", level=1)
    document.add_paragraph("Để dân chọn con giống.", style="List Bullet")
    document.save(str(path))
    return path


def test_a_word_document_that_is_a_zip_bomb_is_refused_without_inflating_it(tmp_path):
    from mel_core.lessons.docx import import_docx

    size = 3 << 30
    bomb = with_raw_part(_submission(tmp_path / "bomb.docx"), "word/document.xml", deflated_zeros(size), size)
    with pytest.raises(LessonFormatError) as refused:
        import_docx(bomb, tmp_path / "lessons", year=2026)
    [problem] = refused.value.problems
    assert "would inflate to 3,2" in problem.reason and refused.value.exit_code == 65
    assert not (tmp_path / "lessons").exists()


def test_a_word_document_over_its_size_limit_is_refused(tmp_path, monkeypatch):
    from mel_core.lessons.docx import import_docx

    path = _with(
        _submission(tmp_path / "big.docx"), "word/media/image1.png", random.Random(2).randbytes(2 * MIB)
    )
    assert import_docx(path, tmp_path / "lessons", year=2026).path.exists()  # within the default
    monkeypatch.setenv("MEL_LIMIT_DOCX_MB", "1")
    with pytest.raises(LessonFormatError) as refused:
        import_docx(path, tmp_path / "other", year=2026)
    assert (
        "at most 1,048,576 are read (MEL_LIMIT_DOCX_MB raises the limit)" in refused.value.problems[0].reason
    )


def test_a_word_document_with_a_dtd_is_refused(tmp_path):
    from mel_core.lessons.docx import import_docx

    path = _submission(tmp_path / "laughs.docx")
    with zipfile.ZipFile(path) as archive:
        document = archive.read("word/document.xml")
    rewrite(path, {"word/document.xml": b'<!DOCTYPE w [<!ENTITY a "aaaa">]>' + document.split(b"?>", 1)[1]})
    with pytest.raises(LessonFormatError) as refused:
        import_docx(path, tmp_path / "lessons", year=2026)
    assert "declares a DTD" in refused.value.problems[0].reason


def test_bytes_of_a_word_document(tmp_path):
    data = _submission(tmp_path / "ok.docx").read_bytes()
    assert check_upload(data, "docx") == []
    assert "not a Word .docx file" in check_upload(io.BytesIO(data).read()[:100], "docx")[0].reason
