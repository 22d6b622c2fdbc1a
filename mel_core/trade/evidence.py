"""What a trade-promotion programme's evaluation reads from its enterprise and activity records.

- :func:`enterprise_panel`: the enterprises of the register in the programme's provinces as a panel in the
  survey's shape (:attr:`mel_core.criteria.data.ProgrammeData.survey`), so that the impact criterion's
  difference-in-differences (:mod:`mel_core.criteria.did`) compares participants with non-participants before
  and after: one row per enterprise and round; ``baseline`` is the last year reported up to the programme's
  start (the year it started counts as before, as a survey of that year does in
  :func:`mel_core.criteria.did.pre_treatment_rounds`), ``endline`` the latest year reported after it; ``group``
  is ``treatment`` for an enterprise that took part in a programme activity by the end of that year,
  ``comparison`` for the others; the variables are the annual reports' figures (``turnover_million_vnd``,
  ``export_turnover_million_vnd``, ``export_markets``, ``employees``). Only enterprises that reported both
  years count (a balanced panel). When either group has fewer enterprises than the disclosure threshold, there
  is no panel: an estimate over one or two enterprises would publish their own figures.
- :func:`counted_observations`: the values the records give for the indicators the framework computes, for
  each period and place the programme has a target for (for the effectiveness criterion's achievement against
  plan); enterprise figures over too few enterprises are left out.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mel_core.periods import PeriodKind, parse_period
from mel_core.trade import disclosure
from mel_core.trade.indicators import COMPUTED, Scope, compute, participating
from mel_core.trade.records import TradeRecords
from mel_core.vocabulary import NATIONAL

PANEL_VARIABLES = {
    "turnover_million_vnd": "turnover",
    "export_turnover_million_vnd": "export_turnover",
    "export_markets": "export_markets",
    "employees": "employees",
}
_ID = ["respondent_id", "round", "year", "group", "admin_unit", "cluster"]


def _current(code: str) -> str:
    from mel_core import geo

    province = geo.provinces().get(code)
    return province.successor_code if province is not None else code


def enterprise_panel(
    records: TradeRecords, programme: str, start: date, *, least: int | None = None
) -> pd.DataFrame:
    """The programme's enterprises before and after, participants against the others (empty when there is no
    year on either side, or a group is smaller than the disclosure threshold)."""
    least = disclosure.minimum() if least is None else least
    empty = pd.DataFrame(columns=[*_ID, *PANEL_VARIABLES])
    programmes = records.children(programme)
    places = {_current(p) for code in programmes for p in records.programmes.get(code, (None, (), ""))[1]}
    firms = {t: e for t, e in records.enterprises.items() if _current(e.province) in places}
    years = sorted(
        {
            f.period.start.year
            for (t, _l), f in records.reports.items()
            if t in firms and f.period.kind == PeriodKind.YEAR
        }
    )
    before = [y for y in years if y <= start.year]
    after = [y for y in years if y > start.year]
    if not before or not after:
        return empty
    base, end = before[-1], after[-1]
    treated = participating(records, Scope(tuple(programmes), parse_period(str(end))))
    rows = []
    for tax, firm in sorted(firms.items()):
        reports = [records.reports.get((tax, str(y))) for y in (base, end)]
        if any(r is None for r in reports):
            continue
        group = "treatment" if tax in treated else "comparison"
        for label, year, report in (("baseline", base, reports[0]), ("endline", end, reports[1])):
            rows.append(
                {
                    "respondent_id": tax,
                    "round": label,
                    "year": year,
                    "group": group,
                    "admin_unit": firm.province,
                    "cluster": None,
                    **{v: getattr(report, name) for v, name in PANEL_VARIABLES.items()},
                }
            )
    frame = pd.DataFrame(rows, columns=[*_ID, *PANEL_VARIABLES])
    sizes = frame.drop_duplicates("respondent_id")["group"].value_counts()
    if sizes.get("treatment", 0) < least or sizes.get("comparison", 0) < least:
        return empty
    for name in PANEL_VARIABLES:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return frame


def counted_observations(
    records: TradeRecords, programme: str, targets: pd.DataFrame, *, least: int | None = None
) -> pd.DataFrame:
    """Rows in the shape of the observations frame (``indicator_code``, ``period``, ``period_start``,
    ``period_end``, ``admin_unit``, ``disaggregation``, ``value``): what the records count for each target of an
    indicator the framework computes (a year, half-year, quarter or month; not a span)."""
    least = disclosure.minimum() if least is None else least
    programmes = tuple(records.children(programme))
    rows = []
    wanted = targets[targets["indicator_code"].isin(COMPUTED)] if not targets.empty else targets
    cache: dict[tuple[str, str | None], dict] = {}
    for _n, t in wanted.iterrows():
        period = parse_period(str(t["period"]))
        if period.kind == PeriodKind.SPAN:
            continue
        place = None if t["admin_unit"] in (None, NATIONAL) else str(t["admin_unit"])
        key = (period.label, place)
        if key not in cache:
            cache[key] = compute(records, Scope(programmes, period, province=place))
        figure = disclosure.shown(cache[key][t["indicator_code"]], least)
        if figure.value is None:
            continue
        rows.append(
            {
                "indicator_code": t["indicator_code"],
                "period": period.label,
                "period_start": period.start,
                "period_end": period.end,
                "admin_unit": t["admin_unit"],
                "disaggregation": "",
                "value": figure.value,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator_code",
            "period",
            "period_start",
            "period_end",
            "admin_unit",
            "disaggregation",
            "value",
        ],
    ).drop_duplicates(["indicator_code", "period", "admin_unit"])
