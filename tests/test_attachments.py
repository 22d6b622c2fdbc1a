"""Attachments (#15): PDF, Word and Excel files attached to a programme, an evaluation or a lesson, kept once by
their content under MEL_HOME, size-limited, their text read (bounded, NFC), and shown only to those who may see
what they belong to. Real files made here; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import Engine

from mel_core import audit
from mel_core.access import ANONYMOUS, Viewer
from mel_core.accounts.users import add_user
from mel_core.attachments import AttachmentError, AttachmentRefused, attach, attachments_of, parse_target
from mel_core.attachments.extract import extract
from mel_core.attachments.files import read_file
from mel_core.limits import Limits
from mel_core.store import Evaluation, Programme, session_scope
from tests.kb_support import add_lesson

EVALUATOR = "danhgia@molisa.example.vn"
REVIEWER = "thamdinh@molisa.example.vn"


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII) in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Hộ thoát nghèo", "1.250"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Kết quả"
    sheet.append(["Chỉ tiêu", "Giá trị"])
    sheet.append(["Tỷ lệ hộ nghèo", 0.125])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def store(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        add_user(session, EVALUATOR, "evaluator", "a long enough password")
        add_user(session, REVIEWER, "reviewer", "a long enough password")
        add_user(session, "docgia@molisa.example.vn", "reader", "a long enough password")
        add_user(session, "congtacvien@molisa.example.vn", "contributor", "a long enough password")
        programme = Programme(
            code="QB-DE-2012", title="Mô hình nuôi dê", sector="livestock", funding="ngo",
            start_date=date(2012, 1, 1), end_date=date(2014, 12, 31),
        )  # fmt: skip
        session.add(programme)
        session.flush()
        assert programme.id is not None
        session.add_all(
            [
                Evaluation(code="QB-DE-2012-final", programme_id=programme.id, status="succeeded"),
                Evaluation(code="QB-DE-2012-running", programme_id=programme.id, status="running"),
            ]
        )
    add_lesson(engine, "2013-public", "Bài học công khai", [("3", "Bài học", "- Một.")])
    add_lesson(engine, "2013-draft", "Bản nháp", [("3", "Bài học", "- Hai.")], status="draft")
    return engine


def test_a_pdf_is_kept_once_by_its_hash_and_its_text_is_read(store: Engine, tmp_path: Path):
    data = pdf_bytes("Bao cao danh gia cuoi ky")
    with session_scope(store) as session:
        row = attach(session, tmp_path, parse_target("programme:QB-DE-2012"), data, "../../Báo cáo.pdf",
                     title="Báo cáo cuối kỳ", by=EVALUATOR)  # fmt: skip
        again = attach(
            session, tmp_path, parse_target("evaluation:QB-DE-2012-final"), data, "copy.pdf", by=EVALUATOR
        )
        assert row.text is not None and "Bao cao danh gia cuoi ky" in row.text and row.extraction_note is None
        assert (
            row.file_name == "Báo cáo.pdf" and row.media_type == "application/pdf" and row.size == len(data)
        )
        assert again.title == "copy" and again.sha256 == row.sha256
        [event] = [
            e for e in audit.history(session, "programme", "QB-DE-2012") if e.action == "attachment.add"
        ]
        assert event.actor == EVALUATOR and event.after and event.after["title"] == "Báo cáo cuối kỳ"
        sha256 = row.sha256
    kept = list((tmp_path / "attachments").iterdir())
    assert [p.name for p in kept] == [f"{sha256}.pdf"] and kept[0].read_bytes() == data


def test_word_and_excel_text_is_read_as_nfc(store: Engine, tmp_path: Path):
    decomposed = unicodedata.normalize("NFD", "Nuôi dê sinh sản ở Minh Hóa")
    with session_scope(store) as session:
        word = attach(session, tmp_path, parse_target("lesson:2013-public"), docx_bytes(decomposed), "bai-hoc.docx",
                      by=REVIEWER)  # fmt: skip
        excel = attach(session, tmp_path, parse_target("lesson:2013-public"), xlsx_bytes(), "so-lieu.xlsx",
                       by=REVIEWER, visibility="internal")  # fmt: skip
        assert (
            word.text and "Nuôi dê sinh sản ở Minh Hóa" in word.text and "Hộ thoát nghèo\t1.250" in word.text
        )
        assert excel.text and "Kết quả" in excel.text and "Tỷ lệ hộ nghèo\t0.125" in excel.text


def test_who_sees_which_attachment(store: Engine, tmp_path: Path):
    with session_scope(store) as session:
        for target, name, visibility in [
            ("programme:QB-DE-2012", "a.pdf", "public"),
            ("programme:QB-DE-2012", "b.pdf", "internal"),
            ("evaluation:QB-DE-2012-running", "c.pdf", "public"),
            ("lesson:2013-public", "d.pdf", "public"),
            ("lesson:2013-draft", "e.pdf", "public"),
        ]:
            attach(
                session,
                tmp_path,
                parse_target(target),
                pdf_bytes(name),
                name,
                by=REVIEWER if target.startswith("lesson:") else EVALUATOR,
                visibility=visibility,
            )
    reader = Viewer(role="reader", email="docgia@molisa.example.vn")
    expected = {
        ANONYMOUS: ["a.pdf", "d.pdf"],
        reader: ["a.pdf", "b.pdf", "d.pdf"],
        Viewer(role="evaluator"): ["a.pdf", "b.pdf", "c.pdf", "d.pdf"],
        Viewer(role="reviewer"): ["a.pdf", "b.pdf", "c.pdf", "d.pdf", "e.pdf"],
    }
    with session_scope(store) as session:
        for viewer, names in expected.items():
            assert [a.file_name for a in attachments_of(session, viewer)] == names, viewer.role
        assert [
            a.file_name for a in attachments_of(session, ANONYMOUS, parse_target("lesson:2013-public"))
        ] == ["d.pdf"]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 << 20))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("report.doc", b"\xd0\xcf\x11\xe0", "not a PDF, Word or Excel file"),
        ("report.pdf", b"<html>not a pdf</html>", "no %PDF- header"),
        ("report.pdf", b"", "empty"),
        ("report.docx", b"PK\x03\x04 not really", "not a Word .docx file"),
        ("bomb.docx", _zip_bomb(), "zip bomb"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (2 << 20), "MEL_LIMIT_ATTACHMENT_MB"),
    ],
    ids=["doc", "not-pdf", "empty", "not-docx", "zip-bomb", "too-large"],
)
def test_refused_files_leave_nothing(store: Engine, tmp_path: Path, name: str, data: bytes, words: str):
    limits = Limits(attachment_bytes=1 << 20)
    with session_scope(store) as session, pytest.raises(AttachmentRefused, match=words):
        attach(
            session, tmp_path, parse_target("programme:QB-DE-2012"), data, name, by=EVALUATOR, limits=limits
        )
    with session_scope(store) as session:
        assert attachments_of(session, Viewer(role="admin")) == []
    assert not (tmp_path / "attachments").exists() or not list((tmp_path / "attachments").iterdir())


def test_read_file_stops_before_reading_a_file_that_is_too_large(tmp_path: Path):
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-" + b"0" * 2048)
    with pytest.raises(AttachmentRefused, match="MEL_LIMIT_ATTACHMENT_MB") as refused:
        read_file(path, Limits(attachment_bytes=1024))
    assert refused.value.too_large
    assert read_file(path, Limits(attachment_bytes=4096)).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("target", "by", "words"),
    [
        ("programme:NOPE", EVALUATOR, "no programme 'NOPE'"),
        ("lesson:2013-public", "docgia@molisa.example.vn", "may not attach files to lesson:2013-public"),
        ("lesson:2013-public", "congtacvien@molisa.example.vn", "may not attach files to lesson:2013-public"),
        ("lesson:2013-public", EVALUATOR, "may not attach files to lesson:2013-public"),
        ("programme:QB-DE-2012", "congtacvien@molisa.example.vn", "may not attach files to programme"),
        ("evaluation:QB-DE-2012-final", "docgia@molisa.example.vn", "may not attach files to evaluation"),
        ("lesson:2013-public", "nobody@example.org", "not an enabled user"),
    ],
    ids=["unknown-entity", "reader", "contributor", "evaluator-lesson", "contributor-programme", "reader-evaluation",
         "unknown-user"],
)  # fmt: skip
def test_who_may_attach_and_to_what(store: Engine, tmp_path: Path, target: str, by: str, words: str):
    with session_scope(store) as session, pytest.raises(AttachmentError, match=words):
        attach(session, tmp_path, parse_target(target), pdf_bytes("x"), "x.pdf", by=by)


def test_a_lessons_author_attaches_files_while_it_is_a_draft_or_returned(store: Engine, tmp_path: Path):
    from sqlalchemy import update

    from mel_core.attachments import AttachmentForbidden
    from mel_core.store import Lesson

    author = "congtacvien@molisa.example.vn"
    with store.begin() as conn:
        conn.execute(update(Lesson).where(Lesson.key == "2013-draft").values(submitted_by_user=author))  # type: ignore[arg-type]
    for status, allowed in (("draft", True), ("returned", True), ("submitted", False), ("published", False)):
        with store.begin() as conn:
            conn.execute(update(Lesson).where(Lesson.key == "2013-draft").values(status=status))  # type: ignore[arg-type]
        with session_scope(store) as session:
            target = parse_target("lesson:2013-draft")
            if allowed:
                row = attach(session, tmp_path, target, pdf_bytes(status), f"{status}.pdf", by=author)
                assert row.uploaded_by == author
            else:
                with pytest.raises(AttachmentForbidden):
                    attach(session, tmp_path, target, pdf_bytes(status), f"{status}.pdf", by=author)
    with session_scope(store) as session:  # another contributor may not, even of a draft
        add_user(session, "khac@molisa.example.vn", "contributor", "a long enough password")
    with store.begin() as conn:
        conn.execute(update(Lesson).where(Lesson.key == "2013-draft").values(status="draft"))  # type: ignore[arg-type]
    with session_scope(store) as session, pytest.raises(AttachmentForbidden):
        attach(session, tmp_path, parse_target("lesson:2013-draft"), pdf_bytes("z"), "z.pdf",
               by="khac@molisa.example.vn")  # fmt: skip


@pytest.mark.parametrize("text", ["lesson", "report:1", "lesson:", "2013-public"])
def test_targets_are_named_entity_colon_key(text: str):
    with pytest.raises(AttachmentError, match="does not name"):
        parse_target(text)


def test_the_same_file_twice_on_one_entity_is_refused(store: Engine, tmp_path: Path):
    with session_scope(store) as session:
        attach(session, tmp_path, parse_target("lesson:2013-public"), pdf_bytes("x"), "x.pdf", by=REVIEWER)
        with pytest.raises(AttachmentError, match="already attached"):
            attach(
                session, tmp_path, parse_target("lesson:2013-public"), pdf_bytes("x"), "y.pdf", by=REVIEWER
            )


@pytest.mark.parametrize(
    ("kind", "data", "words"),
    [
        ("pdf", b"%PDF-1.4\ngarbage", "could not be read"),
        ("pdf", pdf_bytes(""), "no text was found"),
        ("xlsx", b"PK\x05\x06" + b"\0" * 18, "could not be read"),
        ("docx", docx_bytes()[:-200], "could not be read"),
    ],
    ids=["damaged-pdf", "pdf-without-text", "empty-zip", "truncated-docx"],
)
def test_an_unreadable_file_gets_a_note_not_a_crash(kind: str, data: bytes, words: str):
    extracted = extract(data, kind)
    assert extracted.text is None and extracted.note and words in extracted.note


def test_text_is_bounded(monkeypatch: pytest.MonkeyPatch):
    from mel_core.attachments import extract as module

    monkeypatch.setattr(module, "MAX_ROWS", 1)
    extracted = extract(xlsx_bytes(), "xlsx")
    assert (
        extracted.text == "Kết quả\nChỉ tiêu\tGiá trị"
        and extracted.note
        and "only the beginning" in extracted.note
    )


def test_attached_text_is_searched_in_the_index_of_what_it_belongs_to(store: Engine, tmp_path: Path):
    from mel_core.kb.index import build_index, update_lessons
    from mel_core.kb.search import search
    from mel_core.web.routers.search import hit_url

    home = tmp_path / "home"
    with session_scope(store) as session:
        for target, word, visibility in [
            ("programme:QB-DE-2012", "Alpaca", "public"),
            ("programme:QB-DE-2012", "Bonobo", "internal"),
            ("evaluation:QB-DE-2012-final", "Caracal", "public"),
            ("evaluation:QB-DE-2012-running", "Dingo", "public"),
            ("lesson:2013-public", "Echidna 0912 345 678", "public"),
            ("lesson:2013-draft", "Fennec", "public"),
        ]:
            attach(session, home, parse_target(target), pdf_bytes(f"Report {word}"), f"{word}.pdf",
                   by=REVIEWER if target.startswith("lesson:") else EVALUATOR, visibility=visibility)  # fmt: skip
    found: dict[str, set[str]] = {}
    for audience in ("public", "internal"):
        build_index(store, tmp_path / audience, audience=audience)
        hits = search(tmp_path / audience, "report", limit=50).hits
        found[audience] = {h.title for h in hits if h.kind == "attachment"}
    assert found == {
        "public": {"Alpaca", "Caracal", "Echidna […]"},
        "internal": {"Alpaca", "Bonobo", "Caracal", "Echidna […]"},
    }
    [hit] = search(tmp_path / "public", "echidna").hits
    assert hit.kind == "attachment" and hit_url(hit) == "/lessons/2013-public" and "345" not in hit.snippet
    add_lesson(store, "2013-draft", "Bản nháp", [("3", "Bài học", "- Hai.")])  # published now
    update_lessons(store, tmp_path / "public", ["2013-draft"])
    assert [h.title for h in search(tmp_path / "public", "fennec").hits] == ["Fennec"]


def test_attachments_carry_the_facets_of_what_they_belong_to(store: Engine, tmp_path: Path):
    """A search narrowed by year, province, sector, theme or funding narrows the attached files too (#15)."""
    from mel_core.kb.facets import Filters
    from mel_core.kb.index import build_index
    from mel_core.kb.search import search
    from mel_core.store import ProgrammeProvince

    with session_scope(store) as session:
        session.add(ProgrammeProvince(programme_id=1, admin_unit_code="44", position=0))  # Quảng Bình (old)
        for target in ("programme:QB-DE-2012", "evaluation:QB-DE-2012-final", "lesson:2013-public"):
            attach(session, tmp_path, parse_target(target), pdf_bytes(f"Walrus report {target}"),
                   f"{target.partition(':')[0]}.pdf", by=REVIEWER)  # fmt: skip
    build_index(store, tmp_path / "index", audience="public")

    def found(**facets: str) -> set[str]:
        hits = search(tmp_path / "index", "walrus", filters=Filters.parse(kind="attachment", **facets)).hits
        return {h.title for h in hits}

    assert found() == {"programme", "evaluation", "lesson"}
    # the programme ran 2012-2014; its evaluation ended in 2014 (no period given, not finished: its last year)
    assert found(year="2013") == {"programme", "lesson"}
    assert found(year="2014") == {"programme", "evaluation"}
    assert found(funding="state_budget") == {"lesson"} and found(funding="ngo") == {"programme", "evaluation"}
    assert found(theme="process") == {"lesson"}
    assert found(province="44") == {"programme", "evaluation"} and found(province="11") == {"lesson"}
    assert found(sector="livestock") == {"programme", "evaluation", "lesson"}
    assert found(sector="education") == set()


def test_the_cli_attaches_and_lists_files(tmp_path: Path):
    import json

    from tests.datasets import write_csv
    from tests.test_cli import run_mel

    assert run_mel("init", home=tmp_path).returncode == 0
    assert run_mel("import", str(write_csv(tmp_path / "csv")), home=tmp_path).returncode == 0
    assert run_mel("users", "add", EVALUATOR, "--role", "evaluator", home=tmp_path).returncode == 0
    (tmp_path / "bao-cao.pdf").write_bytes(pdf_bytes("Final report of GOPA"))
    (tmp_path / "so-lieu.xlsx").write_bytes(xlsx_bytes())
    done = run_mel("attach", "programme:GOPA", "bao-cao.pdf", "--title", "Báo cáo cuối kỳ", "--by", EVALUATOR,
                   home=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Attached bao-cao.pdf to programme:GOPA as attachment 1" in done.stdout
    internal = run_mel(
        "attach", "programme:GOPA", "so-lieu.xlsx", "--internal", "--by", EVALUATOR, home=tmp_path
    )
    assert internal.returncode == 0, internal.stderr
    listed = json.loads(
        run_mel("attachments", "list", "--entity", "programme:GOPA", "--json", home=tmp_path).stdout
    )
    assert [(a["title"], a["visibility"], a["text_chars"] > 0) for a in listed] == [
        ("Báo cáo cuối kỳ", "public", True),
        ("so-lieu", "internal", True),
    ]
    assert "Báo cáo cuối kỳ" in run_mel("attachments", "list", home=tmp_path).stdout
    unknown = run_mel("attach", "lesson:nope", "bao-cao.pdf", "--by", EVALUATOR, home=tmp_path)
    assert unknown.returncode == 65 and "no lesson 'nope'" in unknown.stderr
    too_large = run_mel("attach", "programme:GOPA", "bao-cao.pdf", "--by", EVALUATOR, home=tmp_path,
                        MEL_LIMIT_ATTACHMENT_MB="0")  # fmt: skip
    assert too_large.returncode == 78  # a limit of 0 is not a setting
    wrong = run_mel("attach", "programme", "bao-cao.pdf", "--by", EVALUATOR, home=tmp_path)
    assert wrong.returncode == 65 and "ENTITY:KEY" in wrong.stderr
