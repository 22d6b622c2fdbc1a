"""Checks of the indicators that name a method: their components, cycles, and no typed-in derived values.

An indicator's ``method`` (appendix 6, see :mod:`mel_core.indicators.catalogue`) takes its ``components`` in a
fixed order; each must be an indicator of the same programme (in the workbook or already in the store), the
number must match the method, and no indicator may be computed from itself through others. Observations typed in
for an indicator that is computed are an error: its values come from its components.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mel_core.errors import Problem
from mel_core.i18n import message
from mel_core.indicators.catalogue import METHODS

if TYPE_CHECKING:
    from mel_core.ingest.sources import Source
    from mel_core.ingest.validate import Batch, Known

Key = tuple[str, str]


def _cycle(start: Key, formulas: dict[Key, tuple[str, list[str]]]) -> list[str] | None:
    """The codes of a cycle through ``start`` (``[A, B, A]``), or None."""
    programme = start[0]
    path: list[str] = []

    def walk(code: str, seen: set[str]) -> list[str] | None:
        path.append(code)
        for comp in formulas.get((programme, code), ("", []))[1]:
            if comp == start[1]:
                return [*path, comp]
            if comp not in seen:
                found = walk(comp, seen | {comp})
                if found:
                    return found
        path.pop()
        return None

    return walk(start[1], {start[1]})


def check_formulas(source: Source, batch: Batch, known: Known) -> None:
    """Append to ``batch.problems`` every problem with methods, components and derived observations."""
    problems = batch.problems
    rows = batch.rows("indicators")
    table = source.tables.get("indicators")
    formulas = dict(known.formulas)
    codes = set(known.indicators)
    for r in rows:
        if r.get("programme_code") and r.get("code"):
            key = (r["programme_code"], r["code"])
            codes.add(key)
            formulas.pop(key, None)  # the workbook's row replaces what the store holds
            if r.get("method"):
                formulas[key] = (r["method"], list(r.get("components") or []))
    if table is not None:
        for r in rows:
            _check_row(table.source, r, codes, formulas, problems)
    observations = source.tables.get("observations")
    if observations is None:
        return
    for r in batch.rows("observations"):
        key = (r.get("programme_code"), r.get("indicator_code"))
        method, comps = formulas.get(key, ("", []))
        if method in METHODS and METHODS[method].derived:
            problems.append(
                Problem(
                    observations.source,
                    r["_row"],
                    "indicator_code",
                    str(key[1]),
                    message(
                        "ingest.formulas.computed_method_leave_out", comps=";".join(comps), method=method
                    ),
                )
            )


def _check_row(
    label: str,
    r: dict[str, object],
    codes: set[Key],
    formulas: dict[Key, tuple[str, list[str]]],
    problems: list[Problem],
) -> None:
    programme, code, method = r.get("programme_code"), r.get("code"), r.get("method")
    comps: list[str] = list(r.get("components") or [])  # type: ignore[call-overload]
    n = int(r["_row"])  # type: ignore[call-overload]
    if not programme or not code:
        return
    if comps and not method:
        problems.append(
            Problem(
                label,
                n,
                "components",
                ";".join(comps),
                message("ingest.formulas.components_without_method_name"),
            )
        )
        return
    if not method or method not in METHODS:
        return  # an unknown method was reported by the cell reader
    spec = METHODS[str(method)]
    if not spec.accepts(len(comps)):
        if spec.repeats:
            reason = message(
                "ingest.formulas.method_takes_least_components",
                method=method,
                needed=len(spec.components),
                signature=spec.signature,
                given=len(comps),
            )
        else:
            reason = message(
                "ingest.formulas.method_takes_components_given",
                method=method,
                needed=len(spec.components),
                signature=spec.signature,
                given=len(comps),
            )
        problems.append(
            Problem(
                label,
                n,
                "components",
                ";".join(comps),
                reason,
            )
        )
    unknown = [c for c in comps if (programme, c) not in codes]
    for comp in unknown:
        problems.append(
            Problem(
                label,
                n,
                "components",
                comp,
                message("ingest.formulas.not_indicator_programme_add", programme=programme),
            )
        )
    if not unknown:
        cycle = _cycle((str(programme), str(code)), formulas)
        if cycle:
            problems.append(
                Problem(
                    label,
                    n,
                    "components",
                    ";".join(comps),
                    message("ingest.formulas.components_form_cycle", cycle=" → ".join(cycle)),
                )
            )
