"""The human development indices of the manual (appendix 6, VII-IX): HDI, GDI and HPI.

``HDI = (I_longevity + I_education + I_GDP) / 3``, each sub-index ``(x − min) / (max − min)``, the income index
on base-10 logarithms, the education index ``2/3 · I_literacy + 1/3 · I_enrolment``. Bounds are in
:mod:`mel_core.indicators.methods`. The gender-related development index (GDI) is the HDI of women and men
combined by harmonic means that penalise the gap between them; the human poverty index (HPI) measures the
deprivations in the same three dimensions (UNDP's definitions of the time, which the manual follows).
"""

from __future__ import annotations

import numpy as np

from mel_core.i18n import message
from mel_core.indicators.methods import (
    GDP_PPP_BOUNDS,
    LONGEVITY_BOUNDS,
    LONGEVITY_BOUNDS_FEMALE,
    LONGEVITY_BOUNDS_MALE,
    RATE_BOUNDS,
    MethodInputError,
    Values,
    _arr,
    _guard,
    _masked,
    _out,
)

Bounds = tuple[float, float]


def longevity_index(
    life_expectancy: Values, bounds: Bounds = LONGEVITY_BOUNDS, *, strict: bool = True
) -> Values:
    """``I_longevity = (x − 25) / (85 − 25)`` for the whole population (27.5–87.5 women, 22.5–82.5 men).

    Raises:
        MethodInputError: a life expectancy of zero or less.
    """
    x = _arr(life_expectancy)
    bad = _guard("hdi", strict, x <= 0, "life_expectancy", x, message("indicators.hdi.not_positive"))
    low, high = bounds
    return _out(_masked((x - low) / (high - low), bad), life_expectancy)


def education_index(literacy: Values, enrolment: Values, *, strict: bool = True) -> Values:
    """``I_education = 2/3 · I_literacy + 1/3 · I_enrolment``, each rate (in %) over 0–100.

    Raises:
        MethodInputError: a rate outside 0–100 %.
    """
    lit, enr = _arr(literacy), _arr(enrolment)
    low, high = RATE_BOUNDS
    reason = message("indicators.hdi.rate_range")
    b1 = _guard("hdi", strict, (lit < low) | (lit > high), "literacy", lit, reason)
    b2 = _guard("hdi", strict, (enr < low) | (enr > high), "enrolment", enr, reason)
    index = 2.0 / 3.0 * (lit - low) / (high - low) + 1.0 / 3.0 * (enr - low) / (high - low)
    return _out(_masked(index, b1, b2), literacy, enrolment)


def income_index(
    gdp_per_capita_ppp: Values, bounds: Bounds = GDP_PPP_BOUNDS, *, strict: bool = True
) -> Values:
    """``I_GDP = (log10 x − log10 100) / (log10 40000 − log10 100)``, x GDP per capita in USD-PPP.

    Raises:
        MethodInputError: GDP per capita of zero or less (no logarithm).
    """
    x = _arr(gdp_per_capita_ppp)
    bad = _guard("hdi", strict, x <= 0, "gdp_per_capita_ppp", x, message("indicators.hdi.not_positive"))
    low, high = bounds
    with np.errstate(divide="ignore", invalid="ignore"):
        index = (np.log10(x) - np.log10(low)) / (np.log10(high) - np.log10(low))
    return _out(_masked(index, bad), gdp_per_capita_ppp)


def hdi(
    life_expectancy: Values,
    literacy: Values,
    enrolment: Values,
    gdp_per_capita_ppp: Values,
    *,
    longevity_bounds: Bounds = LONGEVITY_BOUNDS,
    strict: bool = True,
) -> Values:
    """Human development index: ``HDI = (I_longevity + I_education + I_GDP) / 3``, in [0, 1] within the bounds.

    Args:
        life_expectancy: average life expectancy, years.
        literacy: adult (15+) literacy rate, %.
        enrolment: gross enrolment rate at all levels, %.
        gdp_per_capita_ppp: GDP per capita, USD-PPP.
        longevity_bounds: (min, max) of life expectancy; the manual's 25–85 for the whole population.
        strict: raise on an impossible input (else NaN for that element).

    Raises:
        MethodInputError: see the sub-indices.
    """
    parts = (
        _arr(longevity_index(life_expectancy, longevity_bounds, strict=strict)),
        _arr(education_index(literacy, enrolment, strict=strict)),
        _arr(income_index(gdp_per_capita_ppp, strict=strict)),
    )
    return _out(
        (parts[0] + parts[1] + parts[2]) / 3.0, life_expectancy, literacy, enrolment, gdp_per_capita_ppp
    )


SHARE_RANGE = message("indicators.hdi.share_range")


def equally_distributed_index(
    female_index: Values, male_index: Values, female_share: Values, *, strict: bool = True
) -> Values:
    """The equally distributed index of a dimension (appendix 6, VIII, step 2), ε = 2: a harmonic mean.

    ``I_ede = [f · I_female⁻¹ + (1 − f) · I_male⁻¹]⁻¹``, f the female share of the population (given in %).

    Worked example: education indices 0.80 (women) and 0.86 (men), half the population women:
    [0.5 / 0.80 + 0.5 / 0.86]⁻¹ = 1 / 1.2063953 = 0.828916, below the plain mean 0.83: the gap is penalised.

    Raises:
        MethodInputError: an index of zero or less (no harmonic mean), or a share outside (0, 100).
    """
    fi, mi, share = _arr(female_index), _arr(male_index), _arr(female_share) / 100.0
    reason = message("indicators.hdi.harmonic_mean")
    b1 = _guard("gdi", strict, fi <= 0, "female_index", fi, reason)
    b2 = _guard("gdi", strict, mi <= 0, "male_index", mi, reason)
    b3 = _guard("gdi", strict, (share <= 0) | (share >= 1), "female_share", share * 100, SHARE_RANGE)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = 1.0 / (share / fi + (1.0 - share) / mi)
    return _out(_masked(index, b1, b2, b3), female_index, male_index, female_share)


def earned_income(
    gdp_per_capita_ppp: Values,
    female_share: Values,
    female_active_share: Values,
    wage_ratio: Values,
    *,
    strict: bool = True,
) -> tuple[Values, Values]:
    """Estimated earned income of women and of men, USD-PPP per person (appendix 6, VIII; UNDP's method).

    The female share of the wage bill ``S_f = (w · EA_f) / (w · EA_f + EA_m)``, w the ratio of the female to
    the male non-agricultural wage, EA_f and EA_m = 1 − EA_f the shares of women and men in the economically
    active population (15+); then ``Y_f = S_f · GDP per capita / f`` and ``Y_m = (1 − S_f) · GDP per capita /
    (1 − f)``, f the female share of the population.

    Worked example: GDP per capita 3,000 USD-PPP, women 50 % of the population and 48 % of the active
    population, earning 75 % of men's wage: S_f = 0.36 / (0.36 + 0.52) = 0.409091; Y_f = 0.409091 · 3,000 / 0.5
    = 2,454.5 and Y_m = 0.590909 · 3,000 / 0.5 = 3,545.5.

    Returns:
        ``(female, male)`` estimated earned income.

    Raises:
        MethodInputError: a share outside (0, 100), a negative wage ratio or GDP per capita.
    """
    gdp, f, ea, w = (
        _arr(gdp_per_capita_ppp),
        _arr(female_share) / 100,
        _arr(female_active_share) / 100,
        _arr(wage_ratio),
    )
    b1 = _guard("gdi", strict, (f <= 0) | (f >= 1), "female_share", f * 100, SHARE_RANGE)
    b2 = _guard("gdi", strict, (ea < 0) | (ea > 1), "female_active_share", ea * 100, SHARE_RANGE)
    b3 = _guard("gdi", strict, w < 0, "wage_ratio", w, message("indicators.methods.negative"))
    b4 = _guard("gdi", strict, gdp < 0, "gdp_per_capita_ppp", gdp, message("indicators.methods.negative"))
    with np.errstate(divide="ignore", invalid="ignore"):
        wage_bill = (w * ea) / (w * ea + (1.0 - ea))
        female = _masked(wage_bill * gdp / f, b1, b2, b3, b4)
        male = _masked((1.0 - wage_bill) * gdp / (1.0 - f), b1, b2, b3, b4)
    inputs = (gdp_per_capita_ppp, female_share, female_active_share, wage_ratio)
    return _out(female, *inputs), _out(male, *inputs)


def earned_income_female(
    gdp_per_capita_ppp: Values,
    female_share: Values,
    female_active_share: Values,
    wage_ratio: Values,
    *,
    strict: bool = True,
) -> Values:
    """Women's estimated earned income: ``Y_f = S_f · GDP per capita / f`` (see :func:`earned_income`)."""
    return earned_income(gdp_per_capita_ppp, female_share, female_active_share, wage_ratio, strict=strict)[0]


def earned_income_male(
    gdp_per_capita_ppp: Values,
    female_share: Values,
    female_active_share: Values,
    wage_ratio: Values,
    *,
    strict: bool = True,
) -> Values:
    """Men's estimated earned income: ``Y_m = (1 − S_f) · GDP per capita / (1 − f)`` (:func:`earned_income`)."""
    return earned_income(gdp_per_capita_ppp, female_share, female_active_share, wage_ratio, strict=strict)[1]


def gdi(
    life_expectancy_female: Values,
    life_expectancy_male: Values,
    literacy_female: Values,
    literacy_male: Values,
    enrolment_female: Values,
    enrolment_male: Values,
    income_female: Values,
    income_male: Values,
    female_share: Values,
    *,
    strict: bool = True,
) -> Values:
    """Gender-related development index (appendix 6, VIII), UNDP's definition the manual follows.

    Step 1: each dimension's index for women and for men, ``(x − min) / (max − min)`` (life expectancy
    27.5–87.5 for women, 22.5–82.5 for men; education ``2/3 · literacy + 1/3 · enrolment``; income on
    log10 of the estimated earned income, 100–40,000 USD-PPP). Step 2: each dimension's equally distributed
    index (:func:`equally_distributed_index`, ε = 2). Step 3: ``GDI = (I_ede,life + I_ede,education +
    I_ede,income) / 3``.

    Worked example: life expectancy 75.5 (women) and 70.5 (men) → 0.8 and 0.8; literacy 90 and 96 %,
    enrolment 60 and 66 % → 0.80 and 0.86; earned income 2,000 and 4,000 USD-PPP → 0.5 and 0.615689; women
    50 %: equally distributed 0.8, 0.828916, 0.551847; GDI = (0.8 + 0.828916 + 0.551847) / 3 = 0.726921.

    Args:
        life_expectancy_female: women's life expectancy at birth, years (and the same for men).
        literacy_female: women's adult (15+) literacy rate, % (and men's).
        enrolment_female: women's gross enrolment rate at all levels, % (and men's).
        income_female: women's estimated earned income, USD-PPP per person (:func:`earned_income`; and men's).
        female_share: women's share of the population, %.
        strict: raise on an impossible input (else NaN for that element).

    Raises:
        MethodInputError: see the sub-indices and :func:`equally_distributed_index`.
    """
    pairs = (
        (longevity_index(life_expectancy_female, LONGEVITY_BOUNDS_FEMALE, strict=strict),
         longevity_index(life_expectancy_male, LONGEVITY_BOUNDS_MALE, strict=strict)),
        (education_index(literacy_female, enrolment_female, strict=strict),
         education_index(literacy_male, enrolment_male, strict=strict)),
        (income_index(income_female, strict=strict), income_index(income_male, strict=strict)),
    )  # fmt: skip
    parts = [_arr(equally_distributed_index(f, m, female_share, strict=strict)) for f, m in pairs]
    inputs = (
        life_expectancy_female,
        life_expectancy_male,
        literacy_female,
        literacy_male,
        enrolment_female,
        enrolment_male,
        income_female,
        income_male,
        female_share,
    )
    return _out((parts[0] + parts[1] + parts[2]) / 3.0, *inputs)


def hpi(
    not_surviving_40: Values,
    adult_illiteracy: Values,
    *living_standard: Values,
    alpha: float = 3.0,
    strict: bool = True,
) -> Values:
    """Human poverty index (appendix 6, IX), UNDP's HPI-1 for developing countries, in %.

    ``HPI = [1/3 · (P1^α + P2^α + P3^α)]^(1/α)``, α = 3, with P1 the probability at birth of not surviving to
    age 40, P2 the adult illiteracy rate and P3 the deprivation in living standards, the plain mean of its parts:
    the manual's ``P3 = (P31 + P32 + P33) / 3`` (no safe water, no health services, underweight children under
    five), or UNDP's later two parts (no improved water source, underweight children). All in %.

    Worked example: P1 = 15.5, P2 = 13.3, no improved water 15 % and underweight children 8 % (P3 = 11.5):
    HPI = [(15.5³ + 13.3³ + 11.5³) / 3]^(1/3) = (7,597.387 / 3)^(1/3) = 13.63 %.

    Raises:
        MethodInputError: no part of P3, or a rate outside 0–100 %.
    """
    if not living_standard:
        raise MethodInputError("hpi", "living_standard", [], message("indicators.hdi.no_living_standard"))
    low, high = RATE_BOUNDS
    reason = message("indicators.hdi.rate_range")
    named = {"not_surviving_40": not_surviving_40, "adult_illiteracy": adult_illiteracy}
    named.update({f"living_standard[{k}]": v for k, v in enumerate(living_standard)})
    bad = [
        _guard("hpi", strict, (_arr(v) < low) | (_arr(v) > high), n, _arr(v), reason)
        for n, v in named.items()
    ]
    p3 = sum((_arr(v) for v in living_standard), np.zeros(())) / len(living_standard)
    p1, p2 = _arr(not_surviving_40), _arr(adult_illiteracy)
    index = ((p1**alpha + p2**alpha + p3**alpha) / 3.0) ** (1.0 / alpha)
    return _out(_masked(index, *bad), not_surviving_40, adult_illiteracy, *living_standard)
