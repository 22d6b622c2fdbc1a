"""The rules of the trade-promotion tables (seed 000) that span rows and tables.

- an activity report is chosen from the plan: an activity that was done or stopped, or has an actual date, has
  its planned date; one that was done has its actual date;
- an activity's ``outcome`` is one of its programme's objectives (its number or exact text) and its
  ``indicators`` are indicators of its programme;
- a participant belongs to an activity of the workbook or the store; an enterprise participant, an enterprise
  report and an activity result name an enterprise of the register (this workbook's or the store's) by its tax
  code;
- an enterprise reports results only from an activity it took part in.
"""

from __future__ import annotations

from mel_core.errors import Problem
from mel_core.i18n import message
from mel_core.ingest.sources import Source
from mel_core.ingest.validate import Batch, Known, resolve_objective
from mel_core.trade import tax_code as tax_codes


def check_trade(source: Source, batch: Batch, known: Known) -> None:
    """Append to ``batch.problems`` every breach of the rules above."""
    problems = batch.problems
    indicators = known.indicators | {
        (r["programme_code"], r["code"]) for r in batch.rows("indicators") if r.get("programme_code")
    }
    objectives = dict(known.objectives)
    objectives.update(
        {r["code"]: r.get("objectives") or [] for r in batch.rows("programmes") if r.get("code")}
    )
    activities = known.activities | {
        (r["programme_code"], r["code"]) for r in batch.rows("activities") if r.get("programme_code")
    }
    register = known.enterprises | {r["tax_code"] for r in batch.rows("enterprises") if r.get("tax_code")}
    joined = known.participants | {
        (r["programme_code"], r["activity_code"], r["participant"])
        for r in batch.rows("activity_participants")
        if r.get("kind") == "enterprise" and r.get("participant")
    }
    table = source.tables.get("activities")
    if table is not None:
        for r in batch.rows("activities"):
            _check_activity(table.source, r, indicators, objectives, problems)
    table = source.tables.get("activity_participants")
    if table is not None:
        for r in batch.rows("activity_participants"):
            label, n = table.source, r["_row"]
            _check_activity_known(label, r, activities, problems)
            if r.get("kind") == "enterprise" and r.get("participant"):
                normal = tax_codes.normalise(r["participant"])
                why = tax_codes.problem(normal)
                if why:
                    problems.append(Problem(label, n, "participant", r["participant"], why))
                    continue
                r["participant"] = normal
                _check_registered(label, n, "participant", normal, register, problems)
    for name in ("enterprise_reports", "activity_results"):
        table = source.tables.get(name)
        if table is None:
            continue
        for r in batch.rows(name):
            label, n, code = table.source, r["_row"], r.get("tax_code")
            if name == "activity_results":
                _check_activity_known(label, r, activities, problems)
            if not code or not _check_registered(label, n, "tax_code", code, register, problems):
                continue
            key = (r.get("programme_code"), r.get("activity_code"), code)
            if name == "activity_results" and key[:2] in activities and key not in joined:
                problems.append(
                    Problem(
                        label,
                        n,
                        "tax_code",
                        code,
                        message("ingest.trade_rows.enterprise_did_not_take", code=code, activity=key[1]),
                    )
                )


def _check_activity(
    label: str,
    r: dict,
    indicators: set[tuple[str, str]],
    objectives: dict[str, list[str]],
    problems: list[Problem],
) -> None:
    n, programme, status = r["_row"], r.get("programme_code"), r.get("status")
    reported = status in ("done", "stopped") or r.get("actual_date") is not None
    if reported and r.get("planned_date") is None:
        problems.append(
            Problem(
                label,
                n,
                "planned_date",
                "",
                message("ingest.trade_rows.activity_report_chosen_plan"),
            )
        )
    if status == "done" and r.get("actual_date") is None:
        problems.append(
            Problem(
                label,
                n,
                "actual_date",
                "",
                message("ingest.trade_rows.done_activity_needs_date"),
            )
        )
    if r.get("outcome") and programme:
        resolve_objective(r, objectives.get(programme, []), label, problems, column="outcome")
    for code in r.get("indicators") or []:
        if programme and (programme, code) not in indicators:
            problems.append(
                Problem(
                    label,
                    n,
                    "indicators",
                    code,
                    message("ingest.trade_rows.unknown_indicator_programme_activity", programme=programme),
                )
            )


def _check_activity_known(
    label: str, r: dict, activities: set[tuple[str, str]], problems: list[Problem]
) -> None:
    key = (r.get("programme_code"), r.get("activity_code"))
    if key[0] and key[1] and key not in activities:
        problems.append(
            Problem(
                label,
                r["_row"],
                "activity_code",
                key[1],
                message("ingest.trade_rows.unknown_activity_programme_add", programme=key[0]),
            )
        )


def _check_registered(
    label: str, n: int, column: str, code: str, register: set[str], problems: list[Problem]
) -> bool:
    if code in register:
        return True
    problems.append(
        Problem(
            label,
            n,
            column,
            code,
            message("ingest.trade_rows.no_enterprise_tax_code"),
        )
    )
    return False
