"""The household (or enterprise) survey of the illustrative sample, simulated with effects whose size is known.

Each programme's survey follows :class:`mel_core.demo.programmes.SurveySpec`: clusters of treated and
comparison units, observed in every round (a panel) or drawn afresh each round (a repeated cross-section).
An outcome is a level, a common trend (so parallel trends hold by construction), unit, cluster and
cluster-by-round effects, traits, noise, and for treated units from the first treated year the true effect
(:class:`mel_core.demo.programmes.Outcome`). :func:`simulate_survey` also returns, per round, the mean effect
the treated units really received (:class:`TrueEffect`), which a difference-in-differences estimates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from mel_core.demo.programmes import Outcome, ProgrammeSpec
from mel_core.ingest.formats import BY_NAME

Row = list[Any]


def stream(seed: int, *parts: object) -> random.Random:
    """A random stream of its own for each programme and purpose, so that one change does not shift the rest."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def rounded(value: float, decimals: int) -> float | int:
    return round(value) if decimals == 0 else round(value, decimals)


@dataclass(frozen=True)
class TrueEffect:
    """What one round of a programme's survey really holds: the effect given and its mean over the treated."""

    programme: str
    variable: str
    round: str
    year: int
    effect: float
    minority_extra: float
    female_extra: float
    att: float  # mean true effect over the treated respondents of that round (what a DiD estimates)
    treated: int  # treated respondents in that round


def poverty_line(year: int) -> float:
    """The rural income poverty line in force in ``year``, million VND per person per year (200k, 400k, 700k and
    1.5 million VND a month for 2006–2010, 2011–2015, 2016–2021 and 2022–2025)."""
    if year <= 2010:
        return 2.4
    if year <= 2015:
        return 4.8
    if year <= 2021:
        return 8.4
    return 18.0


@dataclass
class _Unit:
    id: str
    cluster: str
    admin: str
    treated: bool
    minority: bool
    female: bool
    size: int
    employees: int
    effects: dict[str, float]  # per outcome: the unit's own level (unit effect)


def simulate_survey(spec: ProgrammeSpec, seed: int) -> tuple[list[dict[str, Any]], list[TrueEffect]]:
    """Survey rows (as dicts of the survey columns and variables) and the truth of each treated round."""
    survey = spec.survey
    rng = stream(seed, spec.code, "survey")
    enterprise = survey.respondents == "enterprise"
    groups = [True, False] if survey.comparison else [True]
    first_year = survey.rounds[0][1]
    last_round = survey.rounds[-1][0]

    clusters: list[tuple[str, str, bool, dict[str, float], dict[tuple[str, str], float]]] = []
    for treated in groups:
        for c in range(survey.clusters):
            admin = spec.provinces[c % len(spec.provinces)]
            name = f"{admin}-{'T' if treated else 'C'}{c + 1:02d}"
            level = {o.variable: rng.gauss(0, o.sd_cluster) for o in survey.outcomes}
            shocks = {
                (o.variable, r): rng.gauss(0, o.sd_shock) for o in survey.outcomes for r, _ in survey.rounds
            }
            clusters.append((name, admin, treated, level, shocks))

    def new_unit(prefix: str, cluster: str, admin: str, treated: bool, h: int) -> _Unit:
        return _Unit(
            id=f"{prefix}{cluster}-{h:03d}",
            cluster=cluster,
            admin=admin,
            treated=treated,
            minority=(not enterprise) and rng.random() < spec.minority,
            female=rng.random() < spec.female,
            size=rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 7, 8)),
            employees=int(rng.lognormvariate(3.3, 0.6)) + 3,
            effects={o.variable: rng.gauss(0, o.sd_unit) for o in survey.outcomes},
        )

    panel: dict[str, list[_Unit]] = {}
    if survey.panel:
        for name, admin, treated, _, _ in clusters:
            panel[name] = [new_unit("", name, admin, treated, h) for h in range(1, survey.per_cluster + 1)]

    rows: list[dict[str, Any]] = []
    given: dict[tuple[str, str], list[float]] = {}
    for index, (round_name, year) in enumerate(survey.rounds):
        after = year >= survey.treated_from
        for name, admin, treated, level, shocks in clusters:
            if survey.panel:
                if index:
                    kept = [u for u in panel[name] if rng.random() >= survey.attrition]
                    panel[name] = kept
                units = panel[name]
            else:
                prefix = f"{round_name[0].upper()}-"
                units = [new_unit(prefix, name, admin, treated, h) for h in range(1, survey.per_cluster + 1)]
            for unit in units:
                row: dict[str, Any] = {
                    "programme_code": spec.code,
                    "respondent_id": unit.id,
                    "round": round_name,
                    "year": year,
                    "group": "treatment" if treated else "comparison",
                    "admin_unit": admin,
                    "cluster": name,
                }
                for o in survey.outcomes:
                    effect = 0.0
                    if treated and after and round_name in o.effect:
                        effect = (
                            o.effect[round_name]
                            + o.minority_extra * unit.minority
                            + o.female_extra * unit.female
                        )
                        given.setdefault((o.variable, round_name), []).append(effect)
                    row[o.variable] = _outcome_value(
                        o, unit, treated, level, shocks, round_name, year, first_year, effect, rng
                    )
                _traits(row, unit, enterprise, first_year)
                if survey.continues is not None and treated and after:
                    share = survey.continues
                    if round_name != last_round:
                        share = min(1.0, share + (1 - share) * 0.7)
                    row["continues_model"] = int(rng.random() < share)
                if survey.replicated is not None and not treated and round_name == last_round:
                    row["replicated_model"] = int(rng.random() < survey.replicated)
                rows.append(row)

    truth = []
    for o in survey.outcomes:
        for round_name, year in survey.rounds:
            if round_name in o.effect:
                effects = given.get((o.variable, round_name), [])
                truth.append(
                    TrueEffect(
                        spec.code,
                        o.variable,
                        round_name,
                        year,
                        o.effect[round_name],
                        o.minority_extra,
                        o.female_extra,
                        round(sum(effects) / len(effects), 4) if effects else 0.0,
                        len(effects),
                    )
                )
    return rows, truth


def _outcome_value(
    o: Outcome,
    unit: _Unit,
    treated: bool,
    level: dict[str, float],
    shocks: dict[tuple[str, str], float],
    round_name: str,
    year: int,
    first_year: int,
    effect: float,
    rng: random.Random,
) -> float | int:
    value = (
        o.level
        + (o.treatment_offset if treated else 0.0)
        + o.size_coef * (unit.size - 4.5)
        + o.minority_coef * unit.minority
        + o.female_coef * unit.female
        + unit.effects[o.variable]
        + level[o.variable]
        + shocks[(o.variable, round_name)]
        + o.trend * (year - first_year)
        + effect
        + rng.gauss(0, o.sd_noise)
    )
    value = max(value, o.low)
    if o.high is not None:
        value = min(value, o.high)
    return rounded(value, o.decimals)


def _traits(row: dict[str, Any], unit: _Unit, enterprise: bool, baseline_year: int) -> None:
    if enterprise:
        row["employees"] = unit.employees
        row["female_owner"] = int(unit.female)
        return
    if "income_million_vnd" in row:  # against the line in force at the baseline, so that rounds compare alike
        row["poor"] = int(row["income_million_vnd"] / unit.size < poverty_line(baseline_year))
    row["ethnic_minority"] = int(unit.minority)
    row["female_head"] = int(unit.female)
    row["household_size"] = unit.size


def survey_table(rows: list[dict[str, Any]]) -> list[Row]:
    fixed = BY_NAME["survey"].names
    variables: list[str] = []
    for row in rows:
        variables += [k for k in row if k not in fixed and k not in variables]
    header = fixed + variables
    return [header] + [[row.get(name) for name in header] for row in rows]
