"""``mel demo``: the main job on the embedded sample data, into a fresh SQLite store under MEL_HOME."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select

from mel_core.config import Settings, sample_lessons_dir, sqlite_url
from mel_core.geo import provinces
from mel_core.ingest import ImportReport, import_path
from mel_core.ingest.load import Progress
from mel_core.lessons.ingest import IngestReport, ingest_lessons
from mel_core.reference import init_store
from mel_core.store import (
    Activity,
    Expenditure,
    Indicator,
    Observation,
    Programme,
    ProgrammeProvince,
    SurveyRecord,
    Target,
    make_engine,
    table_of,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from mel_core.book.build import BookResult
    from mel_core.evaluations.runner import EvaluationOutcome
    from mel_core.evaluations.runner import Progress as EvaluationProgress
    from mel_core.kb.index import IndexReport


@dataclass
class ProgrammeSummary:
    """What the store holds about one programme."""

    code: str
    title: str
    sector: str
    funding: str
    years: str
    provinces: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    disbursed_million_vnd: float = 0.0


@dataclass
class DemoResult:
    db_url: str
    report: ImportReport
    programmes: list[ProgrammeSummary]
    lessons: IngestReport | None = None
    accounts: dict[str, str] = field(default_factory=dict)  # e-mail → password, shown once
    #: the illustrative trade-promotion programme (mel_core.demo.trade_sample)
    trade: ImportReport | None = None
    #: the sample province's districts and communes (mel_core.demo.levels), and the reports written from them
    levels: ImportReport | None = None
    reports: list[Path] = field(default_factory=list)
    #: the plan's frameworks of the sample province (mel_core.demo.frameworks: Table 4.1, appendices 2a and 4a)
    frameworks: list[Path] = field(default_factory=list)


def summarise(engine: Engine) -> list[ProgrammeSummary]:
    """One line of facts per programme: provinces (with today's province), and row counts per table."""
    p = table_of(Programme)
    counted = {
        "indicators": (table_of(Indicator), None),
        "targets": (table_of(Target), table_of(Indicator)),
        "observations": (table_of(Observation), table_of(Indicator)),
        "expenditures": (table_of(Expenditure), None),
        "activities": (table_of(Activity), None),
        "survey records": (table_of(SurveyRecord), None),
    }
    with engine.connect() as conn:
        out = {}
        for row in conn.execute(select(p).order_by(p.c.code)).mappings():
            years = f"{row['start_date'].year}–{row['end_date'].year if row['end_date'] else '…'}"
            out[row["id"]] = ProgrammeSummary(
                row["code"], row["title"], row["sector"], row["funding"], years, []
            )
        pp = table_of(ProgrammeProvince)
        for pid, code in conn.execute(
            select(pp.c.programme_id, pp.c.admin_unit_code).order_by(pp.c.position)
        ):
            province = provinces()[code]
            label = province.name if province.is_current else f"{province.name} → {province.successor_name}"
            out[pid].provinces.append(label)
        for label, (table, via) in counted.items():
            if via is None:
                query = select(table.c.programme_id, func.count()).group_by(table.c.programme_id)
            else:
                query = (
                    select(via.c.programme_id, func.count())
                    .select_from(table)
                    .join(via, via.c.id == table.c.indicator_id)
                    .group_by(via.c.programme_id)
                )
            for pid, n in conn.execute(query):
                out[pid].counts[label] = n
        e = table_of(Expenditure)
        for pid, total in conn.execute(
            select(e.c.programme_id, func.sum(e.c.disbursed_million_vnd)).group_by(e.c.programme_id)
        ):
            out[pid].disbursed_million_vnd = float(total or 0)
    return list(out.values())


def run_demo(settings: Settings, progress: Progress | None = None) -> DemoResult:
    """Create a fresh SQLite store at MEL_HOME/mel.db with one portal account per role; load the sample workbook
    and the sample lessons into it, the demo reviewer publishing those whose file says published."""
    from mel_core.demo import levels as demo_levels
    from mel_core.demo import trade_sample
    from mel_core.demo.frameworks import write_frameworks
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    db = settings.home / "mel.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = sqlite_url(db)
    engine = make_engine(url)
    try:
        init_store(engine)
        accounts = demo_accounts(engine)
        report = import_path(engine, SAMPLE_WORKBOOK, progress=progress)
        levels = import_path(
            engine, demo_levels.write(engine, settings.home / LEVELS_WORKBOOK), progress=progress
        )
        reports = demo_levels.write_reports(engine, settings.home / "reports")
        frameworks = write_frameworks(engine, settings.home / "reports")
        trade = import_path(engine, trade_sample.write(settings.home / TRADE_WORKBOOK), progress=progress)
        lessons = ingest_lessons(engine, sample_lessons_dir(), publish_as=f"reviewer@{DEMO_DOMAIN}")
        result = DemoResult(
            url, report, summarise(engine), lessons, accounts, trade, levels=levels, reports=reports
        )
        result.frameworks = frameworks
        return result
    finally:
        engine.dispose()


#: Where ``mel demo`` writes the sample province's districts, communes and quarterly figures it imports.
LEVELS_WORKBOOK = "levels_sample.xlsx"

#: Where ``mel demo`` writes the illustrative trade-promotion workbook it imports (under MEL_HOME).
TRADE_WORKBOOK = "trade_promotion_sample.xlsx"


def evaluated_programmes(engine: Engine) -> list[str]:
    """The programmes ``mel demo`` evaluates: every one but the trade-promotion programme's provincial and
    association projects (the programme itself is evaluated on their records; ten more runs would slow the
    demo down without showing anything new)."""
    from mel_core.demo.trade_sample import ASSOCIATION, CENTRES, centre
    from mel_core.evaluations.runner import all_programmes

    skipped = {ASSOCIATION, *map(centre, CENTRES)}
    return [code for code in all_programmes(engine) if code not in skipped]


#: The file that marks an evaluation folder as made by ``mel demo`` (so the next demo may replace it).
DEMO_MARKER = ".mel-demo"


def demo_evaluations(
    settings: Settings,
    out_root: Path,
    *,
    workers: int = 1,
    lang: str = "vi",
    progress: EvaluationProgress | None = None,
) -> list[EvaluationOutcome]:
    """Evaluate every sample programme on every criterion into ``out_root`` (the demo store must exist).

    Folders a previous ``mel demo`` wrote (marked with :data:`DEMO_MARKER`) are replaced; nothing else is touched.
    """
    import shutil

    from mel_core.evaluations.runner import evaluate
    from mel_core.files import safe_name

    engine = make_engine(sqlite_url(settings.home / "mel.db"))
    try:
        codes = evaluated_programmes(engine)
        for code in codes:
            folder = out_root / safe_name(code)
            if (folder / DEMO_MARKER).is_file():
                shutil.rmtree(folder)
        outcomes = evaluate(
            engine,
            codes,
            evaluator="mel demo",
            kind="ex_post",
            lang=lang,
            out_root=out_root,
            workers=workers,
            progress=progress,
        )
        for code in codes:
            (out_root / safe_name(code) / DEMO_MARKER).write_text(
                "Written by `mel demo` from the illustrative sample; the next `mel demo` replaces this folder.\n",
                encoding="utf-8",
            )
        return outcomes
    finally:
        engine.dispose()


#: The year of the sample book: the year of the newest sample lessons.
SAMPLE_YEAR = 2026


def demo_book(
    settings: Settings,
    *,
    pdf: bool = False,
    out: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BookResult:
    """Build the book of :data:`SAMPLE_YEAR` from the demo store and the sample lessons.

    The demo's evaluations are those just run, so they are this year's: the book takes them from this year even
    when the calendar has moved past the sample lessons' year.
    """
    from datetime import date

    from mel_core.book.build import build_book

    engine = make_engine(sqlite_url(settings.home / "mel.db"))
    try:
        return build_book(
            engine,
            SAMPLE_YEAR,
            evaluation_year=date.today().year,
            lessons_dir=sample_lessons_dir(),
            out=out,
            pdf=pdf,
            progress=progress,
            home=settings.home,
        )
    finally:
        engine.dispose()


def demo_index(settings: Settings) -> IndexReport:
    """Build the search indexes of the demo store (lessons, their items, programmes, findings, recommendations):
    the public one, which it returns, and the portal's internal one (internal lessons too)."""
    from mel_core.kb.index import build_index

    engine = make_engine(sqlite_url(settings.home / "mel.db"))
    try:
        build_index(engine, settings.index_dir_for("internal"), audience="internal")
        return build_index(engine, settings.index_dir)
    finally:
        engine.dispose()


#: The domain of the demo accounts (RFC 2606 reserves example.org: no mail can ever reach it).
DEMO_DOMAIN = "example.org"


def demo_accounts(engine: Engine) -> dict[str, str]:
    """One portal account per role in the demo store, each with a new random password: e-mail → password.

    The passwords exist only in what this returns (the store keeps their Argon2 hashes): print them once.
    """
    from mel_core.accounts.passwords import random_password
    from mel_core.accounts.users import add_user
    from mel_core.store import session_scope
    from mel_core.vocabulary import ROLES

    accounts: dict[str, str] = {}
    with session_scope(engine) as session:
        for role in ROLES:
            email = f"{role}@{DEMO_DOMAIN}"
            password = random_password()
            add_user(session, email, role, password, provinces=["11"] if role == "contributor" else [])
            accounts[email] = password
    return accounts
