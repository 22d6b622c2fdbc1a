"""Search: facets and filters with correct counts, ranking rules, phrases, synonyms, the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mel_core.cli import app
from mel_core.kb.errors import FilterError
from mel_core.kb.facets import FACETS
from mel_core.kb.index import build_index
from mel_core.kb.search import Filters, close_all, search
from tests.kb_support import simple_lesson
from tests.test_cli import run_mel


def _lessons(engine: Engine) -> None:
    simple_lesson(
        engine,
        "2013-dien-bien-bo",
        "Nuôi bò sinh sản cho hộ nghèo ở Điện Biên",
        "### Quay vòng bê\nQuay vòng bê giúp nhân rộng mô hình chăn nuôi và giảm nghèo.",
        provinces=("11",),
        year=2013,
        themes=("process", "empowerment"),
    )
    simple_lesson(
        engine,
        "2013-quang-binh-de",
        "Nuôi dê sinh sản ở Minh Hóa",
        "### Nhóm sở thích\nNhóm sở thích chăn nuôi dê giúp hộ nghèo hoà nhập thị trường.",
        provinces=("44",),
        year=2013,
        funding="ngo",
    )
    simple_lesson(
        engine,
        "2015-quang-tri-ke-hoach",
        "Lập kế hoạch xã có sự tham gia",
        "### Họp nhóm riêng\nNgười nghèo bỏ phiếu chọn ưu tiên; bê tông hóa đường thôn, vòng quay vốn.",
        provinces=("45",),
        year=2015,
        sector="planning",
        themes=("empowerment",),
    )
    simple_lesson(
        engine,
        "2013-lao-cai-cattle",
        "A village cattle bank in Bac Ha",
        "### Revolving calves\nRevolving calves let the community replicate the livestock model.",
        provinces=("10",),
        year=2013,
        language="en",
        funding="ngo",
    )


@pytest.fixture
def index_dir(sqlite_engine: Engine, tmp_path: Path) -> Iterator[Path]:
    _lessons(sqlite_engine)
    build_index(sqlite_engine, tmp_path / "index")
    yield tmp_path / "index"
    close_all()


def test_every_facet_count_is_the_total_of_its_filter(index_dir: Path) -> None:
    for query in ("", "chăn nuôi", "nghèo"):
        results = search(index_dir, query, limit=100)
        assert results.total == len(results.hits) > 0
        for facet in FACETS:
            for value, count in results.facet(facet).items():
                narrowed = search(index_dir, query, Filters.parse(**{facet: [value]}), limit=100)
                assert narrowed.total == count, (query, facet, value)
                assert {h.key for h in narrowed.hits} <= {h.key for h in results.hits}


def test_filters_combine_and_today_s_province_finds_its_old_ones(index_dir: Path) -> None:
    quang_tri = search(index_dir, "", Filters.parse(province=["45"]), limit=100)
    assert {h.key for h in quang_tri.hits if h.kind == "lesson"} == {
        "2015-quang-tri-ke-hoach",
        "2013-quang-binh-de",
    }
    assert quang_tri.facet("province") == {"45": 4}
    by_name = search(index_dir, "", Filters.parse(province=["quang tri"]), limit=100)
    assert by_name.total == quang_tri.total
    old = search(index_dir, "", Filters.parse(province=["Quảng Bình"]), limit=100)
    assert {h.key for h in old.hits} == {"2013-quang-binh-de", "2013-quang-binh-de#1"}
    both = search(index_dir, "", Filters.parse(province=["45"], year=["2013"], funding=["ngo"]), limit=100)
    assert {h.key for h in both.hits} == {"2013-quang-binh-de", "2013-quang-binh-de#1"}
    spans = search(index_dir, "", Filters.parse(year=["2014-2016"], sector=["Lập kế hoạch"]), limit=100)
    assert {h.key for h in spans.hits} == {"2015-quang-tri-ke-hoach", "2015-quang-tri-ke-hoach#1"}
    assert search(index_dir, "chăn nuôi", Filters.parse(kind=["lesson_item"])).facet("kind") == {
        "lesson_item": 3
    }


@pytest.mark.parametrize(
    ("facet", "value", "accepted"),
    [
        ("province", "Atlantis", "Điện Biên"),
        ("province", "99", "GSO codes"),
        ("sector", "fishing", "livestock"),
        ("theme", "speed", "empowerment"),
        ("criterion", "beauty", "relevance"),
        ("year", "20x3", "a year (2013)"),
        ("year", "2016-2011", "the first not after the last"),
        ("funding", "lottery", "state_budget"),
        ("kind", "book", "lesson_item"),
    ],
)
def test_a_bad_filter_value_names_what_is_accepted(facet: str, value: str, accepted: str) -> None:
    with pytest.raises(FilterError) as caught:
        Filters.parse(**{facet: [value]})
    assert f"--{facet} {value!r}" in caught.value.message and accepted in caught.value.hint


def test_exact_diacritics_rank_above_folded_matches(index_dir: Path) -> None:
    typed = search(index_dir, "bỏ", limit=100)  # folds to "bo", like bò and bê's lesson's "bò"
    assert typed.hits[0].key == "2015-quang-tri-ke-hoach#1"
    assert typed.hits[1].key == "2015-quang-tri-ke-hoach"
    assert "2013-dien-bien-bo" in {h.key for h in typed.hits[2:]}  # a folded match, ranked after
    assert search(index_dir, "bo", limit=100).total == typed.total


def test_tone_placements_and_decomposed_queries_are_one(index_dir: Path) -> None:
    old_style = search(index_dir, "hoà nhập")
    new_style = search(index_dir, "hòa nhập")
    decomposed = search(index_dir, "ho\u0300a nha\u0302\u0323p")
    assert [(h.key, h.score) for h in old_style.hits] == [(h.key, h.score) for h in new_style.hits]
    assert [h.key for h in decomposed.hits] == [h.key for h in new_style.hits] != []
    assert "«hoà» «nhập»" in new_style.hits[0].snippet


def test_phrases_synonyms_misspellings_and_fallback(index_dir: Path) -> None:
    phrase = search(index_dir, '"quay vòng"')
    assert {h.key for h in phrase.hits} == {"2013-dien-bien-bo", "2013-dien-bien-bo#1"}  # not "vòng quay"
    english = search(index_dir, "livestock replication")
    assert english.expanded == ["livestock", "replication"]
    assert {"2013-dien-bien-bo#1", "2013-lao-cai-cattle#1"} <= {h.key for h in english.hits}
    vietnamese = search(index_dir, "nhan rong chan nuoi")
    assert vietnamese.hits[0].key.startswith("2013-dien-bien-bo")
    assert "2013-lao-cai-cattle#1" in {h.key for h in vietnamese.hits}
    typo = search(index_dir, "livestok replication")
    assert typo.corrected == [("livestok", "livestock")]
    assert [h.key for h in typo.hits] == [h.key for h in english.hits]
    fallback = search(index_dir, "chăn nuôi zzyzx")
    assert fallback.mode == "any" and fallback.total > 0


def test_cli_index_and_search(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    missing = run_mel("kb", "search", "giảm nghèo", home=home)
    assert missing.returncode == 66 and "mel kb index" in missing.stderr
    assert run_mel("init", home=home).returncode == 0
    from mel_core.store import make_engine

    engine = make_engine(f"sqlite:///{home / 'mel.db'}")  # MEL_HOME holds the store
    _lessons(engine)
    engine.dispose()
    built = run_mel("kb", "index", home=home)
    assert built.returncode == 0 and "8 documents" in built.stdout, built.stderr
    table = run_mel("kb", "search", "giam ngheo chan nuoi", "--province", "Dien Bien", home=home)
    assert table.returncode == 0, table.stderr
    assert "Nuôi bò sinh sản cho hộ nghèo ở Điện Biên" in table.stdout and "2 of 2 hits" in table.stdout
    as_json = run_mel("kb", "search", "chăn nuôi", "--year", "2013", "--json", home=home)
    data = json.loads(as_json.stdout)
    assert data["total"] == len(data["hits"]) and {f for f in data["facets"]} >= set(FACETS)
    assert all(2013 in h["info"]["years"] for h in data["hits"])
    bad = run_mel("--lang", "vi", "kb", "search", "x", "--sector", "fishing", home=home)
    assert bad.returncode == 64 and "không phải giá trị hợp lệ" in bad.stderr


@pytest.mark.parametrize("command", ["index", "search"])
def test_kb_commands_have_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(app, ["kb", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Example: mel kb" in result.output


def test_kb_search_prints_control_characters_as_text_never_as_terminal_commands(tmp_path: Path) -> None:
    """A title holding escape sequences (clear the screen, red text, a bell, a carriage return) is shown inert."""
    home = tmp_path / "home"
    home.mkdir()
    assert run_mel("init", home=home).returncode == 0
    from mel_core.store import make_engine

    engine = make_engine(f"sqlite:///{home / 'mel.db'}")
    simple_lesson(
        engine,
        "2013-escape",
        "Chăn nuôi \x1b[2J\x1b[31mgiảm nghèo\x1b[0m\x07 tiết kiệm\rFAKE",
        "### Quay vòng\nQuay vòng bê \x1b]0;pwned\x07 giúp giảm nghèo.",
        provinces=("11",),
        year=2013,
    )
    engine.dispose()
    assert run_mel("kb", "index", home=home).returncode == 0
    shown = run_mel("kb", "search", "giam ngheo", home=home)
    assert shown.returncode == 0, shown.stderr
    assert "giảm" in shown.stdout and "\ufffd" in shown.stdout
    for control in ("\x1b[2J", "\x1b[31m", "\x07", "\r", "\x1b]0;"):
        assert control not in shown.stdout


def test_terminal_safe_keeps_text_and_replaces_controls() -> None:
    from mel_core.text import terminal_safe

    assert terminal_safe("Điện Biên\tx\ny") == "Điện Biên\tx\ny"
    assert terminal_safe("a\x1bb\x07c\x7fd\x9be\rf\x00") == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffd"
