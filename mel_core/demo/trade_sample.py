"""The illustrative trade-promotion programme of ``mel demo`` (seed 000): framework, activities, enterprises.

Programme ``XTTM`` (the framework of :mod:`mel_core.demo.trade_promotion`) with the provincial projects of four
trade-promotion centres (Điện Biên 11, Thanh Hóa 38, Đắk Lắk 66, An Giang 89) and one association's project
(``XTTM-HH-CP``, coffee, in 66 and 11). Each centre plans and reports activities of the ten types in 2026, with
their participants (officials and households by an id, enterprises by tax code) and what enterprises gained from
them; a register of forty enterprises, every one fictitious (names marked "minh hoạ", tax codes beginning 99 with
a valid check digit, not issued to anyone), reports its business results per quarter and per year for 2025 and
2026. Participants grow faster than the others, so the evaluation's difference-in-differences has something to
find. One figure typed in disagrees with the records on purpose (XTTM-T38, HD_CT, 2026-Q2), so the warning shows.

Everything is drawn from a fixed seed: the same workbook every time. ``python -m mel_core.demo.trade_sample
--out FILE`` writes it; ``mel demo`` imports it.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from mel_core.demo.trade_promotion import (
    OBJECTIVES,
    PROGRAMME,
    PROGRAMME_INDICATORS,
    PROVINCIAL_INDICATORS,
    _indicator_rows,
    write_workbook,
)
from mel_core.ingest.formats import (
    ACTIVITIES,
    ACTIVITY_PARTICIPANTS,
    ACTIVITY_RESULTS,
    ENTERPRISE_REPORTS,
    ENTERPRISES,
    INDICATORS,
    OBSERVATIONS,
    PROGRAMMES,
    TARGETS,
)
from mel_core.trade.tax_code import check_digit
from mel_core.vocabulary import ACTIVITY_TYPES

Row = list[object]
SEED = 17
CENTRES = {"11": "Điện Biên", "38": "Thanh Hóa", "66": "Đắk Lắk", "89": "An Giang"}
ASSOCIATION = f"{PROGRAMME}-HH-CP"
ASSOCIATION_NAME = "Hiệp hội Cà phê (minh hoạ)"
#: Each centre's product sectors, the first the province's main export sector.
SECTORS = {
    "11": ("coffee", "tea", "rice", "handicrafts"),
    "38": ("seafood", "textiles_garments", "footwear_leather", "processed_food"),
    "66": ("coffee", "pepper_spices", "cashew", "wood_furniture"),
    "89": ("rice", "seafood", "fruit_vegetables", "handicrafts"),
}
FIRMS_PER_PROVINCE = 10
#: The one typed figure that disagrees with the records, to show the warning.
DISAGREEING = (f"{PROGRAMME}-T38", "HD_CT", "2026-Q2")
_NAMES = (
    "An Phát",
    "Bình Minh",
    "Hưng Thịnh",
    "Phúc Lộc",
    "Thành Công",
    "Tân Tiến",
    "Hoà Bình",
    "Sao Mai",
    "Hồng Hà",
    "Trường Sơn",
)
_KINDS = ("Công ty TNHH", "Công ty CP", "Hợp tác xã", "Doanh nghiệp tư nhân")
QUARTERS = [f"{y}-Q{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)]


def centre(province: str) -> str:
    """The provincial project of a centre."""
    return f"{PROGRAMME}-T{province}"


def _tax(province: str, n: int) -> str:
    for extra in range(n, n + 50):  # skip the rare nine digits no valid code starts with
        first = f"99{province}{extra:05d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("no tax code")  # pragma: no cover


def _table(fmt_names: list[str], rows: list[dict[str, object]]) -> list[Row]:
    return [list(fmt_names), *([r.get(c) for c in fmt_names] for r in rows)]


def sheets(seed: int = SEED) -> dict[str, list[Row]]:
    """Every sheet of the sample workbook (header row first)."""
    rng = random.Random(seed)
    firms = _enterprises(rng)
    activities, participants, results = _activities(rng, firms)
    outside = {(a["programme_code"], a["code"]) for a in activities if a["outside_programme"] == "true"}
    return {
        "_about": [
            ["Chương trình xúc tiến thương mại minh hoạ (seed 000). Mọi doanh nghiệp, số liệu đều hư cấu."],
            [
                "An illustrative trade-promotion programme (seed 000). Every enterprise and figure is fictitious."
            ],
        ],
        "programmes": _programmes(),
        "indicators": _indicators(),
        "targets": _targets(),
        "observations": _observations(activities),
        "activities": _table(ACTIVITIES.names, activities),
        "enterprises": _table(ENTERPRISES.names, firms),
        "enterprise_reports": _table(ENTERPRISE_REPORTS.names, _reports(rng, firms, participants, outside)),
        "activity_participants": _table(ACTIVITY_PARTICIPANTS.names, participants),
        "activity_results": _table(ACTIVITY_RESULTS.names, results),
    }


def _programmes() -> list[Row]:
    # launched in the last quarter of 2025, its first activities in 2026: 2025 is the enterprises' baseline year
    common = {
        "sector": "trade_promotion",
        "funding": "mixed",
        "start_date": date(2025, 10, 1),
        "end_date": date(2030, 12, 31),
        "objectives": ";".join(OBJECTIVES),
    }
    rows: list[dict[str, object]] = [
        {
            **common,
            "code": PROGRAMME,
            "kind": "programme",
            "provinces": ";".join(CENTRES),
            "title": "Chương trình xúc tiến thương mại minh hoạ (khung kết quả cấp Chương trình)",
            "title_en": "Illustrative trade promotion programme (programme-level results framework)",
            "implementer": "Cục Xúc tiến thương mại (minh hoạ)",
            "donors": "SECO",
        },
    ]
    for code, name in CENTRES.items():
        rows.append(
            {
                **common,
                "code": centre(code),
                "kind": "project",
                "parent_code": PROGRAMME,
                "provinces": code,
                "title": f"Xúc tiến thương mại tỉnh {name} (minh hoạ)",
                "title_en": f"Trade promotion in {name} province (illustrative)",
                "implementer": f"Trung tâm Xúc tiến thương mại tỉnh {name} (minh hoạ)",
            }
        )
    rows.append(
        {
            **common,
            "code": ASSOCIATION,
            "kind": "project",
            "parent_code": PROGRAMME,
            "provinces": "66;11",
            "title": "Xúc tiến xuất khẩu cà phê của Hiệp hội (minh hoạ)",
            "title_en": "Coffee export promotion by the association (illustrative)",
            "implementer": ASSOCIATION_NAME,
        }
    )
    return _table(PROGRAMMES.names, rows)


def _indicators() -> list[Row]:
    out: list[Row] = [list(INDICATORS.names), *_indicator_rows(PROGRAMME, PROGRAMME_INDICATORS)]
    for code in [*map(centre, CENTRES), ASSOCIATION]:
        out += _indicator_rows(code, PROVINCIAL_INDICATORS)
    return out


def _targets() -> list[Row]:
    rows: list[dict[str, object]] = []
    for province in CENTRES:
        for code, value in (("HD_CT", 8), ("DN_TG", 12), ("LUOT_DN", 30), ("XK_TT", 8), ("DS_TT", 6)):
            rows.append(
                {
                    "programme_code": centre(province),
                    "indicator_code": code,
                    "period": "2026",
                    "admin_unit": province,
                    "value": value,
                }
            )
    for code, value in (
        ("HD_TAP_HUAN", 8),
        ("HD_HOI_THAO", 6),
        ("HD_HC_BUON", 8),
        ("HD_DOAN_RA", 4),
        ("TT_MOI", 40),
        ("KH_MOI", 80),
        ("XK_TT", 10),
    ):
        rows.append({"programme_code": PROGRAMME, "indicator_code": code, "period": "2026", "value": value})
    rows.append(
        {
            "programme_code": PROGRAMME,
            "indicator_code": "XK_TT",
            "period": "2026-2030",
            "value": 10,
            "value_high": 12,
        }
    )
    return _table(TARGETS.names, rows)


def _enterprises(rng: random.Random) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for province, name in CENTRES.items():
        for n in range(FIRMS_PER_PROVINCE):
            sector = SECTORS[province][n % 4 if n < 8 else 0]
            out.append(
                {
                    "tax_code": _tax(province, n * 3 + 1),
                    "name": f"{_KINDS[n % 4]} {_NAMES[n]} {name} (minh hoạ)",
                    "province": province,
                    "product_sector": sector,
                    "size": ("micro", "small", "small", "medium")[rng.randrange(4)],
                    "exporter": "true" if n % 3 != 2 else "false",
                }
            )
    return out


def _activities(
    rng: random.Random, firms: list[dict[str, object]]
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    activities: list[dict[str, object]] = []
    participants: list[dict[str, object]] = []
    results: list[dict[str, object]] = []
    by_province = {p: [f for f in firms if f["province"] == p] for p in CENTRES}
    for province in CENTRES:
        # the first seven of a province's enterprises take part in the programme; the others do not
        joining = by_province[province][:7]
        plan = [*ACTIVITY_TYPES[:9], "wholesale_fair", "training", "workshop"]
        for n, kind in enumerate(plan, start=1):
            planned = date(2026, 1, 15) + timedelta(days=27 * n)
            outside = n in (5, 11)
            status = "cancelled" if n == 7 else ("planned" if planned > date(2026, 11, 30) else "done")
            actual = planned + timedelta(days=rng.randrange(0, 10)) if status == "done" else None
            code = f"HD{n:02d}"
            officials = sorted(rng.sample(range(1, 9), rng.randrange(2, 5)))
            chosen = sorted(rng.sample(range(len(joining)), rng.randrange(3, 6)), key=int)
            people: list[tuple[str, str]] = [("official", f"CB-{province}-{o:02d}") for o in officials]
            # the province's own activity (outside the programme) is for its other enterprises
            chosen_firms = by_province[province][7:] if outside else [joining[i] for i in chosen]
            people += [("enterprise", str(f["tax_code"])) for f in chosen_firms]
            if kind in ("training", "product_development"):
                people += [("household", f"HO-{province}-{n:02d}{h}") for h in range(rng.randrange(2, 5))]
            counts = {k: sum(1 for p in people if p[0] == k) for k in ("official", "enterprise", "household")}
            activities.append(
                {
                    "programme_code": centre(province),
                    "code": code,
                    "type": kind,
                    "title": f"{kind.replace('_', ' ').capitalize()} {CENTRES[province]} {n}",
                    "planned_date": planned,
                    "actual_date": actual,
                    "status": status,
                    "participants_officials": counts["official"] if status == "done" else None,
                    "participants_enterprises": counts["enterprise"] if status == "done" else None,
                    "participants_households": (counts["household"] or None) if status == "done" else None,
                    "cost_planned_million_vnd": 50 + 10 * n,
                    "province": province,
                    "cost_actual_million_vnd": round(45 + 10 * n + rng.random() * 10, 1)
                    if status == "done"
                    else None,
                    "outcome": "2"
                    if kind in ("wholesale_fair", "retail_fair", "outbound_mission", "inbound_mission")
                    else "1",
                    "indicators": "HD_TU;DN_TU" if outside else "HD_CT;CB_TG;LUOT_CB;DN_TG;LUOT_DN",
                    "outside_programme": "true" if outside else "false",
                }
            )
            if status != "done":
                continue
            participants += [
                {"programme_code": centre(province), "activity_code": code, "kind": k, "participant": who}
                for k, who in people
            ]
            if (
                kind in ("wholesale_fair", "retail_fair", "outbound_mission", "inbound_mission")
                and not outside
            ):
                for f in chosen_firms:
                    if rng.random() < 0.8:
                        contracts = rng.randrange(0, 4)
                        results.append(
                            {
                                "programme_code": centre(province),
                                "activity_code": code,
                                "tax_code": f["tax_code"],
                                "contracts": contracts,
                                "contract_value_million_vnd": round(contracts * rng.uniform(80, 400), 1),
                                "new_markets": rng.randrange(0, 3),
                                "new_customers": rng.randrange(0, 5),
                                "additional_sales_million_vnd": round(rng.uniform(20, 600), 1),
                            }
                        )
    # the association: coffee enterprises of 66 and 11 on an outbound mission, a workshop, product development
    coffee = [f for f in firms if f["product_sector"] == "coffee" and f["province"] in ("66", "11")][:6]
    for n, (kind, day) in enumerate(
        (
            ("outbound_mission", date(2026, 3, 20)),
            ("workshop", date(2026, 6, 12)),
            ("product_development", date(2026, 9, 8)),
        ),
        start=1,
    ):
        code = f"HH{n:02d}"
        activities.append(
            {
                "programme_code": ASSOCIATION,
                "code": code,
                "type": kind,
                "title": f"Hiệp hội: {kind} {n}",
                "planned_date": day - timedelta(days=10),
                "actual_date": day,
                "status": "done",
                "participants_officials": 1,
                "participants_enterprises": len(coffee),
                "province": "66",
                "outcome": "2",
                "indicators": "HD_CT;DN_TG",
                "outside_programme": "false",
                "cost_planned_million_vnd": 120,
                "cost_actual_million_vnd": 118.5,
            }
        )
        participants.append(
            {
                "programme_code": ASSOCIATION,
                "activity_code": code,
                "kind": "official",
                "participant": "CB-HH-01",
            }
        )
        participants += [
            {
                "programme_code": ASSOCIATION,
                "activity_code": code,
                "kind": "enterprise",
                "participant": f["tax_code"],
            }
            for f in coffee
        ]
    return activities, participants, results


def _reports(
    rng: random.Random,
    firms: list[dict[str, object]],
    participants: list[dict[str, object]],
    outside: set[tuple[object, object]],
) -> list[dict[str, object]]:
    # enterprises that joined a programme activity (those of the provinces' own activities only did not)
    joined = {
        p["participant"]
        for p in participants
        if p["kind"] == "enterprise" and (p["programme_code"], p["activity_code"]) not in outside
    }
    out = []
    for f in firms:
        tax = f["tax_code"]
        took_part = tax in joined
        base = rng.uniform(800, 6000)
        export_share = rng.uniform(0.2, 0.6) if f["exporter"] == "true" else rng.uniform(0.0, 0.05)
        growth = 0.16 if took_part else 0.04  # participants grow faster in 2026 (illustrative)
        years: dict[int, list[tuple[float, float]]] = {}
        for label in QUARTERS:
            year = int(label[:4])
            season = (1.0, 1.1, 1.05, 1.2)[int(label[-1]) - 1]
            level = base / 4 * season * ((1 + growth) if year == 2026 else 1.0) * rng.uniform(0.95, 1.05)
            turnover = round(level, 1)
            export = round(level * export_share, 1)
            years.setdefault(year, []).append((turnover, export))
            out.append(
                {
                    "tax_code": tax,
                    "period": label,
                    "turnover_million_vnd": turnover,
                    "export_turnover_million_vnd": export,
                    "export_markets": rng.randrange(0, 4) if export else 0,
                    "new_markets": rng.randrange(0, 2) if took_part and year == 2026 else 0,
                    "new_customers": rng.randrange(0, 4),
                    "new_export_product": "false",
                    "employees": 10 + int(base / 100),
                }
            )
        for year, quarters in years.items():
            out.append(
                {
                    "tax_code": tax,
                    "period": str(year),
                    "turnover_million_vnd": round(sum(q[0] for q in quarters), 1),
                    "export_turnover_million_vnd": round(sum(q[1] for q in quarters), 1),
                    "export_markets": rng.randrange(0, 5) if f["exporter"] == "true" else 0,
                    "new_markets": rng.randrange(1, 3) if took_part and year == 2026 else 0,
                    "new_customers": rng.randrange(0, 6),
                    "new_export_product": "true"
                    if took_part and year == 2026 and rng.random() < 0.4
                    else "false",
                    "employees": 10 + int(base / 100) + (2 if took_part and year == 2026 else 0),
                }
            )
    return out


def _observations(activities: list[dict[str, object]]) -> list[Row]:
    """What centres typed in: HD_CT per quarter (one figure off, on purpose), the capacity assessment (CB_KT),
    and the provincial budget (KP_XTTM)."""
    rows: list[dict[str, object]] = []
    for province in CENTRES:
        for quarter in ("2026-Q1", "2026-Q2", "2026-Q3"):
            q = int(quarter[-1])
            done = sum(
                1
                for a in activities
                if a["programme_code"] == centre(province)
                and a["status"] == "done"
                and a["outside_programme"] == "false"
                and isinstance(a["actual_date"], date)
                and (a["actual_date"].month - 1) // 3 + 1 == q
            )
            if (centre(province), "HD_CT", quarter) == DISAGREEING:
                done += 1
            rows.append(
                {
                    "programme_code": centre(province),
                    "indicator_code": "HD_CT",
                    "period": quarter,
                    "admin_unit": province,
                    "value": done,
                    "source": "báo cáo quý của Trung tâm",
                }
            )
        for year, value in (("2025", 4), ("2026", 7)):
            rows.append(
                {
                    "programme_code": centre(province),
                    "indicator_code": "CB_KT",
                    "period": year,
                    "admin_unit": province,
                    "value": value + int(province) % 3,
                    "source": "đánh giá năng lực XTTM (minh hoạ)",
                }
            )
        rows.append(
            {
                "programme_code": centre(province),
                "indicator_code": "KP_XTTM",
                "period": "2026",
                "admin_unit": province,
                "value": 900 + int(province) * 5,
            }
        )
    return _table(OBSERVATIONS.names, rows)


def write(path: Path, seed: int = SEED) -> Path:
    """The sample workbook at ``path``."""
    return write_workbook(path, sheets(seed))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mel_core.demo.trade_sample",
        description="Write the illustrative trade-promotion workbook of mel demo (seed 000; fictitious data).",
        epilog="Example: python -m mel_core.demo.trade_sample --out xttm.xlsx && mel import xttm.xlsx",
    )
    parser.add_argument("--out", type=Path, default=Path("xttm_minh_hoa.xlsx"), help="the workbook to write")
    args = parser.parse_args(argv)
    write(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["ASSOCIATION", "CENTRES", "DISAGREEING", "centre", "sheets", "write"]
