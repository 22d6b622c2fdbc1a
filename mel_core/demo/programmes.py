"""The programmes of the illustrative sample: what each one is, planned and achieved, and its survey's true effects.

Everything here is invented for demonstration and training (dữ liệu minh hoạ). The kinds of programme, the
provinces, the results chains and the sources of money follow the source documents (seeds 000–004); the
figures do not describe any real programme. The programmes themselves are data, in ``programmes.yml`` beside
this module; :mod:`mel_core.demo.sample` turns them into the import tables with a fixed random seed. The plan's
framework (seed 004) is drawn too: a general objective, solutions of objectives, indicators placed in their own
sector with their timing and collection method, and plans adjusted during the year.

How to read an :class:`IndicatorSpec`: the plan moves the indicator from ``baseline`` to ``target`` over the
programme's years (phased, not averaged); ``achieved`` is the share of that planned change the programme
really delivered by its end (1.0 = on plan, 0.1 = a tenth of it). A range target runs from ``target`` to
``target_high``. An :class:`Outcome` is one variable of the survey with its data-generating process; its
``effect`` per round is the true effect on a treated respondent, so an estimator can be checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    name_en: str
    level: str  # input | output | outcome | impact
    unit: str
    target: float
    achieved: float
    baseline: float | None = 0.0
    target_high: float | None = None  # a range target: target … target_high in every period
    direction: str = "increase"
    cumulative: bool = False
    frequency: str = "annual"
    decimals: int = 1
    split: str = ""  # "count": the breakdowns add up to the total; "mean": they are group averages
    female: float = 0.35  # share of women among the people counted (split="count")
    gaps: tuple[float, float] = (-0.10, -0.15)  # female-headed and minority households against the mean
    after_end: float = 0.0  # change per year after support ends, as a share of the achieved change
    span_target: bool = False  # also one target for the whole span (e.g. 2011-2015)
    national_code: str = ""
    objective: int | None = None
    data_source: str = "Báo cáo định kỳ của Ban quản lý"
    compiling_agency: str = "Ban quản lý dự án"
    providing_agency: str = "UBND xã"
    solution: int | None = None  # the solution (giải pháp) of its objective it measures
    sector: str = ""  # its own sector of the plan, where it differs from the programme's
    timing: str = ""  # when it is collected (thời điểm thu thập)
    collection_method: str = ""
    # period → {"value": …, "date": …, "reason": …}: the plan of that period as adjusted (kế hoạch điều chỉnh)
    adjusted: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """One survey variable: y = level + offset·treated + coefficients·traits + unit + cluster + shock + trend·t
    + effect + noise."""

    variable: str
    level: float
    trend: float  # change per year, the same in both groups (parallel trends hold by construction)
    treatment_offset: float = 0.0  # treated units start this far from comparison ones
    sd_unit: float = 3.0
    sd_cluster: float = 1.5
    sd_shock: float = 0.6  # cluster × round shocks
    sd_noise: float = 2.5
    size_coef: float = 1.2
    minority_coef: float = -3.0
    female_coef: float = -2.0
    effect: dict[str, float] = field(default_factory=dict)  # round → true effect on a treated unit
    minority_extra: float = 0.0  # added to the effect for ethnic-minority units
    female_extra: float = 0.0  # added to the effect for female-headed units (female owner for firms)
    decimals: int = 1
    low: float = 0.5  # values are clipped here (incomes stay positive)
    high: float | None = None


@dataclass(frozen=True)
class SurveySpec:
    rounds: tuple[tuple[str, int], ...]  # (round, year)
    treated_from: int  # rounds from this year on show the effect
    outcomes: tuple[Outcome, ...]
    respondents: str = "household"  # household | enterprise
    comparison: bool = True
    panel: bool = True  # the same units in every round (else a new sample each round)
    clusters: int = 8  # per group
    per_cluster: int = 20
    attrition: float = 0.03  # share of panel units lost at each later round
    continues: float | None = None  # share of treated units still practising the model at the last round
    replicated: float | None = None  # share of comparison units that took the model up by the last round


@dataclass(frozen=True)
class ActivitySpec:
    type: str
    title: str
    planned: date
    households: int = 0
    officials: int = 0
    enterprises: int = 0
    cost: float = 0.0
    status: str = "done"


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    title: str
    title_en: str
    kind: str
    sector: str
    funding: str
    implementer: str
    start: date
    end: date
    provinces: tuple[str, ...]
    budget: float
    objectives: tuple[str, ...]
    indicators: tuple[IndicatorSpec, ...]
    sources: dict[str, float]  # expenditure source → share of the budget
    survey: SurveySpec
    story: str  # one line for the _about sheet: what an evaluation should find
    parent: str = ""
    donors: tuple[str, ...] = ()
    communes: int | None = None
    villages: int | None = None
    households: int | None = None
    area_ha: float | None = None
    chosen_by: str = ""
    disbursement: float = 0.97  # disbursed over planned
    after_end_sources: dict[str, float] = field(
        default_factory=dict
    )  # recurrent money per year after the end
    minority: float = 0.5  # share of ethnic-minority households among beneficiaries
    female: float = 0.15  # share of female-headed households
    delay_days: float = 20.0  # mean delay of activities
    cancelled: float = 0.05  # share of activities cancelled
    handover: str = "done"  # the status of the handover to the locality
    activities: tuple[ActivitySpec, ...] = ()  # on top of the standard ones
    general_objective: str = ""  # mục tiêu chung, which the objectives serve
    key_issues: str = ""  # những vấn đề tồn tại chủ yếu the general objective addresses (appendix 1b)
    solutions: dict[int, tuple[str, ...]] = field(default_factory=dict)  # objective number → its solutions


SPECIFICATION = Path(__file__).with_name("programmes.yml")


def load_programmes(path: Path = SPECIFICATION) -> tuple[ProgrammeSpec, ...]:
    """The programmes of ``path`` (YAML); an indicator with ``use: NAME`` starts from that template.

    Raises:
        ValueError: a programme, indicator, activity or outcome has a field the specification does not know,
            or lacks one it needs; the message names the programme.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    templates: dict[str, dict[str, Any]] = data.get("indicator_templates", {})
    return tuple(_programme(raw, templates) for raw in data["programmes"])


def _programme(raw: dict[str, Any], templates: dict[str, dict[str, Any]]) -> ProgrammeSpec:
    fields = dict(raw)
    try:
        survey = dict(fields.pop("survey"))
        survey["rounds"] = tuple((name, year) for name, year in survey["rounds"])
        survey["outcomes"] = tuple(Outcome(**o) for o in survey["outcomes"])
        for key in ("provinces", "objectives", "donors"):
            fields[key] = tuple(fields.get(key, ()))
        fields["solutions"] = {int(n): tuple(texts) for n, texts in (fields.get("solutions") or {}).items()}
        return ProgrammeSpec(
            indicators=tuple(_indicator(i, templates) for i in fields.pop("indicators")),
            activities=tuple(ActivitySpec(**a) for a in fields.pop("activities", ())),
            survey=SurveySpec(**survey),
            **fields,
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{SPECIFICATION.name}, programme {raw.get('code')!r}: {exc}") from None


def _indicator(raw: dict[str, Any], templates: dict[str, dict[str, Any]]) -> IndicatorSpec:
    own = dict(raw)
    template = own.pop("use", None)
    fields = {**templates[template], **own} if template else own
    if "gaps" in fields:
        fields["gaps"] = tuple(fields["gaps"])
    return IndicatorSpec(**fields)


PROGRAMMES: tuple[ProgrammeSpec, ...] = load_programmes()
BY_CODE = {p.code: p for p in PROGRAMMES}
