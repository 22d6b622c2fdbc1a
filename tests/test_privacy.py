"""Personal data in text, found in every form people write it, and kept out of the check, the index and the book."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from whoosh import index as whoosh_index

from mel_core import privacy
from mel_core.book.content import read_content
from mel_core.kb.index import build_index
from mel_core.kb.search import close_all, search
from mel_core.kb.storage import current_generation
from mel_core.lessons.check import validate_lessons
from mel_core.privacy import REDACTED, find_personal, mask, personal_spans, redact, remove_personal, skeleton
from tests.kb_support import simple_lesson
from tests.test_lessons import GOOD, write

#: (how it is written, the digits or address that must not survive)
PHONES = [
    ("0912 345 678", "345"),
    ("0912.345.678", "345"),
    ("0912\u00a0345\u00a0678", "345"),  # no-break spaces
    ("0912\u2009345\u202f678", "345"),  # thin and narrow no-break spaces
    ("0912\u2013345\u2014678", "345"),  # en and em dashes
    ("0912\u2212345\u2010678", "345"),  # minus sign, hyphen
    ("0912_345_678", "345"),
    ("(024) 3823 4567", "3823"),
    ("+84 (0) 24 3823 4567", "3823"),
    ("(+84) 912.345.678", "345"),
    ("+84 912 345 678", "345"),
    ("0084 912 345 678", "345"),
    ("84912345678", "84912345678"),
    (
        "\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",
        "\uff13\uff14\uff15",
    ),  # fullwidth digits
    ("0168 123 4567", "123"),  # an old 11-digit mobile number
]
EMAILS = [
    ("lan.nt@example.vn", "lan.nt"),
    ("lan.nt\uff20example.vn", "lan.nt"),  # fullwidth commercial at
    ("lan.nt [at] example [dot] vn", "lan.nt"),
    ("lan.nt (at) example.vn", "lan.nt"),
    ("lan.nt @ example.vn", "lan.nt"),
    ("lan.nt [a còng] example [chấm] vn", "lan.nt"),
]
NOT_PERSONAL = [
    "Tổng vốn 1.000.000.000 đồng.",
    "Thời gian 01.01.2020-31.12.2020.",
    "Năm 2020 có 84 hộ tham gia.",
    "Tỷ lệ tăng 0,5 điểm.",
    "2.345.678 người hưởng lợi.",
    "Giai đoạn 2021\u20132025.",
    "Vốn 840.000.000 đồng.",
    "Mã số thuế 0100109106.",
    "Diện tích 0,25 ha mỗi hộ.",
]


@pytest.mark.parametrize(("written", "part"), PHONES + EMAILS, ids=[w for w, _ in PHONES + EMAILS])
def test_every_way_of_writing_a_phone_or_email_is_found_and_blanked_out(written, part):
    text = f"Liên hệ anh Ba: {written}, trong giờ hành chính."
    assert find_personal(text) == [written]
    shown = redact(text)
    assert part not in shown and shown == f"Liên hệ anh Ba: {REDACTED}, trong giờ hành chính."
    assert part not in remove_personal(text)[0]
    assert part not in mask(written)


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_amounts_dates_and_tax_codes_are_not_personal_data(text):
    assert find_personal(text) == []
    assert redact(text) == text


def test_the_skeleton_keeps_every_position():
    text = "ĐT\u00a0\uff10\uff19\u2013Nguyễn\u200bA\n"
    assert len(skeleton(text)) == len(text) and skeleton(text) == "ĐT 09-Nguyễn A "
    assert skeleton("Nguyễn Đình\u00a0ƯỚC", fold=True) == "nguyen dinh uoc"


def test_a_contacts_name_is_blanked_out_across_lines_cases_and_diacritics():
    private = ["Hoàng Thị Mai", "0912 345 678"]
    text = "Chị Hoàng Thị\nMai (HOANG THI MAI) nói; chị hoàng  thị   mai ở Sở; Mai Châu thì không."
    shown = redact(text, private)
    assert shown == f"Chị {REDACTED} ({REDACTED}) nói; chị {REDACTED} ở Sở; Mai Châu thì không."
    assert redact("Lạng Sơn", ["Lan"]) == "Lạng Sơn"  # whole words only


# ----------------------------------------------------------------------------------------- where it is used
HOSTILE_FORMS = [written for written, _ in PHONES] + [written for written, _ in EMAILS]


@pytest.mark.parametrize("written", HOSTILE_FORMS)
def test_lessons_check_refuses_every_form_in_the_text(tmp_path, written):
    path = write(tmp_path, GOOD.replace("Bản Pú Nhi.", f"Bản Pú Nhi, gọi {written}."))
    problems = validate_lessons([path])[1]
    assert [p.column for p in problems] == ["body"], problems
    assert "personal data" in problems[0].reason and written not in problems[0].value


def _everything_in(index_dir: Path) -> str:
    ix = whoosh_index.open_dir(str(current_generation(index_dir)))
    with ix.reader() as reader:
        stored = [json.dumps(fields, ensure_ascii=False) for _n, fields in reader.iter_docs()]
        terms = [f"{name}:{term!r}" for name, term in reader.all_terms()]
    return "\n".join(stored + terms)


def test_the_index_holds_no_form_of_personal_data_nor_a_wrapped_contact_name(engine: Engine, tmp_path: Path):
    close_all()
    forms = " ; ".join(HOSTILE_FORMS)
    simple_lesson(
        engine,
        "2014-lai-chau-ga",
        "Nuôi gà thả vườn ở Lai Châu",
        f"### Tổ hợp tác giữ giống\nTổ hợp tác do chị Hoàng Thị\nMai phụ trách giữ giống gà. {forms}",
        body=f"Liên hệ chị Hoàng\u00a0Thị Mai: {forms}",
        contact={"name": "Hoàng Thị Mai", "phone": "0912 345 678"},
    )
    build_index(engine, tmp_path / "index")
    everything = _everything_in(tmp_path / "index")
    for _written, part in PHONES + EMAILS:
        assert part not in everything, part
    for word in ("hoàng", "hoang", "Hoàng", "example"):
        assert word not in everything, word
    assert search(tmp_path / "index", "giữ giống gà").total >= 1
    assert search(tmp_path / "index", "Hoàng Thị Mai").total == 0
    close_all()


def test_the_book_blanks_out_a_contact_name_wrapped_across_lines(tmp_path: Path, sqlite_engine: Engine):
    text = GOOD.replace("status: submitted", "status: published").replace(
        "Bản Pú Nhi.", "Bản Pú Nhi, do anh Lò\nVăn A hướng dẫn; anh LÒ VĂN A rất nhiệt tình."
    )
    write(tmp_path, text)
    content = read_content(sqlite_engine, 2013, tmp_path / "lessons")
    (lesson,) = content.lessons
    shown = json.dumps([lesson.title, lesson.sections], ensure_ascii=False)
    assert "Lò" not in shown and "LÒ" not in shown and "Bản Pú Nhi, do anh […]" in shown


# ------------------------------------------------------------------- the hints agree with the full patterns
def _spans_without_hints(text: str, private: list[str]) -> list[tuple[int, int]]:
    """What :func:`personal_spans` finds when every pattern is tried on every text (no hint first)."""
    plain = skeleton(text)
    emails = [m.span() for m in privacy._EMAIL.finditer(plain)]
    phones = [
        m.span() for m in privacy._PHONE.finditer(plain) if not any(a <= m.start() < b for a, b in emails)
    ]
    spans = sorted(emails + phones)
    found = privacy._private_pattern(tuple(sorted({v for v in private if v})))
    if found is not None:
        spans += [m.span() for m in found[0].finditer(skeleton(text, fold=True))]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_PIECES = [
    "0",
    "1",
    "2",
    "9",
    "84",
    "+84",
    "0084",
    "(0)",
    " ",
    ".",
    "-",
    "_",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    "{",
    "}",
    "@",
    "＠",
    "at",
    "AT",
    "a còng",
    "A CÒNG",
    "a cong",
    "dot",
    "chấm",
    " chấm ",
    "x",
    "mai",
    "Mai",
    "Hoàng",
    "hoang",
    "thị",
    "\n",
    "\u00a0",
    "\u2013",
    "０",
    "９",
    ",",
    ";",
    "vn",
    "gmail",
    "com",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_the_hints_find_what_the_full_patterns_find(text):
    private = ["Hoàng Thị Mai", "0912 345 678", "mai@x.vn"]
    assert personal_spans(text, private) == _spans_without_hints(text, private)
    assert personal_spans(text) == _spans_without_hints(text, [])


#: The shortest phone numbers: nine digits in a row, or eight after a country code set apart by three characters
#: (what the phone hint must not miss).
SHORTEST_PHONES = ["021234567", "+84 2 1234567", "0084-2.123.4567", "(+84)  2123 4567", "(+84). 21234567"]


@pytest.mark.parametrize("written", SHORTEST_PHONES)
def test_the_shortest_phone_numbers_are_found(written):
    assert find_personal(f"Gọi {written} nhé") == [written]


@pytest.mark.parametrize("written", [w for w, _ in PHONES + EMAILS] + NOT_PERSONAL + SHORTEST_PHONES)
def test_the_hints_find_what_the_full_patterns_find_in_every_written_form(written):
    text = f"Liên hệ anh Ba: {written}, trong giờ hành chính."
    assert personal_spans(text, ["Ba"]) == _spans_without_hints(text, ["Ba"])


LONG = (
    "Hộ nghèo ở Điện Biên nuôi bò sinh sản theo nhóm, quay vòng bê cho hộ sau; tổ tiết kiệm góp vốn hằng tháng. "
    * 2
)


@pytest.mark.parametrize(("written", "part"), PHONES + EMAILS, ids=[w for w, _ in PHONES + EMAILS])
def test_every_form_is_found_in_a_long_text_too(written, part):
    """A long text's skeleton is made with numpy (privacy.VECTOR_FROM): the same spans, the same blanking."""
    text = f"{LONG}Liên hệ anh Ba: {written}, trong giờ hành chính. {LONG}"
    assert len(text) > privacy.VECTOR_FROM and find_personal(text) == [written]
    assert part not in redact(text, ["anh Ba"]) and "anh Ba" not in redact(text, ["anh Ba"])


@settings(max_examples=1500, deadline=None)
@given(
    st.text(min_size=privacy.VECTOR_FROM, max_size=400)
    | st.lists(
        st.sampled_from([*_PIECES, LONG[:60], "Ｎｇｕｙễｎ", "𝟎𝟗𝟏𝟐", "\ud800", "١٢٣"]), max_size=30
    ).map("".join),
    st.booleans(),
)
def test_the_skeleton_of_a_long_text_is_the_translated_text(text, fold):
    assert skeleton(text, fold=fold) == text.translate(privacy._Skeleton(fold))


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([*_PIECES, "Hoàng", "Thị Mai", "\n", "ＨＯÀＮＧ", LONG[:70]]), max_size=20
        ).map("".join),
        max_size=8,
    )
)
def test_a_page_blanked_in_one_pass_is_each_text_blanked_alone(texts):
    """The texts of a page share one skeleton (privacy.personal_spans_each); each still gets its own spans."""
    private = ["Hoàng Thị Mai", "0912 345 678", "mai@x.vn"]
    assert privacy.personal_spans_each(texts, private) == [_spans_without_hints(t, private) for t in texts]
    assert privacy.redact_each(texts, private) == [redact(t, private) for t in texts]
    assert privacy.personal_spans_each(texts) == [_spans_without_hints(t, []) for t in texts]
