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

A method whose last component is marked ``…`` (``repeats``) takes it once or more: GDP by production sums the
value added of however many sectors the province reports, HPI averages however many parts of P3 it has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from mel_core.indicators import accounts as a
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
    repeats: bool = False  # the last component may be given more than once

    @property
    def derived(self) -> bool:
        """True when the indicator's values are computed (never typed in)."""
        return self.reading != "weight"

    def accepts(self, count: int) -> bool:
        """True when ``count`` components fit the method."""
        n = len(self.components)
        return count == n or (self.repeats and count > n)

    @property
    def signature(self) -> str:
        """The components in order, ``;``-separated, a repeating last one marked ``…``."""
        return ";".join(self.components) + ("…" if self.repeats else "")


def _spec(
    name: str, components: str, reading: Reading, vi: str, en: str, fn: Callable[..., Any] | None
) -> MethodSpec:
    repeats = components.endswith("...")
    return MethodSpec(name, tuple(components.removesuffix("...").split()), reading, vi, en, fn, repeats)


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
        _spec(
            "value_added",
            "production_value intermediate_cost",
            "same_period",
            "Giá trị tăng thêm",
            "Value added",
            a.value_added,
        ),
        _spec(
            "gdp_production",
            "value_added...",
            "same_period",
            "GDP theo phương pháp sản xuất",
            "GDP by the production method",
            a.gdp_production,
        ),
        _spec(
            "gdp_income",
            "compensation production_taxes depreciation operating_surplus",
            "same_period",
            "GDP theo phương pháp thu nhập",
            "GDP by the income method",
            a.gdp_income,
        ),
        _spec(
            "gdp_expenditure",
            "final_consumption capital_formation exports imports",
            "same_period",
            "GDP theo phương pháp sử dụng",
            "GDP by the expenditure method",
            a.gdp_expenditure,
        ),
        _spec(
            "gdp_discrepancy",
            "gdp_by_production gdp_by_other",
            "same_period",
            "Chênh lệch thống kê GDP",
            "GDP statistical discrepancy",
            a.gdp_discrepancy,
        ),
        _spec(
            "gdp_discrepancy_share",
            "gdp_by_production gdp_by_other",
            "same_period",
            "Chênh lệch thống kê GDP (% GDP)",
            "GDP statistical discrepancy (% of GDP)",
            a.gdp_discrepancy_share,
        ),
        _spec(
            "at_comparative_price",
            "value price_index",
            "same_period",
            "Giá trị theo giá so sánh",
            "Value at comparative (constant) price",
            a.at_comparative_price,
        ),
        _spec(
            "value_added_at_comparative_price",
            "production_value production_price_index intermediate_cost intermediate_price_index",
            "same_period",
            "Giá trị tăng thêm theo giá so sánh",
            "Value added at comparative price",
            a.value_added_at_comparative_price,
        ),
        _spec(
            "enterprise_production_value",
            "net_revenue addition...",
            "same_period",
            "Giá trị sản xuất của doanh nghiệp (giá cơ bản)",
            "Production value of an enterprise (basic price)",
            a.enterprise_production_value,
        ),
        _spec(
            "producer_price_value",
            "basic_price_value product_taxes",
            "same_period",
            "Giá trị sản xuất theo giá sản xuất",
            "Production value at producer price",
            a.producer_price_value,
        ),
        _spec(
            "trade_production_value",
            "net_revenue cost_of_goods_sold",
            "same_period",
            "Giá trị sản xuất của doanh nghiệp thương mại",
            "Production value of a trading enterprise",
            a.trade_production_value,
        ),
        _spec(
            "administrative_production_value",
            "recurrent_expenditure major_repairs transfers depreciation",
            "same_period",
            "Giá trị sản xuất của đơn vị hành chính, sự nghiệp",
            "Production value of an administrative unit",
            a.administrative_production_value,
        ),
        _spec(
            "household_business_production_value",
            "workers value_per_worker",
            "same_period",
            "Giá trị sản xuất của hộ kinh doanh phi nông nghiệp",
            "Production value of non-farm household businesses",
            a.household_business_production_value,
        ),
        _spec(
            "gdi",
            "life_expectancy_female life_expectancy_male literacy_female literacy_male enrolment_female"
            " enrolment_male income_female income_male female_share",
            "same_period",
            "Chỉ số phát triển giới (GDI)",
            "Gender-related development index (GDI)",
            _hdi.gdi,
        ),
        _spec(
            "earned_income_female",
            "gdp_per_capita_ppp female_share female_active_share wage_ratio",
            "same_period",
            "Thu nhập ước tính của nữ (USD-PPP)",
            "Women's estimated earned income (USD-PPP)",
            _hdi.earned_income_female,
        ),
        _spec(
            "earned_income_male",
            "gdp_per_capita_ppp female_share female_active_share wage_ratio",
            "same_period",
            "Thu nhập ước tính của nam (USD-PPP)",
            "Men's estimated earned income (USD-PPP)",
            _hdi.earned_income_male,
        ),
        _spec(
            "hpi",
            "not_surviving_40 adult_illiteracy living_standard...",
            "same_period",
            "Chỉ số nghèo khổ tổng hợp (HPI, %)",
            "Human poverty index (HPI, %)",
            _hdi.hpi,
        ),
        _spec("weighted_mean", "weight", "weight", "Bình quân gia quyền", "Weighted mean", None),
    )
}

#: The method names, for the import format's choice column.
METHOD_NAMES: tuple[str, ...] = tuple(METHODS)
