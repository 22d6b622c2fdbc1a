"""Enterprises (the register, by tax code), their business reports, and who took part in activities.

Seed 000 (the trade-promotion MEL information system): an enterprise reports its business results per period
("kết quả kinh doanh") and what it gained from the activities it joined ("kết quả từ tham gia hoạt động"); an
activity report names its participants (enterprises of the register, officials, households) and the indicators it
serves. An enterprise's own figures are commercial data: they never reach a public output except as aggregates
over enough enterprises (:mod:`mel_core.trade.disclosure`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from mel_core.store.base import non_negative, numeric, one_of
from mel_core.vocabulary import ENTERPRISE_SIZES, PARTICIPANT_KINDS, PRODUCT_SECTORS


class Enterprise(SQLModel, table=True):
    """An enterprise of the register, by its tax code (mã số thuế)."""

    __tablename__ = "enterprises"
    __table_args__ = (
        one_of("product_sector", PRODUCT_SECTORS, nullable=False),
        one_of("size", ENTERPRISE_SIZES, nullable=False),
    )

    id: int | None = Field(default=None, primary_key=True)
    tax_code: str = Field(unique=True, max_length=14)
    name: str
    admin_unit_code: str = Field(foreign_key="admin_units.code", max_length=16, description="its province")
    product_sector: str = Field(max_length=32)
    size: str = Field(max_length=16)
    exporter: bool = False


class EnterpriseReport(SQLModel, table=True):
    """An enterprise's business results for one period (báo cáo doanh nghiệp: kết quả kinh doanh)."""

    __tablename__ = "enterprise_reports"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "period"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        *non_negative(
            "turnover_million_vnd",
            "export_turnover_million_vnd",
            "export_markets",
            "new_markets",
            "new_customers",
            "employees",
        ),
        *numeric("turnover_million_vnd", "export_turnover_million_vnd"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="CASCADE")
    period: str = Field(max_length=16)
    period_start: date
    period_end: date
    turnover_million_vnd: float | None = None
    export_turnover_million_vnd: float | None = None
    export_markets: int | None = None
    new_markets: int | None = None
    new_customers: int | None = None
    new_export_product: bool | None = None
    employees: int | None = None


class ActivityParticipant(SQLModel, table=True):
    """Someone who took part in an activity: an enterprise of the register (by tax code), an official or a
    household (by an identifier the centre gives them; names are never stored)."""

    __tablename__ = "activity_participants"
    __table_args__ = (
        UniqueConstraint("activity_id", "kind", "participant"),
        one_of("kind", PARTICIPANT_KINDS, nullable=False),
    )

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activities.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    participant: str = Field(max_length=64, description="the tax code of an enterprise, or a person's id")
    enterprise_id: int | None = Field(default=None, foreign_key="enterprises.id", ondelete="CASCADE")


class ActivityResult(SQLModel, table=True):
    """What an enterprise gained from an activity it joined (kết quả từ tham gia hoạt động)."""

    __tablename__ = "activity_results"
    __table_args__ = (
        UniqueConstraint("activity_id", "enterprise_id"),
        *non_negative(
            "contracts",
            "contract_value_million_vnd",
            "new_markets",
            "new_customers",
            "additional_sales_million_vnd",
        ),
        *numeric("contract_value_million_vnd", "additional_sales_million_vnd"),
    )

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activities.id", ondelete="CASCADE")
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="CASCADE")
    contracts: int | None = None
    contract_value_million_vnd: float | None = None
    new_markets: int | None = None
    new_customers: int | None = None
    additional_sales_million_vnd: float | None = None


class ActivityIndicator(SQLModel, table=True):
    """An indicator an activity serves (the activity report's link to the results framework)."""

    __tablename__ = "activity_indicators"

    activity_id: int = Field(foreign_key="activities.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(foreign_key="indicators.id", primary_key=True, ondelete="CASCADE")
