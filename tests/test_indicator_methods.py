"""The appendix-6 methods against worked examples (hand-computed where the manual gives formulas only)."""

import itertools
import math

import numpy as np
import pytest

from mel_core.indicators import hdi as h
from mel_core.indicators import methods as m
from mel_core.indicators.catalogue import METHODS
from mel_core.indicators.methods import MethodInputError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # GDP at comparative price 100,000 → 105,250 billion VND: (105,250 − 100,000) / 100,000 × 100 = 5.25 %
        (m.growth_rate(105_250, 100_000), 5.25),
        # a fall: 80 after 100 is −20 %
        (m.growth_rate(80, 100), -20.0),
        # 2015 → 2020 (n = 5) from 100 to 100 × 1.06^5 = 133.8225578: 6 % a year
        (m.average_growth(133.8225577600, 100, 5), 6.0),
        # annual rates 5, 6, 7 %: (1.05 × 1.06 × 1.07)^(1/3) − 1 = 5.9968 %
        (m.average_growth_from_rates([5, 6, 7]), (1.05 * 1.06 * 1.07) ** (1 / 3) * 100 - 100),
        # agriculture's value added 25,000 of GDP 100,000: K = 25 %
        (m.share(25_000, 100_000), 25.0),
        # GDP 45,000,000 million VND over 1,500,000 people: 30 million VND per person
        (m.per_capita(45_000_000, 1_500_000), 30.0),
        # the same in USD at 23,000 VND/USD: 30,000,000 VND / 23,000 = 1,304.35 USD
        (m.per_capita_usd(45_000_000 * 1e6, 1_500_000, 23_000), 30_000_000 / 23_000),
        # I_TFP = 7 − (0.4 × 10 + 0.6 × 3) = 1.2
        (m.tfp_growth(7, 10, 3, 0.4), 1.2),
        (m.tfp_growth(7, 10, 3, 0.4, 0.6), 1.2),
        # ICOR 2016-2020: 1,200,000 invested, GDP 1,000,000 (2015) → 1,250,000 (2020): 1,200,000 / 250,000 = 4.8
        (m.icor(1_200_000, 1_250_000, 1_000_000), 4.8),
        # 5 t of coffee at 7 million VND/t: 35 million VND
        (m.production_value(5, 7), 35.0),
        # 1,800 million VND from 12 ha: 150 million VND/ha
        (m.value_per_hectare(1_800, 12), 150.0),
        (m.ratio(3, 4), 0.75),
    ],
    ids=[
        "growth",
        "fall",
        "geometric",
        "from-rates",
        "share",
        "per-capita",
        "usd",
        "tfp",
        "tfp-beta",
        "icor",
        "production-value",
        "per-ha",
        "ratio",
    ],
)
def test_worked_examples(value, expected):
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-9)


def test_both_averages_agree_on_the_same_series():
    series = [100.0, 105.0, 111.3, 119.091, 125.0, 133.0]
    rates = [m.growth_rate(b, a) for a, b in itertools.pairwise(series)]
    assert m.average_growth_from_rates(rates) == pytest.approx(m.average_growth(series[-1], series[0], 5))


def test_contributions_add_up_to_one_hundred():
    # I_Y 7, I_K 10, I_L 3, α 0.5: capital 0.5 × 10 / 7 = 71.43 %, labour 0.5 × 3 / 7 = 21.43 %, TFP 0.5 / 7 = 7.14 %
    parts = m.growth_contributions(7, 10, 3, 0.5)
    assert parts["capital"] == pytest.approx(500 / 7)
    assert parts["labour"] == pytest.approx(150 / 7)
    assert parts["tfp"] == pytest.approx(50 / 7)
    assert sum(parts.values()) == pytest.approx(100)
    assert m.capital_contribution(7, 10, 3, 0.5) == pytest.approx(500 / 7)


def test_hdi_with_the_manuals_bounds():
    # longevity (73 − 25) / (85 − 25) = 0.8; education 2/3 × 0.94 + 1/3 × 0.64 = 0.84;
    # income (log10 4000 − log10 100) / (log10 40000 − log10 100) = 1.60206 / 2.60206 = 0.615689
    assert h.longevity_index(73) == pytest.approx(0.8)
    assert h.education_index(94, 64) == pytest.approx(0.84)
    assert h.income_index(4000) == pytest.approx(0.6156891, rel=1e-6)
    assert h.hdi(73, 94, 64, 4000) == pytest.approx((0.8 + 0.84 + 0.6156891) / 3, rel=1e-6)
    # women's bounds 27.5–87.5: (75.5 − 27.5) / 60 = 0.8
    assert h.longevity_index(75.5, m.LONGEVITY_BOUNDS_FEMALE) == pytest.approx(0.8)
    assert h.hdi(85, 100, 100, 40_000) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: m.growth_rate(10, 0), "previous"),
        (lambda: m.average_growth(120, 0, 5), "base"),
        (lambda: m.average_growth(120, 100, 0), "years"),
        (lambda: m.average_growth_from_rates([5, -100]), "rates"),
        (lambda: m.average_growth_from_rates([]), "rates"),
        (lambda: m.share(5, 0), "whole"),
        (lambda: m.ratio(5, 0), "denominator"),
        (lambda: m.per_capita(100, -5), "population"),
        (lambda: m.per_capita(100, 0), "population"),
        (lambda: m.per_capita_usd(100, 10, 0), "vnd_per_usd"),
        (lambda: m.tfp_growth(7, 10, 3, 0.4, 0.5), "beta"),
        (lambda: m.tfp_growth(7, 10, 3, 1.2), "alpha"),
        (lambda: m.growth_contributions(0, 10, 3, 0.5), "output_growth"),
        (lambda: m.icor(100, 1000, 1000), "gdp_end"),
        (lambda: m.value_per_hectare(100, 0), "area_ha"),
        (lambda: m.production_value(-1, 5), "quantity"),
        (lambda: h.hdi(73, 140, 64, 4000), "literacy"),
        (lambda: h.hdi(73, 94, 64, 0), "gdp_per_capita_ppp"),
    ],
    ids=[
        "zero-base",
        "avg-zero-base",
        "zero-years",
        "rate-minus-100",
        "no-rates",
        "share-zero",
        "ratio-zero",
        "negative-population",
        "zero-population",
        "zero-rate",
        "alpha-beta",
        "alpha-range",
        "no-growth",
        "icor-flat",
        "zero-area",
        "negative-quantity",
        "literacy-140",
        "gdp-zero",
    ],
)
def test_impossible_inputs_are_clear_errors(call, argument):
    with pytest.raises(MethodInputError) as caught:
        call()
    assert caught.value.argument == argument
    assert caught.value.exit_code == 65
    assert argument in str(caught.value)


def test_arrays_element_by_element_and_lenient_mode_gives_missing_not_zero():
    got = m.growth_rate(np.array([105.0, 50.0, 7.0]), np.array([100.0, 0.0, 7.0]), strict=False)
    assert isinstance(got, np.ndarray)
    assert got[0] == pytest.approx(5.0) and math.isnan(got[1]) and got[2] == 0.0
    with pytest.raises(MethodInputError):
        m.growth_rate(np.array([105.0, 50.0]), np.array([100.0, 0.0]))


def test_every_catalogued_method_names_its_components_and_has_a_docstring_formula():
    for spec in METHODS.values():
        assert spec.components, spec.name
        if spec.function is not None:
            assert "=" in (spec.function.__doc__ or ""), spec.name
