"""The human development index with the manual's bounds (appendix 6, VII).

``HDI = (I_longevity + I_education + I_GDP) / 3``, each sub-index ``(x − min) / (max − min)``, the income index
on base-10 logarithms, the education index ``2/3 · I_literacy + 1/3 · I_enrolment``. Bounds are in
:mod:`mel_core.indicators.methods`.
"""

from __future__ import annotations

import numpy as np

from mel_core.i18n import say
from mel_core.indicators.methods import (
    GDP_PPP_BOUNDS,
    LONGEVITY_BOUNDS,
    RATE_BOUNDS,
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
    bad = _guard("hdi", strict, x <= 0, "life_expectancy", x, say("must be positive", "phải dương"))
    low, high = bounds
    return _out(_masked((x - low) / (high - low), bad), life_expectancy)


def education_index(literacy: Values, enrolment: Values, *, strict: bool = True) -> Values:
    """``I_education = 2/3 · I_literacy + 1/3 · I_enrolment``, each rate (in %) over 0–100.

    Raises:
        MethodInputError: a rate outside 0–100 %.
    """
    lit, enr = _arr(literacy), _arr(enrolment)
    low, high = RATE_BOUNDS
    reason = say("a rate must lie between 0 and 100 %", "tỷ lệ phải nằm trong 0–100 %")
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
    bad = _guard("hdi", strict, x <= 0, "gdp_per_capita_ppp", x, say("must be positive", "phải dương"))
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
