"""The catalogue of words (mel_core/catalogue/*.yml) and the taxonomy's labels, as the code asks for them.

Every entry has both languages with the same placeholders; every key the code asks for is in the catalogue; no
entry lingers that no code asks for; a missing key is a clear error naming the file it belongs in.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mel_core import i18n
from mel_core.i18n import CatalogueError, MissingLabel, catalogue, message, rating, t, term
from mel_core.reference import taxonomy
from mel_core.vocabulary import CRITERIA

ROOT = Path(__file__).resolve().parents[1]
AREAS = sorted(p.stem for p in i18n.CATALOGUE_DIR.glob("*.yml"))
KEY = re.compile(rf"({'|'.join(AREAS)})\.[A-Za-z0-9_.-]+")
PREFIX = re.compile(rf"({'|'.join(AREAS)})\.[A-Za-z0-9_.-]+")  # not "web." alone: that would use every key
# a file the code names ("attachments.md", a page of the book) is not a key of the area it happens to share a name with
FILE_NAME = re.compile(r"[A-Za-z0-9_-]+\.(md|ya?ml|csv|xlsx|docx|pdf|html|json|txt|py)")
# a template asks the portal's words with w('key') or w('prefix_' ~ variable)
MIGRATIONS = ROOT / "mel_core" / "store" / "migrations"
TEMPLATE_KEY = re.compile(r"\bw\(\s*'([A-Za-z0-9_.-]+)'\s*\)")
TEMPLATE_PREFIX = re.compile(r"\bw\(\s*'([A-Za-z0-9_.-]+)'\s*~")


def _asked_for() -> tuple[set[str], set[str]]:
    """The keys the code names in full, and the prefixes it completes at run time (f"book.rec_{state}")."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    for path in sorted((ROOT / "mel_core").rglob("*.py")):
        if MIGRATIONS in path.parents:
            continue  # the schema's history names tables ("lessons.id"), never words
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables = {
            id(k.value) for k in ast.walk(tree) if isinstance(k, ast.keyword) and k.arg == "foreign_key"
        }
        for node in ast.walk(tree):
            if id(node) in tables:  # Field(foreign_key="lessons.id") names a table's column, not words
                continue
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and KEY.fullmatch(node.value)
                and not FILE_NAME.fullmatch(node.value)
            ):
                # "book.rec_" + state: a prefix completed at run time
                (prefixes if node.value[-1] in "_.-" else keys).add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and PREFIX.fullmatch(str(first.value)):
                    prefixes.add(str(first.value))
    for path in sorted((ROOT / "mel_core" / "web" / "templates").glob("*.html")):
        source = path.read_text(encoding="utf-8")
        keys |= {f"web.{k}" for k in TEMPLATE_KEY.findall(source)}
        prefixes |= {f"web.{k}" for k in TEMPLATE_PREFIX.findall(source)}
    return keys, prefixes


def test_every_entry_has_both_languages_with_the_same_placeholders():
    entries = catalogue()
    assert entries and {key.split(".", 1)[0] for key in entries} == set(AREAS)
    for key, words in entries.items():
        assert set(words) == {"vi", "en"} and words["vi"].strip() and words["en"].strip(), key
        assert i18n.placeholders(words["vi"]) == i18n.placeholders(words["en"]), key


def test_every_key_the_code_asks_for_is_in_the_catalogue():
    keys, prefixes = _asked_for()
    assert keys, "the scan found no key: has the way of asking changed?"
    assert sorted(keys - set(catalogue())) == []
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in catalogue()), prefix


def test_every_call_fills_in_exactly_the_placeholders_of_its_words():
    entries = catalogue()
    wrong = []
    for path in sorted((ROOT / "mel_core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("t", "message")
            ):
                continue
            if (
                not node.args
                or not isinstance(node.args[0], ast.Constant)
                or node.args[0].value not in entries
            ):
                continue
            if any(k.arg is None for k in node.keywords):  # **values: checked when it runs
                continue
            given = {k.arg for k in node.keywords}
            wanted = i18n.placeholders(entries[node.args[0].value]["en"])
            if given != wanted:
                wrong.append(
                    (
                        f"{path.relative_to(ROOT)}:{node.lineno}",
                        node.args[0].value,
                        sorted(given),
                        sorted(wanted),
                    )
                )
    assert wrong == []


def test_no_entry_lingers_that_no_code_asks_for():
    keys, prefixes = _asked_for()
    unused = [k for k in catalogue() if k not in keys and not any(k.startswith(p) for p in prefixes)]
    assert unused == []


def test_the_catalogue_holds_what_the_plain_safe_loader_reads():
    import yaml

    plain: dict[str, dict[str, str]] = {}
    for path in sorted(i18n.CATALOGUE_DIR.glob("*.yml")):
        i18n._read_group(path, path.stem, yaml.safe_load(path.read_text(encoding="utf-8")), plain)
    assert catalogue() == plain


def test_words_in_one_language_or_both_with_placeholders():
    assert t("common.row", "vi") == "dòng" and t("common.row", "en") == "row"
    both = message("common.value")
    assert both == "value" and i18n.render(both, "vi") == "giá trị"


def test_a_missing_key_names_the_file_it_belongs_in():
    with pytest.raises(MissingLabel) as caught:
        t("book.no_such_word", "vi")
    assert str(caught.value) == (
        "no words for 'book.no_such_word' in mel_core/catalogue/book.yml: add them there with their vi and en"
    )
    assert isinstance(caught.value, KeyError)
    with pytest.raises(MissingLabel, match=re.escape("'sectors.spaceflight' in kb/taxonomy.yml")):
        term("sectors", "spaceflight", "en")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("row: {vi: dòng}\n", r"row must have both vi and en, and only them: \['vi'\]"),
        ("row: dòng\n", "row is neither an entry"),
        ("row: {vi: '', en: row}\n", "row.vi must be a non-empty string"),
        ("row: {vi: 'dòng {n}', en: 'row {m}'}\n", r"vi has the placeholders \['n'\], en has \['m'\]"),
        ("'a key': {vi: x, en: x}\n", "a key is made of letters"),
    ],
    ids=["one-language", "no-language", "empty", "placeholders-differ", "bad-key"],
)
def test_a_malformed_catalogue_file_is_refused_with_its_place(tmp_path, monkeypatch, content, reason):
    (tmp_path / "area.yml").write_text(content, encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match=reason) as caught:
            catalogue()
        assert str(caught.value).startswith("area.yml: ")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_groups_give_dotted_keys_and_text_is_nfc(tmp_path, monkeypatch):
    decomposed = "Tie\u0302\u0301ng Vie\u0323\u0302t"  # as some keyboards type it
    (tmp_path / "area.yml").write_text(
        f"rec:\n  done: {{vi: {decomposed}, en: Vietnamese}}\n", encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        assert catalogue() == {"area.rec.done": {"vi": "Tiếng Việt", "en": "Vietnamese"}}
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_rating_levels_come_from_the_taxonomy_for_every_criterion():
    levels = taxonomy()["rating_levels"]
    for criterion in (*CRITERIA, "overall"):
        for level in (4, 3, 2, 1):
            assert f"{criterion}_{level}" in levels, (criterion, level)
    assert set(levels) == {f"{c}_{n}" for c in (*CRITERIA, "overall") for n in (4, 3, 2, 1)} | {"not_rated"}
    assert rating("relevance", 4, "en") == "highly relevant"
    assert rating("impact", 1, "vi") == "không đáng kể"
    assert rating("efficiency", None, "vi") == "chưa đủ căn cứ để xếp hạng"
    assert rating("efficiency", None, "en") == "not rated"
    with pytest.raises(ValueError, match="a rating level is 1 to 4, not 5"):
        rating("relevance", 5, "en")


def test_the_criteria_package_shows_the_taxonomy_s_rating_levels():
    from mel_core.criteria.ratings import LABELS, label

    for criterion in (*CRITERIA, "overall"):
        for level in (4, 3, 2, 1, None):
            for lang in ("vi", "en"):
                assert label(criterion, level, lang) == rating(criterion, level, lang)
        assert LABELS[criterion]["vi"] == tuple(rating(criterion, n, "vi") for n in (4, 3, 2, 1))


def test_a_changed_word_invalidates_the_book_s_build_cache(tmp_path, monkeypatch):
    from mel_core.book.cache import BuildCache

    for path in i18n.CATALOGUE_DIR.glob("*.yml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    before = BuildCache(None).stamp
    assert BuildCache(None).stamp == before
    book = tmp_path / "book.yml"
    book.write_text(book.read_text(encoding="utf-8").replace("Tra cứu", "Tra cứu nhanh"), encoding="utf-8")
    assert BuildCache(None).stamp != before
