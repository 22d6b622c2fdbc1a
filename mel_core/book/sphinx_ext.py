"""The book's Sphinx extension: Vietnamese search that ignores diacritics, offline-safe pages, titles that stay
text, and an output folder that holds only what the book still publishes.

Sphinx's search stems every word of every page into ``searchindex.js`` with the search language's ``stem()``,
and the browser stems every query word with the same language's JavaScript ``Stemmer``. Both here fold a word
the same way: NFC, lowercase, diacritics removed and đ → d (:func:`mel_core.text.fold`), so "giam ngheo",
"giảm nghèo" and a query typed in decomposed Unicode all meet the same index terms.

Sphinx builds incrementally, in place: a page that is gone (a lesson withdrawn or made internal) leaves its HTML,
its doctree, its notebook copy and images, and its words in the search index behind, all in the folder that is
published. :func:`remove_unpublished` deletes them after each build, and
:func:`mel_core.adapters.sphinx_search.install` drops from ``searchindex.js`` the words no page holds any more.
Loaded by the generated ``conf.py`` (``extensions``); nothing here runs in the ``mel`` process itself. This module
is where the book meets Sphinx's build environment (``env.all_docs``, ``env.images``) and its themes' page
context; the search index's ``IndexBuilder.freeze`` is touched only by :mod:`mel_core.adapters.sphinx_search`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.search import SearchLanguage

from mel_core.adapters import sphinx_search
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


#: Page context values that the themes compute as plain text (sphinx-book-theme: ``title.astext()``, which undoes
#: the escaping of the page's MyST source) and that their templates write as they are, without ``|e``: the print
#: header ``<h1>{{ pagetitle }}</h1>`` on every page, the sidebar's ``{{ root_title }}``.
PLAIN_TEXT_CONTEXT = ("pagetitle", "root_title", "page_description")


def escape_plain_text(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The themes' plain-text context values HTML-escaped before a template writes them (Sphinx renders templates
    without autoescape), so a programme's or a lesson's title is shown as its characters and never becomes an
    element. They become ``Markup``, so a template that escapes them itself does not escape them twice."""
    for name in PLAIN_TEXT_CONTEXT:
        value = context.get(name)
        if isinstance(value, str) and not isinstance(value, Markup):
            context[name] = escape(value)


#: Files myst-nb writes beside the output for a notebook's images (it names them by a hash of their bytes).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf")


def remove_unpublished(app: Sphinx, exception: Exception | None, rendered: set[str]) -> None:
    """After a build, delete what belonged to pages that are no longer in the book.

    What stays: the doctrees of the environment's documents (the incremental build's cache), their HTML pages
    and the pages this build rendered (search, general index), the images and downloads the environment still
    refers to, and myst-nb's copies of notebooks that are still pages (``jupyter_execute`` beside the output,
    shared by the website's and the printed edition's builds, which put the same evaluation notebooks together
    from the same content). Everything else of those kinds goes, wherever an interrupted build left it.
    """
    if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    env, builder = app.env, app.builder
    docs = set(env.all_docs)
    doctrees = Path(app.doctreedir)
    _remove(doctrees.rglob("*.doctree"), lambda p: p.relative_to(doctrees).with_suffix("").as_posix() in docs)
    outdir = Path(app.outdir)
    pages = {Path(builder.get_outfilename(name)) for name in docs | rendered}
    extra = set()
    for folder in app.config.html_extra_path:
        root = Path(app.confdir or app.srcdir, folder)
        extra |= {outdir / f.relative_to(root) for f in root.rglob("*") if f.is_file()}
    _remove(
        (p for p in outdir.rglob("*.html") if p.relative_to(outdir).parts[0] != "_static"),
        lambda p: p in pages or p in extra,
    )
    images = {name for _, name in env.images.values()}
    _remove((outdir / "_images").glob("*"), lambda p: p.name in images)
    downloads = {outdir / "_downloads" / dest for _, dest in env.dlfiles.values()}
    _remove((outdir / "_downloads").rglob("*"), lambda p: p in downloads)
    notebooks = getattr(getattr(env, "mystnb_config", None), "output_folder", None)
    if notebooks:
        executed = Path(notebooks)
        copies = {executed / f"{name}.ipynb" for name in docs}
        sources = {(Path(app.srcdir) / name).resolve() for name in env.images}
        _remove(executed.rglob("*.ipynb"), lambda p: p in copies)
        _remove(
            (p for p in executed.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES),
            lambda p: p.resolve() in sources,
        )


def _remove(paths: Iterable[Path], kept: Callable[[Path], bool]) -> None:
    """Delete each file of ``paths`` that ``kept`` does not keep (folders are left, empty or not)."""
    for path in list(paths):
        if path.is_file() and not kept(path):
            path.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    sphinx_search.install(app)  # titles escaped and emptied words dropped in searchindex.js
    app.connect("config-inited", no_figure_numbers, priority=900)
    app.add_search_language(FoldingSearch)
    app.connect("html-page-context", offline_scripts, priority=900)
    # after sphinx-book-theme's add_metadata_to_page (priority 500), which sets pagetitle and root_title
    app.connect("html-page-context", escape_plain_text, priority=900)
    rendered: set[str] = set()
    app.connect("html-page-context", lambda _app, pagename, *_: rendered.add(pagename))
    app.connect("build-finished", lambda app, exception: remove_unpublished(app, exception, rendered))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
