"""The reference of the import formats, written from :mod:`mel_core.ingest.formats` (``docs/import-formats.md``).

The document is generated so that it cannot drift from what the importer reads; a test compares the
committed file with :func:`formats_markdown`. Regenerate with ``python -m mel_core.ingest.docs``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mel_core.ingest.cells import COUNT_MAX, MONEY_MAX
from mel_core.ingest.formats import TABLES, Column, Kind, TableFormat
from mel_core.limits import SETTINGS, SHEET_COLUMNS, SHEET_ROWS
from mel_core.reference import taxonomy
from mel_core.safe_yaml import YamlLimits

DOC = Path("docs") / "import-formats.md"

KINDS = {
    Kind.TEXT: "text",
    Kind.CODE: "code: letters, digits and `- _ . /`, no spaces",
    Kind.INT: f"whole number from 0 to {COUNT_MAX:,}",
    Kind.YEAR: "year (1900–2100)",
    Kind.NUMBER: "number (dot as decimal mark, no thousands separator; may be negative)",
    Kind.MONEY: f"number from 0 to {MONEY_MAX:,.0f} (money in million VND, areas in ha)",
    Kind.BOOL: "`true`/`false` (or `1`/`0`)",
    Kind.DATE: "date `YYYY-MM-DD` (or an Excel date)",
    Kind.PERIOD: "period: `2015`, `2015-H1`, `2015-Q3`, `2015-07` or `2016-2020`",
    Kind.CHOICE: "one of the keys listed",
    Kind.ADMIN: "GSO code of a province (pre-2025 codes accepted), or of a district or commune of the"
    " `admin_units` table; empty = the whole programme",
    Kind.ADMINS: "GSO province codes separated by `;`",
    Kind.LIST: "texts separated by `;`",
    Kind.DISAGGREGATION: "`key=value` pairs separated by `;` (`sex=female;ethnicity=minority`); empty = total",
    Kind.TAX_CODE: "tax code (mã số thuế): 10 digits with a valid check digit, or `-` and 3 more for a branch",
}

#: What a column means, where its name does not say it all.
MEANING = {
    ("admin_units", "code"): "the unit's code (GSO code of the district or commune); not a province's",
    ("admin_units", "name"): "its name with its type, as written (`Huyện Điện Biên Đông`, `Xã Na Son`)",
    (
        "admin_units",
        "parent_code",
    ): "where it lay: a district in a province (GSO code); a commune in a district"
    " or, from 1 July 2025, directly in a province",
    (
        "admin_units",
        "successor_code",
    ): "a commune merged on 1 July 2025: the commune it became part of (in this"
    " table or the store); empty otherwise, and always for a district",
    ("admin_units", "name_ascii"): "its name without diacritics; default: computed from the name",
    ("programmes", "code"): "the programme's own code (e.g. `DB-BSS-2011`)",
    ("programmes", "title"): "name in Vietnamese (tên chương trình / dự án / mô hình)",
    ("programmes", "parent_code"): "the programme this one belongs to (a model inside a programme)",
    ("programmes", "implementer"): "organisation that implements (cơ quan thực hiện)",
    ("programmes", "donors"): "funding organisations (nhà tài trợ)",
    ("programmes", "provinces"): "where it works (địa bàn)",
    ("programmes", "communes"): "scale: number of communes (số xã)",
    ("programmes", "villages"): "number of villages (số thôn, bản)",
    ("programmes", "households"): "number of beneficiary households (số hộ hưởng lợi)",
    ("programmes", "model_chosen_by"): "who chose the crop, animal or model (letter 247/KTHT-GN, 2.1)",
    ("programmes", "objectives"): "specific objectives (mục tiêu cụ thể) in order; indicators and solutions"
    " refer to them by number",
    ("programmes", "general_objective"): "the general objective (mục tiêu chung) its objectives serve",
    (
        "programmes",
        "key_issues",
    ): "the key remaining issues (những vấn đề tồn tại chủ yếu) the general objective"
    " addresses, as the plan words them; shown in the first column of the framework of appendix 1b"
    " (`mel report annual … --form 1b`)",
    ("solutions", "objective"): "number (1, 2 …) or exact text of one of the programme's objectives",
    ("solutions", "solution"): "the solution's number under its objective (giải pháp 1, 2 …)",
    ("solutions", "statement"): "what the solution does (giải pháp), as the plan words it",
    ("indicators", "level"): "level in the results chain (đầu vào, đầu ra, kết quả, tác động)",
    ("indicators", "unit"): "unit (đơn vị tính): `%`, `hộ`, `triệu đồng` …",
    ("indicators", "direction"): "`decrease` when falling is progress (a poverty rate)",
    ("indicators", "cumulative"): "`true` when each value is a running total since the start",
    ("indicators", "baseline_value"): "value at the baseline (giá trị cơ sở)",
    ("indicators", "compiling_agency"): "agency that compiles (cơ quan tổng hợp)",
    ("indicators", "providing_agency"): "agency that provides the data (cơ quan cung cấp thông tin)",
    ("indicators", "national_code"): "code of the national indicator it reports on, if any",
    ("indicators", "objective"): "number (1, 2 …) or exact text of one of the programme's objectives",
    ("indicators", "method"): "appendix-6 method its values are computed by (not typed in), or"
    " `weighted_mean` for typed-in values averaged by a weight when communes roll up to provinces",
    ("indicators", "components"): "codes of this programme's indicators it is computed from, in the method's"
    " order (`ratio`: numerator;denominator; `growth_rate`: value; `weighted_mean`: weight)",
    ("indicators", "solution"): "number of the solution of its `objective` it measures (giải pháp), from the"
    " solutions table",
    ("indicators", "sector"): "its own sector of the plan, where it is reported (default: its programme's)",
    ("indicators", "timing"): "when it is collected (thời điểm thu thập: `cuối mỗi quý`)",
    ("indicators", "collection_method"): "how its data are collected (phương pháp thu thập)",
    ("targets", "value"): "the target of the original plan (chỉ tiêu kế hoạch ban đầu); for a range, its"
    " bottom",
    ("targets", "adjusted_value"): "the target of the adjusted plan (kế hoạch điều chỉnh), the plan in force;"
    " empty = not adjusted",
    ("targets", "adjusted_value_high"): "the top of an adjusted range target",
    ("targets", "adjusted_on"): "date of the adjustment (required with `adjusted_value`)",
    ("targets", "adjustment_reason"): "why the plan was adjusted (required with `adjusted_value`)",
    ("targets", "value_high"): "the top of a range target (growth 6.5–7%)",
    ("observations", "value"): "what was achieved (thực hiện)",
    ("observations", "source"): "where the figure comes from",
    ("expenditures", "planned_million_vnd"): "planned (kế hoạch vốn)",
    ("expenditures", "disbursed_million_vnd"): "disbursed (giải ngân)",
    ("activities", "type"): "activity type (seed 000, the trade-promotion MEL system)",
    ("activities", "status"): "`cancelled` or `stopped` activities keep their plan",
    ("survey", "respondent_id"): "the household or enterprise; the same id across rounds makes a panel",
    ("survey", "group"): "`treatment` (beneficiaries) or `comparison`",
    ("survey", "cluster"): "sampling cluster (village, commune): standard errors are clustered by it",
    ("activities", "participants_officials"): "officials as typed in; where participant rows exist, a figure"
    " that differs from their count is reported",
    (
        "activities",
        "participants_enterprises",
    ): "enterprises as typed in (compared with the participant rows)",
    ("activities", "participants_households"): "households as typed in (compared with the participant rows)",
    ("activities", "province"): "where it took place (the province of a centre's report)",
    ("activities", "outcome"): "the outcome it serves: the number of one of its programme's objectives (mã"
    " outcome), or its exact text",
    ("activities", "indicators"): "codes of its programme's indicators it serves, separated by `;`",
    ("activities", "outside_programme"): "`true` for an activity the province ran on its own, outside the"
    " programme (seed 000: programme `KHÁC`)",
    ("enterprises", "name"): "registered name; enterprise data is never public (see below)",
    ("enterprises", "province"): "the province of its head office",
    ("enterprises", "product_sector"): "its main product sector (ngành hàng)",
    ("enterprises", "size"): "by Decree 80/2021/NĐ-CP",
    ("enterprises", "exporter"): "`true` if it exported in the last year",
    ("enterprise_reports", "period"): "the period reported: a year, half-year or quarter",
    ("enterprise_reports", "turnover_million_vnd"): "sales in the period (doanh số)",
    (
        "enterprise_reports",
        "export_turnover_million_vnd",
    ): "export revenue in the period (doanh thu xuất khẩu)",
    ("enterprise_reports", "export_markets"): "countries it exported to in the period",
    ("enterprise_reports", "new_markets"): "markets opened in the period (thị trường mới)",
    ("enterprise_reports", "new_customers"): "customers won in the period (khách hàng mới)",
    ("enterprise_reports", "new_export_product"): "`true` if it exported a new product in the period",
    ("enterprise_reports", "employees"): "workers at the end of the period (lao động)",
    ("activity_participants", "activity_code"): "an activity of the programme (activities table or store)",
    ("activity_participants", "participant"): "for an enterprise its tax code, which must be in the register;"
    " for an official or household an identifier the centre gives them (never a name)",
    ("activity_results", "tax_code"): "an enterprise that took part in the activity",
    ("activity_results", "contracts"): "contracts signed from the activity (hợp đồng ký kết)",
    ("activity_results", "contract_value_million_vnd"): "their value",
    ("activity_results", "new_markets"): "markets opened through the activity",
    ("activity_results", "new_customers"): "customers won through the activity",
    ("activity_results", "additional_sales_million_vnd"): "additional sales from the activity (doanh số gia"
    " tăng)",
}

#: A paragraph under a table's heading, where the table needs more than its columns.
NOTES = {
    "admin_units": "Districts (huyện) and communes (xã) below the provinces, whose figures then name them in"
    " `admin_unit`: a district's figure is its own, else its communes' rolled up; a province's goes through its"
    " districts (`mel report … --district CODE | --commune CODE`). The 2025 reform is kept as for the"
    " provinces: since 1 July 2025 there are no districts and the communes are merged; a district and an old"
    " commune keep their code and parent of the time, an old commune names the commune it became part of in"
    " `successor_code`, and the new commune lies directly in its province. A new commune's report for the years"
    " before reads the communes merged into it.",
    "activities": "An activity is planned (`planned_date`, `cost_planned_million_vnd`) and then reported from the"
    " plan: a `done` or `stopped` activity, or one with an `actual_date`, must have its `planned_date`, and a"
    " `done` one its `actual_date`. Its participants are rows of `activity_participants`; the trade-promotion"
    " indicators that count activities and participants (seed 000) are counted from these rows, and a figure"
    " typed in that differs from the count is reported as a warning by `mel import` (also with `--dry-run`).",
    "enterprises": "The register of enterprises (seed 000). Enterprise data (the register, enterprise reports,"
    " participations and results) is commercial data: it is never shown in a public output (reports, the book,"
    " the portal's public pages, the search index) except as totals over at least `MEL_ENTERPRISE_MIN_COUNT`"
    " enterprises (default 3); smaller cells are suppressed and marked.",
    "activity_results": "What an enterprise gained from an activity it joined (seed 000: 'kết quả từ tham gia"
    " hoạt động'); the enterprise must be a participant of the activity.",
}

#: Columns whose keys have Vietnamese and English labels in kb/taxonomy.yml.
VOCABULARY = {
    ("programmes", "sector"): "sectors",
    ("indicators", "sector"): "sectors",
    ("programmes", "funding"): "funding",
    ("programmes", "kind"): "programme_kinds",
    ("indicators", "level"): "indicator_levels",
    ("expenditures", "source"): "expenditure_sources",
    ("activities", "type"): "activity_types",
    ("enterprises", "product_sector"): "product_sectors",
    ("enterprises", "size"): "enterprise_sizes",
    ("activity_participants", "kind"): "participant_kinds",
}


def _choices(table: TableFormat, column: Column, labels: dict[str, dict[str, dict[str, str]]]) -> str:
    vocab = VOCABULARY.get((table.name, column.name))
    if vocab and vocab in labels:
        return ", ".join(f"`{key}` ({labels[vocab][key]['vi']})" for key in column.choices)
    return ", ".join(f"`{key}`" for key in column.choices)


def formats_markdown() -> str:
    """The whole reference as Markdown."""
    labels = taxonomy()
    lines = [
        "# Import formats",
        "",
        "<!-- Generated by `python -m mel_core.ingest.docs` from mel_core/ingest/formats.py; do not edit. -->",
        "",
        "`mel import PATH` reads a folder of CSV files (UTF-8, with or without BOM; `,` or `;` separated) or one",
        "`.xlsx` workbook whose sheets have these names. Any subset of the tables may be given; they load in the",
        "order below, and each may refer to rows of the tables before it, in the same import or already in the",
        "store. The first row is the header; columns may come in any order; unknown columns are an error (the",
        "survey's variable columns excepted). Sheets and columns whose name starts with `_` are notes and are not",
        "read (the commune planning workbook of `mel report commune-plan` shows each indicator's name that way).",
        "",
        "An empty workbook with every header: `mel init` then `mel export template.xlsx` on a new store.",
        "The illustrative sample (`mel_core/demo/sample_workbook.xlsx`) shows every table filled in.",
        "",
        "**Required** columns must be present and filled. The **key** columns identify a row: importing a row",
        "with the same key again updates it.",
        "",
    ]
    for number, table in enumerate(TABLES, start=1):
        lines += [
            f"## {number}. `{table.name}`",
            "",
            *([NOTES[table.name], ""] if table.name in NOTES else []),
            f"Key: {', '.join(f'`{k}`' for k in table.key)}.",
            "",
            "| column | required | type | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for column in table.columns:
            kind = KINDS[column.kind]
            if column.choices:
                kind = _choices(table, column, labels)
            if column.default not in (None, ""):
                default = str(column.default).lower() if isinstance(column.default, bool) else column.default
                kind += f"; default `{default}`"
            meaning = MEANING.get((table.name, column.name), "")
            lines.append(f"| `{column.name}` | {'yes' if column.required else ''} | {kind} | {meaning} |")
        if table.open_columns:
            lines += [
                "",
                "Then any number of numeric variable columns, named in lowercase letters, digits and `_`:",
                "`income_million_vnd`, `poor` (0/1), `ethnic_minority` (0/1), `female_head` (0/1),",
                "`household_size`, `continues_model` (0/1), `replicated_model` (0/1) … An empty cell is a",
                "missing value.",
            ]
        lines.append("")
    return "\n".join(lines + _limits())


def _limits() -> list[str]:
    """The section on limits, from :data:`mel_core.limits.SETTINGS`."""
    yaml = YamlLimits()
    lines = [
        "## Limits",
        "",
        "Every file is measured before it is parsed, and a file beyond a limit is refused with a problem that",
        "names the limit (exit 65; nothing is written). A workbook is a zip archive: the sizes its parts declare",
        "are checked before any is inflated, so a zip bomb is refused without being unpacked, and its XML parts",
        "may not declare a DTD (no spreadsheet program writes one; entity expansion and external entities need",
        f"one). A sheet holds at most {SHEET_ROWS:,} rows and {SHEET_COLUMNS:,} columns, as in Excel; a sheet",
        'whose dimension claims more is not a real workbook. In a CSV file, a quote (`"`) must close the cell it',
        "opens before the next separator or line end; a line break inside a quoted cell is accepted in text",
        "columns only, and a cell whose lines read as rows of the table is refused (a quote opened by mistake).",
        "Text may not hold control characters (other than tab and line break) or bidirectional overrides.",
        "",
        "The defaults fit real workbooks by a wide margin (a sheet of a million observations is about 30 MB as",
        "`.xlsx` and 370 MB unpacked). Each can be raised by its setting (MB are MiB: 1,048,576 bytes):",
        "",
        "| setting | default | limit |",
        "| --- | --- | --- |",
    ]
    for setting in SETTINGS:
        unit = f" {setting.unit}" if setting.unit else ""
        lines.append(f"| `{setting.variable}` | {setting.default:,}{unit} | {setting.what} |")
    lines += [
        f"| `MEL_LIMIT_YAML_KB` | {yaml.max_bytes // 1024:,} | a lesson's front matter, in KB |",
        f"| `MEL_LIMIT_YAML_NODES` | {yaml.max_nodes:,} | values in a lesson's front matter, aliases expanded |",
        f"| `MEL_LIMIT_YAML_DEPTH` | {yaml.max_depth:,} | nesting of a lesson's front matter |",
        "",
        f"Whole numbers are at most {COUNT_MAX:,} (the store's INTEGER on PostgreSQL); money and areas at most",
        f"{MONEY_MAX:,.0f} (10¹² million VND is 10¹⁸ VND: anything larger is a typing or unit error).",
        "",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mel_core.ingest.docs",
        description="Write the reference of the import formats (Markdown) from mel_core/ingest/formats.py.",
        epilog="Example: python -m mel_core.ingest.docs --out docs/import-formats.md",
    )
    parser.add_argument("--out", type=Path, default=DOC, help=f"file to write (default {DOC})")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(formats_markdown(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
