"""The plan's frameworks ``mel demo`` writes from the sample (seed 004: Table 4.1, appendices 1b, 2a and 4a).

Điện Biên's framework of 2013 shows every field and sector of the plan, the sample's objectives and solutions,
indicators in their own sectors and the plan of 2013 that was adjusted in July; appendix 1b shows the key
remaining issues its plans address beside their general objectives; the framework of vocational training shows
a livestock model's training as its cross-sector part; the five-year framework of poverty reduction reads the
2011-2015 target. Table 4.2 of 2013 is written twice: against the plan in force (adjusted in July) and against
the original plan.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from mel_core.reports.period import ReportKind
from mel_core.reports.plan import PlanChoice

PROVINCE = "11"
#: (kind, form or None, sector or None, period, plan rated against) of each form written under MEL_HOME/reports.
FRAMEWORKS: list[tuple[ReportKind, str | None, str | None, str, PlanChoice]] = [
    ("annual", "4.1", None, "2013", "adjusted"),
    ("annual", "1b", None, "2013", "adjusted"),
    ("annual", None, "labour", "2013", "adjusted"),
    ("five-year", None, "poverty", "2011-2015", "adjusted"),
    ("annual", "4.2", None, "2013", "adjusted"),
    ("annual", "4.2", None, "2013", "original"),
]
#: The file name's mark of a form rated against the original plan (kế hoạch ban đầu).
ORIGINAL = "_ke-hoach-ban-dau"


def write_frameworks(engine: Engine, folder: Path) -> list[Path]:
    """Write the demo's frameworks of the sample province (.xlsx) to ``folder`` and return their paths."""
    from sqlmodel import Session

    from mel_core.reports import build_report, default_name, write_report

    written = []
    with Session(engine) as session:
        for kind, form, sector, period, plan in FRAMEWORKS:
            table = build_report(
                session,
                kind,
                province=PROVINCE,
                period=period,
                form=form,
                sector=sector,
                plan=plan,
            )
            who = (
                f"tinh-{PROVINCE}"
                + (f"_{sector}" if sector else "")
                + (ORIGINAL if plan == "original" else "")
            )
            written.append(write_report(table, folder / default_name(table, who, "xlsx"), "xlsx"))
    return written
