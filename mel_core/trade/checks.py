"""Figures typed in that disagree with what the activity records count: warnings, not errors.

Seed 000 asks centres to enter each activity's participants; the participation indicators are then counted
from those records. A figure typed in beside them (an activity's ``participants_*`` column, where the activity
has participant records (an activity without any keeps its typed figures unchallenged), or an observation
of an indicator the records count: :data:`mel_core.trade.indicators.COUNTED`) that differs from the count is
reported, with the count and what it rests on, so the centre can correct one or the other. Nothing is refused:
the records stand, and the reports show the counted value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select

from mel_core.errors import Problem
from mel_core.i18n import message
from mel_core.periods import Period
from mel_core.store import Programme, table_of
from mel_core.trade.indicators import COUNTED, Scope, compute, is_trade
from mel_core.trade.records import TradeRecords, load_records

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mel_core.ingest.validate import Batch
from mel_core.vocabulary import NATIONAL

#: Where a warning about a stored row (not one of the import's) points.
STORE = message("trade.checks.the_store")
_COLUMNS = {
    "official": "participants_officials",
    "enterprise": "participants_enterprises",
    "household": "participants_households",
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def disagreements(
    records: TradeRecords,
    labels: Mapping[str, str] | None = None,
    programmes: set[str] | None = None,
    period: Period | None = None,
) -> list[Problem]:
    """Every typed-in figure of a trade-promotion programme that disagrees with the records' count.

    ``labels``: the file or sheet of each table of an import (rows with a row number came from it; the others
    are the store's). ``programmes``: only these (default: every trade-promotion programme). ``period``: only
    the activities done in it and the figures typed in for it.
    """
    labels = labels or {}
    out: list[Problem] = []
    for activity in sorted(records.activities.values(), key=lambda a: a.key):
        if not is_trade(records, activity.programme) or (programmes and activity.programme not in programmes):
            continue
        if activity.status != "done" or (period is not None and not activity.done_in(period)):
            continue
        listed = records.participants.get(activity.key, {})
        if not listed:  # no participant entered: the typed figures are all there is, nothing to compare
            continue
        for kind, column in _COLUMNS.items():
            typed = activity.typed_count(kind)
            listed_count = len(listed.get(kind, ()))
            if typed is None or typed == listed_count:
                continue
            source = labels.get("activities", STORE) if activity.row else STORE
            out.append(
                Problem(
                    source,
                    activity.row,
                    column if activity.row else f"{activity.programme}/{activity.code} {column}",
                    str(typed),
                    message(
                        "trade.checks.participants_differ",
                        typed=typed,
                        code=activity.code,
                        listed_count=listed_count,
                        kind=kind,
                    ),
                )
            )
    for figure in sorted(records.typed.values(), key=lambda f: (f.programme, f.indicator, f.period, f.row)):
        if figure.indicator not in COUNTED or not is_trade(records, figure.programme):
            continue
        if programmes and figure.programme not in programmes:
            continue
        if period is not None and figure.period.label != period.label:
            continue
        province = None if figure.admin_unit in (NATIONAL, None) else figure.admin_unit
        scope = Scope(tuple(records.children(figure.programme)), figure.period, province=province)
        computed = compute(records, scope)[figure.indicator]
        if figure.disaggregation == "":
            counted: float | None = computed.value
        elif figure.disaggregation.startswith("type=") and ";" not in figure.disaggregation:
            counted = computed.by_type.get(figure.disaggregation[5:], 0)
        else:
            continue
        if counted is None or abs(counted - figure.value) < 1e-9:
            continue
        source = labels.get("observations", STORE) if figure.row else STORE
        where = f" {figure.disaggregation}" if figure.disaggregation else ""
        shown = ", ".join(computed.activities[:10]) + (" …" if len(computed.activities) > 10 else "")
        out.append(
            Problem(
                source,
                figure.row,
                "value" if figure.row else f"{figure.programme}/{figure.indicator} {figure.period}{where}",
                _number(figure.value),
                message(
                    "trade.checks.count_differs",
                    indicator=figure.indicator,
                    period=figure.period,
                    where=where,
                    typed=_number(figure.value),
                    counted=_number(counted),
                    shown=shown,
                )
                if shown
                else message(
                    "trade.checks.count_differs_no_activity",
                    indicator=figure.indicator,
                    period=figure.period,
                    where=where,
                    typed=_number(figure.value),
                    counted=_number(counted),
                ),
            )
        )
    return out


_TOUCHING = ("activities", "activity_participants", "observations", "activity_results", "indicators")


def import_warnings(conn: Connection, batch: Batch, labels: Mapping[str, str]) -> list[Problem]:
    """The disagreements an import would leave in the trade-promotion programmes it touches (none when it
    touches none), counted on the store as it would be after the import."""
    p = table_of(Programme)
    trade = set(conn.scalars(select(p.c.code).where(p.c.sector == "trade_promotion")))
    trade |= {r["code"] for r in batch.rows("programmes") if r.get("sector") == "trade_promotion"}
    touched = {str(r.get("programme_code")) for name in _TOUCHING for r in batch.rows(name)} & trade
    touched |= {r["code"] for r in batch.rows("programmes") if r.get("code") in trade}
    if not touched:
        return []
    records = load_records(conn, trade).overlay(batch)
    wanted = set(touched)
    for code in touched:  # a parent's figures count its children's activities
        parent = records.programmes.get(code, (None, (), ""))[0]
        while parent and parent not in wanted:
            wanted.add(parent)
            parent = records.programmes.get(parent, (None, (), ""))[0]
    return disagreements(records, labels, wanted)
