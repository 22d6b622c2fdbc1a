"""Lesson files: parsing the outline of letter 247/KTHT-GN, and every kind of problem `check` reports."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from pathlib import Path

import pytest

from mel_core.errors import LessonFormatError
from mel_core.lessons import LessonItem, lesson_items, parse_lesson
from mel_core.lessons.check import check_lessons, validate_lessons
from mel_core.lessons.templates import OUTLINES_DIR, template_paths
from mel_core.reference import taxonomy

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"

GOOD = """\
---
id: 2013-dien-bien-bo
title: Nuôi bò sinh sản
language: vi
year: 2013
submitted_by: Sở Nông nghiệp và PTNT Điện Biên
submitter_kind: state
funding: state_budget
provinces: ["11", "44"]
sector: livestock
themes: [process, empowerment]
visibility: public
status: submitted
contact: {name: Lò Văn A, phone: "0912 345 678", email: a@example.vn}
---
## 1. Thông tin về mô hình

### 1.1. Tên mô hình
Nuôi bò sinh sản cho hộ nghèo.

### 1.9. Nhóm hưởng lợi trực tiếp và tiêu thức lựa chọn
Hộ nghèo có lao động.

## 2. Quá trình xây dựng và thực hiện mô hình

### 2.6. Phổ biến và nhân rộng
Quay vòng bê.

## 3. Bài học kinh nghiệm

### Để dân chọn con giống
Họp bản chọn bò vàng địa phương.

### 3.2. Cấp giống đúng mùa
Cấp bò vào tháng 3.

## 4. Khuyến nghị
- Rút ngắn phê duyệt.

## 5. Mô hình điển hình
Bản Pú Nhi.
"""

ENGLISH = """\
---
id: x
---
## 1. Model information

### 1.1 Name
Cattle bank.

## 2. Design and implementation process

### 2.8 Sustainability measures
Village rules.

## 3. Lessons learned

- **The village meeting owns the asset.** Pass-on rates stayed above 90%.
- Animal health workers from the village keep cattle alive. A trained villager
  reaches animals in days.

## 4. Recommendations
- Include a pass-on rule.
"""


def write(folder: Path, text: str, year: str = "2013", name: str = "2013-dien-bien-bo") -> Path:
    path = folder / "lessons" / year / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list:
    return validate_lessons([path])[1]


def test_vietnamese_headings_are_matched_by_number():
    lesson = parse_lesson(GOOD)
    assert [s.number for s in lesson.sections] == ["1", "1.1", "1.9", "2", "2.6", "3", "4", "5"]
    assert lesson.section("1.1").heading == "Tên mô hình"
    assert lesson.section("1.1").body == "Nuôi bò sinh sản cho hộ nghèo."
    assert lesson.section("1.1").line == 18
    assert "### Để dân chọn con giống" in lesson.section("3").body
    assert lesson.items == [
        LessonItem("Để dân chọn con giống", "Họp bản chọn bò vàng địa phương.", 1),
        LessonItem("Cấp giống đúng mùa", "Cấp bò vào tháng 3.", 2),
    ]
    assert lesson.problems == []
    assert lesson.meta["provinces"] == ["11", "44"]


def test_english_headings_and_bullet_lessons():
    lesson = parse_lesson(ENGLISH)
    assert [s.number for s in lesson.sections] == ["1", "1.1", "2", "2.8", "3", "4"]
    assert lesson.section("2.8").heading == "Sustainability measures"
    assert [(i.title, i.position) for i in lesson.items] == [
        ("The village meeting owns the asset", 1),
        ("Animal health workers from the village keep cattle alive", 2),
    ]
    assert lesson.items[0].text == "Pass-on rates stayed above 90%."
    assert lesson.items[1].text.endswith("A trained villager reaches animals in days.")


def test_lesson_items_is_a_small_frozen_dataclass():
    assert [f.name for f in dataclasses.fields(LessonItem)] == ["title", "text", "position"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        lesson_items("### a\nb")[0].title = "c"  # type: ignore[misc]
    assert lesson_items("Intro only, no lesson.") == []


def test_text_is_nfc_normalised_on_the_way_in():
    decomposed = unicodedata.normalize("NFD", GOOD)
    assert decomposed != GOOD
    lesson = parse_lesson(decomposed)
    assert lesson.meta["title"] == "Nuôi bò sinh sản"
    assert lesson.items[0].title == "Để dân chọn con giống"
    assert lesson_items(unicodedata.normalize("NFD", "- Nhân rộng mô hình"))[0].title == "Nhân rộng mô hình"


def test_a_good_file_has_no_problem(tmp_path):
    assert problems_of(write(tmp_path, GOOD)) == []


# (id, text to replace, replacement, line, field, words of the reason)
CASES = [
    ("missing-key", "sector: livestock\n", "", 1, "sector", "required key 'sector'"),
    ("unknown-sector", "sector: livestock", "sector: cattle", 10, "sector", "must be one of"),
    ("unknown-theme", "[process, empowerment]", "[process, learning]", 11, "themes", "must be one of"),
    ("unknown-funding", "funding: state_budget", "funding: budget", 8, "funding", "must be one of"),
    (
        "unknown-kind",
        "submitter_kind: state",
        "submitter_kind: ministry",
        7,
        "submitter_kind",
        "must be one of",
    ),
    ("unknown-province", '["11", "44"]', '["11", "99"]', 9, "provinces", "unknown province code"),
    ("bad-language", "language: vi", "language: fr", 4, "language", "must be one of"),
    ("bad-id", "id: 2013-dien-bien-bo", "id: 2013_Dien_Bien", 2, "id", "lowercase a-z"),
    ("id-not-file-name", "id: 2013-dien-bien-bo", "id: 2013-dien-bien-ga", 2, "id", "must be named"),
    ("year-not-folder", "year: 2013", "year: 2014", 5, "year", "folder named 2014"),
    ("year-not-number", "year: 2013", "year: năm 2013", 5, "year", "must be a number"),
    ("unknown-key", "status: submitted", "status: submitted\ncolour: red", 14, "colour", "unknown key"),
    ("todo", "title: Nuôi bò sinh sản", "title: TODO", 3, "title", "still to fill in (TODO)"),
    ("bad-yaml", "themes: [process, empowerment]", "themes: [process, empowerment", 12, "", "not valid YAML"),
    ("no-front-matter", "---\nid:", "id:", 1, "", "must start with YAML front matter"),
    ("unclosed-front-matter", "---\n## 1.", "## 1.", 1, "", "not closed"),
    ("unknown-section", "## 3. Bài học kinh nghiệm", "## 6. Bài học", 29, "6", "not in the outline"),
    (
        "no-lesson",
        "### Để dân chọn con giống\nHọp bản chọn bò vàng địa phương.\n\n### 3.2. Cấp giống đúng mùa\n",
        "Chưa viết.\n",
        29,
        "3",
        "section 3 has no lesson",
    ),
    ("html", "Hộ nghèo có lao động.", "Hộ <b>nghèo</b>.", 22, "body", "raw HTML"),
    ("script", "Quay vòng bê.", "<script>alert(1)</script>", 27, "body", "<script>"),
    ("phone-in-body", "Bản Pú Nhi.", "Gọi anh A: 0987 654 321.", 41, "body", "personal data"),
    ("email-in-body", "Quay vòng bê.", "Hỏi thêm: b.tran@example.org", 27, "body", "personal data"),
    (
        "phone-in-front-matter",
        "Sở Nông nghiệp và PTNT Điện Biên",
        "Sở NN (ĐT 0215 3825 001)",
        6,
        "submitted_by",
        "outside 'contact'",
    ),
    ("unknown-subsection", "### 2.6. Phổ biến", "### 2.9. Phổ biến", 26, "2.9", "does not belong"),
    ("duplicate-section", "### 1.9. Nhóm", "### 1.1. Nhóm", 21, "1.1", "appears twice"),
    ("unnumbered-heading", "## 4. Khuyến nghị", "## Khuyến nghị", 37, "", "a heading must be"),
    ("bad-contact", "contact: {name:", "contact: {nick:", 14, "contact", "unknown contact key"),
    ("nul-byte", "Bản Pú Nhi.", "Bản\x00Pú Nhi.", 41, "", "control character (U+0000)"),
    ("terminal-escape", "Bản Pú Nhi.", "Bản \x1b[2J Pú Nhi.", 41, "", "control character (U+001B)"),
    ("bidi-override", "Bản Pú Nhi.", "Bản \u202eihN úP\u202c.", 41, "", "control character (U+202E)"),
    ("bidi-in-title", "title: Nuôi bò", "title: Nuôi \u2067bò\u2069", 3, "", "control character (U+2067)"),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_every_kind_of_problem_is_reported_with_file_line_and_field(tmp_path, old, new, line, field, words):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    found = problems_of(path)
    assert any(p.row == line and p.column == field and words in p.reason for p in found), found
    assert all(p.source == str(path) for p in found)


def test_no_section_three_at_all(tmp_path):
    text = GOOD.split("## 3.")[0]
    found = problems_of(write(tmp_path, text))
    assert [(p.column, str(p.reason)) for p in found] == [("3", "no section '## 3.' (lessons learned)")]


def test_pre_2025_codes_are_valid(tmp_path):
    text = GOOD.replace('["11", "44"]', '["44", "15", "62", 2]')
    assert problems_of(write(tmp_path, text)) == []


def test_contact_may_hold_personal_data(tmp_path):
    path = write(tmp_path, GOOD)
    assert "0912 345 678" in path.read_text(encoding="utf-8")
    assert problems_of(path) == []


def test_amounts_and_years_are_not_phone_numbers(tmp_path):
    text = GOOD.replace(
        "Quay vòng bê.", "Ngân sách 9.600 triệu đồng (1.000.000.000 đồng), 2013–2016, 0,5 ha."
    )
    assert problems_of(write(tmp_path, text)) == []


#: Markup as a browser's HTML parser reads it (id, text): each is refused in a title and in the body.
MARKUP = [
    ("slash-instead-of-space", 'Bypass <svg/onload=alert("title")>'),
    ("upper-case", "Ảnh <IMG SRC=x ONERROR=alert(1)>"),
    ("tab-instead-of-space", "Ảnh <img\tsrc=x onerror=alert(1)>"),
    ("left-open", "Chi phí <img src=x onerror=alert(1) x="),  # the page's next ">" would close it
    ("no-attributes", "Mô hình <svg><animate onbegin=alert(1)>"),
    ("end-tag", "đậm</b> ở đây"),
    ("comment", "ẩn <!-- ghi chú --> đi"),
    ("declaration", "<!DOCTYPE html>"),
    ("processing-instruction", "<?xml version='1.0'?>"),
]
#: Text with "<" that no browser reads as markup (id, text).
NOT_MARKUP = [
    ("spaced", "Thu nhập a < b > c khi giá < 10%"),
    ("number", "Hộ có <5 ha đất"),
    ("comparison", "năng suất <= 3 tấn, <-> so sánh, << nhiều >>"),
    ("non-ascii-letter", "Ký hiệu <đ> trong bảng"),
]


@pytest.mark.parametrize("text", [c[1] for c in MARKUP], ids=[c[0] for c in MARKUP])
def test_html_in_any_form_is_refused_in_a_title_and_in_the_body(tmp_path, text):
    title = write(tmp_path, GOOD.replace("title: Nuôi bò sinh sản", f"title: {json.dumps(text)}", 1))
    assert [(p.row, p.column) for p in problems_of(title)] == [(3, "title")]
    body = write(tmp_path, GOOD.replace("Quay vòng bê.", text, 1))
    found = problems_of(body)
    assert [(p.row, p.column) for p in found] == [(27, "body")], found
    assert "HTML" in str(found[0].reason) or "<script>" in str(found[0].reason)


def test_a_tag_continued_on_the_next_line_is_refused_where_it_opens(tmp_path):
    body = write(tmp_path, GOOD.replace("Quay vòng bê.", "Ảnh <img\nsrc=x onerror=alert(1)> đây.", 1))
    assert [(p.row, p.column) for p in problems_of(body)] == [(27, "body")]


@pytest.mark.parametrize("text", [c[1] for c in NOT_MARKUP], ids=[c[0] for c in NOT_MARKUP])
def test_less_than_signs_in_ordinary_text_are_not_html(tmp_path, text):
    title = write(tmp_path, GOOD.replace("title: Nuôi bò sinh sản", f"title: {json.dumps(text)}", 1))
    assert problems_of(title) == []
    assert problems_of(write(tmp_path, GOOD.replace("Quay vòng bê.", text, 1))) == []
    autolink = GOOD.replace("Quay vòng bê.", "Xem <https://example.org/bo-giong>.", 1)
    assert problems_of(write(tmp_path, autolink)) == []  # a Markdown autolink: the book shows its words


def test_every_problem_of_every_file_is_raised_at_once(tmp_path):
    write(
        tmp_path,
        GOOD.replace("sector: livestock", "sector: cattle").replace("funding: state_budget", "funding: x"),
    )
    write(tmp_path, GOOD.replace("2013-dien-bien-bo", "2013-other"), name="2013-other")
    write(tmp_path, GOOD.replace("year: 2013", "year: 2015"), year="2015", name="2013-dien-bien-bo")
    with pytest.raises(LessonFormatError) as caught:
        check_lessons([tmp_path / "lessons"])
    reasons = [(Path(p.source).parent.name, p.column, str(p.reason)[:15]) for p in caught.value.problems]
    assert reasons == [
        ("2013", "funding", "must be one of:"),
        ("2013", "sector", "must be one of:"),
        ("2015", "id", "id '2013-dien-b"),
    ]
    duplicate = [p for p in caught.value.problems if "already used by" in p.reason]
    assert len(duplicate) == 1 and duplicate[0].row == 2
    assert caught.value.exit_code == 65
    assert "3 problems in lesson files" in caught.value.message


def test_templates_are_skipped_and_a_missing_path_is_a_problem(tmp_path):
    write(tmp_path, GOOD)
    templates = tmp_path / "lessons" / "_templates"
    templates.mkdir()
    (templates / "state.vi.md").write_text(
        (OUTLINES_DIR / "state.vi.md").read_text(encoding="utf-8"), "utf-8"
    )
    assert len(check_lessons([tmp_path / "lessons"])) == 1
    with pytest.raises(LessonFormatError) as caught:
        check_lessons([tmp_path / "nowhere"])
    assert "no such file or folder" in caught.value.problems[0].reason


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path):
    path = write(tmp_path, "")
    path.write_bytes(GOOD.encode("cp1258", errors="replace"))
    assert any("not UTF-8" in p.reason for p in problems_of(path))


def test_problems_render_in_vietnamese(tmp_path):
    path = write(tmp_path, GOOD.replace("sector: livestock", "sector: cattle"))
    (problem,) = problems_of(path)
    sectors = ", ".join(taxonomy()["sectors"])  # every sector of kb/taxonomy.yml, in its order
    assert "crops, livestock, forestry" in sectors
    assert problem.render("vi").endswith(
        f"dòng 10, mục 'sector': phải là một trong: {sectors} (giá trị: 'cattle')"
    )
    assert f"{path}, line 10, field 'sector'" in problem.render("en")


def test_the_sample_lessons_pass_check_and_cover_what_the_book_and_search_need():
    lessons = check_lessons([LESSONS])
    metas = [x.meta for x in lessons]
    assert len(lessons) >= 24
    assert all(m["illustrative"] is True for m in metas)
    assert sum(m["year"] == 2026 for m in metas) >= 6
    assert {m["year"] for m in metas} >= {2013, 2026}
    assert {m["language"] for m in metas} == {"vi", "en"}
    assert sum(m["language"] == "vi" for m in metas) > len(metas) / 2
    assert {t for m in metas for t in m["themes"]} == {
        "process",
        "empowerment",
        "building_on_existing",
        "leveraging_support",
    }
    assert len({p for m in metas for p in m["provinces"]}) >= 10
    assert {"44", "15", "62", "02"} <= {p for m in metas for p in m["provinces"]}
    assert len({m["sector"] for m in metas}) >= 5 and len({m["funding"] for m in metas}) >= 4
    assert {m.get("programme") for m in metas} >= {
        "DB-BSS-2011",
        "QB-DE-2012",
        "NA-CAM-2013",
        "KT-KEO-2012",
        "HG-NGHE-2014",
        "XTTM-2013",
        "GOPA",
        "YB-GA-2014",
        "TH-SK-2022",
        "DB-BSS-NR-2016",
    }
    assert sum(m.get("visibility") == "internal" for m in metas) >= 2
    assert sum("contact" in m for m in metas) > len(metas) / 2
    assert all(len(x.items) >= 2 for x in lessons)


def test_the_template_copies_in_lessons_agree_with_the_packaged_outlines():
    for packaged in template_paths():
        copy = LESSONS / "_templates" / packaged.name
        assert copy.read_text(encoding="utf-8") == packaged.read_text(encoding="utf-8"), copy
    assert len(template_paths()) == 4
