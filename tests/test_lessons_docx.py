"""Word submissions → lesson files (real .docx built with python-docx), templates, and the `mel lessons` commands."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from mel_core.cli import app, main
from mel_core.errors import LessonFormatError, OutputError
from mel_core.lessons import read_lesson
from mel_core.lessons.check import check_lessons, validate_lessons
from mel_core.lessons.docx import import_docx
from mel_core.lessons.templates import new_lesson


def state_submission(path: Path) -> Path:
    """A submission from a province, written to the outline in Vietnamese, with the officer's phone and e-mail."""
    d = docx.Document()
    d.add_paragraph("UBND TỈNH ĐIỆN BIÊN")
    d.add_paragraph("(Chi tiết liên hệ: Ông Lò Văn A, ĐT: 0912554806, HT lovana@example.vn)")
    d.add_heading("1. Thông tin về mô hình/dự án", level=1)
    d.add_paragraph("1.1. Tên mô hình/dự án: Nuôi bò sinh sản cho hộ nghèo")
    d.add_paragraph("1.2. Địa điểm: xã Na Son, huyện Điện Biên Đông, tỉnh Điện Biên")
    d.add_paragraph("1.6. Các hoạt động chính:")
    d.add_paragraph("1. Cấp bò giống")
    d.add_paragraph("2. Tập huấn kỹ thuật chăn nuôi")
    d.add_paragraph("1.7. Các kết quả chính: 460 bê con")
    d.add_paragraph("1.8. Tác động kinh tế, xã hội, môi trường: thu nhập tăng")
    d.add_paragraph("1.7. Nhóm hưởng lợi trực tiếp và tiêu thức lựa chọn: hộ nghèo có lao động")
    d.add_heading("2. Quá trình xây dựng và thực hiện mô hình/dự án", level=1)
    d.add_heading("2.1. Các tiếp cận chính", level=2)
    d.add_paragraph("Họp dân chọn giống bò vàng địa phương.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Nguồn vốn", "Triệu đồng"
    table.cell(1, 0).text, table.cell(1, 1).text = "Ngân sách nhà nước", "9.600"
    d.add_heading("3. Bài học kinh nghiệm", level=1)
    d.add_paragraph("Các bài học chủ yếu:")
    d.add_paragraph("Để dân chọn con giống qua họp bản giúp bò sống tốt hơn.", style="List Bullet")
    d.add_paragraph("- Quay vòng bê giúp nhân rộng; hỏi thêm cán bộ thú y, số 0987 654 321.")
    d.add_heading("4. Những khuyến nghị", level=1)
    d.add_paragraph("Rút ngắn thời gian phê duyệt.")
    d.add_paragraph("5. Mô hình điển hình: bản Pú Nhi")
    d.save(str(path))
    return path


def ngo_submission(path: Path) -> Path:
    """An NGO submission in English with the general-information block of the NGO outline."""
    d = docx.Document()
    d.add_paragraph("GENERAL INFORMATION")
    d.add_paragraph("1. Organisation name: Highland Livelihoods Network")
    d.add_paragraph(
        "2. Address in Vietnam, phone, email: 12 Ngoc Ha, Ha Noi, +84 24 3936 1120, info@hln.example.org"
    )
    d.add_paragraph("3. Area of work: Lào Cai and Yên Bái")
    d.add_paragraph("4. Representative providing the information: Emma Clarke")
    d.add_paragraph("1. Model information")
    d.add_paragraph("1.1. Name: Community cattle bank")
    d.add_paragraph("2. Design and implementation process")
    d.add_paragraph("2.4. Implementation: village committees keep the register.")
    d.add_paragraph("3. Lessons learned")
    d.add_heading("The village meeting owns the revolving asset", level=3)
    d.add_paragraph("Pass-on rates stayed above 90% where the meeting chose recipients.")
    d.add_heading("Local animal health workers", level=3)
    d.add_paragraph("A trained villager reached animals in days.")
    d.add_paragraph("4. Opportunities, difficulties and proposals")
    d.add_paragraph("Include a pass-on rule in state programmes.")
    d.save(str(path))
    return path


def fill_todos(path: Path, lesson_id: str) -> None:
    text = path.read_text(encoding="utf-8")
    for key, value in [
        ("id", lesson_id),
        ("submitted_by", "Sở Nông nghiệp và PTNT Điện Biên"),
        ("submitter_kind", "state"),
        ("funding", "state_budget"),
        ("sector", "livestock"),
    ]:
        text = re.sub(rf"(?m)^{key}: TODO.*$", f"{key}: {value}", text)
    text = re.sub(r"(?m)^provinces: \[TODO\].*$", 'provinces: ["11"]', text)
    text = re.sub(r"(?m)^themes: \[TODO\].*$", "themes: [process]", text)
    path.write_text(text, encoding="utf-8")


def test_a_word_submission_becomes_a_lesson_file_that_check_then_accepts(tmp_path):
    source = state_submission(tmp_path / "Báo cáo Điện Biên.docx")
    result = import_docx(source, tmp_path / "lessons", year=2026)
    assert result.path == tmp_path / "lessons" / "2026" / "2026-bao-cao-dien-bien.md"
    assert result.todo == ["id", "submitted_by", "submitter_kind", "funding", "provinces", "sector", "themes"]
    assert result.moved_to_contact == 3
    written = result.path.read_text(encoding="utf-8")
    assert "0912554806" not in written.split("---")[2] and "lovana@" not in written.split("---")[2]
    assert "provinces: [TODO]  # found in the text: 11 Điện Biên" in written

    problems = validate_lessons([result.path])[1]
    assert sorted(p.column for p in problems) == sorted(result.todo)
    assert all("TODO" in p.reason for p in problems)

    fill_todos(result.path, "2026-bao-cao-dien-bien")
    (lesson,) = check_lessons([result.path])
    assert lesson.meta["title"] == "Nuôi bò sinh sản cho hộ nghèo"
    assert lesson.meta["language"] == "vi" and lesson.meta["visibility"] == "internal"
    assert lesson.meta["contact"] == {
        "phone": "0912554806",
        "email": "lovana@example.vn",
        "other": "0987 654 321",
    }
    assert [s.number for s in lesson.sections] == [
        "1",
        "1.1",
        "1.2",
        "1.6",
        "1.7",
        "1.8",
        "1.9",
        "2",
        "2.1",
        "3",
        "4",
        "5",
    ]
    assert lesson.section("1.9").body == "hộ nghèo có lao động"  # the letter's second "1.7" is its 1.9
    assert "1. Cấp bò giống" in lesson.section("1.6").body  # numbered list items stay in their section
    assert "Ngân sách nhà nước | 9.600" in lesson.section("2.1").body
    assert [i.title for i in lesson.items] == [
        "Để dân chọn con giống qua họp bản giúp bò sống tốt hơn",
        "Quay vòng bê giúp nhân rộng; hỏi thêm cán bộ thú y, số",
    ]


def test_an_ngo_submission_fills_submitter_and_contact_from_its_general_information(tmp_path):
    result = import_docx(ngo_submission(tmp_path / "hln.docx"), tmp_path / "lessons", year=2013)
    lesson = read_lesson(result.path)
    assert lesson.meta["language"] == "en"
    assert lesson.meta["submitted_by"] == "Highland Livelihoods Network"
    assert lesson.meta["contact"]["name"] == "Emma Clarke"
    assert lesson.meta["contact"]["email"] == "info@hln.example.org"
    assert lesson.meta["contact"]["phone"] == "+84 24 3936 1120"
    assert "submitted_by" not in result.todo
    assert [i.title for i in lesson.items] == [
        "The village meeting owns the revolving asset",
        "Local animal health workers",
    ]
    assert "10 Lào Cai" in result.path.read_text(encoding="utf-8")


def test_a_file_that_is_not_a_submission_is_refused(tmp_path):
    not_word = tmp_path / "notes.docx"
    not_word.write_text("plain text", encoding="utf-8")
    with pytest.raises(LessonFormatError, match="lesson files") as caught:
        import_docx(not_word, tmp_path)
    assert "not a Word .docx file" in caught.value.problems[0].reason
    letter = docx.Document()
    letter.add_paragraph("Kính gửi: Sở Nông nghiệp")
    letter.save(str(tmp_path / "letter.docx"))
    with pytest.raises(LessonFormatError) as caught:
        import_docx(tmp_path / "letter.docx", tmp_path)
    assert "no numbered heading of the outline" in caught.value.problems[0].reason


def test_new_lesson_from_each_outline_and_never_over_an_existing_file(tmp_path):
    for kind in ("state", "ngo"):
        for lang in ("vi", "en"):
            path = new_lesson(f"2026-{kind}-{lang}", 2026, kind=kind, lang=lang, out=tmp_path)
            lesson = read_lesson(path)
            assert lesson.meta["id"] == f"2026-{kind}-{lang}" and lesson.meta["year"] == 2026
            assert lesson.meta["language"] == lang and lesson.meta["submitter_kind"] == kind
            assert [s.number for s in lesson.sections] == [
                "1",
                *[f"1.{i}" for i in range(1, 10)],
                "2",
                *[f"2.{i}" for i in range(1, 9)],
                "3",
                "4",
                "5",
            ]
            problems = validate_lessons([path])[1]
            assert {p.column for p in problems} == {
                "title",
                "submitted_by",
                "provinces",
                "sector",
                "themes",
                "contact",
                "3",
            }
    with pytest.raises(OutputError):
        new_lesson("2026-state-vi", 2026, out=tmp_path)
    with pytest.raises(LessonFormatError):
        new_lesson("Not An Id", 2026, kind="ministry", out=tmp_path)


@pytest.mark.parametrize("command", ["new", "check", "ingest", "import-docx"])
def test_every_lessons_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, ["lessons", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert f"Example: mel lessons {command}" in result.output


def test_cli_check_lists_every_problem_in_vietnamese_and_exits_65(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MEL_LANG", "vi")
    path = new_lesson("2026-x", 2026, out=tmp_path / "lessons")
    assert main(["lessons", "check", str(tmp_path / "lessons")]) == 65
    err = capsys.readouterr().err
    assert f"{path}, dòng 3, mục 'title': cần điền (TODO)" in err
    assert "có 7 lỗi trong tệp bài học" in err


def test_cli_new_import_docx_check_and_ingest(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEL_HOME", str(tmp_path / ".mel"))
    monkeypatch.delenv("MEL_DB_URL", raising=False)
    monkeypatch.setenv("MEL_LANG", "en")
    assert main(["lessons", "new", "--id", "2026-a", "--year", "2026", "--kind", "ngo", "--lang", "en"]) == 0
    assert (tmp_path / "lessons" / "2026" / "2026-a.md").exists()
    source = state_submission(tmp_path / "bc.docx")
    assert main(["lessons", "import-docx", str(source), "--out", "converted"]) == 0
    out = capsys.readouterr().out
    assert "to fill in by hand: id, submitted_by" in out
    (converted,) = (tmp_path / "converted").glob("*/*.md")
    fill_todos(converted, converted.stem)
    assert main(["lessons", "check", "converted"]) == 0
    assert "1 lesson files checked; no problems found." in capsys.readouterr().out
    assert main(["lessons", "ingest", "converted"]) == 74  # no store yet: says to run mel init
    assert "mel init" in capsys.readouterr().err
    assert main(["init"]) == 0
    assert main(["lessons", "ingest", "converted"]) == 0
    assert "lessons: 1 added, 0 updated, 0 unchanged" in capsys.readouterr().out


def test_lessons_numbered_3_1_in_word_become_one_lesson_each(tmp_path):
    d = docx.Document()
    d.add_paragraph("1. Thông tin về mô hình")
    d.add_paragraph("1.1. Tên mô hình: Nuôi gà thả vườn")
    d.add_paragraph("3. Bài học kinh nghiệm")
    d.add_paragraph("3.1. Tiết kiệm trước, hỗ trợ sau")
    d.add_paragraph("Thành viên góp một nửa tiền giống.")
    d.add_paragraph("3.2. Nhóm tự quản")
    d.add_paragraph("Phụ nữ tự đặt quy chế.")
    d.save(str(tmp_path / "ga.docx"))
    lesson = read_lesson(import_docx(tmp_path / "ga.docx", tmp_path, year=2017).path)
    assert [(i.title, i.text) for i in lesson.items] == [
        ("Tiết kiệm trước, hỗ trợ sau", "Thành viên góp một nửa tiền giống."),
        ("Nhóm tự quản", "Phụ nữ tự đặt quy chế."),
    ]
