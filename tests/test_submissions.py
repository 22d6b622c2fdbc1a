"""Workbook submissions (#15): a contributor uploads figures for their scope, sees the problems `mel import
--dry-run` lists and the rows outside their scope, and a reviewer approves (imported, all or nothing) or returns.

Through the portal (Starlette's TestClient) over a real store with the sample, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import col, select

from mel_core import audit
from mel_core.access import ProgrammeScope, Viewer, workbook_row_scope
from mel_core.accounts.users import add_user
from mel_core.config import Settings
from mel_core.demo.sample import SAMPLE_WORKBOOK
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import (
    AuditEvent,
    Expenditure,
    Observation,
    Target,
    User,
    WorkbookSubmission,
    make_engine,
    session_scope,
    table_of,
)
from mel_core.submissions import SubmissionConflict, decide, find, submit
from mel_core.web.app import create_app
from tests import trade_data
from tests.conftest import _fresh_pg_database
from tests.datasets import write_csv, write_xlsx
from tests.hostile_inputs import zip_bomb

PASSWORD = "a long enough password"
CONTRIBUTOR = "canbo@snnptnt.dienbien.gov.vn"  # Điện Biên (11)
NGO = "hoiphunu@vanchan.example.vn"  # the organisation that implements YB-GA-2014 (Yên Bái, 15)
NGO_NAME = "Hội Liên hiệp Phụ nữ huyện Văn Chấn"
OTHER = "canbo@snnptnt.laichau.gov.vn"  # Lai Châu (12)
REVIEWER = "thamdinh@molisa.example.vn"
SECOND = "quantri@molisa.example.vn"  # an administrator: reviews too
READER = "docgia@molisa.example.vn"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

OBSERVATIONS = [
    "programme_code",
    "indicator_code",
    "period",
    "admin_unit",
    "value",
    "disaggregation",
    "source",
    "note",
]
TARGETS = ["programme_code", "indicator_code", "period", "admin_unit", "value", "value_high"]
EXPENDITURES = ["programme_code", "period", "source", "planned_million_vnd", "disbursed_million_vnd"]
Tables = dict[str, list[list[object]]]


def figures(period: str, *, programme: str = "DB-BSS-2011", place: str = "11", value: float = 42.5) -> Tables:
    """Observations, targets and expenditures of one programme for one period (a period no other test uses)."""
    return {
        "targets": [TARGETS, [programme, "IN1", period, place, value + 10, ""]],
        "observations": [
            OBSERVATIONS,
            [programme, "IN1", period, place, value, "", "Báo cáo của Ban quản lý", ""],
            [programme, "OP1", period, place, value / 2, "", "", "đợt 1"],
        ],
        "expenditures": [EXPENDITURES, [programme, period, "local_budget", 100, 95.5]],
    }


@dataclass
class Portal:
    settings: Settings
    engine: Engine

    def client(self, email: str | None = None) -> TestClient:
        client = TestClient(create_app(self.settings), raise_server_exceptions=False)
        if email:
            token = csrf(client, "/login")
            answer = client.post(
                "/login",
                data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"},
                follow_redirects=False,
            )
            assert answer.status_code == 303, answer.text
        return client


def csrf(client: TestClient, path: str = "/submit/workbook") -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, path
    return found.group(1)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    home = tmp_path_factory.mktemp(f"submissions-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'mel.db'}"
    else:
        url = _fresh_pg_database(request.getfixturevalue("pg_server"))
    engine = make_engine(url)
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    with session_scope(engine) as session:
        add_user(session, CONTRIBUTOR, "contributor", PASSWORD, ["11"])
        add_user(session, NGO, "contributor", PASSWORD, organisation=NGO_NAME)
        add_user(session, OTHER, "contributor", PASSWORD, ["12"])
        add_user(session, REVIEWER, "reviewer", PASSWORD)
        add_user(session, SECOND, "admin", PASSWORD)
        add_user(session, READER, "reader", PASSWORD)
    yield Portal(Settings(home=home, db_url=url), engine)
    engine.dispose()


@pytest.fixture(scope="module")
def contributor(portal: Portal) -> TestClient:
    return portal.client(CONTRIBUTOR)


@pytest.fixture(scope="module")
def reviewer(portal: Portal) -> TestClient:
    return portal.client(REVIEWER)


def upload(client: TestClient, path: Path, name: str | None = None, **headers: str) -> httpx.Response:
    return client.post(
        "/submit/workbook",
        data={"csrf_token": csrf(client)},
        files={"file": (name or path.name, path.read_bytes())},
        headers=headers,
        follow_redirects=False,
    )


def submitted(client: TestClient, path: Path, name: str | None = None) -> dict[str, Any]:
    """Upload ``path`` and read the submission's JSON twin."""
    answer = upload(client, path, name)
    assert answer.status_code == 303, answer.text
    return client.get("/api" + answer.headers["location"]).json()


def decide_in_browser(client: TestClient, number: int, decision: str, comment: str = "") -> httpx.Response:
    token = csrf(client, f"/submissions/{number}")
    return client.post(
        f"/submissions/{number}/decision",
        data={"csrf_token": token, "decision": decision, "comment": comment},
        follow_redirects=False,
    )


def rows_of(engine: Engine, model: Any, period: str) -> list[dict[str, Any]]:
    table = table_of(model)
    with engine.connect() as conn:
        found = conn.execute(select(table).where(table.c.period == period).order_by(table.c.id)).mappings()
        return [dict(r) for r in found]


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            m.__name__: conn.execute(select(func.count()).select_from(table_of(m))).scalar_one()
            for m in (Observation, Target, Expenditure)
        }


def kept_files(portal: Portal) -> list[Path]:
    root = portal.settings.home / "submissions"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ------------------------------------------------------------------------------------------- who may submit


def programme(code: str, provinces: str, implementer: str = "") -> ProgrammeScope:
    return ProgrammeScope(code, frozenset(provinces.split(";")), implementer)


DIEN_BIEN = Viewer(role="contributor", email="c@x", provinces=("11",))
QUANG_TRI = Viewer(role="contributor", email="q@x", provinces=("45",))  # absorbed Quảng Bình (44) in 2025
WOMEN = Viewer(role="contributor", email="w@x", organisation="hội liên hiệp phụ nữ huyện văn chấn")


@pytest.mark.parametrize(
    ("viewer", "scope", "province", "why"),
    [
        pytest.param(DIEN_BIEN, programme("P", "11"), "11", "", id="own-province-row"),
        pytest.param(DIEN_BIEN, programme("P", "11"), None, "", id="own-programme-whole"),
        pytest.param(DIEN_BIEN, programme("P", "10;11;12"), "11", "", id="shared-programme-own-province"),
        pytest.param(
            DIEN_BIEN, programme("P", "10;11;12"), "12", "province", id="shared-programme-other-province"
        ),
        pytest.param(DIEN_BIEN, programme("P", "10;11;12"), None, "whole", id="shared-programme-whole"),
        pytest.param(DIEN_BIEN, programme("P", "44"), "11", "programme", id="programme-elsewhere"),
        pytest.param(QUANG_TRI, programme("P", "44"), "44", "", id="pre-2025-code-merged"),
        pytest.param(QUANG_TRI, programme("P", "44"), None, "", id="pre-2025-programme-whole"),
        pytest.param(WOMEN, programme("P", "15", NGO_NAME), "15", "", id="implementer-any-place"),
        pytest.param(WOMEN, programme("P", "15;11", NGO_NAME), None, "", id="implementer-whole"),
        pytest.param(
            WOMEN, programme("P", "15", "Sở NN&PTNT Yên Bái"), "15", "programme", id="other-implementer"
        ),
        pytest.param(Viewer(role="reviewer", email="r@x"), programme("P", "44"), None, "", id="reviewer-any"),
        pytest.param(
            Viewer(role="reader", email="d@x"), programme("P", "11"), "11", "programme", id="reader-none"
        ),
    ],
)
def test_whose_row_it_is(viewer: Viewer, scope: ProgrammeScope, province: str | None, why: str):
    assert workbook_row_scope(viewer, scope, province) == why


# ------------------------------------------------------------------------------------------------- the check


def test_a_workbook_with_errors_lists_its_problems_and_writes_nothing(
    portal, contributor, reviewer, tmp_path
):
    tables = figures("2031")
    tables["observations"][1][4] = "nhiều"  # not a number
    tables["observations"][2][1] = "NOPE"  # no such indicator
    before = counts(portal.engine)
    answer = upload(contributor, write_xlsx(tmp_path / "x.xlsx", tables), "Số liệu Điện Biên 2031.xlsx")
    assert answer.status_code == 303
    page = contributor.get(answer.headers["location"])
    assert page.status_code == 200
    for shown in ("Số liệu Điện Biên 2031.xlsx", "observations", "nhiều", "NOPE", "Tệp", "Trang", "Lý do"):
        assert shown in page.text, shown
    data = contributor.get("/api" + answer.headers["location"]).json()
    assert data["status"] == "uploaded" and data["problems_count"] == 2 and data["can_decide"] is False
    assert [(p["file"], p["sheet"], p["row"], p["column"], p["value"]) for p in data["problems"]] == [
        ("Số liệu Điện Biên 2031.xlsx", "observations", 2, "value", "nhiều"),
        ("Số liệu Điện Biên 2031.xlsx", "observations", 3, "indicator_code", "NOPE"),
    ]
    assert data["problems"][0]["reason"] == "cần một số"  # Vietnamese by default
    english = contributor.get("/api" + answer.headers["location"] + "?lang=en").json()
    assert english["problems"][0]["reason"] == "expected a number"
    assert "expected a number" in contributor.get(answer.headers["location"] + "?lang=en").text
    assert counts(portal.engine) == before and rows_of(portal.engine, Expenditure, "2031") == []
    # it never reaches a reviewer, and cannot be approved
    assert data["id"] not in [s["id"] for s in reviewer.get("/api/review/workbooks").json()["queue"]]
    refused = decide_in_browser(reviewer, data["id"], "approve")
    assert refused.status_code == 409 and "uploaded" in refused.text
    assert counts(portal.engine) == before
    mine = contributor.get("/api/submit/workbook").json()["submissions"]
    assert mine[0]["id"] == data["id"] and mine[0]["problems_count"] == 2


def test_rows_outside_the_contributors_provinces_or_programmes_are_refused(portal, contributor, tmp_path):
    tables = figures("2032", programme="GOPA", place="11")  # GOPA works in 10, 11, 12, 66, 67
    tables["observations"].append(["GOPA", "IN1", "2032", "12", 3, "", "", ""])  # Lai Châu
    tables["observations"].append(["GOPA", "OP1", "2032", "", 4, "", "", ""])  # the whole programme
    tables["observations"].append(["QB-DE-2012", "IN1", "2032", "44", 5, "", "", ""])  # Quảng Bình only
    data = submitted(contributor, write_xlsx(tmp_path / "gopa.xlsx", tables))
    assert data["status"] == "uploaded"
    found = {(p["sheet"], p["row"], p["column"], p["value"]) for p in data["problems"]}
    assert found == {
        ("observations", 4, "admin_unit", "12"),
        ("observations", 5, "admin_unit", "VN"),
        ("observations", 6, "programme_code", "QB-DE-2012"),
        ("expenditures", 2, "programme_code", "GOPA"),  # the whole programme's money
    }
    reasons = {p["value"]: p["reason"] for p in data["problems"]}
    assert "12 (Lai Châu) nằm ngoài phạm vi của bạn" in reasons["12"]
    assert "10 (Lào Cai)" in reasons["VN"]  # names the provinces that are not theirs
    assert rows_of(portal.engine, Observation, "2032") == []


def test_an_organisation_submits_for_the_programmes_it_implements(portal, tmp_path):
    ngo = portal.client(NGO)
    data = submitted(
        ngo, write_xlsx(tmp_path / "yb.xlsx", figures("2033", programme="YB-GA-2014", place="15"))
    )
    assert (data["status"], data["problems_count"]) == ("checked", 0)
    other = submitted(ngo, write_xlsx(tmp_path / "db.xlsx", figures("2033")))
    assert other["status"] == "uploaded" and other["problems_count"] == 4  # every row: not their programme


def test_a_csv_file_is_read_as_the_table_its_name_says(portal, contributor, tmp_path):
    folder = write_csv(tmp_path / "csv", {"observations": figures("2034")["observations"]})
    data = submitted(contributor, folder / "observations.csv", "Observations.CSV")
    assert (data["status"], data["rows"], data["file_name"]) == (
        "checked",
        {"observations": 2},
        "Observations.CSV",
    )
    assert kept_files(portal)  # kept by content, under a name of the formats
    assert (portal.settings.home / "submissions" / data["sha256"] / "observations.csv").is_file()
    wrong = upload(contributor, folder / "observations.csv", "số liệu.csv")
    assert wrong.status_code == 422 and "observations.csv" in wrong.text


# ------------------------------------------------------------------------------------------------ approval


def test_a_clean_upload_is_approved_and_its_figures_remember_who_sent_and_approved_them(
    portal, contributor, reviewer, tmp_path
):
    path = write_xlsx(tmp_path / "clean.xlsx", figures("2035"))
    before = counts(portal.engine)
    data = submitted(contributor, path, "Điện Biên 2035.xlsx")
    assert (data["status"], data["problems_count"]) == ("checked", 0)
    assert data["rows"] == {"targets": 1, "observations": 2, "expenditures": 1}
    assert counts(portal.engine) == before  # checked, not imported
    queue = reviewer.get("/api/review/workbooks").json()["queue"]
    assert data["id"] in [s["id"] for s in queue]
    assert "Điện Biên 2035.xlsx" in reviewer.get("/review/workbooks").text
    page = reviewer.get(f"/submissions/{data['id']}").text
    assert 'value="approve"' in page and 'value="return"' in page
    assert decide_in_browser(reviewer, data["id"], "approve").status_code == 303
    after = counts(portal.engine)
    assert after == {k: v + {"Observation": 2, "Target": 1, "Expenditure": 1}[k] for k, v in before.items()}
    for model in (Observation, Target, Expenditure):
        rows = rows_of(portal.engine, model, "2035")
        assert rows and all(
            (r["submission_id"], r["submitted_by"], r["approved_by"]) == (data["id"], CONTRIBUTOR, REVIEWER)
            for r in rows
        ), model
    mine = contributor.get(f"/api/submissions/{data['id']}").json()
    assert (mine["status"], mine["reviewed_by"]) == ("approved", REVIEWER)
    with session_scope(portal.engine) as session:
        trail = [(e.action, e.actor) for e in audit.history(session, "submission", str(data["id"]))]
        imports = audit.events(session, entity="import", actor=REVIEWER)
    assert trail == [
        ("submission.upload", CONTRIBUTOR),
        ("submission.check", CONTRIBUTOR),
        ("submission.approve", REVIEWER),
    ]
    assert imports and imports[-1].after == {
        "targets": {"rows": 1, "new": 1},
        "observations": {"rows": 2, "new": 2},
        "expenditures": {"rows": 1, "new": 1},
    }
    # the reviewer sees the trail on the page; the contributor does not
    assert "submission.approve" in reviewer.get(f"/submissions/{data['id']}").text
    assert "audit" not in contributor.get(f"/api/submissions/{data['id']}").json()


def test_a_typed_figure_the_trade_records_contradict_is_shown_as_a_warning_and_does_not_stop_the_file(
    portal, contributor, reviewer, tmp_path
):
    # the trade dataset of Điện Biên (11): HD_CT typed 3 for 2026-Q3 where the records count 2 (observations
    # row 2), and activity A2 typed with 4 enterprises where 2 are listed (activities row 3)
    name = "XTTM <i>quý 3<i> & năm.xlsx"
    before = counts(portal.engine)
    data = submitted(contributor, trade_data.write(tmp_path / "xttm.xlsx"), name)
    assert (data["status"], data["problems_count"], data["problems"]) == ("checked", 0, [])
    assert data["warnings_count"] == 2
    assert [(w["file"], w["sheet"], w["row"], w["column"], w["value"]) for w in data["warnings"]] == [
        (name, "activities", 3, "participants_enterprises", "4"),
        (name, "observations", 2, "value", "3"),
    ]
    assert data["warnings"][1]["reason"].startswith(
        "cảnh báo: HD_CT kỳ 2026-Q3 nhập 3"
    )  # Vietnamese by default
    assert "đếm được 2 (A1, A2)" in data["warnings"][1]["reason"]
    english = contributor.get(f"/api/submissions/{data['id']}?lang=en").json()["warnings"]
    assert english[1]["reason"].startswith("warning: HD_CT for 2026-Q3 is typed in as 3")
    assert counts(portal.engine) == before  # checked, not imported
    # the page lists them in a table of their own, escaped, in Vietnamese or English
    page = contributor.get(f"/submissions/{data['id']}").text
    warnings = page[page.index('<section id="warnings">') :]
    warnings = warnings[: warnings.index("</section>")]
    assert "<h2>Cảnh báo</h2>" in warnings and warnings.count("<tr><td>") == 2
    assert "XTTM &lt;i&gt;quý 3&lt;i&gt; &amp; năm.xlsx" in warnings and "<i>quý" not in page
    assert "participants_enterprises" in warnings and "bản ghi người tham gia loại enterprise" in warnings
    english_page = contributor.get(f"/submissions/{data['id']}?lang=en").text
    assert "<h2>Warnings</h2>" in english_page and "warning: 4 typed in, but activity A2" in english_page
    # the contributor's list and the reviewer's queue count them; a file without any shows none
    mine = contributor.get("/api/submit/workbook").json()["submissions"]
    assert mine[0]["id"] == data["id"] and mine[0]["warnings_count"] == 2
    assert f'href="/submissions/{data["id"]}#warnings">2</a>' in contributor.get("/submit/workbook").text
    queued = {s["id"]: s for s in reviewer.get("/api/review/workbooks").json()["queue"]}
    assert queued[data["id"]]["warnings_count"] == 2
    assert f'href="/submissions/{data["id"]}#warnings">2</a>' in reviewer.get("/review/workbooks").text
    clean = submitted(contributor, write_xlsx(tmp_path / "clean.xlsx", figures("2049")))
    assert (clean["warnings_count"], clean["warnings"]) == (0, [])
    assert 'id="warnings"' not in contributor.get(f"/submissions/{clean['id']}").text
    with session_scope(portal.engine) as session:
        checked = [
            e for e in audit.history(session, "submission", str(data["id"])) if e.action.endswith("check")
        ]
    assert checked[0].after["warnings"] == 2


def test_approving_the_same_workbook_again_changes_nothing(portal, contributor, reviewer, tmp_path):
    path = write_xlsx(tmp_path / "same.xlsx", figures("2036"))
    first = submitted(contributor, path)
    assert decide_in_browser(reviewer, first["id"], "approve").status_code == 303
    snapshot = {m: rows_of(portal.engine, m, "2036") for m in (Observation, Target, Expenditure)}
    files = kept_files(portal)
    again = submitted(contributor, path)
    assert again["sha256"] == first["sha256"] and kept_files(portal) == files  # kept once
    assert {"id": first["id"], "status": "approved"} in again["same_file"]
    assert decide_in_browser(reviewer, again["id"], "approve").status_code == 303
    assert {m: rows_of(portal.engine, m, "2036") for m in snapshot} == snapshot  # provenance included
    # approving the same submission twice is refused
    twice = decide_in_browser(reviewer, again["id"], "approve")
    assert twice.status_code == 409 and "approved" in twice.text
    # a changed value takes the new submission's provenance; the unchanged rows keep theirs
    changed = figures("2036")
    changed["observations"][1][4] = 43.0
    third = submitted(contributor, write_xlsx(tmp_path / "changed.xlsx", changed))
    assert decide_in_browser(reviewer, third["id"], "approve").status_code == 303
    origin = {r["value"]: r["submission_id"] for r in rows_of(portal.engine, Observation, "2036")}
    assert origin == {43.0: third["id"], 21.25: first["id"]}


def test_the_cli_import_names_its_account_as_submitter(portal, tmp_path):
    import_path(portal.engine, write_xlsx(tmp_path / "cli.xlsx", figures("2037")), actor="cli:canbo@may-chu")
    rows = rows_of(portal.engine, Observation, "2037")
    assert {(r["submission_id"], r["submitted_by"], r["approved_by"]) for r in rows} == {
        (None, "cli:canbo@may-chu", None)
    }


def test_a_returned_workbook_needs_a_comment_and_its_contributor_reads_it(
    portal, contributor, reviewer, tmp_path
):
    data = submitted(contributor, write_xlsx(tmp_path / "ret.xlsx", figures("2038")))
    silent = decide_in_browser(reviewer, data["id"], "return")
    assert silent.status_code == 400 and "nhận xét" in silent.text
    assert decide_in_browser(reviewer, data["id"], "return", "Thiếu số liệu quý 4.").status_code == 303
    mine = contributor.get(f"/api/submissions/{data['id']}").json()
    assert (mine["status"], mine["comment"], mine["reviewed_by"]) == (
        "returned",
        "Thiếu số liệu quý 4.",
        REVIEWER,
    )
    assert "Thiếu số liệu quý 4." in contributor.get("/submit/workbook").text
    assert rows_of(portal.engine, Observation, "2038") == []
    assert decide_in_browser(reviewer, data["id"], "approve").status_code == 409


def test_two_reviewers_approving_at_once_one_wins_and_the_other_gets_409(
    portal, contributor, reviewer, tmp_path
):
    data = submitted(contributor, write_xlsx(tmp_path / "race.xlsx", figures("2039")))
    second = portal.client(SECOND)
    tokens = {c: csrf(c, f"/submissions/{data['id']}") for c in (reviewer, second)}
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def approve(client: TestClient) -> None:
        barrier.wait()
        answer = client.post(
            f"/submissions/{data['id']}/decision",
            data={"csrf_token": tokens[client], "decision": "approve"},
            follow_redirects=False,
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=approve, args=(c,)) for c in (reviewer, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(statuses) == [303, 409]
    rows = rows_of(portal.engine, Observation, "2039")
    assert len(rows) == 2 and len({r["approved_by"] for r in rows}) == 1
    with session_scope(portal.engine) as session:
        approvals = [
            e for e in audit.history(session, "submission", str(data["id"])) if e.action.endswith("approve")
        ]
    assert len(approvals) == 1 and approvals[0].actor == rows[0]["approved_by"]


def test_a_decision_taken_while_an_approval_waited_for_the_store_wins_and_nothing_is_imported(
    portal, contributor, tmp_path, monkeypatch
):
    """The approval read the submission as checked; before its import claimed it (in the writing transaction),
    another reviewer returned it: the conditional UPDATE finds it returned and the import rolls back."""
    data = submitted(contributor, write_xlsx(tmp_path / "late.xlsx", figures("2040")))
    home = portal.settings.home
    admin = Viewer(role="admin", email=SECOND)
    from mel_core.submissions import workflow

    real = workflow.import_path

    def returned_meanwhile(*args: Any, **kwargs: Any) -> Any:
        decide(portal.engine, home, data["id"], "return", admin, "Đã có số liệu khác.")
        return real(*args, **kwargs)

    monkeypatch.setattr(workflow, "import_path", returned_meanwhile)
    with pytest.raises(SubmissionConflict, match="returned, not waiting"):
        decide(portal.engine, home, data["id"], "approve", Viewer(role="reviewer", email=REVIEWER))
    assert find(portal.engine, data["id"]).status == "returned"
    assert rows_of(portal.engine, Observation, "2040") == []


def test_an_approval_stopped_midway_leaves_the_store_as_before(portal, contributor, tmp_path, monkeypatch):
    data = submitted(contributor, write_xlsx(tmp_path / "stop.xlsx", figures("2041")))
    before = counts(portal.engine)
    events = _events(portal.engine)
    import mel_core.ingest as ingest

    real = ingest.load

    def stops_after_writing(conn: Any, batch: Any, *args: Any) -> None:
        real(conn, batch, *args)  # every row written in the transaction …
        raise ServerStopped  # … then the server stops before it commits

    monkeypatch.setattr(ingest, "load", stops_after_writing)
    with pytest.raises(ServerStopped):
        decide(
            portal.engine,
            portal.settings.home,
            data["id"],
            "approve",
            Viewer(role="reviewer", email=REVIEWER),
        )
    assert counts(portal.engine) == before and _events(portal.engine) == events
    assert find(portal.engine, data["id"]).status == "checked"  # still waiting: approve it again
    monkeypatch.undo()
    decide(
        portal.engine, portal.settings.home, data["id"], "approve", Viewer(role="reviewer", email=REVIEWER)
    )
    assert len(rows_of(portal.engine, Observation, "2041")) == 2


class ServerStopped(BaseException):
    """What a stopped server does to a request: it ends wherever it was (as SystemExit or a signal would)."""


def _events(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table_of(AuditEvent))).scalar_one()


def test_an_approval_rechecks_the_contributors_scope_as_it_is_then(portal, tmp_path):
    other = portal.client(OTHER)  # Lai Châu (12): GOPA's rows for 12 are theirs
    data = submitted(
        other,
        write_xlsx(
            tmp_path / "lc.xlsx",
            {"observations": figures("2042", programme="GOPA", place="12")["observations"]},
        ),
    )
    assert data["status"] == "checked"
    with session_scope(portal.engine) as session:  # their scope changes before a reviewer approves
        user = session.exec(select(User).where(col(User.email) == OTHER)).one()
        user.provinces = ["11"]
    reviewer = portal.client(REVIEWER)
    refused = decide_in_browser(reviewer, data["id"], "approve")
    assert refused.status_code == 422 and "12 (Lai Châu)" in refused.text
    back = other.get(f"/api/submissions/{data['id']}").json()
    assert back["status"] == "uploaded" and back["problems_count"] == 2
    assert rows_of(portal.engine, Observation, "2042") == []


# --------------------------------------------------------------------------------------------- bad input


PART_HEAD = (
    b'--b\r\nContent-Disposition: form-data; name="file"; filename="observations.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\n"
)


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_kept(
    portal, contributor, tmp_path, monkeypatch
):
    monkeypatch.setenv("MEL_LIMIT_FILE_MB", "1")
    files, submissions = kept_files(portal), _submissions(portal.engine)
    big = tmp_path / "observations.csv"
    big.write_bytes(b"programme_code,indicator_code,period,value\n" + b"DB-BSS-2011,IN1,2043,1\n" * 150_000)
    answer = upload(contributor, big)  # over the body's cap: refused before the form is read
    assert answer.status_code == 413 and "MEL_LIMIT_FILE_MB" in answer.text and "Tệp quá lớn" in answer.text
    just = tmp_path / "just" / "observations.csv"
    just.parent.mkdir()
    just.write_bytes(b"x" * ((1 << 20) + 1))  # within the body's cap, over the file's limit
    answer = upload(contributor, just)
    assert answer.status_code == 413 and "1,048,576" in answer.text
    streamed = contributor.post(  # no Content-Length: counted as it arrives
        "/api/submit/workbook",
        headers={"x-csrf-token": csrf(contributor), "content-type": "multipart/form-data; boundary=b"},
        content=(PART_HEAD if n == 0 else b"x" * 65536 for n in range(64)),
    )
    assert streamed.status_code == 413 and "MEL_LIMIT_FILE_MB" in streamed.json()["detail"]
    assert kept_files(portal) == files and _submissions(portal.engine) == submissions


def test_a_zip_bomb_or_a_file_of_another_kind_is_refused_and_nothing_is_kept(portal, contributor, tmp_path):
    files, submissions = kept_files(portal), _submissions(portal.engine)
    bomb = zip_bomb(3 << 30)(tmp_path)
    answer = upload(contributor, bomb)
    assert (
        answer.status_code == 422 and "2,147,483,648" in answer.text and "Tệp không được nhận" in answer.text
    )
    api = contributor.post(
        "/api/submit/workbook",
        headers={"x-csrf-token": csrf(contributor)},
        files={"file": ("bomb.xlsx", bomb.read_bytes())},
    )
    assert api.status_code == 422 and api.json()["problems"][0]["file"] == "bomb.xlsx"
    for name, data in (
        ("notes.txt", b"hello"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        ("empty.xlsx", b""),
    ):
        odd = tmp_path / name
        odd.write_bytes(data)
        assert upload(contributor, odd).status_code == 422, name
    assert kept_files(portal) == files and _submissions(portal.engine) == submissions
    climbing = upload(contributor, write_xlsx(tmp_path / "ok.xlsx", figures("2044")), "../../etc/passwd.xlsx")
    assert climbing.status_code == 303
    shown = contributor.get("/api" + climbing.headers["location"]).json()
    assert shown["file_name"] == "passwd.xlsx" and all("passwd" not in p.name for p in kept_files(portal))
    assert _submissions(portal.engine) == submissions + 1 and all(
        p.parent.resolve().is_relative_to(portal.settings.home.resolve()) for p in kept_files(portal)
    )
    assert not list((portal.settings.home / "submissions" / ".incoming").iterdir())


def _submissions(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table_of(WorkbookSubmission))).scalar_one()


# ------------------------------------------------------------------------------------------------ access


def test_only_reviewers_decide_and_every_form_needs_its_csrf_token(portal, contributor, reviewer, tmp_path):
    data = submitted(contributor, write_xlsx(tmp_path / "acc.xlsx", figures("2045")))
    number = data["id"]
    assert decide_in_browser(contributor, number, "approve").status_code == 403
    api = contributor.post(
        f"/api/submissions/{number}/decision",
        headers={"x-csrf-token": csrf(contributor)},
        data={"decision": "approve"},
    )
    assert api.status_code == 403
    assert reviewer.post(f"/submissions/{number}/decision", data={"decision": "approve"}).status_code == 403
    no_token = contributor.post(
        "/submit/workbook", files={"file": ("x.xlsx", (tmp_path / "acc.xlsx").read_bytes())}
    )
    assert no_token.status_code == 403
    other = portal.client(OTHER)
    assert other.get(f"/submissions/{number}").status_code == 404  # another contributor's: not even shown
    assert other.get(f"/api/submissions/{number}").status_code == 404
    reader = portal.client(READER)
    for path in ("/submit/workbook", f"/submissions/{number}", "/review/workbooks", "/api/review/workbooks"):
        assert reader.get(path).status_code == 403, path
    assert contributor.get("/review/workbooks").status_code == 403
    anonymous = portal.client()
    assert anonymous.get("/api/submit/workbook").status_code == 401
    assert anonymous.get("/submit/workbook", follow_redirects=False).status_code == 303
    assert find(portal.engine, number).status == "checked"
    assert rows_of(portal.engine, Observation, "2045") == []
    # an approval through the API, with the token in its header
    token = csrf(reviewer, f"/submissions/{number}")
    done = reviewer.post(
        f"/api/submissions/{number}/decision", headers={"x-csrf-token": token}, data={"decision": "approve"}
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"


def test_the_upload_page_speaks_vietnamese_and_switches_to_english(portal, contributor):
    assert "Gửi số liệu" in contributor.get("/submit/workbook").text
    english = contributor.get("/submit/workbook?lang=en").text
    assert "Submit figures" in english and "My submissions" in english


def test_submit_refuses_a_viewer_who_may_not_submit(portal, tmp_path):
    from mel_core.submissions import SubmissionError

    path = write_xlsx(tmp_path / "r.xlsx", figures("2046"))
    with path.open("rb") as stream, pytest.raises(SubmissionError, match="may not submit"):
        submit(portal.engine, portal.settings.home, Viewer(role="reader", email=READER), stream, path.name)
    with session_scope(portal.engine) as session:
        assert (
            session.exec(
                select(WorkbookSubmission).where(col(WorkbookSubmission.uploaded_by) == READER)
            ).all()
            == []
        )


# --------------------------------------------------------------------------------------------------- the CLI


def test_mel_submissions_lists_approves_and_returns_at_a_terminal(
    portal, contributor, tmp_path, monkeypatch, capsys
):
    from mel_core.cli import main

    monkeypatch.setenv("MEL_DB_URL", portal.settings.db_url)
    monkeypatch.setenv("MEL_HOME", str(portal.settings.home))
    monkeypatch.setenv("MEL_LANG", "en")
    first = submitted(contributor, write_xlsx(tmp_path / "cli1.xlsx", figures("2047")))
    second = submitted(contributor, write_xlsx(tmp_path / "cli2.xlsx", figures("2048")))
    capsys.readouterr()
    assert main(["submissions", "list", "--status", "checked", "--json"]) == 0
    waiting = {s["id"] for s in json.loads(capsys.readouterr().out)}
    assert {first["id"], second["id"]} <= waiting
    assert main(["submissions", "approve", str(first["id"]), "--by", READER]) == 65
    assert "not an enabled reviewer" in capsys.readouterr().err
    assert main(["submissions", "approve", str(first["id"]), "--by", REVIEWER.upper()]) == 0
    assert "observations 2 (2 new)" in capsys.readouterr().out
    assert {r["approved_by"] for r in rows_of(portal.engine, Observation, "2047")} == {REVIEWER}
    assert main(["submissions", "return", str(first["id"]), "--by", REVIEWER, "--comment", "x"]) == 75
    assert "approved, not waiting for a reviewer" in capsys.readouterr().err
    assert main(["submissions", "return", str(second["id"]), "--by", SECOND, "--comment", "Sai kỳ."]) == 0
    assert find(portal.engine, second["id"]).comment == "Sai kỳ."
    assert main(["submissions", "list"]) == 0
    assert f"{second['id']:>5}  returned" in capsys.readouterr().out
