"""What an evaluation notebook calls: open the store, read the programme, show a result, emit it.

The result leaves the notebook as one display output of MIME type :data:`RESULT_MIME` (JSON); the runner reads it
from the executed notebook. A person reading the notebook or its HTML export sees the same result as text,
tables and charts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mel_core.criteria.data import Portfolio, ProgrammeData
from mel_core.evaluations.execute import RESULT_MIME
from mel_core.i18n import t, term
from mel_core.vocabulary import CONFIDENCE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mel_core.criteria.result import CriterionResult


def store_url(db_url: str = "", cwd: Path | None = None) -> str:
    """The store a notebook reads: ``db_url`` if given, else ``MEL_DB_URL``, else ``MEL_HOME/mel.db``, else the
    nearest ``.mel/mel.db`` in the working directory or a parent (so a template opened in JupyterLab from
    ``notebooks/templates/`` finds the store that ``make demo`` built at the top of the project)."""
    from mel_core.config import load_settings, sqlite_url

    if db_url:
        return db_url
    if os.environ.get("MEL_DB_URL") or os.environ.get("MEL_HOME"):
        return load_settings().db_url
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / ".mel" / "mel.db"
        if candidate.is_file():
            return sqlite_url(candidate)
    return load_settings(cwd=start).db_url


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a date YYYY-MM-DD or empty, not {value!r}") from exc


@dataclass
class Context:
    """What a criterion notebook works on."""

    programme: ProgrammeData
    portfolio: Portfolio
    lang: str
    evaluation_id: str
    store: str  # the store's URL without password, for the record


def open_context(
    db_url: str,
    programme: str,
    period_start: str = "",
    period_end: str = "",
    lang: str = "vi",
    evaluation_id: str = "",
) -> Context:
    """Read the programme and the portfolio from the store (``db_url`` as :func:`store_url` resolves it)."""
    from sqlalchemy.engine import make_url
    from sqlmodel import Session

    from mel_core.criteria.data import load_portfolio, load_programme
    from mel_core.store import make_engine

    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    url = store_url(db_url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            data = load_programme(
                session, programme, _date(period_start, "period_start"), _date(period_end, "period_end")
            )
            portfolio = load_portfolio(session)
    finally:
        engine.dispose()
    shown = make_url(engine.url).render_as_string(hide_password=True)
    return Context(data, portfolio, lang, evaluation_id, shown)


def _markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def header(ctx: Context, criterion: str) -> None:
    """The criterion, what it looks at, the programme and the evaluation, in the notebook's language."""
    p = ctx.programme.programme
    lang = ctx.lang
    title = p["title"] if lang == "vi" or not p.get("title_en") else p["title_en"]
    end = p["end_date"].isoformat() if p.get("end_date") else "…"
    evaluation = ctx.evaluation_id or t("notebook.draft", lang)
    lines = [
        f"## {term('criteria', criterion, lang)}: {p['code']}",
        t(f"notebook.about.{criterion}", lang),
        t(
            "notebook.programme",
            lang,
            title=title,
            start=p["start_date"].isoformat(),
            end=end,
            provinces=", ".join(ctx.programme.provinces),
        ),
        t(
            "notebook.evaluation",
            lang,
            evaluation=evaluation,
            as_of=ctx.programme.as_of,
            store=ctx.store,
            fingerprint=ctx.programme.fingerprint[:12],
        ),
    ]
    _markdown("\n\n".join(lines))


def how_to_run(lang: str) -> None:
    """How to run a template: with ``mel evaluate`` (stored) or all cells in JupyterLab (a draft); the template's
    cell is tagged ``remove-cell``, which the book leaves out."""
    _markdown(t("notebook.how_to_run", lang))


def result_note(lang: str) -> None:
    """The words above the machine-readable result (a cell tagged ``remove-cell`` too)."""
    _markdown(t("notebook.result_note", lang))


def show(result: CriterionResult) -> None:
    """The rating, its justification, the findings, the recommendations and the tables of ``result``."""
    from IPython.display import display

    lang = result.lang
    rating = result.rating
    parts = []
    if rating is not None:
        level = f"{rating.level}/4" if rating.level is not None else "–"
        parts.append(f"### {t('notebook.rating', lang)}: **{rating.label}** ({level})")
        parts.append(f"{rating.justification}")
    if result.findings:
        parts.append(f"### {t('notebook.findings', lang)}")
        for n, f in enumerate(result.findings, 1):
            sure = ""
            if f.confidence:
                shown = (
                    t(f"notebook.confidence_{f.confidence}", lang)
                    if f.confidence in CONFIDENCE
                    else f.confidence
                )
                sure = f" _({t('notebook.confidence', lang)}: {shown})_"
            parts.append(f"{n}. {f.statement}{sure}")
    if result.recommendations:
        parts.append(f"### {t('notebook.recommendations', lang)}")
        parts.extend(f"{n}. {text}" for n, text in enumerate(result.recommendations, 1))
    _markdown("\n\n".join(parts))
    for name, table in result.tables.items():
        _markdown(f"**{name}**")
        display(table)


def show_charts(figures: list[Figure]) -> None:
    """Display each chart (embedded in the notebook and its HTML export) and free it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    for figure in figures:
        display(figure)
        plt.close(figure)


def payload(result: CriterionResult, ctx: Context) -> dict[str, Any]:
    """The machine-readable result: the criterion's JSON with the programme, evaluation and data fingerprint."""
    from mel_core import __version__

    return {
        **result.to_json(),
        "programme": ctx.programme.code,
        "evaluation_id": ctx.evaluation_id,
        "data_fingerprint": ctx.programme.fingerprint,
        "as_of": ctx.programme.as_of.isoformat(),
        "mel_core_version": __version__,
    }


def emit(result: CriterionResult, ctx: Context) -> dict[str, Any]:
    """Display the machine-readable result (the runner stores it) and return it."""
    from IPython.display import display

    data = payload(result, ctx)
    rating = result.rating
    summary = f"{result.criterion}: {rating.label if rating else '–'} ({len(result.findings)} findings)"
    display({RESULT_MIME: data, "text/plain": summary}, raw=True)
    return data


def criteria_results(ctx: Context, results_path: str = "") -> dict[str, dict[str, Any]]:
    """The criteria's results the synthesis works on.

    From ``results_path`` (the ``results.json`` the runner writes for this evaluation) when given; otherwise from
    the store: the evaluation ``ctx.evaluation_id``, or the programme's latest evaluation (with the evaluators'
    final levels where they overrode a computed one).
    """
    import json

    from sqlmodel import Session

    from mel_core.errors import NotFound
    from mel_core.evaluations.record import stored_results
    from mel_core.store import make_engine

    if results_path:
        return dict(json.loads(Path(results_path).read_text(encoding="utf-8")))
    engine = make_engine(store_url())
    try:
        with Session(engine) as session:
            return stored_results(session, ctx.evaluation_id or ctx.programme.code)
    except NotFound:
        _markdown(t("notebook.no_stored_evaluation", ctx.lang))
        return {}
    finally:
        engine.dispose()
