"""Messages in Vietnamese and English: the language chosen, both renderings kept, the CLI speaking Vietnamese."""

from __future__ import annotations

import pickle

import pytest

from mel_core.errors import ImportValidationError, Problem
from mel_core.i18n import Text, language, render
from tests.datasets import copy_tables, write_xlsx
from tests.test_cli import run_mel


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"MEL_LANG": "vi"}, "vi"),
        ({"MEL_LANG": "VI "}, "vi"),
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"MEL_LANG": "en", "LANG": "vi_VN.UTF-8"}, "en"),  # MEL_LANG wins over the locale
        ({"MEL_LANG": "fr", "LC_ALL": "vi_VN"}, "vi"),  # an unknown MEL_LANG is ignored
        ({"LC_ALL": "C", "LANG": "vi_VN"}, "en"),  # LC_ALL overrides LANG, as in POSIX
    ],
)
def test_the_language_comes_from_mel_lang_then_the_locale(environ, expected):
    assert language(environ) == expected


def test_a_message_is_english_text_that_carries_its_vietnamese():
    message = Text("expected a number", "cần một số")
    assert message == "expected a number" and isinstance(message, str)
    assert render(message, "vi") == "cần một số"
    assert render(message, "en") == "expected a number"
    assert render("plain text", "vi") == "plain text"
    copied = pickle.loads(pickle.dumps(message))
    assert isinstance(copied, Text) and copied.vi == "cần một số"


def test_a_problem_renders_in_either_language():
    problem = Problem(
        "programmes.csv", 3, "sector", "livestok", Text("must be one of: …", "phải là một trong: …")
    )
    assert str(problem) == "programmes.csv, row 3, column 'sector': must be one of: … (value: 'livestok')"
    assert (
        problem.render("vi")
        == "programmes.csv, dòng 3, cột 'sector': phải là một trong: … (giá trị: 'livestok')"
    )
    error = ImportValidationError([problem], "data.xlsx")
    assert render(error.message, "vi") == "data.xlsx: có 1 lỗi; chưa ghi gì vào kho dữ liệu."


def test_mel_speaks_vietnamese_when_asked(tmp_path):
    assert run_mel("init", home=tmp_path).returncode == 0
    tables = copy_tables()
    tables["observations"][1][4] = "ba mươi"
    tables["programmes"][2][5] = "livestok"
    broken = write_xlsx(tmp_path / "broken.xlsx", tables)
    for result in (
        run_mel("--lang", "vi", "import", str(broken), home=tmp_path),
        run_mel("import", str(broken), home=tmp_path, MEL_LANG="vi"),
        run_mel("import", str(broken), home=tmp_path, LANG="vi_VN.UTF-8", LC_ALL=""),
    ):
        assert result.returncode == 65
        assert (
            "broken.xlsx › programmes, dòng 3, cột 'sector': phải là một trong các giá trị" in result.stderr
        )
        assert "dòng 2, cột 'value': cần một số (giá trị: 'ba mươi')" in result.stderr
        assert "Lỗi: " in result.stderr and "có 2 lỗi; chưa ghi gì vào kho dữ liệu." in result.stderr
        assert "Sửa các dòng nêu trên" in result.stderr
        assert "row" not in result.stderr and "must be" not in result.stderr
    english = run_mel("--lang", "en", "import", str(broken), home=tmp_path, MEL_LANG="vi")
    assert "row 3, column 'sector': must be one of" in english.stderr


def test_an_unknown_language_is_a_usage_error(tmp_path):
    result = run_mel("--lang", "fr", "init", home=tmp_path)
    assert result.returncode == 2 and "use vi or en" in result.stderr
