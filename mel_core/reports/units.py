"""District and commune reports: what a district or a commune reports, and until when it existed.

A district report (before the 2025 reform) and a commune report gather the programmes that hold a plan or a
figure at the unit or below it, and read them at the unit: a district's figure is its own, else its communes'
rolled up (:mod:`mel_core.indicators.rollup`: counts summed, rates weighted or left missing); a commune's is its
own, else (for the years before 1 July 2025) that of the communes merged into it. Districts ended on 30 June
2025, and so did the communes merged into new ones: a report on them for a later period is an error that says
what to report instead.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlmodel import Session

from mel_core import geo
from mel_core.communes import Unit, admin_tree, below, merged_into, province_of
from mel_core.errors import NotFound
from mel_core.i18n import both, message, t
from mel_core.periods import Period
from mel_core.reports.reading import programme_frames, programme_records
from mel_core.reports.scope import ProgrammeFigures, ReportScopeError, Scope
from mel_core.store import AdminUnit, Indicator, Observation, Programme, Target, table_of


def unknown_unit(conn: Connection, code: str, level: str) -> NotFound:
    """The error for a district or commune code (``level``) the store does not have, naming a few it has."""
    au = table_of(AdminUnit)
    known = list(conn.scalars(select(au.c.code).where(au.c.level == level).order_by(au.c.code).limit(8)))
    kind = "district" if level == "district" else "commune"
    return NotFound(
        both(
            lambda lang: t("reports.units.unknown", lang, code=code, level=t(f"reports.level.{kind}", lang))
        ),
        hint=both(
            lambda lang: t(
                "reports.units.unknown_hint",
                lang,
                level=t(f"reports.level.{kind}", lang),
                known=", ".join(known) or t("reports.words.none", lang),
            )
        ),
        entity=level,
        key=code,
    )


_TYPES = ("huyện", "quận", "thị xã", "thành phố", "xã", "phường", "thị trấn", "đặc khu")


def unit_title(unit: Unit) -> str:
    """``huyện Điện Biên Đông`` / ``xã Na Son``: the unit's name with its type, as a title names it."""
    name = unit.name
    if any(name.casefold().startswith(t + " ") for t in _TYPES):
        return name[0].lower() + name[1:]
    kind = "district" if unit.level == "district" else "commune"
    return f"{t(f'reports.level.{kind}', 'vi')} {name}"


def district_scope(session: Session, code: str) -> Scope:
    """The scope of a district report: every programme with a plan or a figure at the district or its communes.

    Raises:
        NotFound: the code is not a district in the store.
        ReportScopeError: no programme has anything there.
    """
    return _unit_scope(session, code, "district")


def commune_scope(session: Session, code: str) -> Scope:
    """The scope of a commune report: the programmes with a plan or a figure at the commune (or the communes
    merged into it in 2025).

    Raises:
        NotFound: the code is not a commune in the store.
        ReportScopeError: no programme has anything there.
    """
    return _unit_scope(session, code, "commune")


def _unit_scope(session: Session, code: str, level: str) -> Scope:
    conn = session.connection()
    tree = admin_tree(conn)
    unit = tree.get(code)
    if unit is None or unit.level != level:
        raise unknown_unit(conn, code, level)
    # who rolls up into the unit: a district's communes; a commune's predecessors merged into it in 2025
    rollup = below(tree, {code}) if level == "district" else merged_into(tree, code)
    units = [code, *sorted(rollup)]
    i, tg, o, p = table_of(Indicator), table_of(Target), table_of(Observation), table_of(Programme)
    programme_codes = sorted(
        set(
            conn.scalars(
                select(p.c.code)
                .join(i, i.c.programme_id == p.c.id)
                .join(tg, tg.c.indicator_id == i.c.id)
                .where(tg.c.admin_unit_code.in_(units))
                .distinct()
            )
        )
        | set(
            conn.scalars(
                select(p.c.code)
                .join(i, i.c.programme_id == p.c.id)
                .join(o, o.c.indicator_id == i.c.id)
                .where(o.c.admin_unit_code.in_(units))
                .distinct()
            )
        )
    )
    title = unit_title(unit)
    titles = {"en": unit.name, "vi": title}  # the unit as each language names it
    if not programme_codes:
        raise ReportScopeError(
            both(lambda lang: t("reports.units.no_programme", lang, code=code, title=titles[lang])),
            hint=message("reports.messages.import_unit_figures"),
        )
    figures = []
    for programme in programme_records(conn, programme_codes):
        indicators, targets, observations = programme_frames(conn, programme, units)
        targets = targets[targets["admin_unit"] == code]
        figures.append(
            ProgrammeFigures(programme, indicators, targets, observations, unit=code, parents=rollup)
        )
    filed = province_of(tree, code)
    province = geo.provinces()[filed] if filed is not None else None
    name = province.successor_name if province is not None else None
    # a district, or a commune merged in 2025, lay in the province of its time; a commune of today in today's
    province_then = None if province is None else province.name if unit.until else province.successor_name
    where = f"{title}, tỉnh {province_then}" if province_then else title
    return Scope(
        figures,
        province=province.successor_code if province is not None else None,
        province_name=name,
        unit=unit,
        issuer=[f"UBND {title.upper()}"],
        subject=where,
    )


def check_existed(scope: Scope, period: Period) -> None:
    """A district, or a commune merged in 2025, has no report for a period that begins after its end."""
    unit = scope.unit
    if unit is None or unit.until is None or period.start <= unit.until:
        return
    if unit.level == "district":
        hint = message("reports.messages.districts_abolished")
    else:
        hint = message("reports.messages.commune_merged", successor_code=unit.successor_code)
    raise ReportScopeError(
        message("reports.messages.unit_ended", code=unit.code, name=unit.name, label=period.label),
        hint=hint,
    )
