"""The plan's framework (seed 004, chapter III, Tables 4.1 and 4.5, appendices 2a and 4a) and its import formats.

Every form is checked against the store's own rows (SQL written here, not the report code's frames), on SQLite
and on PostgreSQL: the fields and sectors of the plan, each indicator under its own sector with its objective,
its solution and the plan in force, the adjusted plan beside the original one.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, bindparam, text
from sqlmodel import Session
from typer.testing import CliRunner

from mel_core.cli import app, main
from mel_core.errors import ImportValidationError
from mel_core.ingest import import_path
from mel_core.ingest.export import export_path
from mel_core.reference import init_store, plan_fields, taxonomy
from mel_core.reports import ReportRequestError, SectorError, build_report
from mel_core.reports.plan import PLAN_USED
from mel_core.reports.table import ReportTable, cell_text, planned, sector_place
from mel_core.store import make_engine
from mel_core.vocabulary import SECTORS
from tests.criteria_frames_results import sample_engine

TODAY = date(2026, 11, 23)
CODE = re.compile(r"\(([A-Z0-9.\-]+)\): ")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = sample_engine(tmp_path_factory.mktemp("plan"))
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def pg(request):
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from tests.conftest import _fresh_pg_database

    eng = make_engine(_fresh_pg_database(request.getfixturevalue("pg_server")))
    init_store(eng)
    import_path(eng, SAMPLE_WORKBOOK)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, engine):
    return engine if request.param == "sqlite" else request.getfixturevalue("pg")


def report(eng: Engine, kind: str, **kw) -> ReportTable:
    with Session(eng) as session:
        return build_report(session, kind, today=TODAY, **kw)


# ------------------------------------------------------------------------------------------- the store's rows


def expected(eng: Engine, province: str, programmes: list[str], period: str) -> dict[tuple[str, str], dict]:
    """(programme, indicator) → what the framework must show, read from the store with plain SQL."""
    sql = text(
        "SELECT p.code, i.code, i.name, i.unit, i.level, COALESCE(i.sector, p.sector), o.number, o.statement,"
        " s.number, s.statement, i.compiling_agency, i.providing_agency,"
        " (SELECT COUNT(*) FROM programme_provinces pp WHERE pp.programme_id = p.id)"
        " FROM indicators i JOIN programmes p ON p.id = i.programme_id"
        " LEFT JOIN objectives o ON o.id = i.objective_id LEFT JOIN solutions s ON s.id = i.solution_id"
        " WHERE p.code IN :codes"
    ).bindparams(bindparam("codes", expanding=True))
    plans = text(
        "SELECT COALESCE(t.adjusted_value, t.value), CASE WHEN t.adjusted_value IS NULL THEN t.value_high"
        " ELSE t.adjusted_value_high END, t.value, t.adjusted_on, t.adjustment_reason"
        " FROM targets t JOIN indicators i ON i.id = t.indicator_id JOIN programmes p ON p.id = i.programme_id"
        " WHERE p.code = :p AND i.code = :i AND t.period = :period AND t.admin_unit_code = :unit"
    )
    out = {}
    with eng.connect() as conn:
        for row in conn.execute(sql, {"codes": programmes}).all():
            (programme, code, name, unit, level, sector, objective, statement, solution, solution_text,
             compiling, providing, provinces) = row  # fmt: skip
            where = "VN" if provinces == 1 else province
            plan = conn.execute(plans, {"p": programme, "i": code, "period": period, "unit": where}).first()
            out[(programme, code)] = {
                "name": name, "unit": unit, "level": level, "sector": sector, "objective": objective,
                "statement": statement, "solution": solution, "solution_text": solution_text,
                "compiling": compiling, "providing": providing, "plan": plan,
            }  # fmt: skip
    return out


def programmes_in(eng: Engine, province: str) -> list[str]:
    with eng.connect() as conn:
        return list(
            conn.scalars(
                text(
                    "SELECT p.code FROM programmes p JOIN programme_provinces pp ON pp.programme_id = p.id"
                    " WHERE pp.admin_unit_code = :c"
                ),
                {"c": province},
            )
        )


def shown_target(plan) -> str:
    """The plan in force as the form writes it."""
    if plan is None:
        return "–"
    value, high = plan[0], plan[1]
    return cell_text(planned(value, high))


# ------------------------------------------------------------------------------------------ reading the form


def framework_cells(table: ReportTable, label: int = 1) -> dict[tuple[str, str], dict]:
    """(programme, indicator) → where the form shows it: sector number, column, text, objective, solution."""
    found: dict[tuple[str, str], dict] = {}
    sector = programme = objective = solution = None
    for row in table.body:
        first = cell_text(row.cells[label])
        if row.kind in ("group", "field"):
            sector = cell_text(row.cells[0])
            continue
        if row.kind == "programme":
            programme = first.rsplit("(", 1)[1].rstrip(")")
            objective = solution = None
            continue
        if row.kind not in ("item", "objective"):
            continue
        if row.cells[1]:
            objective, solution = cell_text(row.cells[1]), None
        if row.cells[2]:
            solution = cell_text(row.cells[2])
        for column in (3, 4, 5):
            content = cell_text(row.cells[column])
            match = CODE.search(content)
            if match:
                assert (programme, match.group(1)) not in found, f"{match.group(1)} is listed twice"
                found[(programme, match.group(1))] = {
                    "sector": sector, "column": column, "text": content, "objective": objective,
                    "solution": solution, "row": row,
                }  # fmt: skip
    return found


def plan_rows_of(table: ReportTable) -> list[str]:
    """The numbers and titles of the field and sector rows, in order."""
    return [
        f"{cell_text(r.cells[0])} {cell_text(r.cells[1])}" for r in table.body if r.kind in ("field", "group")
    ]


def every_field_and_sector() -> list[str]:
    return [
        line
        for f in plan_fields()
        for line in [f"{f.number} {f.vi.upper()}", *(f"{s.number} {s.vi}" for s in f.sectors)]
    ]


COLUMN = {"input": 3, "output": 4, "outcome": 5, "impact": 5}


def check_against_store(table: ReportTable, want: dict, *, active: set[str]) -> None:
    shown = framework_cells(table)
    assert set(shown) == {key for key in want if key[0] in active}
    for key, cell in shown.items():
        row = want[key]
        assert cell["sector"] == sector_place(row["sector"])[2], key  # its own sector, not its programme's
        assert cell["column"] == COLUMN[row["level"]], key
        assert cell["text"].startswith(f"{row['name']} ({key[1]}): {shown_target(row['plan'])} "), cell[
            "text"
        ]
        if row["objective"] is None:
            assert cell["objective"].startswith("Mục tiêu chung: "), key
        else:
            assert cell["objective"] == f"Mục tiêu {row['objective']}: {row['statement']}", key
        if row["solution"] is not None:
            assert cell["solution"] == f"Giải pháp {row['solution']}: {row['solution_text']}", key
        else:
            assert cell["solution"] in (None, "(chỉ tiêu chung của mục tiêu)"), key
        agencies = cell_text(cell["row"].cells[6])
        assert row["compiling"] is None or row["compiling"] in agencies, key
        plan = row["plan"]
        if plan is not None and plan[3] is not None:  # an adjusted plan names its date, reason and original
            day = plan[3] if isinstance(plan[3], date) else date.fromisoformat(str(plan[3]))
            assert f"kế hoạch điều chỉnh ngày {day:%d/%m/%Y} ({plan[4]})" in cell["text"]
            assert f"kế hoạch ban đầu: {cell_text(planned(plan[2]))}" in cell["text"]


# ----------------------------------------------------------------------------------------------------- tests


def test_the_fields_and_sectors_are_the_manuals():
    fields = plan_fields()
    assert [f.vi.upper() for f in fields] == [
        "PHÁT TRIỂN KINH TẾ",
        "PHÁT TRIỂN XÃ HỘI",
        "QUẢN LÝ TÀI NGUYÊN VÀ BẢO VỆ MÔI TRƯỜNG",
        "QUẢN LÝ NHÀ NƯỚC",
    ]  # four fields, none the manual does not have
    placed = [key for f in fields for s in f.sectors for key in s.sectors]
    assert sorted(placed) == sorted(SECTORS) and len(placed) == len(set(placed))  # each sector in one place
    social = {s.key for s in fields[1].sectors}
    assert {"education", "health", "culture", "information", "labour", "poverty"} <= social
    assert [s.key for s in fields[2].sectors] == ["natural_resources", "environment", "climate_change"]
    labels = taxonomy()["plan_sectors"]
    assert all(
        labels[s.key]["vi"] == s.vi and labels[s.key]["en"] == s.en and s.en
        for f in fields
        for s in f.sectors
    )
    assert taxonomy()["sectors"]["health"]["vi"] == "Y tế, dân số và kế hoạch hoá gia đình"  # commas kept


def test_table_4_1_shows_objectives_and_solutions_not_the_programme_title(engine):
    table = report(engine, "annual", programme="DB-BSS-2011", period="2013", form="4.1")
    title = "Mô hình nuôi bò sinh sản cho hộ nghèo huyện Điện Biên Đông"
    with engine.connect() as conn:
        general = conn.scalar(text("SELECT general_objective FROM programmes WHERE code = 'DB-BSS-2011'"))
    assert general and table.intro == [f"Mục tiêu chung: {general}", PLAN_USED["adjusted"]]  # not the title
    solutions = [cell_text(r.cells[2]) for r in table.body if r.cells[2]]
    assert solutions and not any(title in s for s in solutions)  # the title is not a solution
    assert (
        "Giải pháp 1: Hỗ trợ bò giống sinh sản cho hộ nghèo theo nhóm hộ, kèm cam kết chăm sóc và luân chuyển bê"
        in solutions
    )
    assert not any("Chưa gắn mục tiêu" in cell_text(c) for r in table.body for c in r.cells)
    # the input, the output and the outcome of solution 1 stand on one line, in their columns
    line = next(r for r in table.body if "(IN1)" in cell_text(r.cells[3]))
    assert "(OP1)" in cell_text(line.cells[4]) and "(OC1)" in cell_text(line.cells[5])
    assert cell_text(line.cells[1]).startswith("Mục tiêu 1: ")


def test_a_province_names_each_programme_once(engine):
    table = report(engine, "annual", province="11", period="2013", form="4.1")
    names = [cell_text(r.cells[1]) for r in table.body if r.kind == "programme"]
    gopa = [n for n in names if "GOPA" in n]
    assert gopa and all(n == "Chương trình Quản trị công và Cải cách hành chính (GOPA)" for n in gopa)
    assert all(n.count("(") == 1 for n in names if "(DB-BSS-2011)" in n)


def test_province_framework_4_1_has_every_field_and_the_stores_figures(store):
    table = report(store, "annual", province="11", period="2013", form="4.1")
    assert plan_rows_of(table) == every_field_and_sector()
    assert table.title[1] == "NĂM 2013 - TỈNH ĐIỆN BIÊN"
    codes = programmes_in(store, "11")
    check_against_store(table, expected(store, "11", codes, "2013"), active={"DB-BSS-2011", "GOPA"})
    # an indicator of a livestock model placed in its own sector: poverty reduction, vocational training
    shown = framework_cells(table)
    assert (
        shown[("DB-BSS-2011", "IM1")]["sector"] == "2.6" and shown[("DB-BSS-2011", "OP2")]["sector"] == "2.5"
    )
    assert shown[("GOPA", "OP1")]["sector"] == "4.3"
    empty = [r for r in table.body if r.kind == "empty"]
    assert empty and all("chưa có" in cell_text(r.cells[1]) for r in empty)


def test_the_adjusted_plan_stands_beside_the_original_and_is_the_plan_in_force(store):
    with store.connect() as conn:
        original, adjusted, day, reason = conn.execute(
            text(
                "SELECT t.value, t.adjusted_value, t.adjusted_on, t.adjustment_reason FROM targets t"
                " JOIN indicators i ON i.id = t.indicator_id JOIN programmes p ON p.id = i.programme_id"
                " WHERE p.code = 'DB-BSS-2011' AND i.code = 'OP1' AND t.period = '2013'"
            )
        ).one()
        actual = conn.scalar(
            text(
                "SELECT o.value FROM observations o JOIN indicators i ON i.id = o.indicator_id JOIN programmes p"
                " ON p.id = i.programme_id WHERE p.code = 'DB-BSS-2011' AND i.code = 'OP1' AND o.period = '2013'"
                " AND o.admin_unit_code = '11' AND o.disaggregation = ''"
            )
        )
    assert adjusted is not None and adjusted != original
    day = day if isinstance(day, date) else date.fromisoformat(str(day))
    frame = report(store, "annual", programme="DB-BSS-2011", period="2013")
    row = next(r for r in frame.body if r.kind == "item" and "(OP1)" in cell_text(r.cells[1]))
    assert row.cells[3].value == adjusted  # the plan in force
    assert row.cells[10].value == pytest.approx(actual / adjusted * 100)  # the rate against it
    assert cell_text(row.cells[11]) == (
        f"kế hoạch điều chỉnh ngày {day:%d/%m/%Y} ({reason}); kế hoạch ban đầu: {cell_text(planned(original))}"
    )
    five = report(store, "five-year", programme="DB-BSS-2011", period="2011-2015")
    line = next(r for r in five.body if r.kind == "item" and "(OP1," in cell_text(r.cells[1]))
    assert line.cells[4 + 2].value == adjusted  # the annual plan of 2013 in Table 4.5 is the one in force


def test_the_original_plan_is_an_option_and_the_form_says_which_plan_it_rates_against(store):
    with store.connect() as conn:
        original, adjusted, day, reason = conn.execute(
            text(
                "SELECT t.value, t.adjusted_value, t.adjusted_on, t.adjustment_reason FROM targets t"
                " JOIN indicators i ON i.id = t.indicator_id JOIN programmes p ON p.id = i.programme_id"
                " WHERE p.code = 'DB-BSS-2011' AND i.code = 'OP1' AND t.period = '2013'"
            )
        ).one()
        actual = conn.scalar(
            text(
                "SELECT o.value FROM observations o JOIN indicators i ON i.id = o.indicator_id JOIN programmes p"
                " ON p.id = i.programme_id WHERE p.code = 'DB-BSS-2011' AND i.code = 'OP1' AND o.period = '2013'"
                " AND o.admin_unit_code = '11' AND o.disaggregation = ''"
            )
        )
        unadjusted = conn.execute(
            text(
                "SELECT i.code, t.value, t.value_high FROM targets t JOIN indicators i ON i.id = t.indicator_id"
                " JOIN programmes p ON p.id = i.programme_id WHERE p.code = 'DB-BSS-2011' AND t.period = '2013'"
                " AND t.admin_unit_code = 'VN' AND t.adjusted_value IS NULL AND i.level <> 'input'"
            )
        ).all()
    assert adjusted is not None and adjusted != original and unadjusted
    day = day if isinstance(day, date) else date.fromisoformat(str(day))
    by_plan = {
        plan: report(store, "annual", programme="DB-BSS-2011", period="2013", plan=plan)
        for plan in ("adjusted", "original")
    }
    assert by_plan["adjusted"].intro[-1] == PLAN_USED["adjusted"]
    assert by_plan["original"].intro[-1] == PLAN_USED["original"]
    assert "kế hoạch ban đầu" in PLAN_USED["original"] and "original plan" in PLAN_USED["original"]

    def line(table: ReportTable, code: str):
        return next(r for r in table.body if r.kind == "item" and f"({code})" in cell_text(r.cells[1]))

    row = line(by_plan["original"], "OP1")
    assert row.cells[3].value == original  # the plan as first approved
    assert row.cells[10].value == pytest.approx(actual / original * 100)  # the rate against it
    assert cell_text(row.cells[11]) == (
        f"kế hoạch ban đầu; điều chỉnh ngày {day:%d/%m/%Y} ({reason}) thành: {cell_text(planned(adjusted))}"
    )
    assert line(by_plan["adjusted"], "OP1").cells[3].value == adjusted
    for code, value, high in unadjusted:  # a target never adjusted is the same plan either way
        cells = [line(by_plan[p], code).cells for p in ("adjusted", "original")]
        assert [cell_text(c) for c in cells[0][2:11]] == [cell_text(c) for c in cells[1][2:11]], code
        assert cell_text(planned(value, high)) in (cell_text(cells[1][3]), cell_text(cells[1][5])), code
    five = report(store, "five-year", programme="DB-BSS-2011", period="2011-2015", plan="original")
    row = next(r for r in five.body if r.kind == "item" and "(OP1," in cell_text(r.cells[1]))
    assert row.cells[4 + 2].value == original  # the annual plan of 2013 in Table 4.5, as first approved
    frame = report(store, "annual", programme="DB-BSS-2011", period="2013", form="4.1", plan="original")
    text_41 = " ".join(cell_text(c) for r in frame.body for c in r.cells)
    assert f"kế hoạch ban đầu; điều chỉnh ngày {day:%d/%m/%Y}" in text_41
    with pytest.raises(ReportRequestError):
        report(store, "annual", programme="DB-BSS-2011", period="2013", plan="revised")


def test_the_plan_option_of_the_command(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url))
    out = tmp_path / "original.html"
    result = CliRunner().invoke(
        app, ["report", "annual", "DB-BSS-2011", "--period", "2013", "--plan", "original", "--format", "html",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert PLAN_USED["original"] in out.read_text(encoding="utf-8")
    assert main(["report", "annual", "DB-BSS-2011", "--plan", "revised"]) == 64  # EX_USAGE, with the choices
    assert "--plan original" in capsys.readouterr().err
    result = CliRunner().invoke(app, ["report", "five-year", "--help"], env={"COLUMNS": "200"})
    assert "--plan" in result.output and "adjusted|original" in result.output


def issues_cells(table: ReportTable) -> tuple[dict[str, list[tuple[str, str]]], dict[tuple[str, str], dict]]:
    """Appendix 1b read back: programme → its (key issues, general objective) lines; (programme, indicator) →
    the column it stands in (4: result, 10: output) with the row."""
    generals: dict[str, list[tuple[str, str]]] = {}
    found: dict[tuple[str, str], dict] = {}
    programme = None
    for row in table.body:
        if row.kind == "programme":
            programme = cell_text(row.cells[1]).rsplit("(", 1)[1].rstrip(")")
            continue
        if row.kind not in ("item", "objective") or programme is None:
            continue
        if cell_text(row.cells[2]).startswith("Mục tiêu chung: "):
            generals.setdefault(programme, []).append((cell_text(row.cells[1]), cell_text(row.cells[2])))
        for column in (4, 10):
            if (match := CODE.search(cell_text(row.cells[column]) + ": ")) is not None:
                found[(programme, match.group(1))] = {"column": column, "row": row}
    return generals, found


def test_appendix_1b_puts_the_key_remaining_issues_beside_each_general_objective(store):
    """Seed 004, appendix 1b: key issues, general objectives, result targets and outputs, checked against SQL."""
    table = report(store, "annual", province="11", period="2013", form="1b")
    assert table.form == "1b" and table.columns == 14
    assert [h.text for h in table.header if h.col == 1] == ["Những vấn đề tồn tại chủ yếu"]
    assert plan_rows_of(table) == every_field_and_sector()
    generals, found = issues_cells(table)
    programmes = programmes_in(store, "11")
    with store.connect() as conn:
        plans = conn.execute(
            text(
                "SELECT code, key_issues, general_objective FROM programmes WHERE code IN :codes"
            ).bindparams(bindparam("codes", expanding=True)),
            {"codes": programmes},
        ).all()
    assert any(issues for _, issues, _ in plans)  # the sample words the key issues of Điện Biên's plans
    assert "DB-BSS-2011" in generals
    for code, issues, general in plans:
        if code not in generals:  # not running in 2013, with no plan or figure inside it
            continue
        # the key issues stand once, beside the general objective, in the programme's own sector
        assert generals[code].count((issues or "–", f"Mục tiêu chung: {general or '–'}")) == 1, code
    want = expected(store, "11", programmes, "2013")
    shown_programmes = set(generals) | {p for p, _ in found}
    kept = {key for key, row in want.items() if row["level"] != "input" and key[0] in shown_programmes}
    assert set(found) == kept  # every result and output indicator, and no input indicator
    for key, cell in found.items():
        row, cells = want[key], cell["row"].cells
        target = shown_target(row["plan"])
        if row["level"] == "output":
            assert cell["column"] == 10, key
            assert cell_text(cells[10]).startswith(f"{row['name']} ({key[1]}): {target}"), cells[10]
            agency, method = cells[12], cells[13]
        else:
            assert cell["column"] == 4, key
            assert cell_text(cells[4]) == f"{row['name']} ({key[1]})"
            assert cell_text(cells[3]).startswith(target if target == "–" else f"{target} {row['unit']}"), (
                cells[3]
            )
            agency, method = cells[7], cells[8]
        assert cell_text(agency) == (row["providing"] or "–"), key
        assert cell_text(method) != "", key
        plan = row["plan"]
        if plan is not None and plan[3] is not None:  # an adjusted plan names its date, reason and original
            day = plan[3] if isinstance(plan[3], date) else date.fromisoformat(str(plan[3]))
            assert f"kế hoạch điều chỉnh ngày {day:%d/%m/%Y} ({plan[4]})" in " ".join(
                cell_text(c) for c in cells
            )
    # a solution of an objective stands in the column of solutions, its outputs beside it
    solutions = [cell_text(r.cells[9]) for r in table.body if cell_text(r.cells[9]).startswith("Giải pháp ")]
    assert (
        "Giải pháp 1: Hỗ trợ bò giống sinh sản cho hộ nghèo theo nhóm hộ, kèm cam kết chăm sóc và luân chuyển bê"
        in (solutions)
    )


def test_appendix_1b_goes_with_annual_reports_only(engine):
    with pytest.raises(ReportRequestError):
        report(engine, "six-month", province="11", period="2013-H1", form="1b")
    table = report(engine, "annual", programme="DB-BSS-2011", period="2013", form="1b")
    assert table.intro[0].startswith("Mục tiêu chung: ") and table.intro[-1] == PLAN_USED["adjusted"]
    first = next(r for r in table.body if cell_text(r.cells[2]).startswith("Mục tiêu chung: "))
    assert cell_text(first.cells[1]).startswith("Tỷ lệ hộ nghèo ở các xã vùng cao còn trên 50 %")


def test_province_framework_4_5_has_every_field_and_the_stores_plans(store):
    table = report(store, "five-year", province="11", period="2011-2015")
    assert plan_rows_of(table) == every_field_and_sector()
    codes = programmes_in(store, "11")
    sector = None
    seen = {}
    for row in table.body:
        if row.kind == "group":
            sector = cell_text(row.cells[0])
        if row.kind == "programme":
            programme = cell_text(row.cells[1]).rsplit("(", 1)[1].rstrip(")")
        if row.kind == "item":
            code = cell_text(row.cells[1]).rsplit("(", 1)[1].split(",")[0]
            seen[(programme, code)] = (sector, row)
    for year_index, year in enumerate(range(2011, 2016)):
        want = expected(store, "11", codes, str(year))
        for key, (where, row) in seen.items():
            assert where == sector_place(want[key]["sector"])[2]
            assert cell_text(row.cells[4 + year_index]) == shown_target(want[key]["plan"]), (key, year)
    assert {k[0] for k in seen} == {"DB-BSS-2011", "GOPA"}


@pytest.mark.parametrize(("sector", "cross"), [("agriculture", False), ("labour", True)])
def test_the_sectoral_framework_2a_holds_its_sub_sectors_and_cross_sector_part(store, sector, cross):
    table = report(store, "annual", province="11", period="2013", sector=sector)
    assert table.form == "2a" and table.title[0].endswith(
        {
            "agriculture": "NGÀNH NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
            "labour": "NGÀNH GIÁO DỤC NGHỀ NGHIỆP VÀ VIỆC LÀM",
        }[sector]
    )
    plan_sector = next(s for f in plan_fields() for s in f.sectors if s.key == sector)
    sections = [cell_text(r.cells[1]) for r in table.body if r.kind in ("field", "group")]
    names = taxonomy()["sectors"]
    subs = [f"Tiểu ngành {n}: {names[k]['vi']}" for n, k in enumerate(plan_sector.sectors, start=1)]
    assert sections[0].startswith("PHẦN CHUNG CỦA NGÀNH") and sections[-len(subs) :] == subs
    assert ("PHẦN LIÊN NGÀNH" in sections) == cross
    want = {
        k: v
        for k, v in expected(store, "11", ["DB-BSS-2011", "GOPA"], "2013").items()
        if v["sector"] in plan_sector.sectors
    }
    shown = framework_cells(table)
    assert set(shown) == set(want) and want
    with store.connect() as conn:
        how = {
            (p, c): (f, t, m)
            for p, c, f, t, m in conn.execute(
                text(
                    "SELECT p.code, i.code, i.frequency, i.timing, i.collection_method FROM indicators i"
                    " JOIN programmes p ON p.id = i.programme_id"
                )
            )
        }
    frequency_vi = {"annual": "hằng năm", "quarterly": "hằng quý", "6-monthly": "6 tháng"}
    for key, cell in shown.items():
        assert cell["text"].startswith(f"{want[key]['name']} ({key[1]}): {shown_target(want[key]['plan'])} ")
        frequency, timing, method = how[key]
        when = ", ".join(x for x in (frequency_vi.get(frequency, frequency), timing) if x)
        remark = f"{key[1]}: " + "; ".join(x for x in (when, method) if x)
        assert remark in cell_text(cell["row"].cells[8]), (key, cell_text(cell["row"].cells[8]))
    if cross:  # the livestock model's training indicator is in vocational training: cross-sector
        assert shown[("DB-BSS-2011", "OP2")]["text"].startswith(
            "Số lượt người được tập huấn kỹ thuật chăn nuôi"
        )


def test_the_five_year_sectoral_framework_4a_reads_the_span_target(store):
    table = report(store, "five-year", province="11", period="2011-2015", sector="poverty")
    assert table.form == "4a" and "5 NĂM 2011-2015" in table.title[0]
    shown = framework_cells(table)
    with store.connect() as conn:
        span = conn.scalar(
            text(
                "SELECT COALESCE(t.adjusted_value, t.value) FROM targets t JOIN indicators i ON i.id = t.indicator_id"
                " JOIN programmes p ON p.id = i.programme_id WHERE p.code = 'DB-BSS-2011' AND i.code = 'IM1'"
                " AND t.period = '2011-2015' AND t.admin_unit_code = 'VN'"
            )
        )
    assert shown[("DB-BSS-2011", "IM1")]["text"].startswith(
        f"Tỷ lệ hộ nghèo ở các xã dự án (IM1): {cell_text(planned(span))} %"
    )


def test_the_forms_read_the_same_on_sqlite_and_postgresql(engine, request):
    pg = request.getfixturevalue("pg")
    for kind, kw in (
        ("annual", {"province": "11", "period": "2013", "form": "4.1"}),
        ("annual", {"province": "11", "period": "2013", "sector": "labour"}),
        ("five-year", {"province": "11", "period": "2011-2015", "sector": "administration"}),
        ("five-year", {"province": "45"}),
    ):
        assert [r.cells for r in report(pg, kind, **kw).body] == [
            r.cells for r in report(engine, kind, **kw).body
        ]


test_the_forms_read_the_same_on_sqlite_and_postgresql = pytest.mark.postgres(
    test_the_forms_read_the_same_on_sqlite_and_postgresql
)


@pytest.mark.parametrize(
    ("kind", "kw"),
    [
        ("annual", {"province": "11", "sector": "nope"}),
        ("six-month", {"province": "11", "sector": "agriculture"}),
        ("annual", {"province": "11", "form": "2a"}),
        ("annual", {"province": "11", "form": "4.1", "sector": "agriculture"}),
    ],
    ids=["unknown-sector", "no-sectoral-six-month", "2a-without-sector", "other-form-with-sector"],
)
def test_bad_sectoral_requests_are_clear_errors(engine, kind, kw):
    with pytest.raises(SectorError) as caught:
        report(engine, kind, **kw)
    assert caught.value.message


def test_the_command_writes_the_sectoral_framework(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url))
    runner = CliRunner()
    out = tmp_path / "2a.xlsx"
    result = runner.invoke(
        app,
        ["report", "annual", "--province", "11", "--period", "2013", "--sector", "labour", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    texts = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "PHẦN LIÊN NGÀNH" in texts and any(str(t).startswith("Số lượt người được tập huấn") for t in texts)
    html = tmp_path / "4a.html"
    result = runner.invoke(
        app,
        [
            "report",
            "five-year",
            "--province",
            "11",
            "--sector",
            "poverty",
            "--format",
            "html",
            "--out",
            str(html),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Tiểu ngành 1: An sinh xã hội" in html.read_text(encoding="utf-8")
    result = runner.invoke(app, ["report", "annual", "--help"], env={"COLUMNS": "200"})
    assert "--sector" in result.output and "mel report annual --province 11 --sector" in result.output
    assert main(["report", "annual", "--province", "11", "--sector", "nope"]) == 64  # EX_USAGE, with the keys
    assert "agriculture" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------- the formats


def _write(folder: Path, name: str, rows: list[list[str]]) -> None:
    with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


PROGRAMME = [
    ["code", "title", "sector", "funding", "start_date", "provinces", "objectives", "general_objective",
     "key_issues"],
    ["P1", "Kế hoạch thử", "livestock", "state_budget", "2015-01-01", "11", "Tăng thu nhập;Giảm nghèo",
     "Phát triển bền vững", "Hộ nghèo thiếu vốn; thiếu kỹ thuật chăn nuôi"],
]  # fmt: skip


def test_solutions_sectors_and_adjusted_plans_import_export_and_import_again(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "programmes", PROGRAMME)
    _write(folder, "solutions", [
        ["programme_code", "objective", "solution", "statement"],
        ["P1", "1", "1", "Hỗ trợ bò giống"], ["P1", "Giảm nghèo", "1", "Tập huấn; có nhóm hộ"],
    ])  # fmt: skip
    _write(folder, "indicators", [
        ["programme_code", "code", "name", "level", "unit", "objective", "solution", "sector", "timing",
         "collection_method"],
        ["P1", "I1", "Vốn", "input", "triệu đồng", "1", "1", "livestock", "cuối quý", "báo cáo"],
        ["P1", "I2", "Hộ", "output", "hộ", "2", "1", "social_protection", "", ""],
    ])  # fmt: skip
    _write(folder, "targets", [
        ["programme_code", "indicator_code", "period", "value", "adjusted_value", "adjusted_on", "adjustment_reason"],
        ["P1", "I1", "2015", "100", "90", "2015-07-01", "Thiên tai"], ["P1", "I2", "2015", "50", "", "", ""],
    ])  # fmt: skip
    first = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    init_store(first)
    import_path(first, folder)
    import_path(first, folder)  # again: an update, never a duplicate
    with first.connect() as conn:
        assert conn.execute(text("SELECT o.number, s.number, s.statement FROM solutions s JOIN objectives o"
                                 " ON o.id = s.objective_id ORDER BY o.number")).all() == [
            (1, 1, "Hỗ trợ bò giống"), (2, 1, "Tập huấn; có nhóm hộ")]  # fmt: skip
        rows = conn.execute(text("SELECT i.code, i.sector, o.number, s.number, i.timing FROM indicators i LEFT JOIN"
                                 " solutions s ON s.id = i.solution_id LEFT JOIN objectives o ON o.id = s.objective_id"
                                 " ORDER BY i.code")).all()  # fmt: skip
        assert rows == [("I1", "livestock", 1, 1, "cuối quý"), ("I2", "social_protection", 2, 1, None)]
        target = conn.execute(text("SELECT value, adjusted_value, adjusted_on, adjustment_reason FROM targets"
                                   " WHERE adjusted_value IS NOT NULL")).one()  # fmt: skip
        assert (target[0], target[1], str(target[2]), target[3]) == (100, 90, "2015-07-01", "Thiên tai")
        assert conn.scalar(text("SELECT general_objective FROM programmes")) == "Phát triển bền vững"
        # one text, its ';' kept: the issues as the plan words them
        assert (
            conn.scalar(text("SELECT key_issues FROM programmes"))
            == "Hộ nghèo thiếu vốn; thiếu kỹ thuật chăn nuôi"
        )
    for suffix in ("csv", "xlsx"):
        out = tmp_path / ("out" if suffix == "csv" else "out.xlsx")
        export_path(first, out)
        second = make_engine(f"sqlite:///{tmp_path / f'b-{suffix}.db'}")
        init_store(second)
        import_path(second, out)
        export_path(second, tmp_path / f"again-{suffix}")
        export_path(first, tmp_path / f"first-{suffix}")
        for name in ("programmes", "solutions", "indicators", "targets"):
            assert (tmp_path / f"again-{suffix}" / f"{name}.csv").read_bytes() == (
                tmp_path / f"first-{suffix}" / f"{name}.csv"
            ).read_bytes(), (suffix, name)
        second.dispose()
    first.dispose()


def test_every_problem_of_the_plan_is_listed_and_nothing_is_written(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    _write(folder, "programmes", PROGRAMME)
    _write(folder, "solutions", [
        ["programme_code", "objective", "solution", "statement"],
        ["P1", "1", "1", "Hỗ trợ"], ["P1", "3", "1", "Không có mục tiêu 3"], ["P1", "1", "0", "Số 0"],
    ])  # fmt: skip
    _write(folder, "indicators", [
        ["programme_code", "code", "name", "level", "unit", "objective", "solution", "sector"],
        ["P1", "I1", "Vốn", "input", "triệu đồng", "1", "2", "livestock"],
        ["P1", "I2", "Hộ", "output", "hộ", "", "1", "social_protection"],
        ["P1", "I3", "Hộ", "output", "hộ", "1", "1", "tourism_x"],
    ])  # fmt: skip
    _write(folder, "targets", [
        ["programme_code", "indicator_code", "period", "value", "adjusted_value", "adjusted_value_high",
         "adjusted_on", "adjustment_reason"],
        ["P1", "I1", "2015", "100", "90", "", "", ""],
        ["P1", "I2", "2015", "100", "", "", "2015-07-01", ""],
        ["P1", "I3", "2015", "100", "90", "80", "2015-07-01", "lý do"],
    ])  # fmt: skip
    eng = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    init_store(eng)
    with pytest.raises(ImportValidationError) as caught:
        import_path(eng, folder)
    found = {(Path(p.source).name, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("solutions.csv", 3, "objective"),  # no objective 3
        ("solutions.csv", 4, "solution"),  # numbered from 1
        ("indicators.csv", 2, "solution"),  # objective 1 has no solution 2
        ("indicators.csv", 3, "solution"),  # a solution without its objective
        ("indicators.csv", 4, "sector"),  # not a sector
        ("targets.csv", 2, "adjusted_on"),  # an adjusted plan without its date …
        ("targets.csv", 2, "adjustment_reason"),  # … and its reason
        ("targets.csv", 3, "adjusted_on"),  # a date without an adjusted plan
        ("targets.csv", 4, "adjusted_value_high"),  # a range upside down
    }
    with eng.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM programmes")) == 0
    eng.dispose()


def test_an_old_workbook_without_the_plans_columns_still_imports(tmp_path):
    """The sample workbook as it was before the framework grew: no solutions sheet, no new columns."""
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    book = load_workbook(SAMPLE_WORKBOOK)
    del book["solutions"]
    new = {"programmes": {"general_objective", "key_issues"},
           "indicators": {"solution", "sector", "timing", "collection_method"},
           "targets": {"adjusted_value", "adjusted_value_high", "adjusted_on", "adjustment_reason"}}  # fmt: skip
    for name, columns in new.items():
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        for index in sorted((header.index(c) + 1 for c in columns), reverse=True):
            sheet.delete_cols(index)
    old = tmp_path / "old.xlsx"
    book.save(old)
    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    init_store(eng)
    result = import_path(eng, old)
    assert {t.name: t.rows for t in result.tables}["indicators"] == 62
    with eng.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM solutions")) == 0
        assert conn.scalar(text("SELECT COUNT(*) FROM targets WHERE adjusted_value IS NOT NULL")) == 0
    table = report(eng, "annual", province="11", period="2013", form="4.1")
    assert plan_rows_of(table) == every_field_and_sector()
    shown = framework_cells(table)
    assert shown[("DB-BSS-2011", "IM1")]["sector"] == "1.2"  # no own sector: the programme's
    assert shown[("GOPA", "IN1")]["objective"] == "Mục tiêu chung: –"  # no objective: under the general one
    with eng.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM programmes WHERE key_issues IS NOT NULL")) == 0
    issues = report(eng, "annual", province="11", period="2013", form="1b")
    beside = {
        cell_text(r.cells[1]) for r in issues.body if cell_text(r.cells[2]).startswith("Mục tiêu chung")
    }
    # no key issues in the store: "–" where each programme's general objective stands (empty in other sectors)
    assert "–" in beside and beside <= {"–", ""}
    eng.dispose()


def test_the_sample_shows_a_province_with_several_programmes_fields_and_an_adjusted_plan(engine):
    table = report(engine, "annual", province="11", period="2013", form="4.1")
    fields_with_content = set()
    field = None
    for row in table.body:
        if row.kind == "field":
            field = cell_text(row.cells[0])
        if row.kind == "programme":
            fields_with_content.add(field)
    assert fields_with_content >= {"1", "2", "4"}
    assert any("kế hoạch điều chỉnh ngày" in cell_text(c) for r in table.body for c in r.cells)
    assert sum(1 for r in table.body if r.cells[2] and cell_text(r.cells[2]).startswith("Giải pháp")) >= 5


def test_the_demo_writes_the_provinces_frameworks(engine, tmp_path):
    from mel_core.demo.frameworks import write_frameworks

    written = write_frameworks(engine, tmp_path)
    assert [p.name for p in written] == [
        "bieu-4.1_tinh-11_2013.xlsx",
        "bieu-1b_tinh-11_2013.xlsx",
        "bieu-2a_tinh-11_labour_2013.xlsx",
        "bieu-4a_tinh-11_poverty_2011-2015.xlsx",
        "bieu-4.2_tinh-11_2013.xlsx",
        "bieu-4.2_tinh-11_ke-hoach-ban-dau_2013.xlsx",
    ]
    sheets = [load_workbook(p).active for p in written]
    assert [s.title for s in sheets] == ["Biểu 4.1", "Biểu 1b", "Biểu 2a", "Biểu 4a", "Biểu 4.2", "Biểu 4.2"]
    issues = {str(c.value) for row in sheets[1].iter_rows() for c in row if c.value is not None}
    assert "Những vấn đề tồn tại chủ yếu" in issues
    assert any(t.startswith("Tỷ lệ hộ nghèo ở các xã vùng cao còn trên 50 %") for t in issues)  # the sample's
    for sheet, plan in zip(sheets[4:], ("adjusted", "original"), strict=True):
        assert PLAN_USED[plan] in {str(c.value) for row in sheet.iter_rows() for c in row}
    texts = {str(c.value) for row in sheets[0].iter_rows() for c in row if c.value is not None}
    assert {f.vi.upper() for f in plan_fields()} <= texts  # every field of the plan
    # the plan adjusted in July 2013, beside the original one
    assert any("kế hoạch điều chỉnh ngày 15/07/2013" in t for t in texts)
