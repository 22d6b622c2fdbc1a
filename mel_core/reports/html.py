"""A report form as one self-contained, printable HTML page (UTF-8, A4 landscape, no outside files).

The same cells as the workbook: the header's merged cells become ``rowspan``/``colspan``, figures are written
the Vietnamese way (``1.234,5``), and the header repeats on every printed page.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from mel_core.reports.table import NATIONAL_HEADING, Number, ReportTable, cell_text

STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Times New Roman", Times, serif; font-size: 12pt; color: #000; margin: 1em; }
.heading { width: 100%; border-collapse: collapse; margin-bottom: 1em; }
.heading td { border: none; text-align: center; vertical-align: top; width: 50%; }
.national { font-weight: bold; }
.motto { font-weight: bold; text-decoration: underline; }
.date { font-style: italic; }
.form { font-style: italic; font-size: 11pt; }
h1 { font-size: 14pt; text-align: center; margin: 0.2em 0; }
.intro { text-align: center; font-style: italic; margin: 0.2em 0 1em; }
table.report { border-collapse: collapse; width: 100%; }
table.report th, table.report td { border: 1px solid #000; padding: 3px 5px; vertical-align: middle; }
table.report th { background: #f2f2f2; text-align: center; }
table.report thead { display: table-header-group; }
table.report tr.numbers th { font-weight: normal; font-style: italic; background: #fff; }
table.report td { text-align: center; }
table.report td.wrap { text-align: left; }
table.report td.num { text-align: right; white-space: nowrap; }
table.report tr.group td { font-weight: bold; background: #fafafa; }
table.report tr.group td:nth-child(2) { text-align: left; }
table.report tr { page-break-inside: avoid; }
.notes { font-style: italic; font-size: 11pt; margin-top: 1em; }
"""


def render_html(table: ReportTable) -> str:
    """The page as a string."""
    # the issuing body's first line is its parent (the province's People's Committee), the second bold
    issuer = "".join(
        f"<div class='{'national' if k else 'parent'}'>{escape(line)}</div>"
        for k, line in enumerate(table.issuer)
    )
    head = [
        '<table class="heading"><tr>',
        f"<td>{issuer}<div class='form'>{escape(table.sheet_name)}</div></td>",
        f"<td><div class='national'>{escape(NATIONAL_HEADING[0])}</div>",
        f"<div class='motto'>{escape(NATIONAL_HEADING[1])}</div>",
        f"<div class='date'>{escape(table.place_date)}</div></td>",
        "</tr></table>",
        *[f"<h1>{escape(line)}</h1>" for line in table.title],
        *[f"<p class='intro'>{escape(line)}</p>" for line in table.intro],
    ]
    rows: list[list[str]] = [[] for _ in range(table.header_rows)]
    for h in sorted(table.header, key=lambda c: (c.row, c.col)):
        span = (f' rowspan="{h.rowspan}"' if h.rowspan > 1 else "") + (
            f' colspan="{h.colspan}"' if h.colspan > 1 else ""
        )
        rows[h.row].append(f"<th{span}>{escape(h.text)}</th>")
    thead = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    thead += '<tr class="numbers">' + "".join(f"<th>{n}</th>" for n in table.numbering()) + "</tr>"
    body = []
    for line in table.body:
        cells = []
        for k, value in enumerate(line.cells):
            css = "num" if isinstance(value, Number) else ("wrap" if k in table.wrap else "")
            attr = f' class="{css}"' if css else ""
            cells.append(f"<td{attr}>{escape(cell_text(value))}</td>")
        kind = ' class="group"' if line.kind not in ("item", "empty") else ""
        body.append(f"<tr{kind}>{''.join(cells)}</tr>")
    colgroup = "".join(f'<col style="width:{w:.0f}ch">' for w in table.widths)
    title = escape(" ".join(table.title))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="vi">',
            f'<head><meta charset="utf-8"><title>{escape(table.sheet_name)}: {title}</title>',
            f"<style>{STYLE}</style></head>",
            "<body>",
            *head,
            f'<table class="report"><colgroup>{colgroup}</colgroup><thead>{thead}</thead>',
            f"<tbody>{''.join(body)}</tbody></table>",
            *[f"<p class='notes'>{escape(line)}</p>" for line in table.notes],
            "</body></html>",
        ]
    )


def write_html(table: ReportTable, path: Path) -> Path:
    """Write ``table`` as an HTML page at ``path`` (UTF-8, replaced if it exists) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(table), encoding="utf-8")
    return path
