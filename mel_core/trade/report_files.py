"""A trade-promotion report as a printable HTML page or an .xlsx workbook, in Vietnamese or English."""

from __future__ import annotations

from html import escape
from pathlib import Path

from mel_core.errors import OutputError
from mel_core.i18n import message, render, t
from mel_core.trade.reports import TradeReport

STYLE = """
body { font-family: "Times New Roman", Times, serif; font-size: 12pt; margin: 1em; }
h1 { font-size: 14pt; text-align: center; }
h2 { font-size: 12pt; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 3px 5px; }
th { background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; }
.notes, .warnings { font-style: italic; font-size: 11pt; }
.warnings { color: #8a4b00; }
"""


def _text(value: object, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        shown = f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
        return shown.replace(",", "\u2009") if lang == "vi" else shown
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", "\u2009") if lang == "vi" else f"{value:,}"
    return render(value, lang) if isinstance(value, str) else str(value)


def html_body(report: TradeReport, lang: str = "vi") -> str:
    """The report's headings and tables as an HTML fragment (the portal puts it in its page)."""
    parts = [f"<h1>{escape(render(report.title, lang))}</h1>"]
    for section in report.sections:
        parts.append(f"<h2>{escape(render(section.title, lang))}</h2><table><thead><tr>")
        parts += [f"<th>{escape(render(h, lang))}</th>" for h in section.header]
        parts.append("</tr></thead><tbody>")
        for row in section.rows:
            cells = [
                f"<td class='num'>{escape(_text(c, lang))}</td>"
                if isinstance(c, int | float) and not isinstance(c, bool)
                else f"<td>{escape(_text(c, lang))}</td>"
                for c in row
            ]
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
        parts += [f"<p class='notes'>{escape(render(n, lang))}</p>" for n in section.notes]
    if report.warnings:
        parts.append(f"<h2>{escape(t('trade.report_files.warnings', lang))}</h2><ul class='warnings'>")
        parts += [f"<li>{escape(render(w, lang))}</li>" for w in report.warnings]
        parts.append("</ul>")
    return "\n".join(parts)


def render_html(report: TradeReport, lang: str = "vi") -> str:
    """The report as one self-contained HTML page."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(render(report.title, lang))}</title><style>{STYLE}</style></head><body>\n"
        f"{html_body(report, lang)}\n</body></html>\n"
    )


def write_report(report: TradeReport, path: Path, fmt: str = "xlsx", lang: str = "vi") -> Path:
    """Write ``report`` to ``path`` as ``xlsx`` or ``html``.

    Raises:
        OutputError: the file cannot be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "html":
            path.write_text(render_html(report, lang), encoding="utf-8")
        else:
            _write_xlsx(report, path, lang)
    except OSError as exc:
        raise OutputError(
            message("trade.report_files.cannot_write", path=path, reason=exc.strerror or exc),
            hint=message("trade.report_files.choose_place"),
        ) from None
    return path


def _write_xlsx(report: TradeReport, path: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = report.kind[:31]
    sheet.append([render(report.title, lang)])
    sheet["A1"].font = Font(bold=True, size=13)
    for section in report.sections:
        sheet.append([])
        sheet.append([render(section.title, lang)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append([render(h, lang) for h in section.header])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append(
                [c if isinstance(c, int | float) and not isinstance(c, bool) else _text(c, lang) for c in row]
            )
        for note in section.notes:
            sheet.append([render(note, lang)])
    if report.warnings:
        sheet.append([])
        sheet.append([t("trade.report_files.warnings", lang)])
        for warning in report.warnings:
            sheet.append([render(warning, lang)])
    for letter in "ABCDEFGHIJ":
        sheet.column_dimensions[letter].width = 18
    sheet.column_dimensions["B"].width = 48
    workbook.save(path)
