"""The sample province's districts, communes and quarterly figures, for ``mel demo`` (issue #16).

Illustrative data, not the real figures of any commune: the two breeding-cattle programmes of the sample in
Điện Biên (11) are given the districts and communes they work in, with the 2025 reform (the communes of Điện
Biên Đông merged into two new communes directly under the province), and their figures are spread over them:

- **communes**: each commune's share of the programme's yearly figures of counts (households, people trained,
  calves, money), split so that the communes of a district add up exactly to the province's figure (largest
  remainders); rates and averages are left to the province (a district report shows them missing, as a rollup
  must, rather than a made-up mean);
- **districts**: the programme's yearly plan of those counts is the plan of the district it works in;
- **quarters**: the province's running totals by quarter, from the end of the year before to the year's
  figure in equal steps, rounded half up (the fourth quarter is the year's figure), so ``mel report quarterly
  --province 11`` has figures.

The rows are computed from the sample already in the store, written as one workbook (``admin_units``,
``targets``, ``observations``) and imported like any other, so the demo shows the import format too.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine, select

from mel_core.indicators.rollup import is_additive
from mel_core.ingest.formats import ADMIN_UNITS, OBSERVATIONS, TARGETS
from mel_core.store import Indicator, Observation, Programme, Target, table_of

PROVINCE = "11"
DISTRICTS = [("100", "Huyện Điện Biên"), ("101", "Huyện Điện Biên Đông")]
#: (code, name, district, successor in 2025): illustrative codes, not GSO's
COMMUNES = [
    ("101-01", "Xã Na Son", "101", "11-NS"),
    ("101-02", "Xã Phì Nhừ", "101", "11-NS"),
    ("101-03", "Xã Keo Lôm", "101", "11-KL"),
    ("101-04", "Xã Luân Giói", "101", "11-KL"),
    ("100-01", "Xã Thanh Xương", "100", None),
    ("100-02", "Xã Noong Hẹt", "100", None),
]
NEW_COMMUNES = [("11-NS", "Xã Na Son"), ("11-KL", "Xã Keo Lôm")]  # formed on 1 July 2025, under the province
#: programme → its district and its communes' shares of its figures
PROGRAMMES = {
    "DB-BSS-2011": ("101", {"101-01": 0.35, "101-02": 0.25, "101-03": 0.22, "101-04": 0.18}),
    "DB-BSS-NR-2016": ("100", {"100-01": 0.55, "100-02": 0.45}),
}
QUARTERLY_SOURCE = "Báo cáo quý của Ban quản lý (minh hoạ)"
COMMUNE_SOURCE = "Báo cáo của UBND xã (minh hoạ)"


def split(value: float, shares: dict[str, float]) -> dict[str, float]:
    """``value`` split by ``shares`` at the value's own precision, the parts adding up to it exactly.

    Largest remainders: every part is rounded down, and the units left over go to the largest remainders.

    Example:
        >>> split(331, {"a": 0.35, "b": 0.25, "c": 0.22, "d": 0.18})
        {'a': 116.0, 'b': 83.0, 'c': 73.0, 'd': 59.0}
    """
    decimals = next((d for d in (0, 1, 2) if math.isclose(value, round(value, d), abs_tol=1e-9)), 2)
    scale = 10**decimals
    units = round(value * scale)
    total = sum(shares.values())
    exact = {k: units * s / total for k, s in shares.items()}
    parts = {k: math.floor(v) for k, v in exact.items()}
    left = units - sum(parts.values())
    for k in sorted(exact, key=lambda k: (parts[k] - exact[k], k))[:left]:
        parts[k] += 1
    return {k: parts[k] / scale for k in shares}


def rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """The admin units, district targets and commune and quarterly observations, from the sample in the store."""
    p, i, t, o = table_of(Programme), table_of(Indicator), table_of(Target), table_of(Observation)
    units = (
        [
            {"code": code, "name": name, "level": "district", "parent_code": PROVINCE}
            for code, name in DISTRICTS
        ]
        + [
            {"code": code, "name": name, "level": "commune", "parent_code": PROVINCE}
            for code, name in NEW_COMMUNES
        ]
        + [
            {
                "code": code,
                "name": name,
                "level": "commune",
                "parent_code": district,
                "successor_code": successor,
            }
            for code, name, district, successor in COMMUNES
        ]
    )
    targets: list[dict[str, Any]] = []
    observations: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for programme, (district, shares) in PROGRAMMES.items():
            indicators = conn.execute(
                select(i.c.id, i.c.code, i.c.unit, i.c.cumulative, i.c.baseline_value)
                .join(p, p.c.id == i.c.programme_id)
                .where(p.c.code == programme, i.c.method.is_(None))
                .order_by(i.c.code)
            ).all()
            for iid, code, unit, cumulative, baseline in indicators:
                if not is_additive(unit):
                    continue
                key = {"programme_code": programme, "indicator_code": code}
                for period, value in conn.execute(
                    select(t.c.period, t.c.value).where(t.c.indicator_id == iid, t.c.admin_unit_code == "VN")
                ).all():
                    if len(period) == 4:  # the yearly plan is the district's
                        targets.append({**key, "period": period, "admin_unit": district, "value": value})
                yearly = dict(
                    conn.execute(
                        select(o.c.period, o.c.value).where(
                            o.c.indicator_id == iid, o.c.admin_unit_code == PROVINCE, o.c.disaggregation == ""
                        )
                    ).all()
                )
                yearly = {int(k): v for k, v in yearly.items() if len(k) == 4}
                for year, value in sorted(yearly.items()):
                    for commune, part in split(value, shares).items():
                        observations.append(
                            {
                                **key,
                                "period": str(year),
                                "admin_unit": commune,
                                "value": part,
                                "source": COMMUNE_SOURCE,
                            }
                        )
                    if cumulative:
                        start = yearly.get(year - 1, baseline or 0.0)
                        for quarter in (1, 2, 3, 4):
                            level = start + (value - start) * quarter / 4
                            observations.append(
                                {
                                    **key,
                                    "period": f"{year}-Q{quarter}",
                                    "admin_unit": PROVINCE,
                                    "value": float(math.floor(level + 0.5)) if quarter < 4 else value,
                                    "source": QUARTERLY_SOURCE,
                                }
                            )
    return {"admin_units": units, "targets": targets, "observations": observations}


def write(engine: Engine, path: Path) -> Path:
    """Write the workbook of :func:`rows` to ``path`` (its sheets in the import format) and return it."""
    tables = rows(engine)
    book = Workbook()
    book.remove(book.active)
    for fmt in (ADMIN_UNITS, TARGETS, OBSERVATIONS):
        sheet = book.create_sheet(fmt.name)
        columns = [c for c in fmt.names if any(c in r for r in tables[fmt.name])]
        sheet.append(columns)
        for row in tables[fmt.name]:
            sheet.append([row.get(c) for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


#: The reports ``mel demo`` writes from these figures (kind, scope, period), under MEL_HOME/reports.
DEMO_REPORTS = [
    ("quarterly", {"province": PROVINCE}, "2017-Q3"),
    ("annual", {"district": "101"}, "2015"),
]


def write_reports(engine: Engine, folder: Path) -> list[Path]:
    """Write the demo's quarterly report of the province and annual report of a district (.xlsx) to ``folder``."""
    from sqlmodel import Session

    from mel_core.reports import build_report, default_name, write_report

    written = []
    with Session(engine) as session:
        for kind, where, period in DEMO_REPORTS:
            table = build_report(session, kind, period=period, **where)  # type: ignore[arg-type]
            who = f"tinh-{where['province']}" if "province" in where else f"huyen-{where['district']}"
            written.append(write_report(table, folder / default_name(table, who, "xlsx"), "xlsx"))
    return written
