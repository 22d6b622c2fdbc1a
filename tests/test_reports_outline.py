"""Table 4.1 of a province reads the outline of its communes' observations, not every row (#16).

The table shows no observed figure; what it takes from observations is their periods (the default period,
whether a programme had a figure inside the period) and the province code they are filed under. The outline
keeps exactly that, so the table is the same as when every commune row is read.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from mel_core.reports import build_report
from mel_core.reports.framework import framework
from mel_core.reports.period import default_period
from mel_core.reports.plan import add_plan
from mel_core.reports.scope import province_scope
from tests.test_rollup_levels import store  # noqa: F401  (the fixture: communes under districts, two provinces)

DAY = date(2026, 1, 15)
PERIOD_KEYS = ["indicator_code", "period", "period_start", "period_end"]


def test_the_outline_keeps_the_periods_and_the_province_code_without_every_commune_row(store):  # noqa: F811
    with Session(store) as session:
        full = province_scope(session, "11")
        outline = province_scope(session, "11", values=False)
    (whole,), (short,) = full.programmes, outline.programmes
    assert short.unit == whole.unit == "11"
    assert len(short.observations) < len(whole.observations)
    assert short.observations["value"].isna().all()
    periods = {tuple(r) for r in whole.observations[PERIOD_KEYS].itertuples(index=False)}
    assert {tuple(r) for r in short.observations[PERIOD_KEYS].itertuples(index=False)} == periods
    own = set(whole.observations["admin_unit"]) - set(whole.parents)
    assert set(short.observations["admin_unit"]) - set(whole.parents) == own
    assert short.targets.equals(whole.targets)


def test_table_4_1_is_the_same_from_the_outline_as_from_every_row(store):  # noqa: F811
    with Session(store) as session:
        full = province_scope(session, "11")
        add_plan(session.connection(), full)
        outline = province_scope(session, "11", values=False)
        for kind in ("annual", "five-year"):
            assert default_period(kind, outline.targets, outline.observations) == default_period(
                kind, full.targets, full.observations
            )
        year = default_period("annual", full.targets, full.observations)
        built = build_report(session, "annual", province="11", form="4.1", today=DAY)
    expected = framework(full, year, DAY)
    assert built.period == expected.period
    assert built.body == expected.body
    assert built.body
