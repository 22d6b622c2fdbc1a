"""A small trade-promotion dataset (seed 000) whose indicators are counted by hand in the tests.

Programme XT (the programme level) with the provincial project XT-T11 (province 11). Five fictitious
enterprises E1…E5 (tax codes with valid check digits, prefix 99: none is real). In 2026-Q3, XT-T11 did A1 (training)
and A2 (wholesale fair) inside the programme and A3 (workshop) outside it; A5 (retail fair) was in Q2; A4 is only
planned. See tests/test_trade_records.py for the counts.
"""

from __future__ import annotations

from pathlib import Path

from mel_core.trade.tax_code import make

E = {n: make(f"99000000{n}") for n in range(1, 6)}

INDICATOR_HEADER = ["programme_code", "code", "name", "level", "unit", "frequency"]
COUNTS = ["HD_CT", "HD_TU", "CB_TG", "LUOT_CB", "DN_TG", "LUOT_DN", "DN_TU"]
ENTERPRISE_CODES = ["XK_DT", "DS", "XK_TT", "DS_TT", "TT_MOI", "KH_MOI", "DS_GT", "DN_SPXK", "CB_KT"]


def tables() -> dict[str, list[list[object]]]:
    """Every sheet of the dataset (header row first)."""
    return {
        "programmes": [
            ["code", "title", "kind", "parent_code", "sector", "funding", "start_date", "provinces", "implementer",
             "objectives"],
            ["XT", "Chương trình XTTM (thử)", "programme", "", "trade_promotion", "mixed", "2026-01-01", "11",
             "Cục XTTM", "Năng lực XTTM của tỉnh;DNNVV tăng xuất khẩu"],
            ["XT-T11", "XTTM tỉnh 11 (thử)", "project", "XT", "trade_promotion", "mixed", "2026-01-01", "11",
             "Trung tâm XTTM tỉnh 11 (thử)", "Năng lực XTTM của tỉnh;DNNVV tăng xuất khẩu"],
        ],
        "indicators": [
            INDICATOR_HEADER,
            *[["XT-T11", c, f"Chỉ tiêu {c}", "output", "lần", "quarterly"] for c in COUNTS],
            *[["XT-T11", c, f"Chỉ tiêu {c}", "outcome", "đơn vị", "quarterly"] for c in ENTERPRISE_CODES],
            ["XT", "HD_TAP_HUAN", "Số hoạt động: Tập huấn", "output", "hoạt động", "quarterly"],
            ["XT", "HD_CT", "Số hoạt động cùng Chương trình", "output", "hoạt động", "quarterly"],
        ],
        "observations": [
            ["programme_code", "indicator_code", "period", "admin_unit", "value"],
            ["XT-T11", "HD_CT", "2026-Q3", "11", 3],  # the records count 2: a warning
            ["XT-T11", "CB_TG", "2026-Q3", "11", 2],  # agrees
            ["XT", "HD_TAP_HUAN", "2026-Q3", "", 1],  # agrees
            ["XT-T11", "CB_KT", "2026", "11", 7],  # from the capacity assessment: typed in
        ],
        "enterprises": [
            ["tax_code", "name", "province", "product_sector", "size", "exporter"],
            [E[1], "Công ty TNHH Minh hoạ Một", "11", "coffee", "small", "true"],
            [E[2], "Công ty TNHH Minh hoạ Hai", "11", "coffee", "micro", "false"],
            [E[3], "Công ty CP Minh hoạ Ba", "11", "coffee", "medium", "true"],
            [E[4], "Công ty TNHH Minh hoạ Bốn", "11", "tea", "small", "true"],
            [E[5], "Hợp tác xã Minh hoạ Năm", "11", "tea", "micro", "true"],
        ],
        "activities": [
            ["programme_code", "code", "type", "title", "planned_date", "actual_date", "status",
             "participants_officials", "participants_enterprises", "participants_households", "province", "outcome",
             "indicators", "outside_programme"],
            ["XT-T11", "A1", "training", "Tập huấn xuất khẩu", "2026-07-01", "2026-07-10", "done", 2, 3, "", "11",
             "1", "HD_CT;CB_TG", "false"],
            ["XT-T11", "A2", "wholesale_fair", "Hội chợ bán buôn", "2026-08-01", "2026-08-15", "done", 1, 4, "",
             "11", "2", "HD_CT;DN_TG;TT_MOI", "false"],
            ["XT-T11", "A3", "workshop", "Hội thảo của tỉnh", "2026-09-01", "2026-09-05", "done", 1, 1, "", "11",
             "", "", "true"],
            ["XT-T11", "A4", "training", "Tập huấn quý 4", "2026-10-01", "", "planned", "", "", "", "11", "1", "",
             "false"],
            ["XT-T11", "A5", "retail_fair", "Hội chợ bán lẻ", "2026-04-15", "2026-04-20", "done", "", 1, "", "11",
             "2", "", "false"],
        ],
        "activity_participants": [
            ["programme_code", "activity_code", "kind", "participant"],
            ["XT-T11", "A1", "official", "CB-01"],
            ["XT-T11", "A1", "official", "CB-02"],
            ["XT-T11", "A1", "enterprise", E[1]],
            ["XT-T11", "A1", "enterprise", E[2]],
            ["XT-T11", "A1", "enterprise", E[3]],
            ["XT-T11", "A2", "official", "CB-01"],
            ["XT-T11", "A2", "enterprise", E[1]],
            ["XT-T11", "A2", "enterprise", E[4]],
            ["XT-T11", "A3", "official", "CB-03"],
            ["XT-T11", "A3", "enterprise", E[5]],
            ["XT-T11", "A5", "enterprise", E[2]],
        ],
        "activity_results": [
            ["programme_code", "activity_code", "tax_code", "contracts", "contract_value_million_vnd", "new_markets",
             "new_customers", "additional_sales_million_vnd"],
            ["XT-T11", "A2", E[1], 2, 500, 1, 3, 300],
            ["XT-T11", "A2", E[4], "", "", 2, 1, 200],
            ["XT-T11", "A1", E[3], "", "", "", 1, ""],
        ],
        "enterprise_reports": [
            ["tax_code", "period", "turnover_million_vnd", "export_turnover_million_vnd", "export_markets",
             "new_markets", "new_customers", "new_export_product", "employees"],
            [E[1], "2025-Q3", 1000, 400, 2, "", "", "false", 30],
            [E[1], "2026-Q3", 1200, 500, 3, 1, 3, "true", 34],
            [E[2], "2025-Q3", 800, 0, 0, "", "", "false", 8],
            [E[2], "2026-Q3", 900, 100, 1, 1, "", "false", 9],
            [E[3], "2026-Q3", 600, 200, 1, "", 1, "false", 60],
            [E[4], "2025-Q3", 500, 300, 2, "", "", "false", 20],
            [E[4], "2026-Q3", 550, 330, 2, 2, 1, "false", 21],
            [E[5], "2025-Q3", 700, 100, 1, "", "", "false", 7],
            [E[5], "2026-Q3", 700, 90, 1, "", "", "false", 7],
        ],
    }  # fmt: skip


def write(path: Path, sheets: dict[str, list[list[object]]] | None = None) -> Path:
    """The dataset as one workbook."""
    from tests.datasets import write_xlsx

    return write_xlsx(path, sheets or tables())
