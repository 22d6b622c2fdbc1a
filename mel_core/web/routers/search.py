"""``/search`` and ``/api/search``: the knowledge base's search, with facets, snippets and pages.

The same engine and Vietnamese pipeline as ``mel kb search``; which index is searched (public, or internal
lessons too) is decided by :func:`mel_core.access.audience`.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from mel_core.access import Viewer, audience
from mel_core.errors import MelError
from mel_core.i18n import render, t
from mel_core.kb.errors import FilterError, IndexMissingError
from mel_core.kb.facets import FACETS
from mel_core.kb.search import Filters, Hit, search
from mel_core.web.deps import lang_of, portal, require
from mel_core.web.render import page, twin

router = APIRouter(tags=["search"])

PAGE_SIZE = 10
MAX_QUERY = 500
MAX_PAGE = 1000
FACET_VALUES_SHOWN = 12


def hit_url(hit: Hit) -> str:
    """Where a hit's page is: a lesson (an item of its section 3 by anchor), a programme or an evaluation; an
    attached file's is the page of what it belongs to."""
    if hit.kind == "attachment":
        entity, _, owner = hit.parent.partition(":")
        return f"/{entity}s/{owner}"
    if hit.kind == "lesson":
        return f"/lessons/{hit.key}"
    if hit.kind == "lesson_item":
        return f"/lessons/{hit.parent}#item-{hit.key.rpartition('#')[2]}"
    if hit.kind == "programme":
        return f"/programmes/{hit.key}"
    return f"/evaluations/{hit.key.partition('/')[0]}"


def _url(q: str, chosen: dict[str, list[str]], page_no: int = 1) -> str:
    pairs: list[tuple[str, str]] = [("q", q)] if q else []
    for facet in FACETS:
        pairs += [(facet, v) for v in chosen.get(facet, [])]
    if page_no > 1:
        pairs.append(("page", str(page_no)))
    return "/search" + ("?" + urlencode(pairs) if pairs else "")


def _toggled(chosen: dict[str, list[str]], facet: str, value: str) -> dict[str, list[str]]:
    values = list(chosen.get(facet, []))
    values = [v for v in values if v != value] if value in values else [*values, value]
    return {**chosen, facet: values}


def search_data(request: Request, viewer: Viewer) -> tuple[dict[str, Any], int]:
    """The search page's data (hits, facets, pages, or the problem that stopped it) and its HTTP status."""
    lang = lang_of(request)
    params = request.query_params
    q = (params.get("q") or "").strip()
    chosen = {f: [v for v in params.getlist(f) if v.strip()] for f in FACETS}
    chosen = {f: v for f, v in chosen.items() if v}
    data: dict[str, Any] = {"q": q, "filters": chosen, "total": 0, "hits": [], "facets": [], "error": None}
    try:
        page_no = int(params.get("page") or 1)
    except ValueError:
        page_no = 0
    if not 1 <= page_no <= MAX_PAGE:
        data["error"] = {
            "message": f"page: {params.get('page')!r}",
            "hint": f"1 … {MAX_PAGE}",
        }
        return data, 400
    if len(q) > MAX_QUERY:
        data["error"] = {
            "message": t("web.search_problem", lang) + f": {len(q)} > {MAX_QUERY}",
            "hint": "",
        }
        return data, 400
    try:
        filters = Filters.parse(**chosen)
        results = search(
            portal(request).settings.index_dir_for(audience(viewer)),
            q,
            filters,
            limit=PAGE_SIZE,
            offset=(page_no - 1) * PAGE_SIZE,
            lang=lang,
        )
    except FilterError as exc:
        data["error"] = {
            "message": render(exc.message, lang).removeprefix("--"),
            "hint": render(exc.hint, lang),
            "facet": exc.facet,
        }
        return data, 400
    except IndexMissingError:
        data["error"] = {"message": t("web.index_missing", lang), "hint": ""}
        return data, 503
    except MelError as exc:
        data["error"] = {"message": render(exc.message, lang), "hint": render(exc.hint, lang)}
        return data, 400
    pages = max(1, math.ceil(results.total / PAGE_SIZE))
    data.update(
        total=results.total,
        mode=results.mode,
        corrected=results.corrected,
        expanded=results.expanded,
        page=page_no,
        pages=pages,
        prev_url=_url(q, chosen, page_no - 1) if page_no > 1 else None,
        next_url=_url(q, chosen, page_no + 1) if page_no < pages else None,
        hits=[
            {
                "kind": h.kind,
                "key": h.key,
                "title": h.title,
                "snippet": h.snippet,
                "url": hit_url(h),
                "years": h.info.get("years", []),
                "provinces": h.info.get("provinces", []),
                "sector": h.info.get("sector", ""),
                "criterion": h.info.get("criterion", ""),
                "score": h.score,
            }
            for h in results.hits
        ],
        facets=[
            {
                "name": f.name,
                "label": t(f"web.facet_{f.name}", lang),
                "values": [
                    {
                        "value": v.value,
                        "label": v.label,
                        "count": v.count,
                        "active": v.value in chosen.get(f.name, []),
                        "url": _url(q, _toggled(chosen, f.name, v.value)),
                    }
                    for v in f.values[:FACET_VALUES_SHOWN]
                ],
            }
            for f in results.facets
            if f.values
        ],
        active=[
            {"facet": f, "value": v, "remove_url": _url(q, _toggled(chosen, f, v))}
            for f, values in chosen.items()
            for v in values
        ],
        clear_url=_url(q, {}),
    )
    return data, 200


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, viewer: Viewer = Depends(require("browse"))) -> HTMLResponse:
    """Search lessons, findings, recommendations and programmes (facets narrow by clicking)."""
    data, status = search_data(request, viewer)
    return page(request, "search.html", data, status)


@router.get("/api/search")
def search_api(request: Request, viewer: Viewer = Depends(require("browse"))) -> JSONResponse:
    """The search page as JSON: ``q``, the facet filters (repeatable) and ``page`` as on ``/search``."""
    data, status = search_data(request, viewer)
    return twin(data, status)
