"""The embedded sample: an illustrative workbook generated from :mod:`mel_core.demo.programmes` with a fixed seed.

The data are invented (dữ liệu minh hoạ): they show what the store holds and give the evaluations something to
find, including survey effects whose true size is known (:data:`TRUE_EFFECTS`, and the ``_truth`` sheet with
the effect each round's treated respondents really received). The same seed always gives the same workbook,
cell for cell; ``sample_workbook.xlsx`` beside this module is what :func:`generate` gives for :data:`SEED`, and a
test keeps the two in step.

Regenerate with ``make sample`` (or ``python -m mel_core.demo.sample``); ``--csv DIR`` writes the same tables as
CSV files.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mel_core.demo.programmes import PROGRAMMES, ActivitySpec, IndicatorSpec, ProgrammeSpec
from mel_core.demo.survey import Row, TrueEffect, rounded, simulate_survey, stream, survey_table
from mel_core.ingest.export import cell_text
from mel_core.ingest.formats import TABLES
from mel_core.text import nfc

SEED = 2013
SAMPLE_WORKBOOK = Path(__file__).with_name("sample_workbook.xlsx")
#: The sample's "today": figures exist for the periods that ended by this day; later ones are only planned.
DATA_UNTIL = date(2026, 6, 30)
#: How many years of monitoring follow the end of support (for outcome and impact indicators).
YEARS_AFTER_END = 2
NOTICE = (
    "Dữ liệu minh hoạ, không phải số liệu thật của bất kỳ chương trình nào.",
    "Illustrative data: invented for demonstration and training, not the figures of any real programme.",
)

#: The true effect on a treated respondent, by programme, survey variable and round (before the extra
#: effects for ethnic-minority and female-headed households that some programmes have; see ``_truth``).
TRUE_EFFECTS: dict[str, dict[str, dict[str, float]]] = {
    p.code: {o.variable: dict(o.effect) for o in p.survey.outcomes if o.effect} for p in PROGRAMMES
}


@dataclass
class Sample:
    """The import tables (header row first), the survey's truth and the ``_about`` text."""

    seed: int
    tables: dict[str, list[Row]]
    truth: list[TrueEffect] = field(default_factory=list)
    about: list[Row] = field(default_factory=list)

    def sheets(self) -> dict[str, list[Row]]:
        """Every sheet of the workbook in order: ``_about`` first, the import tables, then ``_truth``."""
        truth_header = [
            "programme_code",
            "variable",
            "round",
            "year",
            "effect",
            "minority_extra",
            "female_extra",
            "att_treated",
            "treated_respondents",
        ]
        truth = [truth_header] + [list(astuple(t)) for t in self.truth]
        return {"_about": self.about, **self.tables, "_truth": truth}


def _s_curve(share: float) -> float:
    """Phasing of a plan: slow start, fast middle, slow end (annual targets are phased, not averaged)."""
    return 0.5 - 0.5 * math.cos(math.pi * min(max(share, 0.0), 1.0))


def _periods(spec: ProgrammeSpec, frequency: str) -> list[tuple[str, date]]:
    """The reporting periods of an indicator over the programme's years, with the day each one ends."""
    out: list[tuple[str, date]] = []
    for year in range(spec.start.year, spec.end.year + 1):
        if frequency == "quarterly":
            out += [(f"{year}-Q{q}", _quarter_end(year, q)) for q in range(1, 5)]
        elif frequency == "6-monthly":
            out += [(f"{year}-H1", date(year, 6, 30)), (f"{year}-H2", date(year, 12, 31))]
        else:
            out.append((str(year), date(year, 12, 31)))
    return [(label, end) for label, end in out if end >= spec.start]


def _quarter_end(year: int, quarter: int) -> date:
    return date(year, 3 * quarter, 30 if quarter in (2, 3) else 31)


def _weights(rng: random.Random, n: int) -> list[float]:
    raw = [rng.uniform(0.6, 1.4) for _ in range(n)]
    total = sum(raw)
    return [w / total for w in raw]


def _split_mean(value: float, gap: float, share: float) -> tuple[float, float]:
    """Group means (in the group, outside it) whose weighted mean is ``value`` and whose difference is gap·value."""
    return value * (1 + gap * (1 - share)), value * (1 - gap * share)


# ------------------------------------------------------------------------------------------------ programmes


def _programme_rows(spec: ProgrammeSpec) -> Row:
    return [
        spec.code,
        spec.title,
        spec.title_en,
        spec.kind,
        spec.parent or None,
        spec.sector,
        spec.funding,
        spec.implementer,
        ";".join(spec.donors) or None,
        spec.start,
        spec.end,
        ";".join(spec.provinces),
        spec.communes,
        spec.villages,
        spec.households,
        spec.area_ha,
        spec.budget,
        spec.chosen_by or None,
        ";".join(spec.objectives),
        spec.general_objective or None,
        spec.key_issues or None,
    ]


def _solution_rows(spec: ProgrammeSpec) -> list[Row]:
    return [
        [spec.code, str(objective), number, statement]
        for objective, statements in sorted(spec.solutions.items())
        for number, statement in enumerate(statements, start=1)
    ]


def _indicator_row(spec: ProgrammeSpec, ind: IndicatorSpec) -> Row:
    return [
        spec.code,
        ind.code,
        ind.name,
        ind.name_en,
        ind.level,
        ind.unit,
        ind.direction,
        ind.cumulative,
        ind.frequency,
        ind.baseline,
        str(spec.start.year - 1) if ind.baseline is not None else None,
        ind.data_source,
        ind.compiling_agency,
        ind.providing_agency,
        ind.national_code or None,
        ind.objective,
        None,  # method: the sample's indicators are all typed in
        None,  # components
        ind.solution,
        ind.sector or None,
        ind.timing or None,
        ind.collection_method or None,
    ]


# --------------------------------------------------------------------------------------- targets and values


def _targets(spec: ProgrammeSpec, ind: IndicatorSpec, planned: dict[str, float] | None = None) -> list[Row]:
    """Phased targets for every period of the plan (a constant range where there is one), and the span's.

    ``planned`` gives the targets outright (the money an input indicator plans, from the expenditures)."""
    periods = _periods(spec, ind.frequency)
    rows: list[Row] = []
    for k, (label, _) in enumerate(periods, start=1):
        value: float
        if planned is not None:
            value = planned[label]
        elif ind.baseline is None or ind.target_high is not None:
            value = ind.target
        else:
            value = ind.baseline + (ind.target - ind.baseline) * _s_curve(k / len(periods))
        adjusted = ind.adjusted.get(label)
        adjustment = (
            [adjusted["value"], None, adjusted["date"], adjusted["reason"]] if adjusted else [None] * 4
        )
        rows.append(
            [spec.code, ind.code, label, None, rounded(value, ind.decimals), ind.target_high, *adjustment]
        )
    if ind.span_target:
        span = f"{spec.start.year}-{spec.end.year}"
        rows.append([spec.code, ind.code, span, None, ind.target, ind.target_high])
    return rows


def _actuals(spec: ProgrammeSpec, ind: IndicatorSpec, rng: random.Random) -> list[tuple[str, float]]:
    """What the indicator really read in each period that has ended, then after support ended."""
    periods = _periods(spec, ind.frequency)
    base = ind.baseline if ind.baseline is not None else 0.0
    values: list[tuple[str, float]] = []
    last = base
    for k, (label, end) in enumerate(periods, start=1):
        if end > DATA_UNTIL:
            break
        if ind.baseline is None:  # a level without a baseline, held every period (a survival rate)
            value = ind.target * ind.achieved * (1 + rng.gauss(0, 0.02))
        elif ind.target_high is not None:  # a range held every period, approached from the baseline
            goal = base + (ind.target - base) * ind.achieved
            value = base + (goal - base) * min(1.0, 0.55 + 0.45 * k / len(periods))
            value *= 1 + rng.gauss(0, 0.02)
        else:
            lagged = _s_curve((k / len(periods)) ** 1.15)
            change = (ind.target - base) * lagged * ind.achieved
            value = base + change * (1 + rng.gauss(0, 0.03))
        if ind.cumulative:
            value = max(value, last)
        last = value
        values.append((label, value))
    if (
        values
        and ind.level in ("outcome", "impact")
        and not ind.cumulative
        and ind.frequency == "annual"
        and len(values) == len(periods)
    ):
        change = last - base
        for j in range(1, YEARS_AFTER_END + 1):
            year = spec.end.year + j
            if date(year, 12, 31) > DATA_UNTIL:
                break
            values.append((str(year), last + ind.after_end * change * j + change * rng.gauss(0, 0.02)))
    return values


def _observations(
    spec: ProgrammeSpec, ind: IndicatorSpec, seed: int, actuals: list[tuple[str, float]] | None = None
) -> list[Row]:
    """Rows by province (and for the whole programme where it spans several), with sex and ethnicity.

    ``actuals`` gives the values outright (the money an input indicator counts, from the expenditures)."""
    rng = stream(seed, spec.code, ind.code, "observations")
    if actuals is None:
        actuals = _actuals(spec, ind, rng)
    weights = _weights(stream(seed, spec.code, "provinces"), len(spec.provinces))
    deviations = [rng.uniform(-0.06, 0.06) for _ in spec.provinces]
    centre = sum(w * d for w, d in zip(weights, deviations, strict=True))
    deviations = [d - centre for d in deviations]
    female = ind.female if ind.split == "count" else spec.female
    source = ind.data_source
    rows: list[Row] = []

    def add(period: str, admin: str | None, value: float, split: bool) -> None:
        shown = rounded(value, ind.decimals)
        rows.append([spec.code, ind.code, period, admin, shown, None, source, None])
        if not (split and ind.split):
            return
        if ind.split == "count":
            count = int(shown)
            women = round(count * female)
            minority = round(count * spec.minority)
            parts: list[tuple[str, float | int]] = [
                ("sex=female", women),
                ("sex=male", count - women),
                ("ethnicity=minority", minority),
                ("ethnicity=kinh", count - minority),
            ]
        else:
            women_value, men_value = _split_mean(value, ind.gaps[0], female)
            minority_value, kinh_value = _split_mean(value, ind.gaps[1], spec.minority)
            parts = [
                ("sex=female", rounded(women_value, ind.decimals)),
                ("sex=male", rounded(men_value, ind.decimals)),
                ("ethnicity=minority", rounded(minority_value, ind.decimals)),
                ("ethnicity=kinh", rounded(kinh_value, ind.decimals)),
            ]
        for key, part in parts:
            rows.append([spec.code, ind.code, period, admin, part, key, source, None])

    several = len(spec.provinces) > 1
    for period, value in actuals:
        if several:
            if ind.split == "count" or ind.level == "input" or ind.cumulative:
                shares = [rounded(value * w, ind.decimals) for w in weights]
                total = sum(shares)
            else:
                shares = [value * (1 + d) for d in deviations]
                total = value
            add(period, None, total, True)
            for code, share in zip(spec.provinces, shares, strict=True):
                add(period, code, share, False)
        else:
            add(period, spec.provinces[0], value, True)
    for row in rows:
        if row[2] > str(spec.end.year) and len(row[2]) == 4:
            row[7] = "Theo dõi sau khi kết thúc hỗ trợ"  # monitored after support ended
    return rows


# -------------------------------------------------------------------------------------------- expenditures


def _expenditures(spec: ProgrammeSpec, seed: int) -> list[Row]:
    """Planned and disbursed money by year and source; recurrent local money after the end where there is some."""
    rng = stream(seed, spec.code, "expenditures")
    years = list(range(spec.start.year, spec.end.year + 1))
    weights = [math.sin(math.pi * (k + 0.5) / len(years)) + 0.5 for k in range(len(years))]
    total = sum(weights)
    rows: list[Row] = []
    for year, weight in zip(years, weights, strict=True):
        for source, share in spec.sources.items():
            planned = round(spec.budget * share * weight / total, 1)
            if year > DATA_UNTIL.year:
                disbursed = None
            elif year == DATA_UNTIL.year:
                disbursed = round(planned * rng.uniform(0.35, 0.5), 1)  # the current year, half-way
            else:
                disbursed = round(planned * spec.disbursement * rng.uniform(0.93, 1.07), 1)
            rows.append([spec.code, str(year), source, planned, disbursed])
    for j in range(1, YEARS_AFTER_END + 1):
        year = spec.end.year + j
        if year >= DATA_UNTIL.year:
            break
        for source, amount in spec.after_end_sources.items():
            planned = round(amount * rng.uniform(0.9, 1.1), 1)
            rows.append([spec.code, str(year), source, planned, round(planned * rng.uniform(0.8, 1.0), 1)])
    return rows


def _money_series(spec: ProgrammeSpec, rows: list[Row]) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Cumulative money planned (every year of the programme) and disbursed (the years that have ended)."""
    planned: dict[str, float] = {}
    disbursed: list[tuple[str, float]] = []
    total_planned = total_disbursed = 0.0
    for year in range(spec.start.year, spec.end.year + 1):
        label = str(year)
        total_planned += sum(r[3] for r in rows if r[1] == label)
        planned[label] = round(total_planned)
        if year < DATA_UNTIL.year:
            total_disbursed += sum(r[4] or 0.0 for r in rows if r[1] == label)
            disbursed.append((label, total_disbursed))
    return planned, disbursed


# ---------------------------------------------------------------------------------------------- activities


def _standard_activities(spec: ProgrammeSpec) -> list[ActivitySpec]:
    """Start-up, yearly training, communication, mid-term review, final review and handover."""
    years = list(range(spec.start.year, spec.end.year + 1))
    officials = spec.sector == "governance"
    people = max(1, (spec.households or 200) // len(years))
    yearly_cost = round(spec.budget * 0.012, 0)
    middle = spec.start + (spec.end - spec.start) / 2
    out = [
        ActivitySpec("workshop", "Hội thảo khởi động", spec.start + timedelta(days=30), officials=40, cost=60)
    ]
    for year in years:
        day = max(date(year, 4, 15), spec.start + timedelta(days=60))
        if day > spec.end:
            continue
        title = "Đào tạo cán bộ, công chức" if officials else "Tập huấn kỹ thuật cho hộ tham gia"
        out.append(
            ActivitySpec(
                "training",
                f"{title} năm {year}",
                day,
                officials=people if officials else 4,
                households=0 if officials else people,
                cost=yearly_cost,
            )
        )
    out += [
        ActivitySpec("communication", "Tuyên truyền mô hình trên đài phát thanh", middle - timedelta(days=90), cost=40),
        ActivitySpec("workshop", "Hội thảo đánh giá giữa kỳ", middle, officials=35, households=20, cost=80),
        ActivitySpec("other", "Giám sát, đánh giá cuối kỳ", spec.end - timedelta(days=75), officials=8, cost=120),
        ActivitySpec("workshop", "Hội thảo tổng kết, chia sẻ bài học kinh nghiệm", spec.end - timedelta(days=30),
                     officials=50, households=30, cost=90),
        ActivitySpec("other", "Bàn giao mô hình cho chính quyền địa phương quản lý", spec.end,
                     officials=12, households=10, cost=20, status=spec.handover),
    ]  # fmt: skip
    return out


def _activities(spec: ProgrammeSpec, seed: int) -> list[Row]:
    rng = stream(seed, spec.code, "activities")
    plan = list(spec.activities)
    if spec.sector != "trade_promotion":
        plan = _standard_activities(spec) + plan
    plan.sort(key=lambda a: a.planned)
    rows: list[Row] = []
    for number, a in enumerate(plan, start=1):
        status = a.status
        if status == "done" and spec.cancelled and rng.random() < spec.cancelled:
            status = "cancelled"
        delay = int(rng.expovariate(1 / spec.delay_days)) if spec.delay_days else 0
        actual: date | None = a.planned + timedelta(days=delay)
        if status == "done" and actual is not None and actual > DATA_UNTIL:
            status = "planned"  # not held yet: overdue or still ahead
        cost_actual: float | None = None
        if status == "done":
            cost_actual = round(a.cost * rng.uniform(0.88, 1.12), 1)
        elif status == "stopped":
            cost_actual = round(a.cost * rng.uniform(0.3, 0.6), 1)
        else:
            actual = None
        held = status in ("done", "stopped")
        rows.append(
            [
                spec.code,
                f"A{number:02d}",
                a.type,
                a.title,
                a.planned,
                actual,
                status,
                (a.officials or None) if held else None,
                (a.enterprises or None) if held else None,
                (a.households or None) if held else None,
                a.cost,
                cost_actual,
            ]
        )
    return rows


# ----------------------------------------------------------------------------------------------- the whole


def _about(seed: int) -> list[Row]:
    rows: list[Row] = [
        ["Dữ liệu minh hoạ / Illustrative sample data"],
        [NOTICE[0]],
        [NOTICE[1]],
        [],
        ["generator", "python -m mel_core.demo.sample (make sample)"],
        ["seed", seed],
        ["data until", DATA_UNTIL],
        [],
        ["programme_code", "title", "what an evaluation should find"],
    ]
    rows += [[p.code, p.title, p.story] for p in PROGRAMMES]
    rows += [
        [],
        ["notes"],
        ["observations", "Single-province programmes report by province; programmes over several provinces"
         " report a whole-programme row (admin_unit empty) with sex and ethnicity breakdowns, and one row per"
         " province. Outcome and impact indicators are also monitored for two years after support ended."],
        ["targets", "For the whole programme, phased by period (slow start, fast middle, slow end), one for the"
         " span where marked, and ranges (value to value_high) for rates held every year."],
        ["survey", "Households (enterprises for trade promotion) in treatment and comparison clusters; the same"
         " units every round (panel) except GOPA, which draws a new sample each round. Parallel trends hold by"
         " construction. The _truth sheet gives each round's true effect; 'poor' compares income per person"
         " with the rural poverty line in force at the survey's baseline (held fixed across rounds)."],
        ["national_code", "Codes of the form VN.GN.01 stand for national indicators; they are illustrative."],
        ["sheets", "Sheets whose name starts with '_' are not imported."],
    ]  # fmt: skip
    return rows


def generate(seed: int = SEED) -> Sample:
    """The whole sample for ``seed``: the import tables, the truth of the surveys and the ``_about`` text."""
    tables: dict[str, list[Row]] = {t.name: [list(t.names)] for t in TABLES}
    truth: list[TrueEffect] = []
    survey_rows: list[dict[str, Any]] = []
    for spec in PROGRAMMES:
        tables["programmes"].append(_programme_rows(spec))
        tables["solutions"] += _solution_rows(spec)
        money = _expenditures(spec, seed)
        planned, disbursed = _money_series(spec, money)
        for ind in spec.indicators:
            tables["indicators"].append(_indicator_row(spec, ind))
            if ind.level == "input":  # money planned and disbursed, as the expenditures record them
                tables["targets"] += _targets(spec, ind, planned)
                tables["observations"] += _observations(spec, ind, seed, disbursed)
            else:
                tables["targets"] += _targets(spec, ind)
                tables["observations"] += _observations(spec, ind, seed)
        tables["expenditures"] += money
        tables["activities"] += _activities(spec, seed)
        rows, effects = simulate_survey(spec, seed)
        survey_rows += rows
        truth += effects
    tables["survey"] = survey_table(survey_rows)
    for table in tables.values():
        width = len(table[0])
        for row in table:
            # a table's columns the sample leaves empty (after its own) are empty cells, not a shorter row
            row[:] = [nfc(v) if isinstance(v, str) else v for v in row] + [None] * (width - len(row))
    return Sample(seed, tables, truth, _about(seed))


def write_workbook(sample: Sample, path: Path) -> Path:
    """Write every sheet of ``sample`` to one .xlsx workbook (dates as dates, numbers as numbers)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "mel_core.demo.sample"
    workbook.properties.title = "MEL sample data (illustrative / minh hoạ)"
    for name, rows in sample.sheets().items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_csv(sample: Sample, folder: Path) -> Path:
    """Write the import tables as CSV files (UTF-8) in ``folder``; the ``_`` sheets are left out."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sample.tables.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([cell_text(v) for v in row] for row in rows)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mel_core.demo.sample",
        description="Generate the illustrative sample workbook (dữ liệu minh hoạ) from a fixed seed.",
        epilog="Example: python -m mel_core.demo.sample --csv /tmp/sample-csv",
    )
    parser.add_argument("--out", type=Path, default=SAMPLE_WORKBOOK, help="the workbook to write")
    parser.add_argument("--csv", type=Path, help="also write the import tables as CSV files in this folder")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    sample = generate(args.seed)
    write_workbook(sample, args.out)
    print(f"wrote {args.out}")
    for name, rows in sample.tables.items():
        print(f"  {name:<13} {len(rows) - 1:>6} rows")
    if args.csv:
        print(f"wrote {write_csv(sample, args.csv)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
