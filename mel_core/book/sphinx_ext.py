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
from sphinx.search import SearchLanguage

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


class FoldingSearch(SearchLanguage):
    """Sphinx search language ``vi``: words are indexed and looked up without their diacritics."""

    lang = "vi"
    language_name = "Vietnamese"
    js_stemmer_code = JS_STEMMER

    def init(self, options: dict[str, str]) -> None:
        self.stopwords = set()  # none: short Vietnamese words ("hộ", "xã") carry meaning

    def stem(self, word: str) -> str:
        return fold(word)

    def word_filter(self, word: str) -> bool:
        # one-letter words and bare numbers are noise in the index; two-letter Vietnamese words ("hộ", "xã") stay
        return len(word) > 1 and not word.isdigit()


def _is_thebe(script: Any) -> bool:
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "THEBE_JS_URL" in body or str(getattr(script, "filename", script)).endswith("sphinx-thebe.js")


def offline_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Each page's scripts without thebe (live code from a server on the internet) and without repeats.

    sphinx-thebe, which Jupyter Book always loads, declares a ``const`` in an inline script that an
    incremental build can add twice: a console error on every page. The book never runs code, so it goes.
    """
    seen: set[tuple[str, str]] = set()
    kept = []
    for script in context.get("script_files", []):
        key = (
            str(getattr(script, "filename", script)),
            str(getattr(script, "attributes", {}).get("body", "")),
        )
        if _is_thebe(script) or key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept


def no_figure_numbers(app: Sphinx, config: Any) -> None:
    """Figure numbering off again after sphinx-jupyterbook-latex turned it on: the book numbers no figures, and
    numbering walks every page's doctree on every incremental build (seconds for a 500-lesson year)."""
    config["numfig"] = False


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", no_figure_numbers, priority=900)
    app.add_search_language(FoldingSearch)
    app.connect("html-page-context", offline_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
