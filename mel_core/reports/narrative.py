"""The narrative reports of the manual, Tables 4.3 (six-month) and 4.4 (annual), as Word documents.

Departments and districts send them to the provincial People's Committee (seed 004, chapter IV). Each follows
the manual's outline heading by heading (:mod:`mel_core.reports.narrative_text`), in Vietnamese or English, and
is prefilled from the store (:mod:`mel_core.reports.narrative_content`): the figures of Table 4.2 for the same
period and scope (cell for cell), what was achieved against the plan, the indicators off track, the activities
of the period and the latest evaluation's ratings and findings. What only the writer knows (the context, the
reasons for a gap, the forecasts, the solutions, the recommendations) is left under its heading as a marked
placeholder in square brackets, highlighted, such as "[Đánh giá của đơn vị]".

No personal data is written: evaluators are not named, findings pass through :func:`mel_core.privacy.redact`,
the document's author is the issuing body, and no enterprise's own figures are read.

Example::

    with Session(engine) as session:
        content = narrative_content(session, "annual", province="11", period="2015")
    write_narrative(content, Path("bao-cao-4.4.docx"), lang="vi")
"""

from __future__ import annotations

import math
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from mel_core import geo
from mel_core.errors import OutputError
from mel_core.i18n import message, t
from mel_core.reference import plan_fields
from mel_core.reports.narrative_content import Assessed, NarrativeContent
from mel_core.reports.narrative_text import Lang, criterion_words, heading_texts, period_words
from mel_core.reports.scope import PLANNING_DEPARTMENT
from mel_core.reports.table import MISSING, NONE, Cell, Number, format_number, planned, rate

FONT = "Times New Roman"


def figure_text(cell: Cell, lang: Lang) -> str:
    """A cell of Table 4.2 as the narrative report writes it: Vietnamese ``1.234,5`` or English ``1,234.5``."""
    if cell is None:
        return ""
    if isinstance(cell, Number):
        if lang == "vi":
            return format_number(cell)
        return format_number(cell).replace(".", "\x00").replace(",", ".").replace("\x00", ",")
    if lang == "en":
        return {MISSING: t("narrative.missing", lang), NONE: NONE}.get(cell, cell)
    return cell


def _value(value: float, lang: Lang, high: float = math.nan) -> str:
    return figure_text(planned(value, high if math.isfinite(high) else None), lang)


def _rate(ratio: float, lang: Lang) -> str:
    return figure_text(rate(ratio), lang)


def _setup(doc: DocumentType) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
    doc.styles["Normal"].font.size = Pt(13)
    doc.styles["Heading 1"].font.size = Pt(13)
    doc.styles["Heading 2"].font.size = Pt(13)


def _paragraph(doc: DocumentType, text: str = "", *, bold: bool = False, italic: bool = False,
               align: WD_ALIGN_PARAGRAPH | None = None, style: str | None = None) -> Paragraph:  # fmt: skip
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
    if align is not None:
        p.alignment = align
    return p


def placeholder(doc: DocumentType, text: str) -> Paragraph:
    """A marked place for the writer's own text: in square brackets, italic, highlighted."""
    p = doc.add_paragraph()
    run = p.add_run(f"[{text}]")
    run.italic = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return p


def _table(doc: DocumentType, header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for k, text in enumerate(header):
        cell = table.rows[0].cells[k]
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for k, text in enumerate(values):
            cells[k].text = text
    for row in table.rows:
        for k, width in enumerate(widths):
            row.cells[k].width = Mm(width)
    return table


def _heading(doc: DocumentType, content: NarrativeContent, lang: Lang) -> None:
    scope = content.scope
    top = doc.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    left.text = ""
    for k, line in enumerate(scope.issuer or [t("narrative.issuer", lang)]):
        p = left.paragraphs[0] if k == 0 else left.add_paragraph()
        p.add_run(line).bold = True
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = left.add_paragraph(t("narrative.number", lang))
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.text = ""
    for k, line in enumerate(t("narrative.nation", lang).split("\n")):
        p = right.paragraphs[0] if k == 0 else right.add_paragraph()
        p.add_run(line).bold = True
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = right.add_paragraph()
    place = content.scope.province_name
    english_date = f"{place + ', ' if place else ''}{content.today.day} {content.today:%B %Y}"
    p.add_run(content.table.place_date if lang == "vi" else english_date).italic = True
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    words = period_words(content.kind, content.period, lang)
    title = doc.add_paragraph(style="Title")
    title.add_run(t("narrative.report_title", lang)).bold = True
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(doc, t("narrative.re", lang, period=words), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(
        doc, t("narrative.to", lang, recipient=_recipient(content, lang)), align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _paragraph(doc, t("narrative.intro", lang, period=words, unit=_unit(content, lang)))


def _recipient(content: NarrativeContent, lang: Lang) -> str:
    name = content.scope.province_name
    if name is None:
        provinces = content.scope.programmes[0].programme.get("provinces") or []
        known = [geo.provinces()[c] for c in provinces if c in geo.provinces()]
        name = known[0].successor_name if len(known) == 1 else None
    return t("narrative.ppc", lang, province=name) if name else f"[{t('narrative.recipient', lang)}]"


def _unit(content: NarrativeContent, lang: Lang) -> str:
    return " ".join(content.scope.issuer[-1:]) if content.scope.issuer else f"[{t('narrative.issuer', lang)}]"


def figure_rows(content: NarrativeContent, lang: Lang) -> list[list[str]]:
    """The rows of the figures table: Table 4.2's own cells (groups, programmes, indicators) in this layout.

    Columns: number, indicator, level, unit, plan, actual, completion rate (%), notes.
    """
    assessed = {(a.programme, a.code): a for a in content.assessed}
    rows: list[list[str]] = []
    programme = ""
    for row in content.table.body:
        c = row.cells
        label = figure_text(c[1], lang)
        if row.kind != "item":
            if row.kind == "programme":
                programme = label.rsplit("(", 1)[-1].rstrip(")")
            if lang == "en":
                label = _group_en(row.kind, figure_text(c[0], lang), label, content)
            rows.append([figure_text(c[0], lang), label, "", "", "", "", "", ""])
            continue
        if c[6] is None and c[8] is None:
            rows.append(["", t("narrative.no_indicators", lang), "", "", "", "", "", ""])
            continue
        at = 2 if c[6] is not None else 4
        code = label.rsplit("(", 1)[-1].rstrip(")")
        if lang == "en" and (programme, code) in content.names_en:
            label = f"{content.names_en[programme, code]} ({code})"
        level = t("narrative.output" if at == 2 else "narrative.outcome", lang)
        note = (
            figure_text(c[11], lang) if lang == "vi" else _note_en(assessed.get((programme, code)), content)
        )
        rows.append(
            [figure_text(c[0], lang), label, level, figure_text(c[at + 4], lang), figure_text(c[at + 1], lang),
             figure_text(c[at + 5], lang), figure_text(c[10], lang), note]
        )  # fmt: skip
    return rows


def _group_en(kind: str, number: str, label: str, content: NarrativeContent) -> str:
    """A group row of the figures in English: the plan's field or sector (kb/taxonomy.yml), the line of a sector
    with nothing in it, a programme by its English title where the store has one (else as Table 4.2 names it)."""
    if kind in ("field", "group"):
        for plan_field in plan_fields():
            if plan_field.number == number:
                return plan_field.en.upper()
            for sector in plan_field.sectors:
                if sector.number == number:
                    return sector.en
    if kind == "empty":
        return t("narrative.nothing_there", "en")
    if kind == "programme":
        code = label.rsplit("(", 1)[-1].rstrip(")")
        for fig in content.scope.programmes:
            english = fig.programme.get("title_en")
            if fig.code == code and isinstance(english, str) and english.strip():
                return english if f"({code})" in english else f"{english} ({code})"
    return label


def _note_en(a: Assessed | None, content: NarrativeContent) -> str:
    if a is None:
        return ""
    notes = []
    if math.isnan(a.target):
        notes.append("no plan for this period")
    elif a.plan_period != content.period.label:
        notes.append(f"against the plan of {a.plan_period}")
    if math.isnan(a.actual):
        notes.append("figure not reported")
    elif a.actual_period != content.period.label:
        notes.append(f"figure of {a.actual_period}")
    return "; ".join(notes)


def _line(a: Assessed, lang: Lang, content: NarrativeContent) -> str:
    plan = _value(a.target, lang, a.target_high)
    actual = _value(a.actual, lang)
    name = content.name(a.programme, a.code, a.name, lang)
    return t("narrative.indicator_line", lang, name=name, code=a.code, plan=plan, actual=actual, unit=a.unit,
             rate=_rate(a.ratio, lang))  # fmt: skip


def _section_one(doc: DocumentType, content: NarrativeContent, lang: Lang, headings: list[str]) -> None:
    words = period_words(content.kind, content.period, lang)
    doc.add_heading(headings[0], level=1)
    # context
    doc.add_heading(headings[1], level=2)
    placeholder(doc, t("narrative.ph_context", lang))
    # outline of activities and expected outputs/results
    doc.add_heading(headings[2], level=2)
    planned = [a for a in content.assessed if a.status != "no_plan"]
    outputs = sum(a.level == "output" for a in planned)
    programmes = len({a.programme for a in planned})  # those the planned indicators belong to
    _paragraph(doc, t("narrative.plan_summary", lang, year=content.period.start.year, outputs=outputs,
                      outcomes=len(planned) - outputs, programmes=programmes))  # fmt: skip
    for act in content.activities:
        _paragraph(
            doc,
            t(
                "narrative.activities_planned",
                lang,
                title=act.title,
                planned=act.planned,
                cost=_value(act.cost_planned, lang),
            ),
            style="List Bullet",
        )
    placeholder(doc, t("narrative.ph_outline", lang))
    # actual implementation and the difference, with the indicators collected
    doc.add_heading(headings[3], level=2)
    for act in content.activities:
        _paragraph(doc, t("narrative.activities_done", lang, title=act.title, done=act.done,
                          dropped=act.dropped, cost=_value(act.cost_actual, lang)), style="List Bullet")  # fmt: skip
    counts = {s: len(content.with_status(s)) for s in ("achieved", "on_track", "off_track", "not_reported")}
    _paragraph(doc, t("narrative.status_summary", lang, total=len(planned), period=words, **counts))
    _paragraph(doc, t("narrative.figures_caption", lang, period=content.period.label), italic=True)
    _paragraph(doc, t(f"narrative.rated_{content.plan}", lang), italic=True)
    columns = ("no", "indicator", "level", "unit", "plan", "actual", "rate", "note")
    _table(doc, [t(f"narrative.col_{k}", lang) for k in columns],
           figure_rows(content, lang), [10, 55, 18, 16, 18, 18, 15, 30])  # fmt: skip
    achieved = content.with_status("achieved")
    if achieved:
        _paragraph(doc, t("narrative.achieved_intro", lang), bold=True)
        for a in achieved:
            _paragraph(doc, _line(a, lang, content), style="List Bullet")
    placeholder(doc, t("narrative.ph_difference", lang))
    # explanation of the differences
    doc.add_heading(headings[4], level=2)
    off = content.with_status("off_track")
    _paragraph(
        doc,
        t(
            "narrative.off_track_intro" if off else "narrative.none_off_track",
            lang,
            share=_rate(content.expected_share, lang),
        ),
    )
    for a in off:
        _paragraph(doc, _line(a, lang, content), style="List Bullet")
        placeholder(doc, t("narrative.ph_reason", lang, code=a.code))
    missing = content.with_status("not_reported")
    if missing:
        _paragraph(doc, t("narrative.not_reported_intro", lang), bold=True)
        for a in missing:
            _paragraph(
                doc, f"{content.name(a.programme, a.code, a.name, lang)} ({a.code})", style="List Bullet"
            )
    # assessment of progress, with the evaluations' findings
    doc.add_heading(headings[5], level=2)
    _findings(doc, content, lang)
    placeholder(doc, t("narrative.ph_assessment", lang))


def _findings(doc: DocumentType, content: NarrativeContent, lang: Lang) -> None:
    if not content.evaluations:
        _paragraph(doc, t("narrative.no_evaluation", lang))
        return
    for ev in content.evaluations:
        finished = ev.finished.isoformat() if ev.finished else "…"
        _paragraph(
            doc,
            t(
                "narrative.evaluation_intro",
                lang,
                title=ev.title,
                evaluation=ev.evaluation,
                finished=finished,
            ),
            bold=True,
        )
        if ev.findings and ev.lang != lang:
            # the store keeps a finding in the language the evaluation ran in only: copied as written, said so
            note = (
                t("narrative.findings_as_written", lang, language=t(f"narrative.language_{ev.lang}", lang))
                if ev.lang is not None
                else t("narrative.findings_language_unknown", lang)
            )
            _paragraph(doc, note, italic=True)
        for criterion, vi, en in ev.ratings:
            _paragraph(
                doc, f"{criterion_words(criterion, lang)}: {vi if lang == 'vi' else en}", style="List Bullet"
            )
        for criterion, statement in ev.findings:
            _paragraph(doc, f"{criterion_words(criterion, lang)}: {statement}", style="List Bullet")


def _six_month_rest(doc: DocumentType, content: NarrativeContent, lang: Lang, headings: list[str]) -> None:
    doc.add_heading(headings[6], level=1)
    doc.add_heading(headings[7], level=2)
    placeholder(doc, t("narrative.ph_forecast", lang))
    doc.add_heading(headings[8], level=2)
    for a in content.with_status("off_track", "on_track"):
        remaining = _value(a.target - a.actual, lang) if a.target > a.actual else _value(0.0, lang)
        name = content.name(a.programme, a.code, a.name, lang)
        text = t("narrative.remaining", lang, name=name, code=a.code, remaining=remaining, unit=a.unit)
        _paragraph(doc, text, style="List Bullet")
    placeholder(doc, t("narrative.ph_measures", lang))


def _annual_rest(doc: DocumentType, content: NarrativeContent, lang: Lang, headings: list[str]) -> None:
    doc.add_heading(headings[6], level=1)
    doc.add_heading(headings[7], level=2)
    placeholder(doc, t("narrative.ph_predictions", lang))
    doc.add_heading(headings[8], level=2)
    if content.next_plan:
        _paragraph(doc, t("narrative.next_plan_intro", lang, year=content.period.start.year + 1))
        rows = [
            [
                str(k),
                f"{content.name(n.programme, n.code, n.name, lang)} ({n.code})",
                n.unit,
                _value(n.target, lang, n.target_high),
            ]
            for k, n in enumerate(content.next_plan, start=1)
        ]
        _table(
            doc,
            [
                t("narrative.col_no", lang),
                t("narrative.col_indicator", lang),
                t("narrative.col_unit", lang),
                t("narrative.col_plan", lang),
            ],
            rows,
            [10, 100, 25, 25],
        )
    else:
        _paragraph(doc, t("narrative.no_next_plan", lang, year=content.period.start.year + 1))
    placeholder(doc, t("narrative.ph_objectives", lang))
    doc.add_heading(headings[9], level=2)
    placeholder(doc, t("narrative.ph_solutions", lang))
    doc.add_heading(headings[10], level=1)
    doc.add_heading(headings[11], level=2)
    target = f"[{t('narrative.ph_content', lang)}]"
    _table(doc, [t(f"narrative.col_{k}", lang) for k in ("no", "content", "oriented", "proposed")],
           [["1", target, "", ""], ["2", target, "", ""]], [10, 80, 35, 35])  # fmt: skip
    _paragraph(doc, t("narrative.reason_differences", lang), bold=True)
    placeholder(doc, t("narrative.ph_reason_differences", lang))
    _paragraph(doc, t("narrative.conditions", lang), bold=True)
    placeholder(doc, t("narrative.ph_conditions", lang))
    doc.add_heading(headings[12], level=2)
    _paragraph(doc, t("narrative.support_intro", lang))
    placeholder(doc, t("narrative.ph_support", lang))


def _closing(doc: DocumentType, content: NarrativeContent, lang: Lang) -> None:
    bottom = doc.add_table(rows=1, cols=2)
    left, right = bottom.rows[0].cells
    left.text = ""
    left.paragraphs[0].add_run(t("narrative.recipients", lang)).bold = True
    lines = t("narrative.recipient_list", lang).split("\n")
    if PLANNING_DEPARTMENT not in content.scope.issuer:
        lines.insert(2, t("narrative.recipient_planning", lang))
    for line in lines:
        left.add_paragraph(line)
    right.text = ""
    right.paragraphs[0].add_run(t("narrative.signer", lang)).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = right.add_paragraph()
    run = p.add_run(f"[{t('narrative.signature', lang)}]")
    run.italic = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def render_narrative(content: NarrativeContent, lang: Lang = "vi") -> DocumentType:
    """The report as a python-docx document (Table 4.3 for six months, 4.4 for a year)."""
    doc = Document()
    _setup(doc)
    props = doc.core_properties
    props.author = " ".join(content.scope.issuer) or "mel"
    props.last_modified_by = props.author
    props.title = t("narrative.re", lang, period=period_words(content.kind, content.period, lang))
    props.subject = t("narrative.form_" + content.kind, lang)
    props.language = lang
    _heading(doc, content, lang)
    headings = heading_texts(content.kind, content.period, lang)
    _section_one(doc, content, lang, headings)
    if content.kind == "six-month":
        _six_month_rest(doc, content, lang, headings)
    else:
        _annual_rest(doc, content, lang, headings)
    _closing(doc, content, lang)
    return doc


def default_narrative_name(content: NarrativeContent, who: str) -> str:
    """``bao-cao-4.4_tinh-11_2015.docx``: the form, the programme or province, the period."""
    form = "4.3" if content.kind == "six-month" else "4.4"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in who)
    return f"bao-cao-{form}_{safe}_{content.period.label}.docx"


def write_narrative(content: NarrativeContent, path: Path, lang: Lang = "vi") -> Path:
    """Write the report as a .docx file and return its path.

    Raises:
        OutputError: the file cannot be written.
    """
    doc = render_narrative(content, lang)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(path))
    except OSError as exc:
        raise OutputError(
            message("reports.messages.cannot_write", path=path, reason=exc.strerror or exc),
            hint=message("reports.messages.choose_another_out"),
        ) from exc
    return path
