"""The calculation methods of the MPI manual, appendix 6, as pure functions.

Every function takes numbers or numpy arrays (element by element) and returns the same shape. An impossible
input (a zero base, a negative population, α + β ≠ 1 …) raises :class:`MethodInputError` naming the argument,
unless ``strict=False``: then that element is NaN, which is how :mod:`mel_core.indicators.derived` computes a
whole frame without one bad commune stopping the rest (missing, never zero).

Percentages are returned as percentages (7.0 for 7 %), as the manual writes them. Growth rates passed *in*
(``output_growth`` …) are percentages too.

The HDI bounds are those of the manual's table (longevity 25–85 years; women 27.5–87.5, men 22.5–82.5); the
adult literacy and gross enrolment rates run 0–100 % and GDP per capita 100–40,000 USD-PPP, the UNDP goalposts
the manual's table follows (its figures are lost in the text layer of the copy in ``seeds/004``).
"""

from __future__ import annotations

from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt

from mel_core.errors import MelError
from mel_core.i18n import message

Number = float | int
Values = TypeVar("Values", float, npt.NDArray[np.float64])

#: (minimum, maximum) of each HDI sub-index (appendix 6, VII).
LONGEVITY_BOUNDS = (25.0, 85.0)
LONGEVITY_BOUNDS_FEMALE = (27.5, 87.5)
LONGEVITY_BOUNDS_MALE = (22.5, 82.5)
RATE_BOUNDS = (0.0, 100.0)
GDP_PPP_BOUNDS = (100.0, 40_000.0)


class MethodInputError(MelError, ValueError):
    """An input to an indicator method is impossible (a zero base, a negative population …).

    Attributes:
        argument: the name of the offending argument.
        value: the offending value.
    """

    exit_code = 65  # EX_DATAERR

    def __init__(self, method: str, argument: str, value: object, reason: str) -> None:
        super().__init__(
            message(
                "indicators.methods.bad_input", method=method, argument=argument, value=value, reason=reason
            ),
            hint=message("indicators.methods.bad_input_hint"),
        )
        self.method, self.argument, self.value, self.reason = method, argument, value, reason


@overload
def _arr(x: Number) -> npt.NDArray[np.float64]: ...
@overload
def _arr(x: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
def _arr(x: object) -> npt.NDArray[np.float64]:
    return np.asarray(x, dtype=float)


def _out(result: npt.NDArray[np.float64], *inputs: object) -> Values:  # type: ignore[type-var]
    """A float when every input was a scalar, else the array."""
    if all(np.ndim(i) == 0 for i in inputs):  # type: ignore[arg-type]
        return float(result)  # type: ignore[return-value]
    return result  # type: ignore[return-value]


def _guard(
    method: str,
    strict: bool,
    bad: npt.NDArray[np.bool_],
    argument: str,
    values: npt.NDArray[np.float64],
    reason: str,
) -> npt.NDArray[np.bool_]:
    """Raise for the first bad element when strict; return the mask of bad elements otherwise."""
    bad = np.asarray(bad, dtype=bool)
    if strict and bad.any():
        first = np.broadcast_to(values, bad.shape)[bad].flat[0] if bad.ndim else values
        raise MethodInputError(method, argument, float(first), reason)
    return bad


def _masked(result: npt.NDArray[np.float64], *bad: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    mask = np.zeros(np.shape(result), dtype=bool)
    for b in bad:
        mask = mask | b
    return np.where(mask, np.nan, result)


def _divide(
    numerator: npt.NDArray[np.float64], denominator: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(numerator, denominator)


ZERO_BASE = message("indicators.methods.zero_base")


def growth_rate(current: Values, previous: Values, *, strict: bool = True) -> Values:
    """Growth rate over the previous period, in percent (appendix 6, III).

    ``growth (%) = (X_t − X_{t−1}) / X_{t−1} × 100``

    Args:
        current: the value of the period, X_t (GDP at comparative price of the year, say).
        previous: the value of the previous period, X_{t−1}; must be positive.
        strict: raise on an impossible input (else NaN for that element).

    Raises:
        MethodInputError: ``previous`` is zero or negative.
    """
    x, base = _arr(current), _arr(previous)
    bad = _guard("growth_rate", strict, base <= 0, "previous", base, ZERO_BASE)
    return _out(_masked(_divide(x - base, base) * 100.0, bad), current, previous)


def average_growth(final: Values, base: Values, years: Values, *, strict: bool = True) -> Values:
    """Average growth per year over a period, geometric (appendix 6, III, method 1), in percent.

    ``d = ((X_n / X_0)^(1/n) − 1) × 100``, X_0 the value of the reference year, X_n of the final year, n the
    number of years between them (2015 → 2020: n = 5).

    Raises:
        MethodInputError: ``base`` not positive, ``final`` negative, or ``years`` not at least 1.
    """
    xn, x0, n = _arr(final), _arr(base), _arr(years)
    b1 = _guard("average_growth", strict, x0 <= 0, "base", x0, ZERO_BASE)
    b2 = _guard("average_growth", strict, xn < 0, "final", xn, message("indicators.methods.negative"))
    b3 = _guard("average_growth", strict, n < 1, "years", n, message("indicators.methods.less_than_one"))
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (np.power(_divide(xn, x0), _divide(np.ones_like(n), n)) - 1.0) * 100.0
    return _out(_masked(result, b1, b2, b3), final, base, years)


def average_growth_from_rates(rates: npt.ArrayLike, *, strict: bool = True) -> float:
    """Average growth per year from each year's growth rate (appendix 6, III, method 2), in percent.

    ``d = ((1 + d_1/100) × (1 + d_2/100) × … × (1 + d_n/100))^(1/n) × 100 − 100``

    Raises:
        MethodInputError: no rates, or a rate of −100 % or less.
    """
    r = _arr(rates).ravel()
    if r.size == 0:
        if strict:
            raise MethodInputError(
                "average_growth_from_rates", "rates", [], message("indicators.methods.no_rates")
            )
        return float("nan")
    bad = _guard(
        "average_growth_from_rates",
        strict,
        r <= -100,
        "rates",
        r,
        message("indicators.methods.total_fall"),
    )
    if bad.any() or np.isnan(r).any():
        return float("nan")
    return float((np.prod(1.0 + r / 100.0) ** (1.0 / r.size) - 1.0) * 100.0)


def share(part: Values, whole: Values, *, strict: bool = True) -> Values:
    """Structure share of a sector, in percent (appendix 6, II): ``K_i = VA_i / GDP × 100``.

    Raises:
        MethodInputError: ``whole`` is zero or negative.
    """
    p, w = _arr(part), _arr(whole)
    bad = _guard("share", strict, w <= 0, "whole", w, message("indicators.methods.no_total"))
    return _out(_masked(_divide(p, w) * 100.0, bad), part, whole)


def ratio(numerator: Values, denominator: Values, *, strict: bool = True) -> Values:
    """A plain ratio: ``ratio = numerator / denominator`` (a rate whose denominator is another indicator).

    Raises:
        MethodInputError: ``denominator`` is zero.
    """
    n, d = _arr(numerator), _arr(denominator)
    bad = _guard("ratio", strict, d == 0, "denominator", d, message("indicators.methods.division_by_zero"))
    return _out(_masked(_divide(n, d), bad), numerator, denominator)


NO_PEOPLE = message("indicators.methods.no_people")


def per_capita(total: Values, population: Values, *, strict: bool = True) -> Values:
    """Value per person (appendix 6, IV): ``GDP per capita = GDP of the year / average population of the year``.

    The result is in the unit of ``total`` per person (million VND per person for GDP in million VND).

    Raises:
        MethodInputError: ``population`` is zero or negative.
    """
    t, pop = _arr(total), _arr(population)
    bad = _guard("per_capita", strict, pop <= 0, "population", pop, NO_PEOPLE)
    return _out(_masked(_divide(t, pop), bad), total, population)


def per_capita_usd(
    total_vnd: Values, population: Values, vnd_per_usd: Values, *, strict: bool = True
) -> Values:
    """GDP per capita in USD, by the exchange rate or by purchasing power parity (appendix 6, IV).

    ``GDP per capita (USD) = (GDP in VND / average population) / VND per USD`` (the actual exchange rate, or
    the PPP conversion factor for USD-PPP).

    Raises:
        MethodInputError: a population or a rate that is zero or negative.
    """
    t, pop, fx = _arr(total_vnd), _arr(population), _arr(vnd_per_usd)
    b1 = _guard("per_capita_usd", strict, pop <= 0, "population", pop, NO_PEOPLE)
    b2 = _guard(
        "per_capita_usd",
        strict,
        fx <= 0,
        "vnd_per_usd",
        fx,
        message("indicators.methods.no_exchange_rate"),
    )
    return _out(_masked(_divide(_divide(t, pop), fx), b1, b2), total_vnd, population, vnd_per_usd)


def _coefficients(
    method: str, alpha: Values, beta: Values | None, strict: bool
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    a = _arr(alpha)
    b = 1.0 - a if beta is None else _arr(beta)
    out_of_range = (a < 0) | (a > 1)
    bad1 = _guard(method, strict, out_of_range, "alpha", a, message("indicators.methods.not_a_share"))
    bad2 = _guard(
        method, strict, np.abs(a + b - 1.0) > 1e-9, "beta", b, message("indicators.methods.coefficients_sum")
    )
    return a, b, bad1 | bad2


def tfp_growth(
    output_growth: Values,
    capital_growth: Values,
    labour_growth: Values,
    alpha: Values,
    beta: Values | None = None,
    *,
    strict: bool = True,
) -> Values:
    """Growth of total factor productivity (appendix 6, V): ``I_TFP = I_Y − (α·I_K + β·I_L)``, α + β = 1.

    Args:
        output_growth: I_Y, growth of value added (GDP), percent.
        capital_growth: I_K, growth of capital (fixed assets), percent.
        labour_growth: I_L, growth of the employed labour force, percent.
        alpha: α, the contribution coefficient of capital, in [0, 1].
        beta: β, of labour; 1 − α when not given.
        strict: raise on an impossible input (else NaN for that element).

    Raises:
        MethodInputError: α outside [0, 1], or α + β ≠ 1.
    """
    a, b, bad = _coefficients("tfp_growth", alpha, beta, strict)
    y, k, lab = _arr(output_growth), _arr(capital_growth), _arr(labour_growth)
    return _out(_masked(y - (a * k + b * lab), bad), output_growth, capital_growth, labour_growth, alpha)


def growth_contributions(
    output_growth: Values,
    capital_growth: Values,
    labour_growth: Values,
    alpha: Values,
    beta: Values | None = None,
    *,
    strict: bool = True,
) -> dict[str, Values]:
    """Contributions of capital, labour and TFP to growth, in percent of growth (appendix 6, VI).

    ``capital = α·I_K / I_Y × 100``, ``labour = β·I_L / I_Y × 100``, ``tfp = I_TFP / I_Y × 100``; they add up to 100.

    Returns:
        ``{"capital": …, "labour": …, "tfp": …}``.

    Raises:
        MethodInputError: no growth (I_Y = 0), α outside [0, 1], or α + β ≠ 1.
    """
    a, b, bad = _coefficients("growth_contributions", alpha, beta, strict)
    y, k, lab = _arr(output_growth), _arr(capital_growth), _arr(labour_growth)
    flat = _guard(
        "growth_contributions",
        strict,
        y == 0,
        "output_growth",
        y,
        message("indicators.methods.no_growth"),
    )
    inputs = (output_growth, capital_growth, labour_growth, alpha)
    parts = {"capital": a * k, "labour": b * lab, "tfp": y - (a * k + b * lab)}
    return {name: _out(_masked(_divide(v, y) * 100.0, bad, flat), *inputs) for name, v in parts.items()}


def capital_contribution(
    output_growth: Values,
    capital_growth: Values,
    labour_growth: Values,
    alpha: Values,
    *,
    strict: bool = True,
) -> Values:
    """Capital's contribution to growth, percent: ``capital = α·I_K / I_Y × 100`` (see :func:`growth_contributions`)."""
    return growth_contributions(output_growth, capital_growth, labour_growth, alpha, strict=strict)["capital"]


def labour_contribution(
    output_growth: Values,
    capital_growth: Values,
    labour_growth: Values,
    alpha: Values,
    *,
    strict: bool = True,
) -> Values:
    """Labour's contribution to growth, percent: ``labour = (1 − α)·I_L / I_Y × 100`` (:func:`growth_contributions`)."""
    return growth_contributions(output_growth, capital_growth, labour_growth, alpha, strict=strict)["labour"]


def tfp_contribution(
    output_growth: Values,
    capital_growth: Values,
    labour_growth: Values,
    alpha: Values,
    *,
    strict: bool = True,
) -> Values:
    """TFP's contribution to growth, percent: ``tfp = I_TFP / I_Y × 100`` (see :func:`growth_contributions`)."""
    return growth_contributions(output_growth, capital_growth, labour_growth, alpha, strict=strict)["tfp"]


def icor(investment: Values, gdp_end: Values, gdp_start: Values, *, strict: bool = True) -> Values:
    """Incremental capital-output ratio (appendix 6, X): ``ICOR = V / (G_1 − G_0)``.

    Args:
        investment: V, the investment carried out over the period.
        gdp_end: G_1, GDP of the period's last year.
        gdp_start: G_0, GDP of the year before the period (at the same kind of price as V).
        strict: raise on an impossible input (else NaN for that element).

    Raises:
        MethodInputError: GDP did not grow (G_1 ≤ G_0), or negative investment.
    """
    v, g1, g0 = _arr(investment), _arr(gdp_end), _arr(gdp_start)
    b1 = _guard(
        "icor",
        strict,
        g1 - g0 <= 0,
        "gdp_end",
        g1,
        message("indicators.methods.no_gdp_growth"),
    )
    b2 = _guard("icor", strict, v < 0, "investment", v, message("indicators.methods.negative"))
    return _out(_masked(_divide(v, g1 - g0), b1, b2), investment, gdp_end, gdp_start)


def production_value(quantity: Values, unit_price: Values, *, strict: bool = True) -> Values:
    """Production value of household farming (appendix 6, XII.5): ``value = output × average unit price``.

    Sum the result over products for a total. Raises :class:`MethodInputError` for a negative quantity or price.
    """
    q, p = _arr(quantity), _arr(unit_price)
    b1 = _guard("production_value", strict, q < 0, "quantity", q, message("indicators.methods.negative"))
    b2 = _guard("production_value", strict, p < 0, "unit_price", p, message("indicators.methods.negative"))
    return _out(_masked(q * p, b1, b2), quantity, unit_price)


def value_per_hectare(product_value: Values, area_ha: Values, *, strict: bool = True) -> Values:
    """Product value per hectare of farming land or aquaculture water surface (appendix 6, XIII).

    ``million VND/ha = product value in the year (million VND) / area that yielded it (ha)``.

    Raises:
        MethodInputError: the area is zero or negative.
    """
    v, a = _arr(product_value), _arr(area_ha)
    bad = _guard(
        "value_per_hectare",
        strict,
        a <= 0,
        "area_ha",
        a,
        message("indicators.methods.no_area"),
    )
    return _out(_masked(_divide(v, a), bad), product_value, area_ha)
