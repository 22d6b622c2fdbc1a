"""The book's pages about evaluations: the overview, a chapter per criterion, a chapter per evaluation (its
executed notebooks put together, code hidden) and the recommendations with their status."""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import nbformat
import nh3

from mel_core.book import myst
from mel_core.book.attachment_pages import attachments_section
from mel_core.book.common import docname, place_names, places_text, term
from mel_core.book.content import BookAttachment, BookContent, BookEvaluation
from mel_core.evaluations.execute import RESULT_MIME
from mel_core.i18n import rating as rating_label
from mel_core.i18n import t
from mel_core.reference import taxonomy
from mel_core.vocabulary import CRITERIA

_STORE_ADDRESS = re.compile(r" · (?:store|kho dữ liệu) `[^`]*`")
#: The outputs the book shows: text, Markdown (made safe by :func:`myst.blocks`), HTML tables (sanitised) and
#: pictures. Anything else a notebook may hold (a script, a widget, an SVG) is left out: the book runs nothing.
SHOWN_MIME = ("text/plain", "text/markdown", "text/html", "image/png", "image/jpeg")
#: The markup of a criterion's tables (pandas writes them as HTML, store text escaped); nh3 drops everything else.
TABLE_TAGS = {"div", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "p", "br", "b", "i"}
TABLE_ATTRIBUTES = {
    "table": {"border", "class"},
    "tr": {"style"},
    "th": {"colspan", "rowspan", "halign", "valign", "style"},
    "td": {"colspan", "rowspan", "style"},
}


def _rating_text(criterion: str, level: int | None, lang: str) -> str:
    return rating_label(criterion, level, lang) + (f" ({level}/4)" if level is not None else "")


def _programme_name(ev: BookEvaluation, lang: str) -> str:
    return ev.programme_name if lang == "vi" else ev.programme_name_en


# -------------------------------------------------------------------------------------------------- overview
def overview_page(content: BookContent, lang: str) -> str:
    year, evs = content.span, content.evaluations
    lines = [f"# {myst.inline(t('book.overview', lang, year=year))}", ""]
    provinces = sorted({n for ev in evs for n, _ in place_names(ev.provinces, lang)})
    provinces_lessons = sorted({n for x in content.lessons for n, _ in place_names(x.provinces, lang)})
    lines += [
        myst.table(
            [t("book.in_this_book", lang), t("book.count", lang)],
            [
                [t("book.programmes_evaluated", lang), len(evs)],
                [t("book.lessons_count", lang), len(content.lessons)],
                [t("book.provinces", lang), len(set(provinces) | set(provinces_lessons))],
            ],
        ),
        "",
    ]
    if not evs:
        lines += [myst.inline(t("book.no_evaluations", lang, year=year)), ""]
    else:
        lines += [f"## {myst.inline(t('book.programmes_evaluated', lang))}", ""]
        rows = [
            [ev.programme, _programme_name(ev, lang), places_text(ev.provinces, lang), _overall(ev, lang)]
            for ev in evs
        ]
        lines += [
            myst.table(
                [t("book.programme", lang), "", t("book.provinces", lang), t("book.rating", lang)], rows
            )
        ]
        lines += ["", f"## {myst.inline(t('book.ratings_by_criterion', lang))}", ""]
        counts = rating_counts(evs)
        header = [t("book.criterion", lang)] + [t("book.level", lang, n=n) for n in (4, 3, 2, 1)]
        header.append(t("book.not_rated", lang))
        table_rows = [
            [term(taxonomy(), "criteria", c, lang)] + [counts[c][n] for n in (4, 3, 2, 1, None)]
            for c in (*CRITERIA, "overall")
        ]
        lines += [myst.table(header, table_rows), ""]
        lines += [f"![{myst.inline(t('book.ratings_chart_alt', lang))}](_static/ratings.png)", ""]
    if provinces or provinces_lessons:
        lines += [f"## {myst.inline(t('book.provinces', lang))}", ""]
        lines += [myst.inline(", ".join(sorted(set(provinces) | set(provinces_lessons)))), ""]
    return "\n".join(lines)


def _overall(ev: BookEvaluation, lang: str) -> str:
    rating = ev.rating("overall")
    return _rating_text("overall", rating.level if rating else None, lang)


def rating_counts(evs: list[BookEvaluation]) -> dict[str, Counter[int | None]]:
    counts: dict[str, Counter[int | None]] = {c: Counter() for c in (*CRITERIA, "overall")}
    for ev in evs:
        for c in counts:
            rating = ev.rating(c)
            counts[c][rating.level if rating else None] += 1
    return counts


def ratings_chart(evs: list[BookEvaluation], lang: str) -> bytes:
    """A stacked bar chart of rating levels by criterion, as PNG bytes (no timestamp: same data, same bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    counts = rating_counts(evs)
    names = [term(taxonomy(), "criteria", c, lang) for c in (*CRITERIA, "overall")]
    fig = Figure(figsize=(8, 3.6), dpi=110)
    ax = fig.add_subplot()
    left = [0] * len(names)
    colours = {4: "#1a7f37", 3: "#7fbf5f", 2: "#f0a040", 1: "#c0392b", None: "#bbbbbb"}
    for level in (4, 3, 2, 1, None):
        values = [counts[c][level] for c in (*CRITERIA, "overall")]
        text = t("book.level", lang, n=level) if level else t("book.not_rated", lang)
        ax.barh(names, values, left=left, color=colours[level], label=text)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel(t("book.programmes_evaluated", lang))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------- criteria
def criterion_page(content: BookContent, criterion: str, lang: str) -> str:
    name = term(taxonomy(), "criteria", criterion, lang)
    lines = [f"# {myst.inline(name)}", ""]
    lines += [myst.inline(t("book.criterion_intro", lang, criterion=name.lower(), year=content.span)), ""]
    if not content.evaluations:
        return "\n".join([*lines, myst.inline(t("book.no_evaluations", lang, year=content.span)), ""])
    rows = []
    for ev in content.evaluations:
        rating = ev.rating(criterion)
        rows.append(
            [
                ev.programme,
                _programme_name(ev, lang),
                _rating_text(criterion, rating.level if rating else None, lang),
            ]
        )
    lines += [myst.table([t("book.programme", lang), "", t("book.rating", lang)], rows), ""]
    for ev in content.evaluations:
        rating = ev.rating(criterion)
        lines += [f"## {myst.inline(ev.programme)}: {myst.inline(_programme_name(ev, lang))}", ""]
        level = _rating_text(criterion, rating.level if rating else None, lang)
        lines += [f"**{myst.inline(t('book.rating', lang))}:** {myst.inline(level)}", ""]
        if rating is not None:
            lines += [
                f"{myst.inline(t('book.justification', lang))}: {myst.inline(rating.justification)}",
                "",
            ]
            if rating.override_reason:
                note = t(
                    "book.overridden",
                    lang,
                    computed=_rating_text(criterion, rating.computed_level, lang),
                    reason=rating.override_reason,
                )
                lines += [f"*{myst.inline(note)}*", ""]
        findings = [f for f in ev.findings if f.criterion == criterion]
        if findings:
            lines += [f"**{myst.inline(t('book.findings', lang))}**", ""]
            for f in findings:
                conf = (
                    f" *({myst.inline(t('book.confidence', lang))}: {myst.inline(f.confidence)})*"
                    if f.confidence
                    else ""
                )
                lines.append(f"- {myst.inline(f.statement)}{conf}")
            lines.append("")
        see = myst.inline(f"{t('book.see_chapter', lang)} {ev.code}")
        lines += [f"[{see}](../evaluations/{docname(ev.code)}.ipynb)", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- evaluations
def evaluation_notebook(ev: BookEvaluation, lang: str, attachments: Sequence[BookAttachment] = ()) -> str:
    """The evaluation's notebooks as one: a title, then per criterion its narrative and outputs, code hidden;
    the files attached to the evaluation last."""
    date = ev.finished.date().isoformat() if ev.finished else "—"
    intro = [
        f"# {myst.inline(ev.programme)}: {myst.inline(_programme_name(ev, lang))}",
        "",
        myst.inline(t("book.evaluation_intro", lang, code=ev.code, date=date)),
        "",
        myst.table(
            [t("book.criterion", lang), t("book.rating", lang)],
            [
                [
                    term(taxonomy(), "criteria", c, lang),
                    _rating_text(c, r.level if (r := ev.rating(c)) else None, lang),
                ]
                for c in (*CRITERIA, "overall")
            ],
        ),
    ]
    cells = [nbformat.v4.new_markdown_cell("\n".join(intro))]
    for name, path in ev.notebooks:
        nb = nbformat.read(path, as_version=4)
        heading = term(taxonomy(), "criteria", name if name != "synthesis" else "overall", lang)
        cells.append(nbformat.v4.new_markdown_cell(f"## {myst.inline(heading)}"))
        cells.extend(_book_cells(nb))
    if attachments:
        cells.append(
            nbformat.v4.new_markdown_cell("\n".join(attachments_section(list(attachments), lang, "../")))
        )
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(book.cells):
        cell["id"] = f"c{i}"
    return nbformat.writes(book)


def _book_cells(nb: Any) -> list[Any]:
    """A criterion notebook's cells as the book shows them: narrative and outputs, no code, no parameters."""
    cells: list[Any] = []
    first_markdown = True
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove-cell" in tags:  # how to run the template, the machine-readable result: not for readers
            continue
        if cell.cell_type == "markdown":
            source = cell.source
            if first_markdown:  # the template's own title: the book's heading above replaces it
                source = re.sub(r"\A\s*# [^\n]*\n?", "", source)
                first_markdown = False
            source = _demote(source)
            if source.strip():
                cells.append(nbformat.v4.new_markdown_cell(source))
        elif cell.cell_type == "code" and not tags & {"parameters", "injected-parameters"}:
            outputs = [o for o in (_book_output(o) for o in cell.get("outputs", [])) if o is not None]
            if outputs:
                code = nbformat.v4.new_code_cell(source=cell.source, outputs=outputs)
                code.metadata = {"tags": ["remove-input"]}
                cells.append(code)
    return cells


def _book_output(output: Any) -> Any | None:
    """One output as the book shows it, or None: no machine-readable result, no stderr, markdown made safe."""
    if output.output_type == "stream":
        return output if output.get("name") == "stdout" else None
    if output.output_type not in ("display_data", "execute_result"):
        return None
    data = dict(output.get("data", {}))
    if RESULT_MIME in data:
        return None
    data = {k: v for k, v in data.items() if k in SHOWN_MIME}
    if "text/markdown" in data:
        data["text/markdown"] = myst.blocks(
            _STORE_ADDRESS.sub("", _text(data["text/markdown"])), headings_from=3
        )
    if "text/html" in data:
        data["text/html"] = safe_html(_text(data["text/html"]))
    if not data:
        return None
    kept = copy.deepcopy(output)
    kept["data"] = data
    if kept.output_type == "execute_result":
        kept["output_type"] = "display_data"
        kept.pop("execution_count", None)
    return kept


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def safe_html(html: str) -> str:
    """An HTML output with only table markup left (``text-align`` its only style): whatever a template displays,
    no script, event handler, link, frame or style sheet reaches the book, which Sphinx writes as it is."""
    return nh3.clean(
        html,
        tags=TABLE_TAGS,
        attributes=TABLE_ATTRIBUTES,
        filter_style_properties={"text-align"},
        link_rel=None,
    )


def _demote(markdown: str) -> str:
    """Headings one level down, at least ``###`` (the criterion's heading is ``##``)."""

    def shift(m: re.Match[str]) -> str:
        return "#" * min(6, max(3, len(m.group(1)) + 1)) + " "

    return re.sub(r"^(#{1,6}) ", shift, markdown, flags=re.M)


# ------------------------------------------------------------------------------------- recommendations, glossary


def recommendations_page(content: BookContent, lang: str) -> str:
    """Every evaluation's recommendations: management's response, its key actions and where each stood on the
    book's date (overdue ones marked)."""
    as_of = content.as_of
    lines = [f"# {myst.inline(t('book.recommendations', lang))}", ""]
    any_rows = False
    for ev in content.evaluations:
        if not ev.recommendations:
            continue
        any_rows = True
        lines += [f"## {myst.inline(ev.programme)}: {myst.inline(_programme_name(ev, lang))}", ""]
        rows = []
        for r in ev.recommendations:
            state = t(f"book.rec_{r.state}", lang) + (f" ({t('book.overdue', lang)})" if r.overdue else "")
            criterion = term(taxonomy(), "criteria", r.criterion, lang) if r.criterion else ""
            response = t(f"book.response_{r.response}", lang) if r.response else ""
            if r.response_text:
                response += f": {r.response_text}" if response else r.response_text
            actions = "; ".join(
                f"{text} ({unit}, {t('book.due', lang)} {due}: {t(f'book.action_{status}', lang)}"
                + (f", {t('book.overdue', lang)})" if overdue else ")")
                for text, unit, due, status, overdue in r.actions
            )
            rows.append([r.text, criterion, response, actions, state])
        header = [
            t("book.recommendation", lang),
            t("book.criterion", lang),
            t("book.management_response", lang),
        ]
        header += [t("book.key_actions", lang), t("book.status_as_of", lang, day=as_of.isoformat())]
        lines += [myst.table(header, rows), ""]
    if not any_rows:
        lines += [myst.inline(t("book.no_recommendations", lang)), ""]
    return "\n".join(lines)
