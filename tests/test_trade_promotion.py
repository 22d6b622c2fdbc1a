"""The trade-promotion results framework (seed 000): committed as generated, imports cleanly, covers the seed."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from mel_core.demo import trade_promotion as tp
from mel_core.ingest import import_path
from mel_core.store import Indicator, Programme, table_of

#: The indicators seed 000 designs for provincial reporting, verbatim.
SEED_PROVINCIAL = (
    "Tăng trưởng doanh thu xuất khẩu của các DNNVV tham gia Chương trình",
    "Tăng trưởng doanh số bán hàng của các DNNVV tham gia Chương trình",
    "Số thị trường mới mở của các DN tham gia Chương trình trong kỳ báo cáo",
    "Số khách hàng mới của các DN tham gia Chương trình trong kỳ báo cáo",
    "Số DN có sản phẩm xuất khẩu mới",
    "Số hoạt động đã tham gia cùng Chương trình",
    "Số cán bộ tham gia theo từng loại hoạt động với Chương trình",
    "Số lượt cán bộ tham gia theo từng loại hoạt động với Chương trình",
    "Số doanh nghiệp của tỉnh tham gia các hoạt động với Chương trình",
    "Số lượt doanh nghiệp tham gia hoạt động với Chương trình",
    "Số hoạt động do tỉnh tự triển khai ngoài Chương trình",
    "Số doanh nghiệp của tỉnh tham gia các hoạt động do tỉnh tự triển khai",
    "Doanh số gia tăng từ các hoạt động",
)


def _cells(value: object) -> object:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def _trimmed(row: list[object]) -> list[object]:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row


def test_the_committed_workbook_is_what_the_generator_gives():
    workbook = load_workbook(tp.WORKBOOK, read_only=True)
    expected = tp.framework()
    assert workbook.sheetnames == list(expected)
    for name, rows in expected.items():
        got = [_trimmed([_cells(v) for v in row]) for row in workbook[name].iter_rows(values_only=True)]
        assert got == [_trimmed(r) for r in rows], name


def test_it_imports_cleanly_into_an_empty_store(sqlite_engine):
    report = import_path(sqlite_engine, tp.WORKBOOK)
    assert {t.name: t.rows for t in report.tables} == {
        "programmes": 2, "indicators": len(tp.PROGRAMME_INDICATORS) + len(tp.PROVINCIAL_INDICATORS), "targets": 0,
        "observations": 0,
    }  # fmt: skip
    i, p = table_of(Indicator), table_of(Programme)
    with sqlite_engine.connect() as conn:
        rows = conn.execute(
            select(i, p.c.code.label("programme")).join(p, p.c.id == i.c.programme_id)
        ).mappings()
        indicators = [dict(r) for r in rows]
        parent = conn.execute(select(p.c.parent_id).where(p.c.code == tp.PROVINCIAL)).scalar_one()
    assert parent is not None
    for level in ("input", "output", "outcome", "impact"):
        for programme in (tp.PROGRAMME, tp.PROVINCIAL):
            assert any(r["level"] == level and r["programme"] == programme for r in indicators), (
                level,
                programme,
            )
    for r in indicators:
        for field in (
            "name",
            "name_en",
            "unit",
            "frequency",
            "data_source",
            "compiling_agency",
            "providing_agency",
        ):
            assert r[field], (r["code"], field)
        assert unicodedata.is_normalized("NFC", r["name"])
        assert r["objective_id"] is not None
    computed = {
        (r["programme"], r["code"]): (r["method"], r["components"]) for r in indicators if r["method"]
    }
    assert computed[(tp.PROVINCIAL, "XK_TT")] == ("growth_rate", "XK_DT")
    assert computed[(tp.PROVINCIAL, "TL_DN_SPXK")] == ("share", "DN_SPXK;DN_TG")


def test_every_indicator_of_seed_000_is_there():
    names = {s[1] for s in tp.PROVINCIAL_INDICATORS}
    assert set(SEED_PROVINCIAL) <= names
    programme = {s[1] for s in tp.PROGRAMME_INDICATORS}
    assert len([n for n in programme if n.startswith("Số hoạt động: ")]) == 10  # the ten activity types
    # the provincial results the parent programme rolls up share their codes
    assert {"XK_DT", "TT_MOI", "KH_MOI"} <= {s[0] for s in tp.PROGRAMME_INDICATORS}


def test_out_writes_the_same_workbook_elsewhere(tmp_path, capsys):
    out = tmp_path / "khung.xlsx"
    assert tp.main(["--out", str(out)]) == 0
    assert "38 indicators" in capsys.readouterr().out
    again = load_workbook(out, read_only=True)
    assert again["indicators"]["C2"].value == tp.framework()["indicators"][1][2]


@pytest.mark.parametrize("sheet", ["targets", "observations"])
def test_targets_and_actuals_are_left_to_fill(sheet):
    assert tp.framework()[sheet] == [tp.framework()[sheet][0]]
