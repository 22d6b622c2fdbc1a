"""The portal: the knowledge base served to the ministry in a browser (FastAPI, Jinja2, htmx; DESIGN.md).

One router per domain noun in :mod:`mel_core.web.routers`; every page has a JSON twin under ``/api/`` built
from the same data; access is decided by :mod:`mel_core.access` through one dependency
(:func:`mel_core.web.deps.require`).
"""
