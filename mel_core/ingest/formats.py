"""The import formats of DESIGN.md: the tables, their columns, types, required fields and natural keys."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mel_core.indicators.catalogue import METHOD_NAMES
from mel_core.vocabulary import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    DIRECTIONS,
    ENTERPRISE_SIZES,
    EXPENDITURE_SOURCES,
    FREQUENCIES,
    FUNDING,
    INDICATOR_LEVELS,
    MODEL_CHOSEN_BY,
    PARTICIPANT_KINDS,
    PRODUCT_SECTORS,
    PROGRAMME_KINDS,
    SECTORS,
    SURVEY_GROUPS,
    SURVEY_ROUNDS,
)


class Kind(StrEnum):
    """How a cell is read."""

    TEXT = "text"
    CODE = "code"  # an identifier-like text (programme, indicator, activity codes)
    INT = "int"  # a non-negative whole number (counts)
    YEAR = "year"
    NUMBER = "number"  # any finite number (indicator values may be negative: growth rates)
    MONEY = "money"  # a non-negative number, million VND
    BOOL = "bool"
    DATE = "date"
    PERIOD = "period"
    CHOICE = "choice"
    ADMIN = "admin"  # one admin-unit code
    ADMINS = "admins"  # ';'-separated admin-unit codes
    LIST = "list"  # ';'-separated texts
    DISAGGREGATION = "disaggregation"  # key=value;key=value
    TAX_CODE = "tax_code"  # an enterprise's tax code (mã số thuế), its check digit checked


@dataclass(frozen=True)
class Column:
    """One column of an import table."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    default: object = None


@dataclass(frozen=True)
class TableFormat:
    """One table (CSV file or workbook sheet)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    open_columns: bool = False  # the survey: extra numeric variable columns are allowed

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


C = Column
K = Kind

PROGRAMMES = TableFormat(
    "programmes",
    (
        C("code", K.CODE, True),
        C("title", K.TEXT, True),
        C("title_en"),
        C("kind", K.CHOICE, choices=PROGRAMME_KINDS, default="programme"),
        C("parent_code", K.CODE),
        C("sector", K.CHOICE, True, SECTORS),
        C("funding", K.CHOICE, True, FUNDING),
        C("implementer"),
        C("donors", K.LIST),
        C("start_date", K.DATE, True),
        C("end_date", K.DATE),
        C("provinces", K.ADMINS, True),
        C("communes", K.INT),
        C("villages", K.INT),
        C("households", K.INT),
        C("area_ha", K.MONEY),
        C("budget_million_vnd", K.MONEY),
        C("model_chosen_by", K.CHOICE, choices=MODEL_CHOSEN_BY),
        C("objectives", K.LIST),
        C("general_objective"),
        C("key_issues"),
    ),
    key=("code",),
)

SOLUTIONS = TableFormat(
    "solutions",
    (
        C("programme_code", K.CODE, True),
        C("objective", K.TEXT, True),
        C("solution", K.INT, True),
        C("statement", K.TEXT, True),
    ),
    key=("programme_code", "objective", "solution"),
)

INDICATORS = TableFormat(
    "indicators",
    (
        C("programme_code", K.CODE, True),
        C("code", K.CODE, True),
        C("name", K.TEXT, True),
        C("name_en"),
        C("level", K.CHOICE, True, INDICATOR_LEVELS),
        C("unit", K.TEXT, True),
        C("direction", K.CHOICE, choices=DIRECTIONS, default="increase"),
        C("cumulative", K.BOOL, default=False),
        C("frequency", K.CHOICE, choices=FREQUENCIES),
        C("baseline_value", K.NUMBER),
        C("baseline_period", K.PERIOD),
        C("data_source"),
        C("compiling_agency"),
        C("providing_agency"),
        C("national_code", K.CODE),
        C("objective"),
        C("method", K.CHOICE, choices=METHOD_NAMES),
        C("components", K.LIST),
        C("solution", K.INT),
        C("sector", K.CHOICE, choices=SECTORS),
        C("timing"),
        C("collection_method"),
    ),
    key=("programme_code", "code"),
)

TARGETS = TableFormat(
    "targets",
    (
        C("programme_code", K.CODE, True),
        C("indicator_code", K.CODE, True),
        C("period", K.PERIOD, True),
        C("admin_unit", K.ADMIN),
        C("value", K.NUMBER, True),
        C("value_high", K.NUMBER),
        C("adjusted_value", K.NUMBER),
        C("adjusted_value_high", K.NUMBER),
        C("adjusted_on", K.DATE),
        C("adjustment_reason"),
    ),
    key=("programme_code", "indicator_code", "period", "admin_unit"),
)

OBSERVATIONS = TableFormat(
    "observations",
    (
        C("programme_code", K.CODE, True),
        C("indicator_code", K.CODE, True),
        C("period", K.PERIOD, True),
        C("admin_unit", K.ADMIN),
        C("value", K.NUMBER, True),
        C("disaggregation", K.DISAGGREGATION, default=""),
        C("source"),
        C("note"),
    ),
    key=("programme_code", "indicator_code", "period", "admin_unit", "disaggregation"),
)

EXPENDITURES = TableFormat(
    "expenditures",
    (
        C("programme_code", K.CODE, True),
        C("period", K.PERIOD, True),
        C("source", K.CHOICE, True, EXPENDITURE_SOURCES),
        C("planned_million_vnd", K.MONEY),
        C("disbursed_million_vnd", K.MONEY),
    ),
    key=("programme_code", "period", "source"),
)

ACTIVITIES = TableFormat(
    "activities",
    (
        C("programme_code", K.CODE, True),
        C("code", K.CODE, True),
        C("type", K.CHOICE, True, ACTIVITY_TYPES),
        C("title"),
        C("planned_date", K.DATE),
        C("actual_date", K.DATE),
        C("status", K.CHOICE, choices=ACTIVITY_STATUSES, default="planned"),
        C("participants_officials", K.INT),
        C("participants_enterprises", K.INT),
        C("participants_households", K.INT),
        C("cost_planned_million_vnd", K.MONEY),
        C("cost_actual_million_vnd", K.MONEY),
        C("province", K.ADMIN),
        C("outcome"),
        C("indicators", K.LIST),
        C("outside_programme", K.BOOL, default=False),
    ),
    key=("programme_code", "code"),
)

SURVEY = TableFormat(
    "survey",
    (
        C("programme_code", K.CODE, True),
        C("respondent_id", K.CODE, True),
        C("round", K.CHOICE, True, SURVEY_ROUNDS),
        C("year", K.YEAR, True),
        C("group", K.CHOICE, True, SURVEY_GROUPS),
        C("admin_unit", K.ADMIN),
        C("cluster"),
    ),
    key=("programme_code", "respondent_id", "round"),
    open_columns=True,
)

ENTERPRISES = TableFormat(
    "enterprises",
    (
        C("tax_code", K.TAX_CODE, True),
        C("name", K.TEXT, True),
        C("province", K.ADMIN, True),
        C("product_sector", K.CHOICE, True, PRODUCT_SECTORS),
        C("size", K.CHOICE, True, ENTERPRISE_SIZES),
        C("exporter", K.BOOL, default=False),
    ),
    key=("tax_code",),
)

ENTERPRISE_REPORTS = TableFormat(
    "enterprise_reports",
    (
        C("tax_code", K.TAX_CODE, True),
        C("period", K.PERIOD, True),
        C("turnover_million_vnd", K.MONEY),
        C("export_turnover_million_vnd", K.MONEY),
        C("export_markets", K.INT),
        C("new_markets", K.INT),
        C("new_customers", K.INT),
        C("new_export_product", K.BOOL),
        C("employees", K.INT),
    ),
    key=("tax_code", "period"),
)

ACTIVITY_PARTICIPANTS = TableFormat(
    "activity_participants",
    (
        C("programme_code", K.CODE, True),
        C("activity_code", K.CODE, True),
        C("kind", K.CHOICE, True, PARTICIPANT_KINDS),
        C("participant", K.CODE, True),
    ),
    key=("programme_code", "activity_code", "kind", "participant"),
)

ACTIVITY_RESULTS = TableFormat(
    "activity_results",
    (
        C("programme_code", K.CODE, True),
        C("activity_code", K.CODE, True),
        C("tax_code", K.TAX_CODE, True),
        C("contracts", K.INT),
        C("contract_value_million_vnd", K.MONEY),
        C("new_markets", K.INT),
        C("new_customers", K.INT),
        C("additional_sales_million_vnd", K.MONEY),
    ),
    key=("programme_code", "activity_code", "tax_code"),
)

#: Districts and communes (#16): parents and 2025 successors, checked in mel_core.ingest.admin_units.
ADMIN_UNITS = TableFormat(
    "admin_units",
    (
        C("code", K.CODE, True),
        C("name", K.TEXT, True),
        C("level", K.CHOICE, True, ("district", "commune")),
        C("parent_code", K.CODE, True),
        C("successor_code", K.CODE),
        C("name_ascii"),
    ),
    key=("code",),
)

#: The tables in the order they load (each may refer to the ones before it).
TABLES: tuple[TableFormat, ...] = (
    ADMIN_UNITS,
    PROGRAMMES,
    SOLUTIONS,
    INDICATORS,
    TARGETS,
    OBSERVATIONS,
    EXPENDITURES,
    ACTIVITIES,
    SURVEY,
    ENTERPRISES,
    ENTERPRISE_REPORTS,
    ACTIVITY_PARTICIPANTS,
    ACTIVITY_RESULTS,
)
BY_NAME = {t.name: t for t in TABLES}
