"""A small, valid dataset in the import formats, written as CSV files or one workbook, for the import tests."""

from __future__ import annotations

import csv
from pathlib import Path

TABLES: dict[str, list[list[object]]] = {
    "programmes": [
        ["code", "title", "title_en", "kind", "parent_code", "sector", "funding", "implementer", "donors", "start_date",
         "end_date", "provinces", "communes", "villages", "households", "area_ha", "budget_million_vnd",
         "model_chosen_by", "objectives"],
        ["GOPA", "Chương trình Quản trị nhà nước và Cải cách hành chính", "Good governance and PAR", "programme", "",
         "governance", "oda", "Bộ Nội vụ", "DANIDA", "2007-01-01", "2014-12-31", "10;12;11;66;67", "", "", "", "",
         "250000", "", "Nâng cao hiệu quả quản lý nhà nước"],
        ["DB-BSS", "Nuôi bò sinh sản cho hộ nghèo", "Breeding cattle for poor households", "model", "GOPA",
         "livestock", "state_budget", "Sở Nông nghiệp và PTNT Điện Biên", "", "2011-01-01", "2015-12-31", "11;44",
         "3", "12", "200", "", "1500.5", "community_meeting", "Tăng thu nhập;Giảm tỷ lệ hộ nghèo"],
    ],
    "indicators": [
        ["programme_code", "code", "name", "name_en", "level", "unit", "direction", "cumulative", "frequency",
         "baseline_value", "baseline_period", "data_source", "compiling_agency", "providing_agency", "national_code",
         "objective"],
        ["DB-BSS", "POOR", "Tỷ lệ hộ nghèo", "Poverty rate", "impact", "%", "decrease", "false", "annual", "45.5",
         "2011", "Điều tra hộ", "Phòng LĐTBXH", "UBND xã", "GN-01", "2"],
        ["DB-BSS", "COWS", "Số bò được cấp", "Cattle delivered", "output", "con", "increase", "true", "annual", "0",
         "2011", "", "", "", "", "1"],
        ["DB-BSS", "INC", "Thu nhập bình quân", "Income", "outcome", "triệu đồng/hộ/năm", "", "0", "", "12", "2011",
         "", "", "", "", "Tăng thu nhập"],
        ["DB-BSS", "BUDGET", "Vốn giải ngân", "Funds disbursed", "input", "triệu đồng", "increase", "1", "", "", "",
         "", "", "", "", ""],
    ],
    "targets": [
        ["programme_code", "indicator_code", "period", "admin_unit", "value", "value_high"],
        ["DB-BSS", "POOR", "2015", "", "30", ""],
        ["DB-BSS", "COWS", "2011-2015", "", "200", ""],
        ["DB-BSS", "INC", "2015", "11", "18", "20"],
    ],
    "observations": [
        ["programme_code", "indicator_code", "period", "admin_unit", "value", "disaggregation", "source", "note"],
        ["DB-BSS", "POOR", "2013", "", "38", "", "Điều tra", ""],
        ["DB-BSS", "POOR", "2013", "", "44", "sex=female;ethnicity=minority", "", ""],
        ["DB-BSS", "COWS", "2012-H1", "11", "80", "", "", "đợt 1"],
        ["DB-BSS", "COWS", "2012-H1", "44", "20", "", "", ""],
        ["DB-BSS", "INC", "2013", "11", "-1.5", "", "", "giảm do dịch"],
    ],
    "expenditures": [
        ["programme_code", "period", "source", "planned_million_vnd", "disbursed_million_vnd"],
        ["DB-BSS", "2012", "central_budget", "500", "480.25"],
        ["DB-BSS", "2012", "beneficiary", "50", "55"],
    ],
    "activities": [
        ["programme_code", "code", "type", "title", "planned_date", "actual_date", "status", "participants_officials",
         "participants_enterprises", "participants_households", "cost_planned_million_vnd", "cost_actual_million_vnd"],
        ["DB-BSS", "A1", "training", "Tập huấn kỹ thuật chăn nuôi", "2012-03-01", "2012-03-20", "done", "4", "", "60",
         "20", "21.5"],
        ["DB-BSS", "A2", "workshop", "Hội thảo nhân rộng", "2015-10-01", "", "cancelled", "", "", "", "15", ""],
    ],
    "survey": [
        ["programme_code", "respondent_id", "round", "year", "group", "admin_unit", "cluster", "income_million_vnd",
         "poor", "continues_model"],
        ["DB-BSS", "H001", "baseline", "2011", "treatment", "11", "Xã Phình Giàng", "10.5", "1", ""],
        ["DB-BSS", "H001", "endline", "2015", "treatment", "11", "Xã Phình Giàng", "19", "0", "1"],
        ["DB-BSS", "H002", "baseline", "2011", "comparison", "44", "Xã Tân Hóa", "11", "1", ""],
        ["DB-BSS", "H002", "endline", "2015", "comparison", "44", "Xã Tân Hóa", "13.25", "1", ""],
    ],
}


def copy_tables() -> dict[str, list[list[object]]]:
    return {name: [list(row) for row in rows] for name, rows in TABLES.items()}


def write_csv(folder: Path, tables: dict[str, list[list[object]]] | None = None, *, encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (tables or TABLES).items():
        with (folder / f"{name}.csv").open("w", encoding=encoding, newline="") as fh:
            csv.writer(fh, delimiter=delimiter).writerows(rows)
    return folder


def write_xlsx(path: Path, tables: dict[str, list[list[object]]] | None = None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in (tables or TABLES).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    workbook.save(path)
    return path
