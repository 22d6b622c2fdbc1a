"""`mel report narrative`: Tables 4.3 and 4.4 as Word documents, read back with python-docx.

The headings must be the manual's outline, in order; every figure must be Table 4.2's for the same period and
scope; evaluations' findings appear without the evaluator or any personal data.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from mel_core.cli import app
from mel_core.errors import NotFound, PeriodError
from mel_core.reference import plan_fields
from mel_core.reports import build_report
from mel_core.reports.narrative import figure_rows, write_narrative
from mel_core.reports.narrative_content import narrative_content
from mel_core.reports.narrative_text import heading_texts
from mel_core.reports.table import cell_text
from mel_core.store import Evaluation, Finding, Programme, Rating, session_scope
from tests.criteria_frames_results import sample_engine

TODAY = date(2026, 11, 23)

SIX_MONTH_VI = [
    "1. Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội 6 tháng đầu năm 2013",
    "Bối cảnh thực hiện kế hoạch 6 tháng đầu năm 2013",
    "Tóm tắt các hoạt động và đầu ra/kết quả dự kiến trong năm báo cáo",
    "Tình hình thực tế thực hiện các hoạt động. Sự khác biệt giữa kết quả/đầu ra dự kiến và thực tế 6 tháng đầu"
    " năm 2013, bao gồm thông tin về các chỉ tiêu đã thu thập",
    "Giải thích sự khác biệt giữa kết quả/đầu ra dự kiến và thực tế",
    "Đánh giá tiến độ thực hiện 6 tháng đầu năm 2013 (đối với các hoạt động đã thực hiện)",
    "2. Giải pháp thực hiện kế hoạch phát triển kinh tế - xã hội những tháng còn lại của năm 2013",
    "Dự báo cơ bản, thuận lợi và khó khăn",
    "Biện pháp hoàn thành các chỉ tiêu trong từng lĩnh vực",
]
SIX_MONTH_EN = [
    "1. The implementation of the socio-economic development plan in the first 6 months of 2013",
    "Context of the implementation of the plan in the first 6 months of 2013",
    "Outline of the activities and outputs/expected results in the reported year",
    "The actual situation of the implementation of activities. The difference between expected and actual"
    " results/outputs in the first 6 months of 2013, including information on the collected indicators",
    "Explanation of the difference between the expected and actual results/outputs",
    "Assessment of the progress in the first 6 months of 2013 (for the operations that have been performed)",
    "2. Solutions to implement the socio-economic development plan in the remaining months of 2013",
    "Fundamental predictions, advantages and disadvantages",
    "Methods to fulfil the targets in each field",
]
ANNUAL_VI = [
    "1. Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội năm 2013",
    "Bối cảnh thực hiện kế hoạch",
    "Tóm tắt các hoạt động và đầu ra/kết quả dự kiến trong năm báo cáo",
    "Tình hình thực tế thực hiện các hoạt động. Sự khác biệt giữa kết quả/đầu ra dự kiến và thực tế trong năm,"
    " bao gồm thông tin về các chỉ tiêu đã thu thập",
    "Giải thích sự khác biệt giữa kết quả/đầu ra dự kiến và thực tế",
    "Đánh giá tiến độ thực hiện các mục tiêu trong năm, bao gồm thông tin về các chỉ tiêu đã thu thập",
    "2. Kế hoạch phát triển kinh tế - xã hội năm 2014",
    "Các dự báo chính của trung ương và địa phương",
    "Mục tiêu tổng quát, các chỉ tiêu và mục tiêu cụ thể trong từng lĩnh vực",
    "Giải pháp thực hiện",
    "3. Kiến nghị với trung ương/tỉnh",
    "3.1. Các chỉ tiêu có sự khác biệt giữa định hướng của trung ương/tỉnh và đề xuất của sở/huyện",
    "3.2. Các nhu cầu hỗ trợ đề xuất",
]
ANNUAL_EN = [
    "1. The implementation of the socio-economic development plan in 2013",
    "Context of the implementation of the plan",
    "Outline of the activities and outputs/expected results in the reported year",
    "The actual situation of the implementation of activities. The difference between expected and actual"
    " results/outputs in the year, including information on the collected indicators",
    "Explanation of the difference between the expected and actual results/outputs",
    "Assessment of the progress of the objectives in the year, including information on the collected indicators",
    "2. Socio-economic development plan for 2014",
    "Main predictions of the central and local governments",
    "Overall objectives, targets, and specific objectives and targets in each field",
    "Solutions for implementation",
    "3. Recommendations to the central/provincial governments",
    "3.1. The targets with differences between the orientation of the central/provincial governments and the"
    " proposals of the department/district",
    "3.2. The proposed needs for support",
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = sample_engine(tmp_path_factory.mktemp("narrative"))
    _evaluation(eng)
    yield eng
    eng.dispose()


def _evaluation(engine) -> None:
    """A finished evaluation of DB-BSS-2011 with ratings and findings (one finding carries a phone number)."""
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.code == "DB-BSS-2011")).one()
        ev = Evaluation(
            code="DB-BSS-2011-giua-ky", programme_id=programme.id, kind="mid_term", status="succeeded",
            evaluator="Nguyễn Văn An", period_start=date(2011, 1, 1), period_end=date(2013, 12, 31),
            finished_at=datetime(2014, 3, 1, tzinfo=UTC),
        )  # fmt: skip
        session.add(ev)
        session.flush()
        session.add_all(
            [
                Rating(evaluation_id=ev.id, criterion="effectiveness", computed_level=3, justification="…"),
                Rating(
                    evaluation_id=ev.id,
                    criterion="relevance",
                    computed_level=3,
                    final_level=4,
                    override_reason="…",
                    justification="…",
                ),
                Finding(
                    evaluation_id=ev.id,
                    criterion="effectiveness",
                    position=0,
                    statement="Tỷ lệ bò giống còn sống đạt 92,7 %, vượt kế hoạch.",
                ),
                Finding(
                    evaluation_id=ev.id,
                    criterion="relevance",
                    position=0,
                    statement="Hộ nghèo chọn bò sinh sản; liên hệ cán bộ dự án 0912 345 678.",
                ),
            ]
        )


def _content(engine, kind, **kw):
    with Session(engine) as session:
        return narrative_content(session, kind, today=TODAY, **kw)


def _table_4_2(engine, kind, **kw):
    with Session(engine) as session:
        return build_report(session, kind, today=TODAY, **kw)


def _doc(path: Path):
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    text = "\n".join(p.text for p in document.paragraphs)
    return document, headings, text


def _figures(document) -> list[list[str]]:
    """The figures table: the one whose header starts with STT / No. and has eight columns."""
    for table in document.tables:
        head = [c.text for c in table.rows[0].cells]
        if len(head) == 8 and head[0] in ("STT", "No."):
            return [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError("no figures table")


def _code(label: str) -> str:
    return label.rsplit("(", 1)[-1].rstrip(")")


def _items(table) -> dict[tuple[str, str], list[str]]:
    """Table 4.2's item rows by (programme, indicator code): unit, plan, actual, rate as the table prints them."""
    out, programme = {}, ""
    for row in table.body:
        c = row.cells
        if row.kind == "programme":
            programme = _code(cell_text(c[1]))
        if row.kind != "item" or (c[6] is None and c[8] is None):
            continue
        at = 2 if c[6] is not None else 4
        out[programme, _code(cell_text(c[1]))] = [
            cell_text(c[at + 4]),
            cell_text(c[at + 1]),
            cell_text(c[at + 5]),
            cell_text(c[10]),
        ]
    return out


def _english_groups() -> dict[str, str]:
    """The plan's fields and sectors by number, in English (kb/taxonomy.yml)."""
    out = {}
    for f in plan_fields():
        out[f.number] = f.en.upper()
        out.update({sector.number: sector.en for sector in f.sectors})
    return out


def _doc_items(rows: list[list[str]], table, lang: str = "vi") -> dict[tuple[str, str], list[str]]:
    """The figures table of the document, keyed as :func:`_items` (its rows are Table 4.2's, one for one; in the
    English edition the plan's fields and sectors are in English and programmes end in their code)."""
    if lang == "vi":
        assert [r[1] for r in rows] == [cell_text(r.cells[1]) for r in table.body]
    else:
        assert len(rows) == len(table.body)
        english = _english_groups()
        for r, body in zip(rows, table.body, strict=True):
            if body.kind in ("field", "group"):
                assert r[1] == english[cell_text(body.cells[0])], r
            elif body.kind == "programme":
                assert _code(r[1]) == _code(cell_text(body.cells[1])), r
            elif body.kind == "empty":
                assert r[1] == "no objective or indicator in the store yet"
            elif r[2]:  # an indicator: its English name where the store has one, with its code
                assert _code(r[1]) == _code(cell_text(body.cells[1])), r
            else:
                assert r[1] == cell_text(body.cells[1]), r
    out, programme = {}, ""
    for r, body in zip(rows, table.body, strict=True):
        if body.kind == "programme":
            programme = _code(r[1])
        elif r[2]:
            out[programme, _code(r[1])] = [r[3], r[4], r[5], r[6]]
    return out


def test_annual_province_report_follows_table_4_4_and_holds_the_figures_of_table_4_2(engine, tmp_path):
    content = _content(engine, "annual", province="11", period="2013")
    path = write_narrative(content, tmp_path / "4.4.docx", "vi")
    document, headings, text = _doc(path)
    assert headings == heading_texts("annual", content.period, "vi")
    assert headings[0] == "1. Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội năm 2013"
    assert headings[6] == "2. Kế hoạch phát triển kinh tế - xã hội năm 2014"
    assert headings[-2].startswith("3.1. Các chỉ tiêu có sự khác biệt") and headings[-1].startswith("3.2.")
    assert "V/v: Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội năm 2013" in text
    assert "Kính gửi: Ủy ban nhân dân tỉnh Điện Biên" in text
    # every figure is Table 4.2's, row for row
    table = _table_4_2(engine, "annual", province="11", period="2013")
    expected = _items(table)
    rows = _figures(document)
    assert _doc_items(rows, table) == expected and len(expected) >= 6
    # achieved and off-track indicators are named with those same figures
    off = [a for a in content.assessed if a.status == "off_track"]
    assert off, "the sample has indicators below the 2013 plan"
    for a in off:
        plan, actual, rate = expected[a.programme, a.code][1:]
        assert (
            f"{a.name} ({a.code}): kế hoạch {plan} {a.unit}, thực hiện {actual} {a.unit}, đạt {rate} %."
            in text
        )
        assert f"[Nguyên nhân chênh lệch của chỉ tiêu {a.code}]" in text
        assert float(rate.replace(".", "").replace(",", ".")) < 100
    achieved = [a for a in content.assessed if a.status == "achieved"]
    assert achieved and all(a.ratio >= 1 for a in achieved)
    # the evaluation's ratings and findings, without the evaluator and with the phone number blanked out
    assert "Đánh giá DB-BSS-2011-giua-ky" in text
    assert "Tính phù hợp: rất phù hợp" in text  # the final level wins over the computed one
    assert "Tính hiệu quả: Tỷ lệ bò giống còn sống đạt 92,7 %, vượt kế hoạch." in text
    assert "0912" not in text and "345 678" not in text and "Nguyễn Văn An" not in text
    assert "Nguyễn Văn An" not in (document.core_properties.author or "")
    # placeholders for the writer, marked and highlighted
    assert "[Đánh giá của đơn vị]" in text and "[Bối cảnh của đơn vị:" in text
    marked = [r for p in document.paragraphs for r in p.runs if r.text.startswith("[")]
    assert marked and all(r.font.highlight_color is not None and r.italic for r in marked)


def test_the_plans_summary_counts_the_programmes_its_planned_indicators_belong_to(engine, tmp_path):
    content = _content(engine, "annual", province="11", period="2015")
    planned = [a for a in content.assessed if a.status != "no_plan"]
    unplanned = {a.programme for a in content.assessed} - {a.programme for a in planned}
    assert unplanned == {
        "GOPA"
    }  # GOPA's 2015 figures have no 2015 plan: in the table, not in the plan's count
    _, _, text = _doc(write_narrative(content, tmp_path / "4.4.docx", "vi"))
    outputs = sum(a.level == "output" for a in planned)
    assert (
        f"Kế hoạch năm 2015 có {outputs} chỉ tiêu đầu ra và {len(planned) - outputs} chỉ tiêu kết quả/tác động có"
        " chỉ tiêu kế hoạch, thuộc 1 chương trình, dự án" in text
    )


def _cells(path: Path) -> str:
    """The text of the document's tables (its heading and its list of recipients are tables)."""
    document = docx.Document(str(path))
    return "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)


def test_the_planning_department_gets_a_copy_unless_it_sends_the_report(engine, tmp_path):
    # the manual's DPI is the Department of Finance since 2025; it issues a province's report itself
    province = _content(engine, "annual", province="11", period="2015")
    text = _cells(write_narrative(province, tmp_path / "tinh.docx", "vi"))
    assert "Nơi nhận:" in text and "- Văn phòng UBND tỉnh;" in text
    assert "SỞ TÀI CHÍNH" in text and "- Sở Tài chính;" not in text and "Kế hoạch và Đầu tư" not in text
    board = _content(engine, "annual", programme="DB-BSS-2011", period="2015")
    text = _cells(write_narrative(board, tmp_path / "ban.docx", "vi"))
    assert "- Sở Tài chính;" in text and "Kế hoạch và Đầu tư" not in text
    english = _cells(write_narrative(board, tmp_path / "board.docx", "en"))
    assert "- Department of Finance;" in english and "Planning and Investment" not in english


def test_six_month_report_follows_table_4_3_against_the_years_plan(engine, tmp_path):
    content = _content(engine, "six-month", programme="TH-SK-2022")
    assert content.period.label.endswith("-H1") or content.period.label.endswith("-H2")
    path = write_narrative(content, tmp_path / "4.3.docx", "vi")
    document, headings, _ = _doc(path)
    assert headings == heading_texts("six-month", content.period, "vi")
    table = _table_4_2(engine, "six-month", programme="TH-SK-2022", period=content.period.label)
    assert _doc_items(_figures(document), table) == _items(table)
    # the half-year's share of the year's plan decides what is off track
    share = content.period.end.month / 12
    for a in content.assessed:
        if a.status == "off_track":
            assert a.ratio < (1.0 if a.plan_period == content.period.label else share)
        if a.status == "on_track":
            assert share <= a.ratio < 1.0


def test_six_month_headings_are_the_manuals_outline_in_vietnamese(engine, tmp_path):
    content = _content(engine, "six-month", programme="DB-BSS-2011", period="2013-H1")
    _, headings, text = _doc(write_narrative(content, tmp_path / "h1.docx"))
    assert headings == SIX_MONTH_VI
    # no half-year figure: every planned indicator is listed as not reported, none counted as zero
    assert "6 chỉ tiêu chưa có số liệu" in text
    assert all(a.status == "not_reported" for a in content.assessed)


def test_english_edition_has_the_english_outline_and_english_figures(engine, tmp_path):
    content = _content(engine, "annual", programme="DB-BSS-2011", period="2013")
    document, headings, text = _doc(write_narrative(content, tmp_path / "en.docx", "en"))
    assert headings == ANNUAL_EN
    assert "Re: The implementation of the socio-economic development plan in 2013" in text
    table_4_2 = _table_4_2(engine, "annual", programme="DB-BSS-2011", period="2013")
    rows, table = _doc_items(_figures(document), table_4_2, "en"), _items(table_4_2)
    swap = str.maketrans({".": ",", ",": "."})
    assert rows == {key: [unit, *(v.translate(swap) for v in rest)] for key, (unit, *rest) in table.items()}
    assert "1,234" not in text and "Outcome/impact" in {r[2] for r in _figures(document)}
    # the indicators by their English names where the store has them (the sample names OP2 in English)
    labels = {_code(r[1]): r[1] for r in _figures(document) if r[2]}
    assert labels["OP2"] == "Person-times trained in animal husbandry (OP2)"
    assert content.names_en[("DB-BSS-2011", "OP2")] == "Person-times trained in animal husbandry"
    assert all(content.names_en.get(("DB-BSS-2011", code), "") in label for code, label in labels.items())


@pytest.mark.postgres
def test_figures_match_table_4_2_on_postgresql(engine, request):
    from mel_core.demo.sample import SAMPLE_WORKBOOK
    from mel_core.ingest import import_path
    from mel_core.reference import init_store
    from mel_core.store import make_engine
    from tests.conftest import _fresh_pg_database

    pg = make_engine(_fresh_pg_database(request.getfixturevalue("pg_server")))
    try:
        init_store(pg)
        import_path(pg, SAMPLE_WORKBOOK)
        _evaluation(pg)
        for kind, kw in (
            ("annual", {"province": "11", "period": "2013"}),
            ("six-month", {"programme": "TH-SK-2022"}),
        ):
            on_pg, on_sqlite = _content(pg, kind, **kw), _content(engine, kind, **kw)
            assert figure_rows(on_pg, "vi") == figure_rows(on_sqlite, "vi")
            on_table = _table_4_2(pg, kind, **kw)
            assert _items(on_table) == _doc_items(figure_rows(on_pg, "vi"), on_table)
            assert [e.findings for e in on_pg.evaluations] == [e.findings for e in on_sqlite.evaluations]
    finally:
        pg.dispose()


def test_the_command_writes_both_reports(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("MEL_DB_URL", str(engine.url))
    runner = CliRunner()
    for args in (
        ["six-month", "--province", "38"],
        ["annual", "--province", "38"],
        ["annual", "--province", "11", "--period", "2013"],
        ["annual", "DB-BSS-2011", "--period", "2013", "--lang", "en"],
    ):
        out = tmp_path / f"{'-'.join(args)}.docx"
        result = runner.invoke(app, ["report", "narrative", *args, "--out", str(out)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert out.exists() and str(out) in result.output
        assert docx.Document(str(out)).paragraphs
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", "narrative", "annual", "--province", "11", "--period", "2013"])
    assert result.exit_code == 0 and (tmp_path / "bao-cao-4.4_tinh-11_2013.docx").exists()
    assert (
        runner.invoke(app, ["report", "narrative", "annual", "--province", "11", "--lang", "fr"]).exit_code
        == 2
    )


@pytest.mark.parametrize("command", ["six-month", "annual"])
def test_each_narrative_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, ["report", "narrative", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and f"Example: mel report narrative {command}" in result.output


@pytest.mark.parametrize(
    ("kind", "kw", "error"),
    [
        ("annual", {"programme": "NOPE"}, NotFound),
        ("annual", {"province": "11", "period": "2013-H1"}, PeriodError),
        ("six-month", {"province": "11", "period": "2013"}, PeriodError),
    ],
    ids=["unknown-programme", "half-year-for-annual", "year-for-six-month"],
)
def test_bad_requests_are_clear_errors(engine, kind, kw, error):
    with pytest.raises(error):
        _content(engine, kind, **kw)


def test_the_demo_province_produces_both_reports(demo_run):
    """After `mel demo`: Thanh Hoá (38) has half-year figures, Điện Biên (11) evaluated programmes."""
    from tests.test_cli import run_mel

    home = demo_run.home
    for args, name in (
        # without --period: the latest half and year with data (the trade sample's reach into 2026's second half)
        (["six-month", "--province", "38"], r"bao-cao-4\.3_tinh-38_2026-H[12]\.docx"),
        (["annual", "--province", "38"], r"bao-cao-4\.4_tinh-38_2026\.docx"),
        (["annual", "--province", "11", "--period", "2015"], r"bao-cao-4\.4_tinh-11_2015\.docx"),
    ):
        result = run_mel("report", "narrative", *args, home=home)
        assert result.returncode == 0, result.stderr
        written = Path(result.stdout.strip().splitlines()[-1].rsplit(": ", 1)[1])  # "… wrote …: <path>"
        assert re.fullmatch(name, written.name), result.stdout
        document, headings, text = _doc(written if written.is_absolute() else home / written)
        assert headings[0].startswith("1. Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội")
        assert _figures(document)
    # the demo evaluated the programmes of Điện Biên: their findings are in the annual report
    assert "xếp hạng và phát hiện chính" in text


@pytest.mark.parametrize(
    ("kind", "period", "lang", "want"),
    [
        ("six-month", "2013-H1", "vi", SIX_MONTH_VI),
        ("six-month", "2013-H1", "en", SIX_MONTH_EN),
        ("annual", "2013", "vi", ANNUAL_VI),
        ("annual", "2013", "en", ANNUAL_EN),
    ],
    ids=["4.3-vi", "4.3-en", "4.4-vi", "4.4-en"],
)
def test_every_heading_of_both_editions_is_the_manuals_outline_in_its_language(
    engine, tmp_path, kind, period, lang, want
):
    """Tables 4.3 and 4.4 (seed 004) heading by heading, for a province and a programme; the figures table's
    fields and sectors of the plan are in the edition's language too (kb/taxonomy.yml)."""
    other = {"vi": "en", "en": "vi"}[lang]
    for where in ({"province": "11"}, {"programme": "DB-BSS-2011"}):
        content = _content(engine, kind, period=period, **where)
        document, headings, _ = _doc(write_narrative(content, tmp_path / f"{kind}-{lang}.docx", lang))
        assert headings == want, where
        assert not set(headings) & set(heading_texts(kind, content.period, other))  # nothing of the other
        title = next(p.text for p in document.paragraphs if p.style.name == "Title")
        assert title == {"vi": "BÁO CÁO", "en": "REPORT"}[lang]
        groups = [r[1] for r in _figures(document) if r[0] and not r[2] and "(" not in r[1]]
        labels = {f.vi.upper() if lang == "vi" else f.en.upper() for f in plan_fields()} | {
            s.vi if lang == "vi" else s.en for f in plan_fields() for s in f.sectors
        }
        assert groups and set(groups) <= labels, groups
        if lang == "en":
            assert "chưa có mục tiêu" not in " ".join(" ".join(r) for r in _figures(document))


def test_the_findings_are_copied_in_the_evaluations_language_and_the_report_says_so(engine, tmp_path):
    """The store keeps a finding in the language its evaluation ran in only (the runner's provenance records
    it): the edition in that language copies it as it is, the other edition copies it and says so."""
    finding = "Tính hiệu quả: Tỷ lệ bò giống còn sống đạt 92,7 %, vượt kế hoạch."
    with session_scope(engine) as session:
        ev = session.exec(select(Evaluation).where(Evaluation.code == "DB-BSS-2011-giua-ky")).one()
        before = ev.provenance
        ev.provenance = {"lang": "vi"}
    try:
        content = _content(engine, "annual", programme="DB-BSS-2011", period="2013")
        assert [e.lang for e in content.evaluations] == ["vi"]
        _, _, vi = _doc(write_narrative(content, tmp_path / "vi.docx", "vi"))
        _, _, en = _doc(write_narrative(content, tmp_path / "en.docx", "en"))
        assert finding in vi and "chép nguyên văn" not in vi  # the report's own language: no note
        assert "Effectiveness: Tỷ lệ bò giống còn sống đạt 92,7 %, vượt kế hoạch." in en
        assert (
            "The findings below are copied as written, in Vietnamese, the language the evaluation ran in"
            in en
        )
    finally:
        with session_scope(engine) as session:
            ev = session.exec(select(Evaluation).where(Evaluation.code == "DB-BSS-2011-giua-ky")).one()
            ev.provenance = before
    # a run that did not record its language: both editions say the findings are as written
    content = _content(engine, "annual", programme="DB-BSS-2011", period="2013")
    assert [e.lang for e in content.evaluations] == [None]
    _, _, vi = _doc(write_narrative(content, tmp_path / "vi2.docx", "vi"))
    assert "Các phát hiện dưới đây được chép nguyên văn, bằng ngôn ngữ của đợt đánh giá." in vi


def test_the_narrative_rates_against_the_plan_asked_for_as_table_4_2_does(engine, tmp_path):
    with engine.connect() as conn:
        original, adjusted = conn.execute(
            text(
                "SELECT t.value, t.adjusted_value FROM targets t JOIN indicators i ON i.id = t.indicator_id"
                " JOIN programmes p ON p.id = i.programme_id WHERE p.code = 'DB-BSS-2011' AND i.code = 'OP1'"
                " AND t.period = '2013' AND t.admin_unit_code = 'VN'"
            )
        ).one()
    assert adjusted is not None and adjusted != original
    for plan, value in (("adjusted", adjusted), ("original", original)):
        content = _content(engine, "annual", programme="DB-BSS-2011", period="2013", plan=plan)
        (op1,) = [a for a in content.assessed if a.code == "OP1"]
        assert op1.target == value, plan
        document, _, words = _doc(write_narrative(content, tmp_path / f"{plan}.docx"))
        assert {"adjusted": "Tỷ lệ thực hiện so với kế hoạch điều chỉnh", "original": "Tỷ lệ thực hiện so với kế"
                " hoạch ban đầu."}[plan] in words  # fmt: skip
        table = _table_4_2(engine, "annual", programme="DB-BSS-2011", period="2013", plan=plan)
        assert _doc_items(_figures(document), table) == _items(
            table
        )  # the figures are Table 4.2's, same plan
