"""The trade-promotion results framework of seed 000 as a workbook to import and fill.

Seed 000 (the trade-promotion MEL information system, "Hệ thống thông tin hoạt động XTTM") lists the indicators
designed for reporting at province level and at programme level. This module turns them into the ``programmes``,
``indicators``, ``targets`` and ``observations`` sheets of the import format (DESIGN.md), with levels (input,
output, outcome, impact), Vietnamese names with English ones, units, frequencies, data sources and the agencies
that compile and provide the data, and the appendix-6 methods of the indicators that are computed (growth rates,
shares). Targets and observations are left for the user: their sheets carry the header only, and the ``_hướng_dẫn``
sheet (not read by ``mel import``) says how to fill them. Nothing here is a figure of a real programme.

Regenerate the committed workbook with ``python -m mel_core.demo.trade_promotion`` (``--out FILE`` elsewhere); a
test keeps ``trade_promotion_framework.xlsx`` equal to what :func:`framework` gives, cell for cell.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from mel_core.ingest.formats import INDICATORS, OBSERVATIONS, PROGRAMMES, TARGETS
from mel_core.text import nfc

WORKBOOK = Path(__file__).with_name("trade_promotion_framework.xlsx")
PROGRAMME = "XTTM"
#: The example province: the provincial programme is a child of the programme; copy it for each province.
PROVINCE = "11"
PROVINCIAL = f"XTTM-T{PROVINCE}"

Row = list[object]

# Agencies and sources named in seed 000.
CENTRE = "Trung tâm Xúc tiến thương mại tỉnh (Trade Promotion Centre)"
BOARD = "Ban Quản lý Chương trình (Programme Management Board)"
ENTERPRISES = "Doanh nghiệp tham gia Chương trình (participating enterprises)"
ENTERPRISE_REPORT = "Báo cáo doanh nghiệp: kết quả kinh doanh (enterprise report: business results)"
JOINING_REPORT = (
    "Báo cáo doanh nghiệp: kết quả từ tham gia hoạt động (enterprise report: results of activities)"
)
ACTIVITY_REPORT = "Báo cáo hoạt động, nhập ngay sau hoạt động (activity report, entered right after it)"
CENTRE_REPORT = (
    "Báo cáo quý, năm của Trung tâm XTTM, Hiệp hội (quarterly and annual report of centre, association)"
)
ASSESSMENT = "Đánh giá năng lực XTTM của tỉnh (provincial trade-promotion capacity assessment)"

OBJECTIVES = (
    "Nâng cao năng lực xúc tiến thương mại của tỉnh: cán bộ, chiến lược, tự đánh giá"
    " (provincial trade-promotion capacity: staff, strategy, self-assessment)",
    "Doanh nghiệp nhỏ và vừa tham gia Chương trình tăng xuất khẩu, doanh số, thị trường và khách hàng mới"
    " (participating SMEs grow exports and sales, open new markets and find new customers)",
)

# (code, name, name_en, level, unit, frequency, source, compiling, providing, objective, method, components)
Spec = tuple[str, str, str, str, str, str, str, str, str, int, str, str]

PROVINCIAL_INDICATORS: tuple[Spec, ...] = (
    ("KP_XTTM", "Kinh phí xúc tiến thương mại của tỉnh", "Provincial trade-promotion budget", "input",
     "triệu đồng", "annual", CENTRE_REPORT, CENTRE, CENTRE, 1, "", ""),
    ("HD_CT", "Số hoạt động đã tham gia cùng Chương trình", "Activities joined with the Programme", "output",
     "hoạt động", "quarterly", ACTIVITY_REPORT, CENTRE, CENTRE, 1, "", ""),
    ("CB_TG", "Số cán bộ tham gia theo từng loại hoạt động với Chương trình",
     "Officials taking part, by type of activity with the Programme", "output", "người", "quarterly",
     ACTIVITY_REPORT, CENTRE, CENTRE, 1, "", ""),
    ("LUOT_CB", "Số lượt cán bộ tham gia theo từng loại hoạt động với Chương trình",
     "Official participations, by type of activity with the Programme", "output", "lượt người", "quarterly",
     ACTIVITY_REPORT, CENTRE, CENTRE, 1, "", ""),
    ("DN_TG", "Số doanh nghiệp của tỉnh tham gia các hoạt động với Chương trình",
     "Enterprises of the province taking part in Programme activities", "output", "doanh nghiệp", "quarterly",
     ACTIVITY_REPORT, CENTRE, ENTERPRISES, 2, "", ""),
    ("LUOT_DN", "Số lượt doanh nghiệp tham gia hoạt động với Chương trình",
     "Enterprise participations in Programme activities", "output", "lượt doanh nghiệp", "quarterly",
     ACTIVITY_REPORT, CENTRE, ENTERPRISES, 2, "", ""),
    ("HD_TU", "Số hoạt động do tỉnh tự triển khai ngoài Chương trình",
     "Activities the province carried out on its own, outside the Programme", "output", "hoạt động",
     "quarterly", CENTRE_REPORT, CENTRE, CENTRE, 1, "", ""),
    ("DN_TU", "Số doanh nghiệp của tỉnh tham gia các hoạt động do tỉnh tự triển khai",
     "Enterprises taking part in activities the province carried out on its own", "output", "doanh nghiệp",
     "quarterly", CENTRE_REPORT, CENTRE, ENTERPRISES, 1, "", ""),
    ("CB_KT", "Số cán bộ của tỉnh có kiến thức về ngành hàng", "Provincial officials with knowledge of the sector",
     "outcome", "người", "annual", ASSESSMENT, CENTRE, CENTRE, 1, "", ""),
    ("TT_MOI", "Số thị trường mới mở của các DN tham gia Chương trình trong kỳ báo cáo",
     "New markets opened by participating enterprises in the period", "outcome", "thị trường", "6-monthly",
     JOINING_REPORT, CENTRE, ENTERPRISES, 2, "", ""),
    ("KH_MOI", "Số khách hàng mới của các DN tham gia Chương trình trong kỳ báo cáo",
     "New customers of participating enterprises in the period", "outcome", "khách hàng", "6-monthly",
     JOINING_REPORT, CENTRE, ENTERPRISES, 2, "", ""),
    ("DN_SPXK", "Số DN có sản phẩm xuất khẩu mới", "Enterprises with a new export product", "outcome",
     "doanh nghiệp", "annual", JOINING_REPORT, CENTRE, ENTERPRISES, 2, "", ""),
    ("TL_DN_SPXK", "Tỷ lệ DN tham gia có sản phẩm xuất khẩu mới",
     "Share of participating enterprises with a new export product", "outcome", "%", "annual", JOINING_REPORT,
     CENTRE, ENTERPRISES, 2, "share", "DN_SPXK;DN_TG"),
    ("DS_GT", "Doanh số gia tăng từ các hoạt động", "Additional sales from the activities", "outcome",
     "triệu đồng", "annual", JOINING_REPORT, CENTRE, ENTERPRISES, 2, "", ""),
    ("XK_DT", "Doanh thu xuất khẩu của các DNNVV tham gia Chương trình",
     "Export revenue of participating SMEs", "outcome", "triệu đồng", "annual", ENTERPRISE_REPORT, CENTRE,
     ENTERPRISES, 2, "", ""),
    ("DS", "Doanh số bán hàng của các DNNVV tham gia Chương trình", "Sales of participating SMEs", "outcome",
     "triệu đồng", "annual", ENTERPRISE_REPORT, CENTRE, ENTERPRISES, 2, "", ""),
    ("XK_TT", "Tăng trưởng doanh thu xuất khẩu của các DNNVV tham gia Chương trình",
     "Export revenue growth of participating SMEs", "impact", "%", "annual", ENTERPRISE_REPORT, CENTRE,
     ENTERPRISES, 2, "growth_rate", "XK_DT"),
    ("DS_TT", "Tăng trưởng doanh số bán hàng của các DNNVV tham gia Chương trình",
     "Sales growth of participating SMEs", "impact", "%", "annual", ENTERPRISE_REPORT, CENTRE, ENTERPRISES, 2,
     "growth_rate", "DS"),
)  # fmt: skip

#: Programme level: activities by the ten types of seed 000, the provinces' capacity, the SMEs' results.
ACTIVITY_TYPES = (
    ("TAP_HUAN", "Tập huấn", "Training"), ("HOI_THAO", "Hội thảo", "Workshop"),
    ("HC_BUON", "Hội chợ bán buôn", "Wholesale fair"), ("HC_LE", "Hội chợ bán lẻ", "Retail fair"),
    ("DOAN_RA", "Đoàn ra", "Outbound mission"), ("DOAN_VAO", "Đoàn vào", "Inbound mission"),
    ("PT_SP", "Phát triển sản phẩm", "Product development"),
    ("TRUYEN_THONG", "Truyền thông, quảng bá", "Communication and promotion"),
    ("DT_CS", "Đối thoại chính sách", "Policy dialogue"), ("KHAC", "Khác", "Other"),
)  # fmt: skip

PROGRAMME_INDICATORS: tuple[Spec, ...] = (
    ("KP_CT", "Kinh phí Chương trình đã giải ngân", "Programme funds disbursed", "input", "triệu đồng",
     "quarterly", CENTRE_REPORT, BOARD, BOARD, 1, "", ""),
    *(
        (f"HD_{key}", f"Số hoạt động: {vi}", f"Activities: {en}", "output", "hoạt động", "quarterly",
         ACTIVITY_REPORT, BOARD, CENTRE, 1, "", "")
        for key, vi, en in ACTIVITY_TYPES
    ),
    ("TINH_CB_KT", "Số tỉnh có gia tăng cán bộ có kiến thức về ngành hàng xuất khẩu chủ đạo của địa phương",
     "Provinces with more officials who know the province's main export sector", "outcome", "tỉnh", "annual",
     ASSESSMENT, BOARD, CENTRE, 1, "", ""),
    ("TINH_CB_XTTM", "Số tỉnh có gia tăng số cán bộ của tỉnh có kỹ năng XTTM",
     "Provinces with more officials skilled in trade promotion", "outcome", "tỉnh", "annual", ASSESSMENT, BOARD,
     CENTRE, 1, "", ""),
    ("TINH_CB_KH", "Số tỉnh có gia tăng số cán bộ của tỉnh có kỹ năng quản lý khách hàng",
     "Provinces with more officials skilled in customer management", "outcome", "tỉnh", "annual", ASSESSMENT,
     BOARD, CENTRE, 1, "", ""),
    ("TINH_CL", "Số tỉnh xây dựng được Chiến lược XTTM phù hợp với tình hình địa phương, có tham vấn doanh nghiệp"
     " và các bên liên quan", "Provinces with a trade-promotion strategy fitted to local conditions, consulted"
     " with enterprises and stakeholders", "outcome", "tỉnh", "annual", ASSESSMENT, BOARD, CENTRE, 1, "", ""),
    ("TINH_BM", "Số tỉnh sử dụng mô hình Benchmarking để tự đánh giá",
     "Provinces using benchmarking to assess themselves", "outcome", "tỉnh", "annual", ASSESSMENT, BOARD,
     CENTRE, 1, "", ""),
    *(s for s in PROVINCIAL_INDICATORS if s[0] in {"TT_MOI", "KH_MOI", "XK_DT", "XK_TT"}),
)  # fmt: skip


def _header(names: list[str]) -> Row:
    return list(names)


def _programmes() -> list[Row]:
    header = PROGRAMMES.names
    common = {
        "sector": "trade_promotion",
        "funding": "mixed",
        "start_date": date(2026, 1, 1),
        "end_date": date(2030, 12, 31),
        "objectives": ";".join(OBJECTIVES),
    }
    rows = [
        {
            **common,
            "code": PROGRAMME,
            "kind": "programme",
            "provinces": PROVINCE,
            "title": "Chương trình xúc tiến thương mại (khung kết quả cấp Chương trình)",
            "title_en": "Trade promotion programme (programme-level results framework)",
            "implementer": "Cục Xúc tiến thương mại (Vietrade)",
            "donors": "SECO",
        },
        {
            **common,
            "code": PROVINCIAL,
            "kind": "project",
            "parent_code": PROGRAMME,
            "provinces": PROVINCE,
            "title": f"Xúc tiến thương mại tỉnh {PROVINCE} (khung kết quả cấp tỉnh)",
            "title_en": f"Trade promotion in province {PROVINCE} (provincial results framework)",
            "implementer": CENTRE,
        },
    ]
    return [_header(header), *([r.get(c) for c in header] for r in rows)]


def _indicator_rows(programme: str, specs: Sequence[Spec]) -> list[Row]:
    header = INDICATORS.names
    out = []
    for (
        code,
        name,
        name_en,
        level,
        unit,
        freq,
        source,
        compiling,
        providing,
        objective,
        method,
        comps,
    ) in specs:
        values = {
            "programme_code": programme,
            "code": code,
            "name": nfc(name),
            "name_en": name_en,
            "level": level,
            "unit": nfc(unit),
            "direction": "increase",
            "cumulative": False,
            "frequency": freq,
            "data_source": nfc(source),
            "compiling_agency": nfc(compiling),
            "providing_agency": nfc(providing),
            "objective": objective,
            "method": method or None,
            "components": comps or None,
        }
        out.append([values.get(c) for c in header])
    return out


def framework() -> dict[str, list[Row]]:
    """Every sheet of the workbook, in order: the guide, then the import tables (header row first)."""
    indicators = [
        _header(INDICATORS.names),
        *_indicator_rows(PROGRAMME, PROGRAMME_INDICATORS),
        *_indicator_rows(PROVINCIAL, PROVINCIAL_INDICATORS),
    ]
    return {
        "_hướng_dẫn": _guide(),
        "programmes": _programmes(),
        "indicators": indicators,
        "targets": [_header(TARGETS.names)],
        "observations": [_header(OBSERVATIONS.names)],
    }


def _guide() -> list[Row]:
    return [
        ["Khung kết quả xúc tiến thương mại (Trade-promotion results framework)"],
        ["Nguồn: hệ thống thông tin hoạt động XTTM (theo dõi, đánh giá và chia sẻ kinh nghiệm), seed 000."],
        ["Source: the trade-promotion MEL information system, seed 000. No figure here is real: fill them in."],
        [],
        ["1.", f"Chương trình {PROGRAMME} là cấp Chương trình; {PROVINCIAL} là ví dụ cấp tỉnh (mã tỉnh {PROVINCE})."
         " Với mỗi tỉnh, chép dòng chương trình và các chỉ tiêu cấp tỉnh, đổi mã tỉnh.",
         f"{PROGRAMME} is the programme level; {PROVINCIAL} is the provincial example (province {PROVINCE}); copy"
         " its programme row and indicator rows for each province, changing the province code."],
        ["2.", "targets: mỗi dòng một chỉ tiêu kế hoạch (programme_code, indicator_code, period như 2026 hoặc"
         " 2026-2030, admin_unit, value; value_high cho khoảng).",
         "targets: one row per planned value (period such as 2026 or 2026-2030; value_high for a range)."],
        ["3.", "observations: số thực hiện theo kỳ; admin_unit là mã tỉnh hoặc mã xã (nạp danh sách xã trước);"
         " để trống là toàn chương trình.",
         "observations: actuals per period; admin_unit a province or commune code (load communes first);"
         " empty for the whole programme."],
        ["4.", "Không nhập số thực hiện cho chỉ tiêu có method (tăng trưởng, tỷ lệ): hệ thống tự tính từ"
         " chỉ tiêu thành phần (components).",
         "Do not type actuals for indicators with a method (growth, shares): they are computed from their"
         " components."],
        ["5.", "Nhập: mel import trade_promotion_framework.xlsx (thêm --dry-run để chỉ kiểm tra).",
         "Import: mel import trade_promotion_framework.xlsx (add --dry-run to check only)."],
    ]  # fmt: skip


def write_workbook(path: Path, sheets: dict[str, list[Row]] | None = None) -> Path:
    """Write the framework workbook to ``path`` (a bold header row, wide columns, frozen panes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "mel_core.demo.trade_promotion"
    workbook.properties.title = "Khung kết quả xúc tiến thương mại / Trade-promotion results framework"
    for name, rows in (sheets or framework()).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if not name.startswith("_"):
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJKLMNOPQRS", (16, 16, 48, 40, 10, 14) + (18,) * 13, strict=True):
            sheet.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mel_core.demo.trade_promotion",
        description="Write the trade-promotion results framework (seed 000) as a workbook to import and fill.",
        epilog="Example: python -m mel_core.demo.trade_promotion --out khung_xttm.xlsx && mel import khung_xttm.xlsx",
    )
    parser.add_argument(
        "--out", type=Path, default=WORKBOOK, help=f"the workbook to write (default {WORKBOOK.name})"
    )
    args = parser.parse_args(argv)
    sheets = framework()
    write_workbook(args.out, sheets)
    print(
        f"wrote {args.out}: {len(sheets['indicators']) - 1} indicators in {len(sheets['programmes']) - 1} programmes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
