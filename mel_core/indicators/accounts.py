"""GDP by its three methods, value added, comparative prices and production value (appendix 6, I and XII).

The national-accounts methods of the MPI manual, as pure functions in the style of
:mod:`mel_core.indicators.methods` (numbers or numpy arrays element by element; an impossible input raises
:class:`~mel_core.indicators.methods.MethodInputError`, or gives NaN with ``strict=False``). Money is in any one
unit (million VND in the store); every input of one call must be in the same unit and at the same kind of price.

- GDP by the **production** method (the official one in Viet Nam): the value added of every sector plus import
  duties; by the **income** method: compensation of labour + net taxes on production + depreciation of fixed
  assets + operating surplus (or mixed income); by the **expenditure** method: final consumption + capital
  formation + exports − imports. On consistent accounts the three agree; :func:`reconcile_gdp` says by how much
  they do not (the statistical discrepancy, chênh lệch thống kê: production GDP minus the other method's, and
  its share of production GDP).
- **Value added** = production value − intermediate costs; at comparative prices both are deflated first (the
  manual: "there is no single price index appropriate to directly deflate added value").
- **Comparative (constant) prices** by the deflation method: value at current price ÷ price index (root year =
  100) × 100.
- **Production value** of enterprises (at basic price, then at producer price), of trading enterprises, of
  administrative units and of non-farm household businesses; household farming is
  :func:`mel_core.indicators.methods.production_value`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mel_core.i18n import Text, message, t
from mel_core.indicators.methods import MethodInputError, Values, _arr, _divide, _guard, _masked, _out

NOT_NEGATIVE = message("indicators.methods.negative")
#: an optional amount (its default is a plain zero)
Amount = float | npt.NDArray[np.float64]
POSITIVE_INDEX = message("indicators.accounts.price_index")


def _sum(parts: tuple[Values, ...]) -> npt.NDArray[np.float64]:
    total = np.zeros(np.broadcast_shapes(*(np.shape(p) for p in parts)))
    for part in parts:
        total = total + _arr(part)
    return total


def _not_negative(method: str, strict: bool, **named: Values) -> list[npt.NDArray[np.bool_]]:
    return [_guard(method, strict, _arr(v) < 0, name, _arr(v), NOT_NEGATIVE) for name, v in named.items()]


def value_added(production_value: Values, intermediate_cost: Values, *, strict: bool = True) -> Values:
    """Value added of a sector or unit (appendix 6, XII): ``VA = production value − intermediate costs``.

    Worked example: a province's industry produces 8,000 (million VND) using 5,200 of materials, fuel and
    services: VA = 8,000 − 5,200 = 2,800. A loss-making year may give a negative value added; that is a figure,
    not an error.

    Raises:
        MethodInputError: a negative production value or intermediate cost.
    """
    go, ic = _arr(production_value), _arr(intermediate_cost)
    bad = _not_negative("value_added", strict, production_value=go, intermediate_cost=ic)
    return _out(_masked(go - ic, *bad), production_value, intermediate_cost)


def gdp_production(*value_added: Values, import_duties: Amount = 0.0, strict: bool = True) -> Values:
    """GDP by the production method (appendix 6, I.3): ``GDP = Σ value added of all sectors + import duties``.

    Args:
        value_added: the value added of each sector (agriculture, industry, services …), one argument each.
            In the store the import duties are simply one more component: they add to the total too.
        import_duties: import duties on goods and services (thuế nhập khẩu hàng hoá, dịch vụ).
        strict: raise on an impossible input (else NaN for that element).

    Worked example: agriculture 300, industry 300, services 400, import duties 50:
    GDP = 300 + 300 + 400 + 50 = 1,050.

    Raises:
        MethodInputError: no sector given, or negative import duties.
    """
    if not value_added:
        raise MethodInputError("gdp_production", "value_added", [], message("indicators.accounts.no_sector"))
    duties = _arr(import_duties)
    bad = _not_negative("gdp_production", strict, import_duties=duties)
    return _out(_masked(_sum(value_added) + duties, *bad), *value_added, import_duties)


def gdp_income(
    compensation: Values,
    production_taxes: Values,
    depreciation: Values,
    operating_surplus: Values,
    *,
    strict: bool = True,
) -> Values:
    """GDP by the income method (appendix 6, I.3).

    ``GDP = labour's income from production + taxes on production (net of subsidies) + depreciation of fixed
    assets used in production + operating surplus or mixed income``

    Worked example: compensation 480, net production taxes 150, depreciation 120, surplus 300:
    GDP = 480 + 150 + 120 + 300 = 1,050.

    Args:
        compensation: labour's income from production, in cash and in kind (thu nhập của người lao động).
        production_taxes: taxes on production net of production subsidies (thuế sản xuất); may be negative.
        depreciation: depreciation of fixed assets used in production (khấu hao tài sản cố định).
        operating_surplus: operating surplus or mixed income (thặng dư sản xuất); may be negative.
        strict: raise on an impossible input (else NaN for that element).

    Raises:
        MethodInputError: negative compensation or depreciation.
    """
    w, t, d, s = (_arr(v) for v in (compensation, production_taxes, depreciation, operating_surplus))
    bad = _not_negative("gdp_income", strict, compensation=w, depreciation=d)
    return _out(_masked(w + t + d + s, *bad), compensation, production_taxes, depreciation, operating_surplus)


def gdp_expenditure(
    final_consumption: Values,
    capital_formation: Values,
    exports: Values,
    imports: Values,
    *,
    strict: bool = True,
) -> Values:
    """GDP by the expenditure (use) method (appendix 6, I.3).

    ``GDP = final consumption of households and the state + accumulation of assets + (exports − imports)``

    Worked example: final consumption 700 (households 600, state 100), capital formation 320, exports 400,
    imports 370: GDP = 700 + 320 + (400 − 370) = 1,050.

    Args:
        final_consumption: final consumption of households and of the state (tiêu dùng cuối cùng).
        capital_formation: accumulation of fixed assets, inventories and valuables (tích luỹ tài sản); a
            running-down of inventories may make it negative.
        exports: exports of goods and services.
        imports: imports of goods and services.
        strict: raise on an impossible input (else NaN for that element).

    Raises:
        MethodInputError: negative final consumption, exports or imports.
    """
    c, i, x, m = (_arr(v) for v in (final_consumption, capital_formation, exports, imports))
    bad = _not_negative("gdp_expenditure", strict, final_consumption=c, exports=x, imports=m)
    return _out(_masked(c + i + (x - m), *bad), final_consumption, capital_formation, exports, imports)


def gdp_discrepancy(gdp_by_production: Values, gdp_by_other: Values, *, strict: bool = True) -> Values:
    """Statistical discrepancy of a GDP method: ``discrepancy = GDP(production) − GDP(other method)``.

    The production method is the official one (appendix 6, I.3, note), so the discrepancy is what the other
    method's total lacks to reach it. Worked example: GDP 1,050 by production, 1,030 by expenditure:
    discrepancy = 1,050 − 1,030 = 20.
    """
    p, o = _arr(gdp_by_production), _arr(gdp_by_other)
    return _out(p - o, gdp_by_production, gdp_by_other)


def gdp_discrepancy_share(gdp_by_production: Values, gdp_by_other: Values, *, strict: bool = True) -> Values:
    """The discrepancy in percent of GDP: ``share = (GDP(production) − GDP(other)) / GDP(production) × 100``.

    Worked example: 1,050 and 1,030: (1,050 − 1,030) / 1,050 × 100 = 1.905 %.

    Raises:
        MethodInputError: GDP by production is zero or negative.
    """
    p, o = _arr(gdp_by_production), _arr(gdp_by_other)
    bad = _guard(
        "gdp_discrepancy_share",
        strict,
        p <= 0,
        "gdp_by_production",
        p,
        message("indicators.accounts.no_gdp"),
    )
    return _out(_masked(_divide(p - o, p) * 100.0, bad), gdp_by_production, gdp_by_other)


@dataclass(frozen=True)
class GdpReconciliation:
    """GDP by its methods side by side, and the statistical discrepancy of each against production GDP.

    Attributes:
        production: GDP by the production method (the reference).
        estimates: GDP by each other method given (``{"income": …, "expenditure": …}``).
        discrepancy: production GDP minus each other method's, same keys.
        share: each discrepancy in percent of production GDP.
        tolerance: the largest share (in %, absolute) still counted as agreement.
    """

    production: float
    estimates: dict[str, float]
    discrepancy: dict[str, float]
    share: dict[str, float]
    tolerance: float

    @property
    def agree(self) -> bool:
        """True when every method is within the tolerance of production GDP."""
        return all(abs(s) <= self.tolerance for s in self.share.values())

    def lines(self) -> list[str]:
        """One line per method: its GDP, and the discrepancy with its share (in English, with Vietnamese)."""
        return [
            Text(*(self._line(name, value, lang) for lang in ("en", "vi")))
            for name, value in self.estimates.items()
        ]

    def _line(self, name: str, value: float, lang: str) -> str:
        return t(
            "indicators.accounts.gdp_by",
            lang,
            method=t(f"indicators.accounts.method_{name}", lang),
            value=value,
            discrepancy=self.discrepancy[name],
            share=self.share[name],
        )


def reconcile_gdp(
    production: float,
    *,
    income: float | None = None,
    expenditure: float | None = None,
    tolerance: float = 1e-9,
) -> GdpReconciliation:
    """Compare GDP by the income and expenditure methods with GDP by production.

    ``discrepancy_k = GDP(production) − GDP(k)``, ``share_k = discrepancy_k / GDP(production) × 100``.

    Worked example: production 1,050, income 1,050, expenditure 1,030: income agrees (0, 0 %), expenditure
    falls short by 20, 1.905 % of GDP; ``agree`` is False.

    Args:
        production: GDP by the production method (:func:`gdp_production`).
        income: GDP by the income method (:func:`gdp_income`), if computed.
        expenditure: GDP by the expenditure method (:func:`gdp_expenditure`), if computed.
        tolerance: the largest share (in %) still counted as agreement (default: equal up to rounding).

    Raises:
        MethodInputError: production GDP not positive, or a figure that is not finite.
    """
    for name, value in (("production", production), ("income", income), ("expenditure", expenditure)):
        if value is not None and not math.isfinite(value):
            raise MethodInputError("reconcile_gdp", name, value, message("indicators.accounts.not_number"))
    estimates = {k: float(v) for k, v in (("income", income), ("expenditure", expenditure)) if v is not None}
    discrepancy = {k: float(gdp_discrepancy(production, v)) for k, v in estimates.items()}
    share = {k: float(gdp_discrepancy_share(production, v)) for k, v in estimates.items()}
    if not estimates:
        gdp_discrepancy_share(production, production)  # still checks that production GDP is positive
    return GdpReconciliation(float(production), estimates, discrepancy, share, tolerance)


def at_comparative_price(value: Values, price_index: Values, *, strict: bool = True) -> Values:
    """A value at comparative (constant) price by the deflation method (appendix 6, XII).

    ``value at comparative price = value at current price / price index of the year against the root year × 100``
    (the index with the root year = 100).

    Worked example: production value 13,200 at 2024 prices, production price index 2024 against 2010 = 120:
    13,200 / 120 × 100 = 11,000 at 2010 prices.

    Raises:
        MethodInputError: a price index of zero or less.
    """
    v, idx = _arr(value), _arr(price_index)
    bad = _guard("at_comparative_price", strict, idx <= 0, "price_index", idx, POSITIVE_INDEX)
    return _out(_masked(_divide(v, idx) * 100.0, bad), value, price_index)


def value_added_at_comparative_price(
    production_value: Values,
    production_price_index: Values,
    intermediate_cost: Values,
    intermediate_price_index: Values,
    *,
    strict: bool = True,
) -> Values:
    """Value added at comparative price, deflated twice (appendix 6, I.3 and XII).

    ``VA_comparative = production value / I_production × 100 − intermediate costs / I_intermediate × 100``: the
    manual computes it "indirectly by subtracting intermediary cost from production value at comparative price".

    Worked example: production value 13,200 at index 120, intermediate costs 8,400 at index 112:
    13,200 / 1.20 − 8,400 / 1.12 = 11,000 − 7,500 = 3,500.

    Raises:
        MethodInputError: a price index of zero or less, or a negative value.
    """
    go = at_comparative_price(production_value, production_price_index, strict=strict)
    ic = at_comparative_price(intermediate_cost, intermediate_price_index, strict=strict)
    result = value_added(go, ic, strict=strict)
    return _out(
        _arr(result), production_value, production_price_index, intermediate_cost, intermediate_price_index
    )


def enterprise_production_value(
    net_revenue: Values,
    *additions: Values,
    strict: bool = True,
) -> Values:
    """Production value of an enterprise at basic price (appendix 6, XII, method 1 (i)).

    ``PV = net revenue from sales and services + by-products sold (when not in net revenue) + rental of
    machinery with operators + sales of scrap and waste + own-account fixed assets + (closing − opening)
    inventories of finished goods, goods sent and work in progress``

    Args:
        net_revenue: net revenue from sales of products and services (doanh thu thuần).
        additions: the other items, each one argument; the change in inventories may be negative.
        strict: raise on an impossible input (else NaN for that element).

    Worked example: net revenue 5,000, by-products 120, rental with operators 80, scrap 15, own-account assets
    60, inventories up by 25: PV = 5,000 + 120 + 80 + 15 + 60 + 25 = 5,300.

    Raises:
        MethodInputError: a negative net revenue.
    """
    r = _arr(net_revenue)
    bad = _not_negative("enterprise_production_value", strict, net_revenue=r)
    return _out(
        _masked(r + _sum(additions), *bad) if additions else _masked(r, *bad), net_revenue, *additions
    )


def producer_price_value(basic_price_value: Values, product_taxes: Values, *, strict: bool = True) -> Values:
    """Production value at producer price (appendix 6, XII, (ii)): ``PV_producer = PV_basic + taxes on products``.

    Taxes on products: value added tax, special consumption tax and export duty. Worked example: 5,300 at basic
    price with 530 of taxes on products: 5,830.

    Raises:
        MethodInputError: negative taxes on products.
    """
    pv, tax = _arr(basic_price_value), _arr(product_taxes)
    bad = _not_negative("producer_price_value", strict, product_taxes=tax)
    return _out(_masked(pv + tax, *bad), basic_price_value, product_taxes)


def trade_production_value(
    net_revenue: Values, cost_of_goods_sold: Values, product_subsidies: Amount = 0.0, *, strict: bool = True
) -> Values:
    """Production value of trading, electricity distribution, tourism and real-estate enterprises (XII, 2).

    ``PV = net revenue − cost of the goods sold + product subsidies``: a trader produces its margin.

    Worked example: sales 12,000 of goods bought for 10,500, no subsidy: PV = 12,000 − 10,500 = 1,500.

    Raises:
        MethodInputError: a negative revenue, cost or subsidy.
    """
    r, c, s = _arr(net_revenue), _arr(cost_of_goods_sold), _arr(product_subsidies)
    bad = _not_negative(
        "trade_production_value", strict, net_revenue=r, cost_of_goods_sold=c, product_subsidies=s
    )
    return _out(_masked(r - c + s, *bad), net_revenue, cost_of_goods_sold, product_subsidies)


def administrative_production_value(
    recurrent_expenditure: Values,
    major_repairs: Values,
    transfers: Values,
    depreciation: Values,
    *,
    strict: bool = True,
) -> Values:
    """Production value of administrative and state-funded non-market units (appendix 6, XII, method 4).

    ``PV = total recurrent expenditure of the year − major repairs of fixed assets and infrastructure −
    recurrent transfers + depreciation of fixed assets of the year``

    Worked example: a district hospital spends 9,000, of which 700 on major repairs and 300 on transfers, and
    writes off 450 of depreciation: PV = 9,000 − 700 − 300 + 450 = 8,450.

    Raises:
        MethodInputError: a negative item, or repairs and transfers larger than the recurrent expenditure.
    """
    e, r, t, d = (_arr(v) for v in (recurrent_expenditure, major_repairs, transfers, depreciation))
    bad = _not_negative(
        "administrative_production_value",
        strict,
        recurrent_expenditure=e,
        major_repairs=r,
        transfers=t,
        depreciation=d,
    )
    over = _guard(
        "administrative_production_value",
        strict,
        r + t > e,
        "major_repairs",
        r,
        message("indicators.accounts.transfers_exceed_recurrent"),
    )
    return _out(
        _masked(e - r - t + d, *bad, over), recurrent_expenditure, major_repairs, transfers, depreciation
    )


def household_business_production_value(
    workers: Values, value_per_worker: Values, *, strict: bool = True
) -> Values:
    """Production value of non-farm household businesses (appendix 6, XII, method 5).

    ``PV = number of workers × average production value per worker of the surveyed households``

    Worked example: 2,400 workers in the commune's household businesses, 85 million VND per worker in the
    survey: PV = 2,400 × 85 = 204,000 million VND.

    Raises:
        MethodInputError: a negative number of workers or value per worker.
    """
    n, v = _arr(workers), _arr(value_per_worker)
    bad = _not_negative("household_business_production_value", strict, workers=n, value_per_worker=v)
    return _out(_masked(n * v, *bad), workers, value_per_worker)
