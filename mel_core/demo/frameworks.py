"""The plan's frameworks ``mel demo`` writes from the sample (seed 004: Table 4.1, appendices 2a and 4a).

Điện Biên's framework of 2013 shows every field and sector of the plan, the sample's objectives and solutions,
indicators in their own sectors and the plan of 2013 that was adjusted in July; the framework of vocational
training shows a livestock model's training as its cross-sector part; the five-year framework of poverty
reduction reads the 2011-2015 target.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from mel_core.reports.period import ReportKind

PROVINCE = "11"
#: (kind, form or None, sector or None, period) of each framework written under MEL_HOME/reports.
FRAMEWORKS: list[tuple[ReportKind, str | None, str | None, str]] = [
    ("annual", "4.1", None, "2013"),
    ("annual", None, "labour", "2013"),
    ("five-year", None, "poverty", "2011-2015"),
]


def write_frameworks(engine: Engine, folder: Path) -> list[Path]:
    """Write the demo's frameworks of the sample province (.xlsx) to ``folder`` and return their paths."""
    from sqlmodel import Session

    from mel_core.reports import build_report, default_name, write_report

    written = []
    with Session(engine) as session:
        for kind, form, sector, period in FRAMEWORKS:
            table = build_report(
                session,
                kind,
                province=PROVINCE,
                period=period,
                form=form,
                sector=sector,
            )
            who = f"tinh-{PROVINCE}" + (f"_{sector}" if sector else "")
            written.append(write_report(table, folder / default_name(table, who, "xlsx"), "xlsx"))
    return written
