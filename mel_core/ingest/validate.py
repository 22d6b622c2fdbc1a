"""Check every row of every table before anything is written, and turn cells into typed records.

Validation collects *all* problems (file or sheet, row, column, value, reason); the loader runs only when
there are none. References are resolved against the rows being imported and what the store already holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from mel_core.errors import Problem
from mel_core.i18n import message
from mel_core.ingest import cells
from mel_core.ingest.admin_units import check_admin_units, sheet_codes
from mel_core.ingest.formats import BY_NAME, TABLES, Kind, TableFormat
from mel_core.ingest.formulas import check_formulas
from mel_core.ingest.plan_rows import check_plan
from mel_core.ingest.sources import Source, Table, gc_paused
from mel_core.limits import setting
from mel_core.text import nfc
from mel_core.vocabulary import NATIONAL

Record = dict[str, Any]


@dataclass
class Known:
    """What the store already holds that imported rows may refer to."""

    admin_units: set[str] = field(default_factory=set)
    # admin unit code → (level, parent, successor): what the admin_units table is checked against
    units: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)
    programmes: set[str] = field(default_factory=set)
    parents: dict[str, str | None] = field(default_factory=dict)  # programme code → parent code
    indicators: set[tuple[str, str]] = field(default_factory=set)
    objectives: dict[str, list[str]] = field(default_factory=dict)  # programme code → statements
    # (programme code, objective number, solution number) of the solutions (giải pháp) of objectives
    solutions: set[tuple[str, int, int]] = field(default_factory=set)
    # (programme code, indicator code) → (method, component codes) of the indicators that name a method
    formulas: dict[tuple[str, str], tuple[str, list[str]]] = field(default_factory=dict)
    activities: set[tuple[str, str]] = field(default_factory=set)  # (programme code, activity code)
    enterprises: set[str] = field(default_factory=set)  # tax codes of the register
    # (programme code, activity code, tax code) of the enterprises that took part in an activity
    participants: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass
class Batch:
    """Typed records per table, ready to load, and every problem found."""

    records: dict[str, list[Record]] = field(default_factory=dict)
    survey_variables: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def rows(self, table: str) -> list[Record]:
        return self.records.get(table, [])


#: Kinds whose reading of a text is worth remembering: codes, periods, places and choices repeat from row to
#: row. Numbers are mostly all different, and lists are mutable, so those are read afresh every time.
_REMEMBERED = frozenset(Kind) - {Kind.NUMBER, Kind.MONEY, Kind.LIST, Kind.ADMINS}
#: How many distinct texts each column remembers (a free-text column stops remembering when it is full).
_MEMO_SIZE = 10_000
_MISSING = object()
REQUIRED_EMPTY = message("ingest.validate.required_empty")


#: How much of a value a problem quotes.
SHOWN_CHARS = 200


def _shown(raw: Any) -> str:
    text = "" if raw is None else str(raw)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _too_long(longest: int) -> str:
    variable = setting("cell_chars")
    return message("ingest.validate.cell_holds_more_than", longest=longest, variable=variable)


class _Checker:
    def __init__(self, table: Table, fmt: TableFormat, problems: list[Problem]) -> None:
        self.table, self.fmt, self.problems = table, fmt, problems

    def problem(self, row: int, column: str, value: Any, reason: str) -> None:
        self.problems.append(Problem(self.table.source, row, column, _shown(value), reason))


def _read_table(
    table: Table, fmt: TableFormat, known_admin: set[str], problems: list[Problem], longest: int
) -> tuple[list[Record], list[str]]:
    check = _Checker(table, fmt, problems)
    header = table.header
    variables: list[str] = []
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name == "":
            check.problem(
                1,
                f"column {index + 1}",
                "",
                message("ingest.validate.column_no_header_name"),
            )
        elif name in seen:
            check.problem(
                1,
                name,
                name,
                message(
                    "ingest.validate.header_names_twice_columns",
                    name=name,
                    first=seen[name] + 1,
                    column=index + 1,
                ),
            )
        else:
            seen[name] = index
    for name in fmt.required:
        if name not in seen:
            check.problem(
                1,
                name,
                "",
                message("ingest.validate.required_column_missing_header", name=name),
            )
    for name in seen:
        if name in fmt.names or not name or name.startswith("_"):  # "_…": a note column, read by people only
            continue
        if fmt.open_columns:
            try:
                variables.append(cells.variable_name(name))
            except cells.CellError as exc:
                check.problem(1, name, name, exc.reason)
        else:
            check.problem(
                1,
                name,
                name,
                message("ingest.validate.unknown_column_columns", name=fmt.name, names=", ".join(fmt.names)),
            )

    # A reader is a pure function of the cell, so each column remembers what its texts read as (``memo``);
    # a text that fails is not remembered and fails again, with its problem, in every row that holds it.
    readers: list[tuple[int, str, bool, Any, Callable[[Any], Any], dict[str, Any] | None]] = [
        (
            seen[c.name],
            c.name,
            c.required,
            c.default,
            cells.reader(c, known_admin),
            {} if c.kind in _REMEMBERED else None,
        )
        for c in fmt.columns
        if c.name in seen
    ]
    absent = [(c.name, c.default) for c in fmt.columns if c.name not in seen]
    var_readers = [(seen[v], v) for v in variables]
    width = len(header)
    records: list[Record] = []
    for number, row in table.rows:
        record: Record = {"_row": number}
        length = len(row)
        for index, name, required, default, read, memo in readers:
            raw = row[index] if index < length else None
            if memo is not None and raw.__class__ is str:
                value = memo.get(raw, _MISSING)  # only texts that were read without a problem are there
                if value is not _MISSING:
                    record[name] = value
                    continue
            if raw is None or (raw.__class__ is str and (raw == "" or raw.isspace())):
                if required:
                    check.problem(number, name, "", REQUIRED_EMPTY)
                record[name] = default
                continue
            if raw.__class__ is str and len(raw) > longest:
                check.problem(number, name, raw, _too_long(longest))
                record[name] = None
                continue
            try:
                value = read(raw)
            except cells.CellError as exc:
                check.problem(number, name, raw, exc.reason)
                record[name] = None
                continue
            record[name] = value
            if memo is not None and raw.__class__ is str and len(memo) < _MEMO_SIZE:
                memo[raw] = value
        for name, default in absent:
            record[name] = default
        if var_readers:
            values: dict[str, float] = {}
            for index, name in var_readers:
                raw = row[index] if index < len(row) else None
                if cells.is_empty(raw):
                    continue
                if isinstance(raw, str) and len(raw) > longest:
                    check.problem(number, name, raw, _too_long(longest))
                    continue
                try:
                    values[name] = cells.number(raw)
                except cells.CellError as exc:
                    check.problem(number, name, raw, exc.reason)
            record["_values"] = values
        if len(row) > width and any(not cells.is_empty(v) for v in row[width:]):
            check.problem(
                number,
                f"column {width + 1}",
                row[width],
                message("ingest.validate.value_stands_column_without"),
            )
        records.append(record)
    return records, variables


def _duplicates(table: Table, fmt: TableFormat, records: list[Record], problems: list[Problem]) -> None:
    first: dict[tuple[Any, ...], int] = {}
    key = fmt.key
    # Every record holds every column of its table, so the key's values can be taken all at once.
    values = itemgetter(*key) if len(key) > 1 else (lambda r: (r[key[0]],))
    for r in records:
        k = tuple(map(str, values(r)))
        if k in first:
            problems.append(
                Problem(
                    table.source,
                    r["_row"],
                    ", ".join(key),
                    " / ".join(k),
                    message("ingest.validate.duplicate_row_same_appears", row=first[k], key=", ".join(key)),
                )
            )
        else:
            first[k] = r["_row"]


def validate(source: Source, known: Known) -> Batch:
    """Read and check every table of ``source``; the batch's problems list what is wrong, all of it."""
    with gc_paused():
        return _validate(source, known)


def _validate(source: Source, known: Known) -> Batch:
    batch = Batch(problems=list(source.problems))
    problems = batch.problems
    places = known.admin_units | sheet_codes(source)  # figures may name the units the import brings
    for fmt in TABLES:
        table = source.tables.get(fmt.name)
        if table is None:
            continue
        records, variables = _read_table(table, fmt, places, problems, source.limits.cell_chars)
        _duplicates(table, fmt, records, problems)
        batch.records[fmt.name] = records
        if fmt.open_columns:
            batch.survey_variables = variables
    check_admin_units(source, batch, known)
    _check_programmes(source, batch, known)
    _check_references(source, batch, known)
    check_plan(source, batch, known)
    check_formulas(source, batch, known)
    from mel_core.ingest.trade_rows import check_trade  # it builds on this module's helpers

    check_trade(source, batch, known)
    # A cell the source already reported (a formula, say) is not reported again by the row checks.
    reported = {(p.source, p.row, p.column) for p in source.problems if p.row}
    batch.problems = problems = list(source.problems) + [
        p for p in problems[len(source.problems) :] if (p.source, p.row, p.column) not in reported
    ]
    batch.problems = sort_problems(source, problems)
    return batch


def sort_problems(source: Source, problems: list[Problem]) -> list[Problem]:
    """``problems`` in the order they are listed: by table as DESIGN.md orders them, then row and column."""
    order = {source.tables[t.name].source: n for n, t in enumerate(TABLES) if t.name in source.tables}
    problems.sort(key=lambda p: (order.get(p.source, -1), p.source, p.row, p.column))
    return problems


def _check_programmes(source: Source, batch: Batch, known: Known) -> None:
    table = source.tables.get("programmes")
    if table is None:
        return
    problems = batch.problems
    rows = batch.rows("programmes")
    codes = {r["code"] for r in rows if r.get("code")}
    parents = dict(known.parents)
    parents.update({r["code"]: r.get("parent_code") for r in rows if r.get("code")})
    for r in rows:
        n = r["_row"]
        if r.get("start_date") and r.get("end_date") and r["end_date"] < r["start_date"]:
            problems.append(
                Problem(
                    table.source,
                    n,
                    "end_date",
                    str(r["end_date"]),
                    message("ingest.validate.ends_before_start_date"),
                )
            )
        parent = r.get("parent_code")
        if parent:
            if parent == r.get("code"):
                problems.append(
                    Problem(
                        table.source,
                        n,
                        "parent_code",
                        parent,
                        message("ingest.validate.programme_cannot_own_parent"),
                    )
                )
            elif parent not in codes and parent not in known.programmes:
                problems.append(
                    Problem(
                        table.source,
                        n,
                        "parent_code",
                        parent,
                        message("ingest.validate.unknown_programme_parent_must"),
                    )
                )
            else:
                chain, cursor = {r.get("code")}, parent
                while cursor:
                    if cursor in chain:
                        problems.append(
                            Problem(
                                table.source,
                                n,
                                "parent_code",
                                parent,
                                message("ingest.validate.parents_form_cycle"),
                            )
                        )
                        break
                    chain.add(cursor)
                    cursor = parents.get(cursor)


def _check_references(source: Source, batch: Batch, known: Known) -> None:
    problems = batch.problems
    programme_codes = known.programmes | {r["code"] for r in batch.rows("programmes") if r.get("code")}
    objectives = dict(known.objectives)
    objectives.update(
        {r["code"]: r.get("objectives") or [] for r in batch.rows("programmes") if r.get("code")}
    )
    indicator_keys = known.indicators | {
        (r["programme_code"], r["code"])
        for r in batch.rows("indicators")
        if r.get("programme_code") and r.get("code")
    }
    for fmt in TABLES[1:]:
        table = source.tables.get(fmt.name)
        if table is None:
            continue
        label = table.source
        unknown_programme: dict[str, int] = {}
        for r in batch.rows(fmt.name):
            n, code = r["_row"], r.get("programme_code")
            if code and code not in programme_codes:
                unknown_programme[code] = unknown_programme.get(code, 0) + 1
                problems.append(
                    Problem(
                        label,
                        n,
                        "programme_code",
                        code,
                        message("ingest.validate.unknown_programme_add_programmes"),
                    )
                )
                continue
            indicator = r.get("indicator_code")
            if indicator and code and (code, indicator) not in indicator_keys:
                problems.append(
                    Problem(
                        label,
                        n,
                        "indicator_code",
                        r["indicator_code"],
                        message("ingest.validate.unknown_indicator_programme_add", code=code),
                    )
                )
            if r.get("admin_unit") is None and "admin_unit" in r:
                r["admin_unit"] = NATIONAL if fmt.name != "survey" else None
            high, low = r.get("value_high"), r.get("value")
            if fmt.name == "targets" and high is not None and low is not None and high < low:
                problems.append(
                    Problem(
                        label,
                        n,
                        "value_high",
                        str(r["value_high"]),
                        message("ingest.validate.top_range_must_not"),
                    )
                )
            if fmt.name in ("indicators", "solutions") and r.get("objective") and code:
                resolve_objective(r, objectives.get(code, []), label, problems)
        if fmt.name == "survey":
            _check_survey_groups(label, batch.rows("survey"), problems)


def resolve_objective(
    record: Record, statements: list[str], label: str, problems: list[Problem], *, column: str = "objective"
) -> None:
    """Turn ``record[column]`` (an objective's number or exact text) into its number, or add a problem."""
    ref = record[column]
    if ref.isdigit() and 1 <= int(ref) <= len(statements):
        record[column] = int(ref)
        return
    folded = [nfc(s).casefold() for s in statements]
    if nfc(ref).casefold() in folded:
        record[column] = folded.index(nfc(ref).casefold()) + 1
        return
    problems.append(
        Problem(
            label,
            record["_row"],
            column,
            ref,
            message("ingest.validate.no_such_objective_give", n=len(statements)),
        )
    )
    record[column] = None


def _check_survey_groups(label: str, rows: list[Record], problems: list[Problem]) -> None:
    """A respondent stays in one group (treatment or comparison) across rounds."""
    groups: dict[tuple[str, str], tuple[str, int]] = {}
    for r in rows:
        programme, respondent = r.get("programme_code"), r.get("respondent_id")
        if programme is None or respondent is None or r.get("group") is None:
            continue
        key = (programme, respondent)
        if key in groups and groups[key][0] != r["group"]:
            problems.append(
                Problem(
                    label,
                    r["_row"],
                    "group",
                    r["group"],
                    message(
                        "ingest.validate.respondent_group_row",
                        respondent=key[1],
                        group=groups[key][0],
                        row=groups[key][1],
                    ),
                )
            )
        groups.setdefault(key, (r["group"], r["_row"]))


__all__ = ["BY_NAME", "Batch", "Kind", "Known", "sort_problems", "validate"]
