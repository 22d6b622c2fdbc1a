"""Coherence: hand-computed building blocks, assess() on a hand-made portfolio, and the sample."""

from __future__ import annotations

import json
from datetime import date

import matplotlib
import pytest

from mel_core import geo
from mel_core.criteria import coherence as coh
from tests import criteria_frames_rcs as f

matplotlib.use("Agg")

AS_OF = date(2020, 1, 1)


def _programmes() -> list[dict[str, object]]:
    # P1 works in Yên Bái (15), which merged into Lào Cai (10) in 2025: own province-years (10, 2014–2016) = 3
    return [
        dict(code="P1", sector="livestock", start_date=date(2014, 1, 1), end_date=date(2016, 12, 31),
             provinces=["15"], parent_code="Q2"),
        # same sector, unlinked, in Lào Cai (10) 2016–2018: shares (10, 2016) only through the merger
        dict(code="Q1", sector="livestock", start_date=date(2016, 1, 1), end_date=date(2018, 12, 31),
             provinces=["10"]),
        # P1's parent, in Yên Bái 2013–2014: linked, never a duplicate
        dict(code="Q2", sector="livestock", start_date=date(2013, 1, 1), end_date=date(2014, 12, 31),
             provinces=["15"]),
        # another sector in Lào Cai 2010–2020: complementary
        dict(code="Q3", sector="governance", start_date=date(2010, 1, 1), end_date=date(2020, 12, 31),
             provinces=["10"]),
        # same sector, another province (Điện Biên)
        dict(code="Q4", sector="livestock", start_date=date(2014, 1, 1), end_date=date(2016, 12, 31),
             provinces=["11"]),
    ]  # fmt: skip


OBSERVATIONS = [
    ("P1", "IM1", "VN.GN.01", "2014", "15"),
    ("P1", "IM1", "VN.GN.01", "2015", "15"),
    ("P1", "IM1", "VN.GN.01", "2016", "15"),  # Q1 measured it too (2016-H2 in Lào Cai): measured twice
    ("P1", "IM1", "VN.GN.01", "2016", "VN"),  # a whole-programme total: no province, not compared
    ("P1", "OP1", None, "2015", "15"),  # no national code: not compared
    ("Q1", "X1", "VN.GN.01", "2016-H2", "10"),
    ("Q2", "IM9", "VN.GN.01", "2014", "15"),  # the linked parent: reported, not counted
    ("Q3", "IM1", "VN.QT.01", "2015", "10"),  # another national code
    ("Q4", "IM1", "VN.GN.01", "2015", "11"),  # another province
]


def _own() -> dict[str, object]:
    return _programmes()[0]


def test_current_province_and_province_years() -> None:
    assert coh.current_province("15") == geo.successor("15") == "10"
    assert coh.current_province("VN") == "VN"
    assert coh.province_years(["15", "10"], date(2014, 6, 1), date(2015, 1, 1), AS_OF) == {
        ("10", 2014),
        ("10", 2015),
    }
    # still running: up to the reference year
    assert len(coh.province_years(["11"], date(2018, 1, 1), None, AS_OF)) == 3  # 2018, 2019, 2020
    assert coh.province_years(["11"], None, None, AS_OF) == set()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"code": "C", "parent_code": "P"}, {"code": "P", "parent_code": None}, True),  # child → parent
        ({"code": "P", "parent_code": None}, {"code": "C", "parent_code": "P"}, True),  # parent → child
        ({"code": "C1", "parent_code": "P"}, {"code": "C2", "parent_code": "P"}, True),  # siblings
        ({"code": "A", "parent_code": None}, {"code": "B", "parent_code": None}, False),
        ({"code": "A", "parent_code": float("nan")}, {"code": "B", "parent_code": float("nan")}, False),
    ],
    ids=["child", "parent", "siblings", "unrelated", "nan"],
)
def test_linked(a: dict[str, object], b: dict[str, object], expected: bool) -> None:
    assert coh.linked(a, b) is expected


def test_overlap_linkage_and_the_table() -> None:
    pf = f.portfolio(_programmes())
    score, shared, total = coh.overlap_score(_own(), pf.programmes, AS_OF)
    assert (shared, total) == (1, 3) and score == pytest.approx(2 / 3)  # 1 − 1/3
    table = coh.overlaps(_own(), pf.programmes, AS_OF)
    rows = {r["programme"]: r for _, r in table.iterrows()}
    assert set(rows) == {"Q1", "Q2", "Q3"}  # Q4 works elsewhere
    assert rows["Q1"]["merged"] and rows["Q1"]["years"] == [2016] and not rows["Q1"]["linked"]
    assert rows["Q2"]["linked"] and rows["Q2"]["years"] == [2014] and not rows["Q2"]["merged"]
    assert not rows["Q3"]["same_sector"] and rows["Q3"]["years"] == [2014, 2015, 2016]
    # related same-sector programmes: Q1 (unlinked) and Q2 (linked) → 1/2
    assert coh.linkage_score(table) == (0.5, ["Q2"], ["Q1"])


def test_twice_measured() -> None:
    pf = f.portfolio(_programmes(), OBSERVATIONS)
    twice = coh.twice_measured("P1", pf.observations, {"Q2"})
    assert len(twice) == 3  # the three province observations of VN.GN.01
    by_period = {r["period"]: r for _, r in twice.iterrows()}
    assert by_period["2016"]["unlinked"] == ["Q1"]
    assert by_period["2014"]["unlinked"] == [] and by_period["2014"]["linked"] == ["Q2"]
    assert coh.measurement_score(twice) == pytest.approx(2 / 3)  # 1 − 1/3
    assert coh.measurement_score(coh.twice_measured("Q3", pf.observations, set())) == 1.0
    assert coh.measurement_score(coh.twice_measured("Q9", pf.observations, set())) is None


def test_assess_hand_made() -> None:
    pf = f.portfolio(_programmes(), OBSERVATIONS)
    data = f.data("P1", provinces=["15"], start=date(2014, 1, 1), end=date(2016, 12, 31), parent_code="Q2",
                  as_of=AS_OF)  # fmt: skip
    result = coh.assess(data, pf, lang="en")
    assert result.scores == pytest.approx({"overlap": 2 / 3, "measurement": 2 / 3, "linkage": 0.5})
    # (0.6667 + 0.6667 + 0.5·0.5)/2.5 = 0.6333 → level 3 (0.6 ≤ score < 0.85)
    assert result.rating is not None and result.rating.level == 3
    text = " ".join(x.statement for x in result.findings)
    assert "1 of 3 province-years" in text and "Q1" in text
    assert "15 Yên Bái merged into it in 2025" in text  # the merger is named
    assert "Linked programmes" in text and "Q2" in text
    assert result.recommendations
    json.dumps(result.to_json())
    assert len(coh.charts(result)) == 1


def test_alone_in_the_store_and_no_portfolio() -> None:
    data = f.data("P1", start=date(2014, 1, 1), end=date(2016, 12, 31), as_of=AS_OF)
    alone = f.portfolio([_own() | {"provinces": ["11"], "parent_code": None}])
    result = coh.assess(data, alone, lang="vi")
    assert result.scores == {"overlap": 1.0, "measurement": None, "linkage": None}
    assert result.rating is not None and result.rating.level == 4
    assert any("0 chương trình khác" in x.statement for x in result.findings)
    none = coh.assess(data, None, lang="en")
    assert none.scores == {"overlap": None, "measurement": None, "linkage": None}
    assert none.rating is not None and none.rating.level is None and none.rating.label == "not rated"


def test_sample() -> None:
    pf, programmes = f.sample_store()
    results = {code: coh.assess(d, pf, lang="en") for code, d in programmes.items()}
    assert all(r.scores["overlap"] is not None and r.rating and r.rating.level for r in results.values())
    # the replication is linked to its original: it shares measurements with it but is no duplicate
    original = results["DB-BSS-2011"]
    assert original.metrics["linked_programmes"] == ["DB-BSS-NR-2016"]
    assert original.metrics["measured_twice"] == 0
    shared = original.tables["measurement"]
    assert (shared.iloc[:, 5] == "DB-BSS-NR-2016").any()
    # Yên Bái (15) merged into Lào Cai (10), where GOPA worked in 2014: found through the current province
    yb = results["YB-GA-2014"].tables["overlaps"]
    gopa = yb[yb.iloc[:, 0] == "GOPA"]
    assert len(gopa) == 1 and gopa.iloc[0, 4] == geo.successor("15") and bool(gopa.iloc[0, 7])
    for result in results.values():
        json.dumps(result.to_json())
