"""`mel demo` from a clean working directory, as a new user runs it, and the sample in the store."""

from __future__ import annotations

import json

from sqlalchemy import text

from mel_core.config import load_settings
from mel_core.demo.run import evaluated_programmes, run_demo
from mel_core.demo.trade_sample import ASSOCIATION, CENTRES, centre
from mel_core.store import make_engine
from tests.test_cli import run_mel


def test_mel_demo_builds_the_store_evaluates_every_programme_and_prints_where_everything_is(demo_run):
    """The issue's 'done when': from nothing, one command gives notebooks and HTML for every programme and
    criterion, and the success and the failure get the ratings their data deserve."""
    from mel_core.evaluations.templates import TEMPLATE_NAMES

    tmp_path, result = demo_run.home, demo_run.result
    assert result.returncode == 0, result.stderr
    assert "illustrative" in result.stdout
    assert "Programmes in the store" in result.stdout
    assert (tmp_path / "mel.db").is_file()
    engine = make_engine(f"sqlite:///{tmp_path / 'mel.db'}")
    with engine.connect() as conn:
        codes = list(conn.scalars(text("SELECT code FROM programmes ORDER BY code")))
        assert conn.scalar(text("SELECT count(*) FROM lessons")) >= 24
        levels = {
            (code, criterion): level
            for code, criterion, level in conn.execute(
                text(
                    "SELECT p.code, r.criterion, r.final_level FROM ratings r JOIN evaluations e"
                    " ON e.id = r.evaluation_id JOIN programmes p ON p.id = e.programme_id WHERE e.status = 'succeeded'"
                )
            )
        }
    assert len(codes) >= 8
    root = tmp_path / "notebooks" / "evaluations"
    assert str(root) in result.stdout.replace("\n", "")
    evaluated = evaluated_programmes(engine)
    # the trade-promotion programme is evaluated as a whole; its centres' and association's projects are not
    assert set(codes) - set(evaluated) == {ASSOCIATION, *map(centre, CENTRES)}
    for code in codes:
        assert code in result.stdout
    for code in evaluated:
        [folder] = [f for f in (root / code).iterdir() if f.is_dir()]
        for name in TEMPLATE_NAMES:
            assert (folder / f"{name}.ipynb").is_file(), (code, name)
            assert (folder / f"{name}.html").is_file(), (code, name)
        assert (code, "overall") in levels
    # the clear success and the clear failure of the sample (README's table)
    assert levels[("DB-BSS-2011", "effectiveness")] >= 3 and levels[("DB-BSS-2011", "impact")] >= 3
    assert levels[("DB-BSS-2011", "overall")] >= 3
    assert levels[("KT-KEO-2012", "effectiveness")] <= 2 and levels[("KT-KEO-2012", "impact")] <= 2
    assert levels[("KT-KEO-2012", "sustainability")] <= 2
    assert levels[("KT-KEO-2012", "overall")] < levels[("DB-BSS-2011", "overall")]
    assert levels[("TH-SK-2022", "sustainability")] is None  # still running: no post-support evidence
    # the index is built: a search typed without diacritics lists the Vietnamese livestock lessons first
    assert "Index built" in result.stdout
    found = run_mel("kb", "search", "giam ngheo chan nuoi", "--json", home=tmp_path)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert hits[0]["kind"] == "lesson" and hits[0]["info"]["language"] == "vi"
    assert hits[0]["info"]["sector"] == "livestock"


def test_demo_runs_again_from_scratch_with_the_same_result(tmp_path):
    settings = load_settings({"MEL_HOME": str(tmp_path)})
    first = run_demo(settings)
    second = run_demo(settings)
    assert [(p.code, p.counts) for p in first.programmes] == [(p.code, p.counts) for p in second.programmes]
    assert all(t.new == t.rows for t in second.report.tables)  # a fresh store each time


def test_the_sample_covers_what_the_evaluations_need(tmp_path):
    result = run_demo(load_settings({"MEL_HOME": str(tmp_path)}))
    engine = make_engine(result.db_url)
    with engine.connect() as conn:
        levels = conn.execute(
            text(
                "SELECT p.code, count(DISTINCT i.level) FROM programmes p JOIN indicators i ON i.programme_id = p.id"
                " GROUP BY p.code"
            )
        ).all()
        assert levels and all(n == 4 for _, n in levels)
        provinces = set(conn.scalars(text("SELECT admin_unit_code FROM programme_provinces")))
        assert len(provinces) >= 6
        old = conn.scalar(
            text(
                "SELECT count(*) FROM programme_provinces pp JOIN admin_units a"
                " ON a.code = pp.admin_unit_code WHERE a.successor_code <> a.code"
            )
        )
        assert old >= 1
        groups = set(conn.execute(text("SELECT DISTINCT round, study_group FROM survey_records")).all())
        assert {
            ("baseline", "treatment"),
            ("baseline", "comparison"),
            ("endline", "treatment"),
            ("endline", "comparison"),
            ("post", "treatment"),
        } <= groups
        disaggregated = set(conn.scalars(text("SELECT DISTINCT disaggregation FROM observations")))
        assert {"sex=female", "ethnicity=minority"} <= disaggregated


def test_demo_makes_one_portal_account_per_role_and_says_how_to_serve(demo_run):
    """Random passwords printed once, never fixed in code; each one signs in to its account."""
    import re

    from sqlmodel import select

    from mel_core.accounts.passwords import verify_password
    from mel_core.store import User, make_engine, session_scope
    from mel_core.vocabulary import ROLES

    out = demo_run.result.stdout
    assert "mel serve" in out and "http://127.0.0.1:8000" in out
    printed = dict(re.findall(r"^\s+(\w+@example\.org)\s+(\S+)\s*$", out, flags=re.M))
    assert sorted(printed) == sorted(f"{role}@example.org" for role in ROLES)
    assert len(set(printed.values())) == len(ROLES) and all(len(p) >= 16 for p in printed.values())
    engine = make_engine(f"sqlite:///{demo_run.home / 'mel.db'}")
    try:
        with session_scope(engine) as session:
            stored = {u.email: (u.role, u.password_hash) for u in session.exec(select(User))}
    finally:
        engine.dispose()
    for email, password in printed.items():
        role, hashed = stored[email]
        assert role == email.partition("@")[0]
        assert verify_password(hashed, password) and password not in hashed
