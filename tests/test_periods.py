from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mel_core.errors import PeriodError
from mel_core.periods import PeriodKind, parse_period, periods_within, split_years


@pytest.mark.parametrize(
    ("text", "start", "end", "kind", "label"),
    [
        ("2015", date(2015, 1, 1), date(2015, 12, 31), PeriodKind.YEAR, "2015"),
        ("2015-H1", date(2015, 1, 1), date(2015, 6, 30), PeriodKind.HALF, "2015-H1"),
        ("2015-h2", date(2015, 7, 1), date(2015, 12, 31), PeriodKind.HALF, "2015-H2"),
        ("2015-Q3", date(2015, 7, 1), date(2015, 9, 30), PeriodKind.QUARTER, "2015-Q3"),
        ("2016-Q1", date(2016, 1, 1), date(2016, 3, 31), PeriodKind.QUARTER, "2016-Q1"),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29), PeriodKind.MONTH, "2016-02"),
        ("2015-02", date(2015, 2, 1), date(2015, 2, 28), PeriodKind.MONTH, "2015-02"),
        ("2016-2020", date(2016, 1, 1), date(2020, 12, 31), PeriodKind.SPAN, "2016-2020"),
        (" 2015 ", date(2015, 1, 1), date(2015, 12, 31), PeriodKind.YEAR, "2015"),
        (2015, date(2015, 1, 1), date(2015, 12, 31), PeriodKind.YEAR, "2015"),
        (2015.0, date(2015, 1, 1), date(2015, 12, 31), PeriodKind.YEAR, "2015"),
    ],
    ids=[
        "year",
        "half1",
        "half2-lower",
        "quarter3",
        "quarter1-leap",
        "month-leap",
        "month",
        "span",
        "spaces",
        "int",
        "excel-float",
    ],
)
def test_parses_every_syntax(text, start, end, kind, label):
    p = parse_period(text)
    assert (p.start, p.end, p.kind, p.label) == (start, end, kind, label)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "15",
        "2015-H3",
        "2015-Q5",
        "2015-13",
        "2015-00",
        "2020-2016",
        "2016-2016",
        "2015/07",
        "FY2015",
        "1800",
        "2015-Q1-2",
        2015.5,
        True,
    ],
    ids=lambda v: repr(v),
)
def test_rejects_what_is_not_a_period(text):
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert (
        "period" in str(info.value)
        or "span" in str(info.value)
        or "month" in str(info.value)
        or "year" in str(info.value)
    )


def test_ordering_containment_and_within():
    assert parse_period("2015-Q1") < parse_period("2015-H1") < parse_period("2015") < parse_period("2015-07")
    span = parse_period("2016-2020")
    assert span.contains(parse_period("2018-Q2"))
    assert not span.contains(parse_period("2015-2017"))
    assert span.overlaps(parse_period("2015-2017"))
    inside = periods_within(
        ["2015", "2016", "2016-H2", "2020-12", "2021-01", "2011-2015", "2016-2020"], "2016-2020"
    )
    assert [p.label for p in inside] == ["2016", "2016-2020", "2016-H2", "2020-12"]
    assert [p.label for p in split_years("2016-2018")] == ["2016", "2017", "2018"]
    assert parse_period("2016-2020").months == 60


periods = st.one_of(
    st.integers(1900, 2100).map(str),
    st.tuples(st.integers(1900, 2100), st.integers(1, 2)).map(lambda t: f"{t[0]}-H{t[1]}"),
    st.tuples(st.integers(1900, 2100), st.integers(1, 4)).map(lambda t: f"{t[0]}-Q{t[1]}"),
    st.tuples(st.integers(1900, 2100), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(st.integers(1900, 2099), st.integers(1, 30))
    .filter(lambda t: t[0] + t[1] <= 2100)
    .map(lambda t: f"{t[0]}-{t[0] + t[1]}"),
)


@given(periods)
def test_label_round_trips_and_interval_is_well_formed(text):
    p = parse_period(text)
    assert parse_period(p.label) == p
    assert p.start <= p.end
    assert p.start.day == 1
    assert p.contains(p)
    assert parse_period(str(p.start.year)).overlaps(p)


@given(periods, periods)
def test_order_agrees_with_dates_and_containment_is_consistent(a, b):
    pa, pb = parse_period(a), parse_period(b)
    assert (pa < pb) == ((pa.start, pa.end) < (pb.start, pb.end))
    if pa.contains(pb) and pb.contains(pa):
        assert pa == pb
    if pa.contains(pb):
        assert pa.overlaps(pb)


@given(st.text(max_size=12))
def test_any_text_is_a_period_or_a_clear_error(text):
    try:
        p = parse_period(text)
    except PeriodError as exc:
        assert str(exc)
    else:
        assert p.label == text.strip().upper() or p.label == text.strip()
