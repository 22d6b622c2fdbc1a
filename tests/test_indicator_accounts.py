"""Appendix 6 completed: GDP by three methods, value added, comparative prices, production value, GDI, HPI.

Every figure is hand-computed from the formula in the function's docstring (the arithmetic is written out next
to it), and the store tests compute the same figures from imported observations and find them in Table 4.2.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from mel_core.indicators import accounts as a
from mel_core.indicators import hdi as h
from mel_core.indicators.catalogue import METHODS
from mel_core.indicators.derived import derive
from mel_core.indicators.methods import MethodInputError
from mel_core.ingest import import_path
from mel_core.reports import build_report
from mel_core.reports.table import cell_text
from mel_core.store import session_scope
from tests.datasets import write_csv

# A small provincial economy whose accounts are consistent (million VND, current prices):
#   agriculture GO 500 IC 200 → VA 300; industry GO 800 IC 500 → VA 300; services GO 600 IC 200 → VA 400;
#   import duties 50 → GDP by production 1,050;
#   compensation 480 + net production taxes 150 + depreciation 120 + operating surplus 300 = 1,050;
#   final consumption 700 + capital formation 320 + exports 400 − imports 370 = 1,050.
SECTORS = {"agriculture": (500, 200), "industry": (800, 500), "services": (600, 200)}
INCOME = (480, 150, 120, 300)
EXPENDITURE = (700, 320, 400, 370)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (a.value_added(8_000, 5_200), 2_800.0),  # 8,000 − 5,200
        (a.value_added(900, 950), -50.0),  # a loss-making year: a negative value added is a figure
        (a.gdp_production(300, 300, 400, import_duties=50), 1_050.0),
        (a.gdp_production(300, 300, 400, 50), 1_050.0),  # duties as one more component, as in the store
        (a.gdp_income(*INCOME), 1_050.0),
        (a.gdp_expenditure(*EXPENDITURE), 1_050.0),
        (a.gdp_discrepancy(1_050, 1_030), 20.0),
        (a.gdp_discrepancy_share(1_050, 1_030), 20 / 1_050 * 100),  # 1.905 %
        (a.at_comparative_price(13_200, 120), 11_000.0),  # 13,200 / 120 × 100
        (a.value_added_at_comparative_price(13_200, 120, 8_400, 112), 3_500.0),  # 11,000 − 7,500
        (a.enterprise_production_value(5_000, 120, 80, 15, 60, 25), 5_300.0),
        (a.enterprise_production_value(5_000, 120, -40), 5_080.0),  # inventories ran down by 40
        (a.producer_price_value(5_300, 530), 5_830.0),
        (a.trade_production_value(12_000, 10_500), 1_500.0),
        (a.trade_production_value(12_000, 10_500, 200), 1_700.0),
        (a.administrative_production_value(9_000, 700, 300, 450), 8_450.0),  # 9,000 − 700 − 300 + 450
        (a.household_business_production_value(2_400, 85), 204_000.0),
    ],
    ids=[
        "va",
        "va-negative",
        "gdp-production",
        "gdp-production-duties-as-component",
        "gdp-income",
        "gdp-expenditure",
        "discrepancy",
        "discrepancy-share",
        "deflate",
        "va-double-deflation",
        "enterprise",
        "enterprise-stock-fall",
        "producer-price",
        "trade",
        "trade-subsidy",
        "administrative",
        "household-business",
    ],
)
def test_worked_examples(value, expected):
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-12)


def test_the_three_methods_agree_on_consistent_accounts():
    value_added = [a.value_added(go, ic) for go, ic in SECTORS.values()]
    assert value_added == [300.0, 300.0, 400.0]
    production = a.gdp_production(*value_added, import_duties=50)
    result = a.reconcile_gdp(
        production, income=a.gdp_income(*INCOME), expenditure=a.gdp_expenditure(*EXPENDITURE)
    )
    assert result.production == 1_050.0
    assert result.estimates == {"income": 1_050.0, "expenditure": 1_050.0}
    assert result.discrepancy == {"income": 0.0, "expenditure": 0.0}
    assert result.share == {"income": 0.0, "expenditure": 0.0}
    assert result.agree


def test_inconsistent_accounts_report_the_discrepancy_amount_and_share():
    # imports of 390 instead of 370: expenditure GDP 700 + 320 + 400 − 390 = 1,030; 20 short, 1.905 % of 1,050
    expenditure = a.gdp_expenditure(700, 320, 400, 390)
    result = a.reconcile_gdp(1_050, income=1_050, expenditure=expenditure)
    assert not result.agree
    assert result.discrepancy == {"income": 0.0, "expenditure": pytest.approx(20.0)}
    assert result.share["expenditure"] == pytest.approx(1.9047619, rel=1e-7)
    lines = result.lines()
    assert "discrepancy 20.0 (1.90 % of GDP by production)" in lines[1]
    assert "chênh lệch thống kê 20.0 (1.90 % GDP theo phương pháp sản xuất)" in lines[1].vi  # type: ignore[attr-defined]
    # within a tolerance of 2 % the methods count as agreeing
    assert a.reconcile_gdp(1_050, expenditure=expenditure, tolerance=2.0).agree


def test_gdi_hand_computed():
    # indices: life (75.5 − 27.5) / 60 = 0.8 and (70.5 − 22.5) / 60 = 0.8; education 2/3·0.90 + 1/3·0.60 = 0.80
    # and 2/3·0.96 + 1/3·0.66 = 0.86; income log10(2000/100) / log10(400) = 0.5 and log10(40) / log10(400)
    female_income = math.log10(20) / math.log10(400)
    male_income = math.log10(40) / math.log10(400)
    assert female_income == pytest.approx(0.5)
    education = 1 / (0.5 / 0.80 + 0.5 / 0.86)
    income = 1 / (0.5 / female_income + 0.5 / male_income)
    assert education == pytest.approx(0.828916, abs=1e-6) and income == pytest.approx(0.551847, abs=1e-6)
    got = h.gdi(75.5, 70.5, 90, 96, 60, 66, 2_000, 4_000, 50)
    assert got == pytest.approx((0.8 + education + income) / 3, rel=1e-12)
    assert got == pytest.approx(0.726921, abs=1e-6)
    # no gap, no penalty: the GDI of equal women and men is their HDI with the sex-specific bounds
    assert h.gdi(75.5, 70.5, 90, 90, 60, 60, 2_000, 2_000, 50) == pytest.approx((0.8 + 0.8 + 0.5) / 3)
    assert h.equally_distributed_index(0.80, 0.86, 50) == pytest.approx(education)


def test_earned_income_hand_computed():
    # S_f = 0.75·0.48 / (0.75·0.48 + 0.52) = 0.36 / 0.88; Y_f = S_f·3000 / 0.5; Y_m = (1 − S_f)·3000 / 0.5
    female, male = h.earned_income(3_000, 50, 48, 0.75)
    assert female == pytest.approx(0.36 / 0.88 * 3_000 / 0.5)
    assert male == pytest.approx(0.52 / 0.88 * 3_000 / 0.5)
    # the incomes, weighted by the population, give back GDP per capita
    assert 0.5 * female + 0.5 * male == pytest.approx(3_000)
    assert h.earned_income_female(3_000, 50, 48, 0.75) == female


def test_hpi_hand_computed():
    # P3 = (15 + 8) / 2 = 11.5; HPI = ((15.5³ + 13.3³ + 11.5³) / 3)^(1/3) = (7,597.387 / 3)^(1/3) = 13.63
    assert h.hpi(15.5, 13.3, 15, 8) == pytest.approx((7_597.387 / 3) ** (1 / 3), rel=1e-12)
    assert h.hpi(15.5, 13.3, 15, 8) == pytest.approx(13.6306, abs=1e-4)
    # the manual's three parts of P3 (no safe water, no health services, underweight children): (21 + 12 + 30) / 3
    assert h.hpi(10, 8, 21, 12, 30) == pytest.approx(((10**3 + 8**3 + 21**3) / 3) ** (1 / 3))
    # α = 3 weighs the worst deprivation most: equal deprivations give themselves back
    assert h.hpi(20, 20, 20) == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: a.value_added(-1, 5), "production_value"),
        (lambda: a.gdp_production(), "value_added"),
        (lambda: a.gdp_production(100, import_duties=-5), "import_duties"),
        (lambda: a.gdp_income(-1, 0, 0, 0), "compensation"),
        (lambda: a.gdp_expenditure(700, 320, 400, -1), "imports"),
        (lambda: a.gdp_discrepancy_share(0, 10), "gdp_by_production"),
        (lambda: a.reconcile_gdp(1_050, income=float("nan")), "income"),
        (lambda: a.at_comparative_price(100, 0), "price_index"),
        (lambda: a.value_added_at_comparative_price(100, 110, 50, -1), "price_index"),
        (lambda: a.administrative_production_value(1_000, 800, 300, 10), "major_repairs"),
        (lambda: a.household_business_production_value(-3, 10), "workers"),
        (lambda: h.hpi(10, 8), "living_standard"),
        (lambda: h.hpi(10, 108, 5), "adult_illiteracy"),
        (lambda: h.gdi(75, 70, 90, 90, 60, 60, 2_000, 2_000, 100), "female_share"),
        (lambda: h.earned_income(3_000, 50, 48, -0.5), "wage_ratio"),
    ],
    ids=[
        "va-negative-output",
        "gdp-no-sector",
        "negative-duties",
        "negative-wages",
        "negative-imports",
        "share-zero-gdp",
        "reconcile-nan",
        "zero-index",
        "negative-index",
        "repairs-exceed-spending",
        "negative-workers",
        "hpi-no-p3",
        "illiteracy-108",
        "all-women",
        "negative-wage-ratio",
    ],
)
def test_impossible_inputs_are_clear_errors(call, argument):
    with pytest.raises(MethodInputError) as caught:
        call()
    assert caught.value.argument == argument
    assert caught.value.exit_code == 65


def test_arrays_and_lenient_mode_give_missing_not_zero():
    got = a.at_comparative_price(np.array([1_200.0, 500.0]), np.array([120.0, 0.0]), strict=False)
    assert got[0] == pytest.approx(1_000.0) and math.isnan(got[1])
    total = a.gdp_production(np.array([1.0, 2.0]), np.array([3.0, np.nan]), strict=False)
    assert total[0] == 4.0 and math.isnan(total[1])


def test_repeating_components_are_catalogued():
    assert METHODS["gdp_production"].accepts(1) and METHODS["gdp_production"].accepts(7)
    assert not METHODS["gdp_production"].accepts(0)
    assert METHODS["hpi"].accepts(3) and METHODS["hpi"].accepts(5) and not METHODS["hpi"].accepts(2)
    assert not METHODS["gdp_income"].accepts(5)
    assert METHODS["hpi"].signature == "not_surviving_40;adult_illiteracy;living_standard…"


PROGRAMMES = [
    ["code", "title", "sector", "funding", "start_date", "provinces"],
    ["DB-KT", "Kế hoạch phát triển kinh tế tỉnh Điện Biên", "planning", "state_budget", "2021-01-01", "11"],
]
INDICATORS = [
    ["programme_code", "code", "name", "level", "unit", "method", "components"],
    *[
        ["DB-KT", code, name, "input", "triệu đồng", "", ""]
        for code, name in [
            ("GO_NN", "Giá trị sản xuất nông nghiệp"), ("IC_NN", "Chi phí trung gian nông nghiệp"),
            ("GO_CN", "Giá trị sản xuất công nghiệp"), ("IC_CN", "Chi phí trung gian công nghiệp"),
            ("GO_DV", "Giá trị sản xuất dịch vụ"), ("IC_DV", "Chi phí trung gian dịch vụ"),
            ("TNK", "Thuế nhập khẩu"), ("LD", "Thu nhập của người lao động"), ("TSX", "Thuế sản xuất"),
            ("KH", "Khấu hao tài sản cố định"), ("TD", "Thặng dư sản xuất"), ("TDCC", "Tiêu dùng cuối cùng"),
            ("TL", "Tích luỹ tài sản"), ("XK", "Xuất khẩu"), ("NK", "Nhập khẩu"),
        ]
    ],
    ["DB-KT", "CSG", "Chỉ số giá GDP (2010 = 100)", "input", "chỉ số", "", ""],
    ["DB-KT", "VA_NN", "Giá trị tăng thêm nông nghiệp", "output", "triệu đồng", "value_added", "GO_NN;IC_NN"],
    ["DB-KT", "VA_CN", "Giá trị tăng thêm công nghiệp", "output", "triệu đồng", "value_added", "GO_CN;IC_CN"],
    ["DB-KT", "VA_DV", "Giá trị tăng thêm dịch vụ", "output", "triệu đồng", "value_added", "GO_DV;IC_DV"],
    ["DB-KT", "GDP", "GDP (phương pháp sản xuất)", "outcome", "triệu đồng", "gdp_production",
     "VA_NN;VA_CN;VA_DV;TNK"],
    ["DB-KT", "GDP_TN", "GDP (phương pháp thu nhập)", "outcome", "triệu đồng", "gdp_income", "LD;TSX;KH;TD"],
    ["DB-KT", "GDP_SD", "GDP (phương pháp sử dụng)", "outcome", "triệu đồng", "gdp_expenditure", "TDCC;TL;XK;NK"],
    ["DB-KT", "CL_SD", "Chênh lệch thống kê (sử dụng)", "outcome", "%", "gdp_discrepancy_share", "GDP;GDP_SD"],
    ["DB-KT", "GDP_SS", "GDP theo giá so sánh 2010", "impact", "triệu đồng", "at_comparative_price", "GDP;CSG"],
]  # fmt: skip
OBSERVATIONS = [
    ["programme_code", "indicator_code", "period", "admin_unit", "value"],
    *[
        ["DB-KT", code, "2024", "", str(value)]
        for code, value in {
            "GO_NN": 500, "IC_NN": 200, "GO_CN": 800, "IC_CN": 500, "GO_DV": 600, "IC_DV": 200, "TNK": 50,
            "LD": 480, "TSX": 150, "KH": 120, "TD": 300, "TDCC": 700, "TL": 320, "XK": 400, "NK": 390,
            "CSG": 125,
        }.items()
    ],
]  # fmt: skip
TARGETS = [
    ["programme_code", "indicator_code", "period", "admin_unit", "value"],
    ["DB-KT", "GDP", "2024", "", "1000"],
    ["DB-KT", "GDP_SS", "2024", "", "800"],
]


def test_gdp_by_three_methods_from_the_store_and_in_table_4_2(engine, tmp_path):
    import_path(
        engine,
        write_csv(
            tmp_path / "in",
            {
                "programmes": PROGRAMMES,
                "indicators": INDICATORS,
                "targets": TARGETS,
                "observations": OBSERVATIONS,
            },
        ),
    )
    with session_scope(engine) as session:
        table = build_report(session, "annual", programme="DB-KT", period="2024", today=date(2025, 1, 15))
    rows = {
        cell_text(r.cells[1]).rsplit("(", 1)[-1].rstrip(")"): [cell_text(c) for c in r.cells]
        for r in table.body
    }
    # output columns (6)-(7) hold the implemented outputs, (8)-(9) the outcomes and impacts
    assert rows["VA_NN"][7] == "300" and rows["VA_CN"][7] == "300" and rows["VA_DV"][7] == "400"
    assert rows["GDP"][9] == "1.050" and rows["GDP"][10] == "105,0"  # 1,050 against the plan of 1,000
    assert rows["GDP_TN"][9] == "1.050"
    assert rows["GDP_SD"][9] == "1.030"  # imports of 390: 700 + 320 + 400 − 390
    assert rows["CL_SD"][9] == "1,90"  # (1,050 − 1,030) / 1,050 × 100 = 1.905 %
    assert rows["GDP_SS"][9] == "840"  # 1,050 / 125 × 100, against 800: 105 %
    assert rows["GDP_SS"][10] == "105,0"


def test_derive_leaves_gdp_missing_when_a_sector_is_missing():
    import pandas as pd

    indicators = pd.DataFrame(
        {"code": ["GDP"], "method": ["gdp_production"], "components": ["VA_NN;VA_CN;TNK"]}
    )
    obs = pd.DataFrame(
        [
            ("VA_NN", "2024", date(2024, 1, 1), date(2024, 12, 31), "11", "", 300.0),
            ("TNK", "2024", date(2024, 1, 1), date(2024, 12, 31), "11", "", 50.0),
            ("VA_NN", "2023", date(2023, 1, 1), date(2023, 12, 31), "11", "", 280.0),
            ("VA_CN", "2023", date(2023, 1, 1), date(2023, 12, 31), "11", "", 260.0),
            ("TNK", "2023", date(2023, 1, 1), date(2023, 12, 31), "11", "", 40.0),
        ],
        columns=[
            "indicator_code",
            "period",
            "period_start",
            "period_end",
            "admin_unit",
            "disaggregation",
            "value",
        ],
    )
    got = derive(indicators, obs)
    assert list(got["period"]) == ["2023"] and list(got["value"]) == [580.0]  # 2024 lacks industry: no row
