"""The book's Sphinx extension: Vietnamese search that ignores diacritics, and offline-safe settings.

Sphinx's search stems every word of every page into ``searchindex.js`` with the search language's ``stem()``,
and the browser stems every query word with the same language's JavaScript ``Stemmer``. Both here fold a word
the same way: NFC, lowercase, diacritics removed and đ → d (:func:`mel_core.text.fold`), so "giam ngheo",
"giảm nghèo" and a query typed in decomposed Unicode all meet the same index terms. Loaded by the generated
``conf.py`` (``extensions``); nothing here runs in the ``mel`` process itself.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.search import IndexBuilder, SearchLanguage

from mel_core.text import fold

#: The browser's half of :func:`mel_core.text.fold`; tests check both agree on every Vietnamese letter.
JS_STEMMER = r"""
/* Vietnamese folding "stemmer" of the MEL book: diacritics removed and đ → d, as mel_core.text.fold. */
var Stemmer = function() {
  this.stemWord = function(w) {
    return w.normalize("NFD").replace(/\p{Mn}/gu, "")
      .replace(/[đĐ]/g, "d").toLowerCase();
  };
};
"""


#: The browser's word splitting: the query in NFC first, so that a decomposed "ả" (a + combining hook) is one
#: letter and not a split point (Sphinx's default splits at combining marks: "gia m").
JS_SPLITTER = r"""
function splitQuery(query) {
  return query.normalize("NFC")
    .split(/[^\p{Letter}\p{Mark}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter(term => term);
}
"""


class FoldingSearch(SearchLanguage):
    """Sphinx search language ``vi``: words are indexed and looked up without their diacritics."""

    lang = "vi"
    language_name = "Vietnamese"
    js_stemmer_code = JS_STEMMER
    js_splitter_code = JS_SPLITTER

    def init(self, options: dict[str, str]) -> None:
        self.stopwords = set()  # none: short Vietnamese words ("hộ", "xã") carry meaning

    def stem(self, word: str) -> str:
        return fold(word)

    def word_filter(self, word: str) -> bool:
        # every word counts: one-letter Vietnamese words ("ở", "ý") are words, and the browser requires every
        # word of a query to be in the index
        return bool(word)


def _is_thebe(script: Any) -> bool:
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "THEBE_JS_URL" in body or str(getattr(script, "filename", script)).endswith("sphinx-thebe.js")


def offline_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Each page's scripts without thebe (live code from a server on the internet), without anything from the
    network, and without repeats.

    sphinx-thebe, which Jupyter Book always loads, declares a ``const`` in an inline script that an
    incremental build can add twice: a console error on every page. The book never runs code, so it goes.
    """
    seen: set[tuple[str, str]] = set()
    kept = []
    for script in context.get("script_files", []):
        name = str(getattr(script, "filename", script) or "")
        key = (name, str(getattr(script, "attributes", {}).get("body", "")))
        # nothing from the network (MathJax from a CDN: the book has no mathematics, lesson text is escaped),
        # and no search index where the builder writes none (the single-page edition that is printed)
        remote = "://" in name or name.startswith("//")
        no_index = name.endswith("searchindex.js") and app.builder.name == "singlehtml"
        if _is_thebe(script) or remote or no_index or "MathJax" in key[1] or key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept


def no_figure_numbers(app: Sphinx, config: Any) -> None:
    """Figure numbering off again after sphinx-jupyterbook-latex turned it on: the book numbers no figures, and
    numbering walks every page's doctree on every incremental build (seconds for a 500-lesson year)."""
    config["numfig"] = False


def _no_tags(title: str) -> str:
    """``<`` and ``>`` as entities: no element can be made, and titles with ``&`` still match a typed ``&``."""
    return title.replace("<", "&lt;").replace(">", "&gt;")


def _escape_titles(freeze: Any) -> Any:
    """``IndexBuilder.freeze`` with page and section titles HTML-escaped: Sphinx 7's search page puts them into
    ``innerHTML``, so a title with markup would run in the reader's browser (fixed upstream in Sphinx 8.2)."""

    def frozen(self: Any) -> dict[str, Any]:
        data = freeze(self)
        data["titles"] = [_no_tags(t) for t in data.get("titles", [])]
        data["alltitles"] = {_no_tags(k): v for k, v in data.get("alltitles", {}).items()}
        return data

    frozen.mel_escaped = True  # type: ignore[attr-defined]
    return frozen


def setup(app: Sphinx) -> dict[str, Any]:
    if not getattr(IndexBuilder.freeze, "mel_escaped", False):
        IndexBuilder.freeze = _escape_titles(IndexBuilder.freeze)  # type: ignore[method-assign]
    app.connect("config-inited", no_figure_numbers, priority=900)
    app.add_search_language(FoldingSearch)
    app.connect("html-page-context", offline_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
