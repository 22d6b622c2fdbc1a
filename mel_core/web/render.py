"""Pages and their JSON twins from one dictionary: :func:`page` renders a template, :func:`twin` the JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from mel_core.access import may
from mel_core.i18n import rating as rating_label
from mel_core.i18n import t
from mel_core.kb.snippets import to_html
from mel_core.reference import taxonomy
from mel_core.web.deps import csrf_for, current_viewer, lang_of, portal
from mel_core.web.security import render_markdown

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
TEMPLATES.env.autoescape = True
TEMPLATES.env.auto_reload = False  # templates are package files: no stat of each one on every page


def term(vocabulary: str, key: str | None, lang: str) -> str:
    """The label of a taxonomy key (the key itself when the taxonomy has none)."""
    if not key:
        return ""
    found = taxonomy().get(vocabulary, {}).get(key)
    return found[lang] if found else key


def _markdown(text: str | None) -> Markup:
    return Markup(render_markdown(text or ""))


def _snippet(text: str) -> Markup:
    return Markup(to_html(text))


TEMPLATES.env.filters["markdown"] = _markdown
TEMPLATES.env.filters["snippet"] = _snippet
TEMPLATES.env.globals["term"] = term
TEMPLATES.env.globals["rating_label"] = rating_label


def page(request: Request, template: str, data: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render ``template`` with ``data`` and what every page needs (viewer, language, CSRF token, words)."""
    lang = lang_of(request)
    viewer = current_viewer(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    other = "en" if lang == "vi" else "vi"
    context = {
        **data,
        "request": request,
        "lang": lang,
        "other_lang": other,
        "switch_lang": "/lang/" + other + "?" + urlencode({"next": here}),
        "viewer": viewer,
        "can_manage_users": may(viewer, "manage_users"),
        "can_review": may(viewer, "review_lessons"),
        "can_submit": may(viewer, "submit_lessons"),
        "can_submit_workbooks": may(viewer, "submit_workbooks"),
        "csrf": csrf_for(request),
        "public_site": portal(request).public,
        "w": lambda key: t("web." + key, lang),
    }
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def twin(data: dict[str, Any], status_code: int = 200) -> JSONResponse:
    """The JSON twin of a page's data."""
    return JSONResponse(data, status_code=status_code)
