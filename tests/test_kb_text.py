"""The Vietnamese text pipeline of search: tone placement, folding, words, glossary, snippets."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from mel_core.errors import ConfigurationError
from mel_core.kb.analysis import forms, index_terms, words
from mel_core.kb.glossary import glossary, read_glossary
from mel_core.kb.snippets import MARK_CLOSE, MARK_OPEN, snippet, to_html
from mel_core.text import clean_cell, fold, fold_chars, fold_search, nfc, normalise, place_tones


@pytest.mark.parametrize(
    ("typed", "placed"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("thuỷ sản", "thủy sản"),
        ("hoè", "hòe"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("Khoẻ", "Khỏe"),
        ("quý", "quý"),
        ("già", "già"),
        ("gì", "gì"),
        ("người", "người"),
        ("hoàng", "hoàng"),
        ("toán", "toán"),
        ("ngoài", "ngoài"),
        ("khuyến", "khuyến"),
        ("mùa", "mùa"),
        ("giường", "giường"),
        ("livestock", "livestock"),
        ("2013", "2013"),
    ],
    ids=lambda v: v,
)
def test_one_tone_placement(typed: str, placed: str) -> None:
    assert place_tones(typed) == placed
    assert place_tones(unicodedata.normalize("NFD", typed)) == placed  # decomposed input is NFC'd first


def test_old_and_new_placements_compare_equal() -> None:
    assert normalise("Hoà nhập, thuỷ lợi") == normalise("hòa nhập, thủy lợi") == "hòa nhập, thủy lợi"
    assert fold_search("Hoà nhập, Đường") == "hoa nhap, duong"


def test_existing_functions_keep_their_behaviour() -> None:
    assert fold("Giảm Nghèo Đồng") == "giam ngheo dong"
    assert nfc(unicodedata.normalize("NFD", "nghèo")) == "nghèo"
    assert clean_cell("\u00a0 Hoà \u00a0") == "Hoà"  # clean_cell does not move tone marks


def test_fold_chars_keeps_offsets() -> None:
    text = "Giảm Nghèo ĐỒNG Hoà — 30a"
    folded = fold_chars(text)
    assert folded == "giam ngheo dong hoa — 30a"
    assert len(folded) == len(text)


def test_words_have_exact_and_folded_forms() -> None:
    got = [(w.exact, w.folded) for w in words("Chăn nuôi hoà nhập households 2013")]
    assert got == [
        ("chăn", "chan"),
        ("nuôi", "nuoi"),
        ("hòa", "hoa"),
        ("nhập", "nhap"),
        (None, "household"),
        (None, "2013"),
    ]
    assert forms("process") == (None, "process")  # -ss is not a plural
    assert forms("communities") == (None, "community")
    assert index_terms("Nghèo ngheo") == ["ngheo", "nghèo", "ngheo"]


def test_decomposed_text_is_indexed_like_composed() -> None:
    nfd = unicodedata.normalize("NFD", "Thủy sản Đắk Lắk")
    assert index_terms(nfd) == index_terms("Thủy sản Đắk Lắk")
    assert "thủy" in index_terms(nfd) and "dak" in index_terms(nfd)


def test_glossary_matches_with_and_without_diacritics() -> None:
    g = glossary()
    assert len(g) >= 40
    keys = [m.group.key for m in g.match(list(words("giam ngheo va chan nuoi bo")))]
    assert keys == ["poverty_reduction", "livestock"]  # a bare "bo" is ambiguous: not matched
    keys = [m.group.key for m in g.match(list(words("nhân rộng mô hình nuôi bò")))]
    assert keys == ["replication", "cattle"]
    assert [m.group.key for m in g.match(list(words("Poverty Reduction")))] == ["poverty_reduction"]
    assert [m.group.key for m in g.match(list(words("hoà bình")))] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("groups: [{key: a, vi: [giảm nghèo]}]", "needs two non-empty terms"),
        ("groups: [{key: Bad-Key, vi: [a, b]}]", "needs a key"),
        ("groups: [{key: a, vi: [x, y]}, {key: a, en: [z, w]}]", "key used twice"),
        ("groups: [{key: a, vi: [x, y], fr: [z]}]", "unknown fields"),
        ("groups: {a: 1}", "needs a list 'groups'"),
        ("groups: [", "not valid YAML"),
    ],
)
def test_broken_glossary_is_reported(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        read_glossary(path)


def test_snippet_marks_every_spelling() -> None:
    text = "Mô hình HOÀ nhập. " + "chữ " * 80 + "Giảm nghèo bền vững nhờ chăn nuôi; giảm nghèo ở Điện Biên."
    got = snippet(text, {"giam", "ngheo", "chan", "nuoi"})
    assert got.startswith("…") and f"{MARK_OPEN}Giảm{MARK_CLOSE} {MARK_OPEN}nghèo{MARK_CLOSE}" in got
    assert f"{MARK_OPEN}chăn{MARK_CLOSE} {MARK_OPEN}nuôi{MARK_CLOSE}" in got
    assert snippet("Hoà nhập", {"hoa"}) == f"{MARK_OPEN}Hoà{MARK_CLOSE} nhập"
    assert snippet("### Bài học\n- **Họp bản** trước", set()) == "Bài học Họp bản trước"
    assert to_html(f"a < {MARK_OPEN}b{MARK_CLOSE}") == "a &lt; <mark>b</mark>"
