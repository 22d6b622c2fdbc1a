"""Lesson text in the portal: Markdown rendered by markdown-it-py and sanitised by nh3; plain paragraphs take a
short path that must give the very same HTML (a property test over generated text)."""

from __future__ import annotations

import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from mel_core.web import security
from mel_core.web.security import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown


def full_path(text: str) -> str:
    """What markdown-it-py and nh3 make of ``text`` (the path every text took before the short one)."""
    return nh3.clean(
        security._markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# letters with and without diacritics, digits, the punctuation of plain prose, Markdown's own signs, spaces
ALPHABET = list("aăâđeêoôơuưyAĐÉỏếữ09 \n\n.,;:()%'\"/?–—…-*_#>+=`[]<>&!|~\t1.")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=60))
def test_the_short_path_for_plain_paragraphs_gives_markdown_its_own_html(text):
    assert render_markdown(text) == full_path(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_any_text_renders_as_the_full_path_does(text):
    assert render_markdown(text) == full_path(text)


def test_plain_lesson_paragraphs_take_the_short_path():
    text = "Tăng thu nhập cho hộ nghèo từ chăn nuôi bò sinh sản; giảm tỷ lệ hộ nghèo (4%/năm).\n\nĐoạn hai."
    assert security._plain_paragraphs(text) is not None
    assert security._plain_paragraphs("- một\n- hai") is None
    assert security._plain_paragraphs("**đậm**") is None
    assert render_markdown(text) == full_path(text)


PLAIN = list("aăâđeêoôơuưyAĐÉỏếữ09  \n\n.,;:()%'\"/?–—…-")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(PLAIN), max_size=60))
def test_prose_alone_gives_the_same_html_by_either_path(text):
    assert render_markdown(text) == full_path(text)


# the plain signs, a hyphen in every position, and what is not plain (underscore, markup, other punctuation)
HYPHENS = [*"aĐữ09 -\n.,;:()%'\"/?–—…_*#&<!\t‐", "-a", "a-", "a-b", "--", "1-2", ".-a", "_-a"]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(HYPHENS), max_size=30).map("".join) | st.text(max_size=40))
def test_the_plain_test_answers_as_the_plain_pattern_does(text):
    assert security.is_plain(text) == bool(security._PLAIN.fullmatch(text))
