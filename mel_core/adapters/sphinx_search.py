"""The book's search index and search-page messages as Sphinx makes them: the one module that reaches into Sphinx.

**The published index** (:func:`install`). Sphinx 7's search page puts page and section titles into
``innerHTML``, so a title with markup would run in the reader's browser (fixed upstream in Sphinx 8.2); and an
incremental build loads the previous ``searchindex.js``, takes the pages it rewrites or that are gone out of
each word's list, but keeps the word with an empty list, so the words of a withdrawn lesson would stay in the
published index for good. :func:`published_index` escapes the titles and drops those words. The fast path
wraps ``IndexBuilder.freeze`` (in the build's own process, which only builds the book), so the index is written
once, as published. The public path (``MEL_PUBLIC_API=1``, or a Sphinx outside :data:`SPHINX`'s range) lets
Sphinx write its index and rewrites the file when the build has finished (the ``build-finished`` event), read
and written with the builder's own ``indexer_format``: the same file, written twice.

**The search page's Vietnamese messages** (:func:`vietnamese_catalogue`). Sphinx's Vietnamese browser
catalogue leaves some messages empty (the page would show nothing); the book writes a catalogue of its own with
them filled in. It is made from Sphinx's message catalogue (``sphinx.po``) with babel, as Sphinx makes its
``sphinx.js`` (the messages of its JavaScript and HTML templates), not cut out of Sphinx's JavaScript.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mel_core.adapters import Internals, use_internals

SPHINX = Internals("Sphinx", ">=7.4,<7.5", "IndexBuilder.freeze, wrapped in the book's build process")


def _no_tags(title: str) -> str:
    """``<`` and ``>`` as entities: no element can be made, and titles with ``&`` still match a typed ``&``."""
    return title.replace("<", "&lt;").replace(">", "&gt;")


def published_index(data: dict[str, Any]) -> dict[str, Any]:
    """Sphinx's frozen search index with titles HTML-escaped and without the words no page holds any more."""
    data["titles"] = [_no_tags(t) for t in data.get("titles", [])]
    data["alltitles"] = {_no_tags(k): v for k, v in data.get("alltitles", {}).items()}
    for key in ("terms", "titleterms"):  # a word's pages: one page's number, or a list of them
        data[key] = {word: pages for word, pages in data.get(key, {}).items() if pages != []}
    return data


def check() -> bool:
    """Whether the book's build will take the fast path; called by the ``mel`` process before it starts the
    build's own process, so that a :class:`~mel_core.adapters.LibraryVersionWarning` reaches the person who
    built the book (the build's process decides alike; what it prints is only shown when the build fails)."""
    return use_internals(SPHINX)


def install(app: Any) -> None:
    """Make the build publish :func:`published_index`: through ``IndexBuilder.freeze`` or after the build."""
    from sphinx.search import IndexBuilder

    if use_internals(SPHINX):
        if not getattr(IndexBuilder.freeze, "mel_published", False):
            IndexBuilder.freeze = _published_freeze(IndexBuilder.freeze)  # type: ignore[method-assign,assignment]
        return
    started = time.time()
    app.connect("build-finished", lambda app, exception: rewrite_index(app, exception, started))


def _published_freeze(freeze: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    def frozen(self: Any) -> dict[str, Any]:
        return published_index(freeze(self))

    frozen.mel_published = True  # type: ignore[attr-defined]
    return frozen


def rewrite_index(app: Any, exception: Exception | None, since: float) -> None:
    """After a build that wrote a search index (since ``since``, a ``time.time()``): the index read, made
    :func:`published_index`, and written back.

    An index older than the build is left alone: Sphinx did not write it (a single-page build writes none; the
    book puts a stub in its place), or it was published by the build before.
    """
    builder = app.builder
    name = getattr(builder, "searchindex_filename", None)
    form = getattr(builder, "indexer_format", None)
    if exception is not None or not name or form is None:
        return
    path = Path(app.outdir) / name
    if not path.is_file() or path.stat().st_mtime < since:
        return
    with path.open(encoding="utf-8") as f:
        data = form.load(f)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as f:
        form.dump(published_index(data), f)
    temporary.replace(path)


def vietnamese_catalogue(filled: Mapping[str, str]) -> str:
    """Sphinx's Vietnamese browser catalogue (``sphinx.js``), its empty messages taken from ``filled`` or left
    out (an empty string would be shown as nothing; without it, English is shown)."""
    import sphinx
    from babel.messages.pofile import read_po

    po = Path(sphinx.__file__).resolve().parent / "locale" / "vi" / "LC_MESSAGES" / "sphinx.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    messages: dict[str, Any] = {}
    for message in catalog:  # as Sphinx's own babel run: the messages its JavaScript and templates use
        if message.id and any(
            where.endswith((".js", ".js.jinja", ".js_t", ".html")) for where, _line in message.locations
        ):
            key = message.id[0] if isinstance(message.id, list | tuple) else message.id
            messages[key] = list(message.string) if isinstance(message.string, tuple) else message.string
    for key, value in sorted(messages.items()):
        if not value:
            if key in filled:
                messages[key] = filled[key]
            else:
                del messages[key]
    catalogue = {"locale": str(catalog.locale), "messages": dict(sorted(messages.items()))}
    catalogue["plural_expr"] = catalog.plural_expr
    return "Documentation.addTranslations(" + json.dumps(catalogue, ensure_ascii=False) + ");"
