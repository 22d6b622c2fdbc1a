"""The portal's "my reports" (seed 000): signed-in users see the trade-promotion reports of their scope; a
centre's contributor sees their centre's, not another province's; no page names an enterprise."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mel_core.accounts.users import add_user
from mel_core.config import load_settings
from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import make_engine, session_scope
from mel_core.web.app import create_app
from tests import trade_data

PASSWORD = "a-long-test-password-17"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def portal(tmp_path):
    settings = load_settings({"MEL_HOME": str(tmp_path)})
    engine = make_engine(settings.db_url)
    init_store(engine)
    import_path(engine, trade_data.write(tmp_path / "xttm.xlsx"))
    with session_scope(engine) as session:
        add_user(session, "centre@example.org", "contributor", PASSWORD, provinces=["11"])
        add_user(session, "elsewhere@example.org", "contributor", PASSWORD, provinces=["38"])
        add_user(session, "reader@example.org", "reader", PASSWORD)
    engine.dispose()
    return settings


def _client(settings, email: str | None = None) -> TestClient:
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    if email:
        token = _CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
        data = {"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
        assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return client


def test_anonymous_visitors_are_sent_to_sign_in(portal):
    client = _client(portal)
    assert client.get("/my-reports", follow_redirects=False).status_code == 303
    assert client.get("/api/my-reports/XT-T11?period=2026-Q3").status_code == 401


def test_a_centres_contributor_sees_and_reads_their_reports(portal):
    client = _client(portal, "centre@example.org")
    listed = client.get("/api/my-reports").json()["programmes"]
    assert [p["code"] for p in listed] == ["XT", "XT-T11"]  # XT works only in province 11 too
    mine = next(p for p in listed if p["code"] == "XT-T11")
    assert mine["periods"] == ["2026-Q3", "2026-Q2", "2026"] and "sector" not in mine["kinds"]
    page = client.get("/my-reports")
    assert page.status_code == 200 and "/my-reports/XT-T11?kind=quarterly&amp;period=2026-Q3" in page.text
    assert "/submit/workbook" in page.text  # figures go through the workbook submission
    report = client.get("/api/my-reports/XT-T11?kind=quarterly&period=2026-Q3").json()
    indicators = {r[0]: r for r in report["sections"][2]["rows"]}
    assert indicators["HD_CT"][4] == 2 and "không công bố" in indicators["TT_MOI"][4]  # Vietnamese by default
    assert len(report["warnings"]) == 2
    html = client.get("/my-reports/XT-T11?kind=quarterly").text  # the latest quarter by default
    assert "2026-Q3" in html and "HD_CT" in html
    for secret in [*trade_data.E.values(), *(r[1] for r in trade_data.tables()["enterprises"][1:])]:
        assert secret not in html and secret not in str(report)
    assert client.get("/my-reports/XT-T11?kind=nope").status_code == 400
    assert client.get("/my-reports/XT-T11?kind=annual&period=2026-Q3").status_code == 400
    assert client.get("/my-reports/NOPE").status_code == 404


def test_a_contributor_of_another_province_sees_none_of_them(portal):
    client = _client(portal, "elsewhere@example.org")
    assert client.get("/api/my-reports").json() == {"programmes": []}
    assert client.get("/my-reports/XT-T11?period=2026-Q3").status_code == 403
    reader = _client(portal, "reader@example.org")
    assert reader.get("/api/my-reports/XT?kind=sector&period=2026-Q3").status_code == 200


def test_a_centres_public_page_reads_its_provinces_plan_against_the_counted_figures(tmp_path):
    # XT-T11 works in province 11 only and its plan is set for province 11, not for the whole programme
    sheets = trade_data.tables()
    sheets["targets"] = [
        ["programme_code", "indicator_code", "period", "admin_unit", "value"],
        ["XT-T11", "HD_CT", "2026", "11", 4],
        ["XT-T11", "DN_TG", "2026", "11", 3],
        ["XT-T11", "DS_GT", "2026", "11", 400],
    ]
    settings = load_settings({"MEL_HOME": str(tmp_path)})
    engine = make_engine(settings.db_url)
    init_store(engine)
    import_path(engine, trade_data.write(tmp_path / "xttm.xlsx", sheets))
    engine.dispose()
    page = _client(settings).get("/api/programmes/XT-T11")  # anonymous
    assert page.status_code == 200
    shown = {i["code"]: i for level in page.json()["results_framework"] for i in level["indicators"]}
    # done in 2026 inside the programme: A1, A2 (Q3) and A5 (Q2); A3 is outside it, A4 only planned
    assert (shown["HD_CT"]["final_target"], shown["HD_CT"]["actual"], shown["HD_CT"]["met"]) == (4, 3, False)
    # enterprises in those activities: E1 E2 E3 (A1), E1 E4 (A2), E2 (A5)
    assert (shown["DN_TG"]["final_target"], shown["DN_TG"]["actual"], shown["DN_TG"]["met"]) == (3, 4, True)
    # additional sales come from two enterprises (E1 300, E4 200): below the threshold, never shown
    assert shown["DS_GT"]["final_target"] == 400 and shown["DS_GT"]["actual"] is None
    assert "500" not in page.text and "300" not in page.text
