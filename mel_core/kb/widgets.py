"""A search box with facet filters for JupyterLab (ipywidgets), used by notebooks/search_lessons.ipynb.

``SearchBox(index_dir).widget`` is a box with the query, a filter per facet (values with their counts among
the current hits), and the hits as HTML with highlighted snippets. Searching is
:func:`mel_core.kb.search.search`; nothing here ranks or counts.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from mel_core.kb.errors import FilterError, IndexMissingError
from mel_core.kb.facets import FACETS
from mel_core.kb.search import Filters, SearchResults, search
from mel_core.kb.snippets import to_html

_LABELS = {
    "province": "Tỉnh / Province",
    "sector": "Lĩnh vực / Sector",
    "theme": "Chủ đề / Theme",
    "criterion": "Tiêu chí / Criterion",
    "year": "Năm / Year",
    "funding": "Nguồn vốn / Funding",
    "kind": "Loại / Kind",
}


class SearchBox:
    """The widgets of one search: query, facet filters, results; refreshed on every change."""

    def __init__(self, index_dir: Path, limit: int = 20) -> None:
        self.index_dir = index_dir
        self.limit = limit
        self.query = widgets.Text(
            placeholder="giảm nghèo chăn nuôi · giam ngheo · livestock replication …",
            description="Tìm / Search",
            continuous_update=False,
            layout=widgets.Layout(width="60%"),
        )
        self.filters = {
            facet: widgets.SelectMultiple(options=[], rows=6, description=_LABELS[facet]) for facet in FACETS
        }
        self.output = widgets.HTML()
        self.query.observe(self._changed, names="value")
        for box in self.filters.values():
            box.observe(self._changed, names="value")
        facets = widgets.GridBox(
            list(self.filters.values()), layout=widgets.Layout(grid_template_columns="repeat(4, 25%)")
        )
        self.widget = widgets.VBox([self.query, facets, self.output])
        self._updating = False
        self.refresh()

    def _changed(self, _change: Any) -> None:
        if not self._updating:
            self.refresh()

    def results(self) -> SearchResults:
        """The search the widgets describe now."""
        chosen = {facet: list(box.value) for facet, box in self.filters.items() if box.value}
        return search(self.index_dir, self.query.value, Filters.parse(**chosen), limit=self.limit)

    def refresh(self) -> None:
        """Search again and show the hits; each filter offers the values of the hits, with their counts."""
        try:
            results = self.results()
        except (IndexMissingError, FilterError) as exc:
            self.output.value = f"<p><b>{html.escape(exc.message)}</b><br>{html.escape(exc.hint)}</p>"
            return
        self._updating = True
        try:
            for facet in results.facets:
                box = self.filters[facet.name]
                chosen = set(box.value)
                options = [(f"{v.label} ({v.count})", v.value) for v in facet.values]
                options += [(value, value) for value in chosen if value not in {v for _l, v in options}]
                box.options = options
                box.value = tuple(v for _l, v in options if v in chosen)
        finally:
            self._updating = False
        self.output.value = render(results)


def render(results: SearchResults) -> str:
    """Hits as HTML: title, kind and key, snippet with marked words."""
    head = f"<p>{len(results.hits)} / {results.total} kết quả · hits"
    if results.corrected:
        head += " · " + ", ".join(f"{html.escape(a)} → {html.escape(b)}" for a, b in results.corrected)
    parts = [head + "</p><ol>"]
    for hit in results.hits:
        parts.append(
            f"<li><b>{html.escape(hit.title)}</b> <small>{html.escape(hit.kind)} · {html.escape(hit.key)}"
            f" · {hit.score:.2f}</small><br>{to_html(hit.snippet)}</li>"
        )
    return "".join(parts) + "</ol>"
