"""What the narrative reports 4.3 and 4.4 say, read from the store: figures, progress, activities, findings.

The figures are Table 4.2's: :func:`narrative_content` builds the table with
:func:`mel_core.reports.build_report` and assesses each indicator with the same plan and the same
:func:`~mel_core.reports.layout.assess` call, so a narrative report and the table of its period never disagree.

Progress (the manual's "assessment of the progress"): an indicator measured against the plan of its own period
is **achieved** when it meets it and **off track** when it does not. In a six-month report measured against the
year's plan, an indicator is off track when its completion rate is below the share of the year gone by (50 % at
the end of the first half): the rate is direction-aware, so a falling indicator counts by how close it came down.
A planned indicator without a figure is **not reported**, never zero.

Evaluation findings: for each programme of the scope, the latest evaluation that succeeded and that evaluated
a period starting no later than the report's end; its ratings and findings, with personal data blanked out
(:func:`mel_core.privacy.redact`). The evaluator is not named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from mel_core.i18n import rating as rating_label
from mel_core.periods import Period, parse_period
from mel_core.privacy import redact
from mel_core.reference import taxonomy
from mel_core.reports import build_report
from mel_core.reports.general_frame import LEVELS
from mel_core.reports.layout import assess, grouped, ordered_indicators, plan_for
from mel_core.reports.plan import PlanChoice, add_plan, rate_against
from mel_core.reports.scope import ProgrammeFigures, Scope, programme_scope, province_scope
from mel_core.reports.table import ReportTable
from mel_core.store import Activity, Evaluation, Finding, Indicator, Programme, Rating, table_of

NarrativeKind = Literal["six-month", "annual"]
NARRATIVE_KINDS: tuple[NarrativeKind, ...] = ("six-month", "annual")
Status = Literal["achieved", "on_track", "off_track", "not_reported", "no_plan"]


@dataclass(frozen=True)
class Assessed:
    """One indicator of the period: its plan, its figure and where it stands."""

    programme: str
    code: str
    name: str
    unit: str
    level: str
    target: float
    target_high: float
    plan_period: str | None
    actual: float
    actual_period: str | None
    ratio: float  # direction-aware actual over plan (1.0 = 100 %)
    status: Status


@dataclass(frozen=True)
class ActivityCount:
    """A programme's activities in the period: planned, done, cancelled or stopped, and their cost."""

    programme: str
    title: str
    planned: int
    done: int
    dropped: int
    cost_planned: float
    cost_actual: float


@dataclass(frozen=True)
class EvaluationFindings:
    """The latest finished evaluation of one programme: its ratings and findings (no personal data)."""

    programme: str
    title: str
    evaluation: str
    kind: str
    finished: date | None
    ratings: list[tuple[str, str, str]]  # (criterion key, label vi, label en)
    findings: list[tuple[str, str]]  # (criterion key, statement)
    #: the language the evaluation was run in (its provenance), which its findings are written in: the store
    #: keeps each finding in that one language; None for a run that did not record it
    lang: str | None = None


@dataclass(frozen=True)
class NextPlan:
    """A target set for the year after an annual report (the plan of year X + 1)."""

    programme: str
    code: str
    name: str
    unit: str
    target: float
    target_high: float


@dataclass
class NarrativeContent:
    """Everything a narrative report is prefilled with."""

    kind: NarrativeKind
    period: Period
    scope: Scope
    table: ReportTable  # Table 4.2 of the same period and scope
    assessed: list[Assessed] = field(default_factory=list)
    activities: list[ActivityCount] = field(default_factory=list)
    evaluations: list[EvaluationFindings] = field(default_factory=list)
    next_plan: list[NextPlan] = field(default_factory=list)
    expected_share: float = 1.0  # the share of the year's plan due by the period's end
    today: date = field(default_factory=date.today)  # the date under the national heading
    plan: PlanChoice = "adjusted"  # the plan the figures are rated against (mel_core.reports.plan)
    #: (programme, indicator) → the indicator's English name, where the store has one (``name_en``)
    names_en: dict[tuple[str, str], str] = field(default_factory=dict)

    def with_status(self, *statuses: Status) -> list[Assessed]:
        return [a for a in self.assessed if a.status in statuses]

    def name(self, programme: str, code: str, name: str, lang: str) -> str:
        """An indicator's name in ``lang``: its English name in English where the store has one, else as named."""
        return self.names_en.get((programme, code), name) if lang == "en" else name


def _expected_share(kind: NarrativeKind, period: Period) -> float:
    """The share of the year gone by at the end of the period (0.5 after the first half)."""
    return 1.0 if kind == "annual" else period.end.month / 12.0


def _status(target: float, actual: float, ratio: float, own_plan: bool, expected: float) -> Status:
    if math.isnan(target):
        return "no_plan"
    if math.isnan(actual):
        return "not_reported"
    due = 1.0 if own_plan else expected
    if not math.isnan(ratio) and ratio >= due - 1e-9:
        return "achieved" if ratio >= 1.0 - 1e-9 else "on_track"
    return "off_track"


def _assess(scope: Scope, kind: NarrativeKind, period: Period) -> list[Assessed]:
    """Each indicator of Table 4.2, assessed by the same plan and the same achievement call as the table."""
    year = parse_period(str(period.start.year))
    expected = _expected_share(kind, period)
    out: list[Assessed] = []
    for fig in shown(scope, period):
        indicators = ordered_indicators(fig, LEVELS)

        def plan(code: str, fig: ProgrammeFigures = fig) -> tuple[float, float, str | None]:
            value, high, from_period = plan_for(fig, code, period)
            if from_period is None and kind == "six-month":
                return plan_for(fig, code, year)
            return value, high, from_period

        scored = assess(fig, period, list(indicators["code"]), plan)
        for ind in indicators.itertuples(index=False):
            s = scored.loc[ind.code]
            target, actual, ratio = (float(s[c]) for c in ("target", "actual", "ratio"))
            own = s["plan_period"] == period.label
            out.append(
                Assessed(
                    fig.code,
                    str(ind.code),
                    str(ind.name),
                    str(ind.unit),
                    str(ind.level),
                    target,
                    float(s["target_high"]),
                    s["plan_period"],
                    actual,
                    None if pd.isna(s["actual_period"]) else str(s["actual_period"]),
                    ratio,
                    _status(target, actual, ratio, bool(own), expected),
                )
            )
    return out


def named(title: object, code: str) -> str:
    """``title (CODE)``, once: a title that already ends with its code keeps it as it is."""
    text = str(title)
    return text if text.endswith(f"({code})") else f"{text} ({code})"


def shown(scope: Scope, period: Period) -> list[ProgrammeFigures]:
    """The programmes (or their parts under each sector of the plan) Table 4.2 lists for the period, in order."""
    return [fig for row, fig in grouped(scope, 2, period) if row is None and fig is not None]


def once(parts: list[ProgrammeFigures]) -> list[ProgrammeFigures]:
    """Each programme once, at its first place (a programme may report under several sectors)."""
    seen: dict[str, ProgrammeFigures] = {}
    for fig in parts:
        seen.setdefault(fig.code, fig)
    return list(seen.values())


def _activities(session: Session, programmes: list[ProgrammeFigures], period: Period) -> list[ActivityCount]:
    a, p = table_of(Activity), table_of(Programme)
    codes = [fig.code for fig in programmes]
    rows = (
        session.connection()
        .execute(
            select(
                p.c.code,
                a.c.planned_date,
                a.c.actual_date,
                a.c.status,
                a.c.cost_planned_million_vnd,
                a.c.cost_actual_million_vnd,
            )
            .join(p, p.c.id == a.c.programme_id)
            .where(p.c.code.in_(codes))
        )
        .all()
    )
    titles = {fig.code: named(fig.programme["title"], fig.code) for fig in programmes}

    def inside(day: date | None) -> bool:
        return day is not None and period.start <= day <= period.end

    counts: dict[str, list[float]] = {}
    for code, planned, actual, status, cost_planned, cost_actual in rows:
        if not (inside(planned) or inside(actual)):
            continue
        c = counts.setdefault(code, [0, 0, 0, 0.0, 0.0])
        c[0] += inside(planned)
        c[1] += status == "done" and inside(actual or planned)
        c[2] += status in ("cancelled", "stopped")
        c[3] += cost_planned or 0.0
        c[4] += (cost_actual or 0.0) if status == "done" else 0.0
    return [
        ActivityCount(code, titles[code], int(c[0]), int(c[1]), int(c[2]), c[3], c[4])
        for code, c in sorted(counts.items())
    ]


def _evaluations(
    session: Session, programmes: list[ProgrammeFigures], period: Period
) -> list[EvaluationFindings]:
    e, p, f, r = table_of(Evaluation), table_of(Programme), table_of(Finding), table_of(Rating)
    conn = session.connection()
    out = []
    for fig in programmes:
        latest = conn.execute(
            select(e.c.id, e.c.code, e.c.kind, e.c.finished_at, e.c.provenance)
            .join(p, p.c.id == e.c.programme_id)
            .where(
                p.c.code == fig.code,
                e.c.status == "succeeded",
                (e.c.period_start.is_(None)) | (e.c.period_start <= period.end),
            )
            .order_by(e.c.finished_at.desc(), e.c.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            continue
        rated = conn.execute(
            select(r.c.criterion, r.c.final_level, r.c.computed_level).where(r.c.evaluation_id == latest.id)
        ).all()
        ratings = [
            (crit, rating_label(crit, final or computed, "vi"), rating_label(crit, final or computed, "en"))
            for crit, final, computed in rated
            if crit in _CRITERIA
        ]
        ratings.sort(key=lambda x: _CRITERIA.index(x[0]))
        findings = [
            (crit, redact(statement))
            for crit, statement in conn.execute(
                select(f.c.criterion, f.c.statement)
                .where(f.c.evaluation_id == latest.id)
                .order_by(f.c.criterion, f.c.position)
            ).all()
        ]
        findings.sort(key=lambda x: _CRITERIA.index(x[0]) if x[0] in _CRITERIA else len(_CRITERIA))
        finished = latest.finished_at.date() if latest.finished_at is not None else None
        out.append(
            EvaluationFindings(
                fig.code,
                named(fig.programme["title"], fig.code),
                latest.code,
                latest.kind,
                finished,
                ratings,
                findings,
                _language(latest.provenance),
            )
        )
    return out


_CRITERIA = list(taxonomy()["criteria"])


def _names_en(session: Session, codes: list[str]) -> dict[tuple[str, str], str]:
    """The English names of the programmes' indicators, where the store has them."""
    i, p = table_of(Indicator), table_of(Programme)
    rows = session.connection().execute(
        select(p.c.code, i.c.code, i.c.name_en)
        .join(p, p.c.id == i.c.programme_id)
        .where(p.c.code.in_(codes), i.c.name_en.is_not(None))
    )
    return {(programme, code): str(name) for programme, code, name in rows if str(name).strip()}


def _language(provenance: object) -> str | None:
    """The language an evaluation ran in, as its provenance records it ("vi" or "en"), else None."""
    lang = provenance.get("lang") if isinstance(provenance, dict) else None
    return lang if lang in ("vi", "en") else None


def _next_plan(programmes: list[ProgrammeFigures], period: Period) -> list[NextPlan]:
    nxt = parse_period(str(period.start.year + 1))
    out = []
    for fig in programmes:
        for ind in ordered_indicators(fig, LEVELS).itertuples(index=False):
            value, high, found = plan_for(fig, str(ind.code), nxt)
            if found is not None:
                out.append(NextPlan(fig.code, str(ind.code), str(ind.name), str(ind.unit), value, high))
    return out


def narrative_content(
    session: Session,
    kind: NarrativeKind,
    *,
    programme: str | None = None,
    province: str | None = None,
    period: str | None = None,
    today: date | None = None,
    plan: PlanChoice = "adjusted",
) -> NarrativeContent:
    """Read what a six-month (4.3) or annual (4.4) narrative report is prefilled with.

    ``plan``: rate against the plan in force (``"adjusted"``, the default) or the original plan, as
    :func:`mel_core.reports.build_report` does for Table 4.2.

    Raises:
        ReportRequestError, ReportScopeError, PeriodError: as :func:`mel_core.reports.build_report`.
    """
    table = build_report(
        session, kind, programme=programme, province=province, period=period, today=today, plan=plan
    )
    reported = parse_period(table.period)
    scope = (
        programme_scope(session, programme)
        if programme is not None
        else province_scope(session, province or "")
    )
    if (
        plan != "adjusted"
    ):  # the scope reads the plan in force; the original plan is put back as Table 4.2 does
        add_plan(session.connection(), scope)
        rate_against(scope, plan)
    content = NarrativeContent(
        kind,
        reported,
        scope,
        table,
        expected_share=_expected_share(kind, reported),
        today=today or date.today(),
        plan=plan,
    )
    content.assessed = _assess(scope, kind, reported)
    content.names_en = _names_en(session, [fig.code for fig in scope.programmes])
    listed = shown(scope, reported)
    content.activities = _activities(session, once(listed), reported)
    content.evaluations = _evaluations(session, once(listed), reported)
    if kind == "annual":
        content.next_plan = _next_plan(listed, reported)
    return content
