"""The methods an indicator of the store may name (``indicators.method``), with the components each takes.

An indicator's ``components`` are the codes of the indicators it is computed from, in the order of
:attr:`MethodSpec.components`. How the components are read:

- ``same_period``: every component at the same period, admin unit and disaggregation (a share, a ratio …).
- ``previous_period``: one component, now and in the period before of the same length (2015 and 2014, 2015-H2
  and 2015-H1, 2016-2020 and 2011-2015); ICOR reads its GDP at the end of the period and the year before it.
- ``span``: one component over the years of the period (average growth over 2016-2020).
- ``weight``: not computed: the indicator's own values are typed in and the one component is its **weight**
  (the denominator of a rate, the households of an average income), used to roll communes up to their province
  and children up to their parent programme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from mel_core.indicators import hdi as _hdi
from mel_core.indicators import methods as m

Reading = Literal["same_period", "previous_period", "span", "weight"]


@dataclass(frozen=True)
class MethodSpec:
    """One method an indicator may name."""

    name: str
    components: tuple[str, ...]
    reading: Reading
    label_vi: str
    label_en: str
    function: Callable[..., Any] | None = None

    @property
    def derived(self) -> bool:
        """True when the indicator's values are computed (never typed in)."""
        return self.reading != "weight"


def _spec(
    name: str, components: str, reading: Reading, vi: str, en: str, fn: Callable[..., Any] | None
) -> MethodSpec:
    return MethodSpec(name, tuple(components.split()), reading, vi, en, fn)


METHODS: dict[str, MethodSpec] = {
    s.name: s
    for s in (
        _spec(
            "growth_rate",
            "value",
            "previous_period",
            "Tốc độ tăng trưởng (%)",
            "Growth rate (%)",
            m.growth_rate,
        ),
        _spec(
            "average_growth",
            "value",
            "span",
            "Tốc độ tăng bình quân thời kỳ (%)",
            "Average growth over the period (%)",
            m.average_growth,
        ),
        _spec(
            "average_growth_from_rates",
            "rate",
            "span",
            "Tốc độ tăng bình quân từ tốc độ từng năm (%)",
            "Average growth from annual rates (%)",
            m.average_growth_from_rates,
        ),
        _spec("share", "part whole", "same_period", "Cơ cấu, tỷ trọng (%)", "Structure share (%)", m.share),
        _spec("ratio", "numerator denominator", "same_period", "Tỷ số", "Ratio", m.ratio),
        _spec(
            "per_capita", "total population", "same_period", "Bình quân đầu người", "Per capita", m.per_capita
        ),
        _spec(
            "per_capita_usd",
            "total_vnd population vnd_per_usd",
            "same_period",
            "Bình quân đầu người (USD)",
            "Per capita (USD, exchange rate or PPP)",
            m.per_capita_usd,
        ),
        _spec(
            "tfp_growth",
            "output_growth capital_growth labour_growth alpha",
            "same_period",
            "Tốc độ tăng năng suất các nhân tố tổng hợp (TFP, %)",
            "TFP growth (%)",
            m.tfp_growth,
        ),
        _spec(
            "capital_contribution",
            "output_growth capital_growth labour_growth alpha",
            "same_period",
            "Tỷ lệ đóng góp của vốn vào tăng trưởng (%)",
            "Capital's contribution to growth (%)",
            m.capital_contribution,
        ),
        _spec(
            "labour_contribution",
            "output_growth capital_growth labour_growth alpha",
            "same_period",
            "Tỷ lệ đóng góp của lao động vào tăng trưởng (%)",
            "Labour's contribution to growth (%)",
            m.labour_contribution,
        ),
        _spec(
            "tfp_contribution",
            "output_growth capital_growth labour_growth alpha",
            "same_period",
            "Tỷ lệ đóng góp của TFP vào tăng trưởng (%)",
            "TFP's contribution to growth (%)",
            m.tfp_contribution,
        ),
        _spec(
            "hdi",
            "life_expectancy literacy enrolment gdp_per_capita_ppp",
            "same_period",
            "Chỉ số phát triển con người (HDI)",
            "Human development index (HDI)",
            _hdi.hdi,
        ),
        _spec("icor", "investment gdp", "previous_period", "Hệ số ICOR", "ICOR", m.icor),
        _spec(
            "production_value",
            "quantity unit_price",
            "same_period",
            "Giá trị sản xuất",
            "Production value",
            m.production_value,
        ),
        _spec(
            "value_per_hectare",
            "product_value area_ha",
            "same_period",
            "Giá trị sản phẩm trên 1 ha (triệu đồng/ha)",
            "Product value per hectare (million VND/ha)",
            m.value_per_hectare,
        ),
        _spec("weighted_mean", "weight", "weight", "Bình quân gia quyền", "Weighted mean", None),
    )
}

#: The method names, for the import format's choice column.
METHOD_NAMES: tuple[str, ...] = tuple(METHODS)
