"""``/api/docs``: the OpenAPI documentation with the vendored Swagger UI (no CDN, no inline script)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from mel_core.access import Viewer
from mel_core.web.deps import require
from mel_core.web.render import page

router = APIRouter(tags=["docs"])


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, _viewer: Viewer = Depends(require("browse"))) -> HTMLResponse:
    """The API's documentation (FastAPI's OpenAPI at /api/openapi.json, shown by Swagger UI)."""
    return page(request, "api_docs.html", {"title": "API"})
