"""Reference data loaded by ``mel init``: provinces with their successors, and the taxonomy of kb/."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import Engine
from sqlmodel import Session, select

from mel_core import geo
from mel_core.config import kb_dir
from mel_core.errors import ConfigurationError
from mel_core.i18n import message
from mel_core.store import AdminUnit, TaxonomyTerm, session_scope
from mel_core.store.migrate import upgrade
from mel_core.text import nfc
from mel_core.vocabulary import LANGUAGES, NATIONAL


@cache
def taxonomy(path: Path | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """kb/taxonomy.yml: vocabulary → key → {"vi": label, "en": label} (other keys of a term are left out)."""
    source = path or kb_dir() / "taxonomy.yml"
    return {
        vocab: {
            key: {lang: nfc(str(labels[lang])) for lang in LANGUAGES if lang in labels}
            for key, labels in terms.items()
        }
        for vocab, terms in _raw_taxonomy(source).items()
    }


def _raw_taxonomy(source: Path) -> dict[str, dict[str, dict[str, object]]]:
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigurationError(
            message("core.reference.taxonomy_missing", source=source),
            hint=message("core.reference.restore_taxonomy"),
        ) from exc
    return data


@dataclass(frozen=True)
class PlanSector:
    """A sector (ngành) of a provincial plan: its number (``1.2``), key, labels and sub-sectors (sector keys)."""

    number: str
    key: str
    vi: str
    en: str
    sectors: tuple[str, ...]


@dataclass(frozen=True)
class PlanField:
    """A field (lĩnh vực) of a provincial plan with its sectors, numbered as the manual's forms number them."""

    number: str
    key: str
    vi: str
    en: str
    sectors: tuple[PlanSector, ...]


@cache
def plan_fields(path: Path | None = None) -> tuple[PlanField, ...]:
    """The fields of a provincial socio-economic development plan and the sectors in each (kb/taxonomy.yml).

    Raises:
        ConfigurationError: the file is missing, or a sector of the plan names no field of the plan or a sector
            key that is not in ``sectors``.
    """
    source = path or kb_dir() / "taxonomy.yml"
    data = _raw_taxonomy(source)
    known = set(data.get("sectors", {}))
    fields: list[PlanField] = []
    for f_number, (f_key, f_labels) in enumerate(data.get("plan_fields", {}).items(), start=1):
        groups = [(k, v) for k, v in data.get("plan_sectors", {}).items() if v.get("field") == f_key]
        sectors = []
        for s_number, (s_key, s_labels) in enumerate(groups, start=1):
            keys = tuple(str(k) for k in s_labels.get("sectors") or ())  # type: ignore[attr-defined]
            if not set(keys) <= known:
                raise ConfigurationError(
                    message(
                        "core.reference.unknown_sectors",
                        source=source,
                        sector=s_key,
                        sectors=sorted(set(keys) - known),
                    )
                )
            sectors.append(
                PlanSector(
                    f"{f_number}.{s_number}", s_key, nfc(str(s_labels["vi"])), nfc(str(s_labels["en"])), keys
                )
            )
        fields.append(
            PlanField(
                str(f_number), f_key, nfc(str(f_labels["vi"])), nfc(str(f_labels["en"])), tuple(sectors)
            )
        )
    orphans = {
        k
        for k, v in data.get("plan_sectors", {}).items()
        if v.get("field") not in data.get("plan_fields", {})
    }
    if orphans:
        raise ConfigurationError(
            message("core.reference.sectors_without_field", source=source, sectors=sorted(orphans))
        )
    return tuple(fields)


def admin_units() -> list[AdminUnit]:
    """The country and every province code, pre-2025 and current, as store rows."""
    units = [
        AdminUnit(
            code=NATIONAL,
            name="Việt Nam",
            current_name="Việt Nam",
            name_ascii="Viet Nam",
            level="country",
            successor_code=NATIONAL,
        )
    ]
    for p in geo.provinces().values():
        units.append(
            AdminUnit(
                code=p.code,
                name=p.name,
                current_name=p.current_name,
                name_ascii=p.name_ascii,
                level="province",
                region=p.region,
                parent_code=NATIONAL,
                successor_code=p.successor_code,
            )
        )
    return units


def load_reference(session: Session) -> None:
    """Insert or update the admin units and taxonomy terms (safe to run again)."""
    units = admin_units()
    existing = {u.code: u for u in session.exec(select(AdminUnit)).all()}
    # Successors must exist before the rows that point at them: current provinces point at themselves.
    for unit in units:
        row = existing.get(unit.code)
        if row is None:
            session.add(AdminUnit(**{**unit.model_dump(), "successor_code": None, "parent_code": None}))
    session.flush()
    for unit in units:
        row = session.get(AdminUnit, unit.code)
        assert row is not None
        for field, value in unit.model_dump().items():
            setattr(row, field, value)
    terms = {(t.vocabulary, t.key): t for t in session.exec(select(TaxonomyTerm)).all()}
    for vocab, entries in taxonomy().items():
        for position, (key, labels) in enumerate(entries.items()):
            term = terms.get((vocab, key)) or TaxonomyTerm(
                vocabulary=vocab, key=key, label_vi="", label_en=""
            )
            term.label_vi, term.label_en, term.position = labels["vi"], labels["en"], position
            session.add(term)


def init_store(engine: Engine) -> None:
    """Create or upgrade the store to the newest schema and load the reference data."""
    upgrade(engine)
    with session_scope(engine) as session:
        load_reference(session)
