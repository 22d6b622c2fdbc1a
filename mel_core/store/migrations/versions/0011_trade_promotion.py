"""trade promotion: enterprises, activity participants and results

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Seed 000: the register of enterprises (by tax code) and their reports per period; who took part in an activity
and what an enterprise gained from it; the indicators an activity serves; an activity's province, outcome and
whether the province ran it outside the programme (existing activities: inside).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tax_code', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('admin_unit_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('product_sector', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('size', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('exporter', sa.Boolean(), nullable=False),
    sa.CheckConstraint("product_sector IN ('coffee', 'tea', 'rice', 'cashew', 'pepper_spices', 'fruit_vegetables', 'seafood', 'processed_food', 'wood_furniture', 'handicrafts', 'textiles_garments', 'footwear_leather', 'other')", name=op.f('ck_enterprises_product_sector_allowed')),
    sa.CheckConstraint("size IN ('micro', 'small', 'medium', 'large')", name=op.f('ck_enterprises_size_allowed')),
    sa.ForeignKeyConstraint(['admin_unit_code'], ['admin_units.code'], name=op.f('fk_enterprises_admin_unit_code_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('tax_code', name=op.f('uq_enterprises_tax_code'))
    )
    op.create_table('enterprise_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('turnover_million_vnd', sa.Float(), nullable=True),
    sa.Column('export_turnover_million_vnd', sa.Float(), nullable=True),
    sa.Column('export_markets', sa.Integer(), nullable=True),
    sa.Column('new_markets', sa.Integer(), nullable=True),
    sa.Column('new_customers', sa.Integer(), nullable=True),
    sa.Column('new_export_product', sa.Boolean(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.CheckConstraint("export_turnover_million_vnd IS NULL OR typeof(export_turnover_million_vnd) IN ('real', 'integer')", name=op.f('ck_enterprise_reports_export_turnover_million_vnd_numeric')).ddl_if(dialect='sqlite'),
    sa.CheckConstraint("turnover_million_vnd IS NULL OR typeof(turnover_million_vnd) IN ('real', 'integer')", name=op.f('ck_enterprise_reports_turnover_million_vnd_numeric')).ddl_if(dialect='sqlite'),
    sa.CheckConstraint('employees IS NULL OR employees >= 0', name=op.f('ck_enterprise_reports_employees_non_negative')),
    sa.CheckConstraint('export_markets IS NULL OR export_markets >= 0', name=op.f('ck_enterprise_reports_export_markets_non_negative')),
    sa.CheckConstraint('export_turnover_million_vnd IS NULL OR export_turnover_million_vnd >= 0', name=op.f('ck_enterprise_reports_export_turnover_million_vnd_non_negative')),
    sa.CheckConstraint('new_customers IS NULL OR new_customers >= 0', name=op.f('ck_enterprise_reports_new_customers_non_negative')),
    sa.CheckConstraint('new_markets IS NULL OR new_markets >= 0', name=op.f('ck_enterprise_reports_new_markets_non_negative')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_enterprise_reports_period_ordered')),
    sa.CheckConstraint('turnover_million_vnd IS NULL OR turnover_million_vnd >= 0', name=op.f('ck_enterprise_reports_turnover_million_vnd_non_negative')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_reports_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_reports')),
    sa.UniqueConstraint('enterprise_id', 'period', name=op.f('uq_enterprise_reports_enterprise_id_period'))
    )
    op.create_table('activity_indicators',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_indicators_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_activity_indicators_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'indicator_id', name=op.f('pk_activity_indicators'))
    )
    op.create_table('activity_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('participant', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('enterprise', 'official', 'household')", name=op.f('ck_activity_participants_kind_allowed')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_participants_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_activity_participants_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_participants')),
    sa.UniqueConstraint('activity_id', 'kind', 'participant', name=op.f('uq_activity_participants_activity_id_kind_participant'))
    )
    op.create_table('activity_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('contracts', sa.Integer(), nullable=True),
    sa.Column('contract_value_million_vnd', sa.Float(), nullable=True),
    sa.Column('new_markets', sa.Integer(), nullable=True),
    sa.Column('new_customers', sa.Integer(), nullable=True),
    sa.Column('additional_sales_million_vnd', sa.Float(), nullable=True),
    sa.CheckConstraint("additional_sales_million_vnd IS NULL OR typeof(additional_sales_million_vnd) IN ('real', 'integer')", name=op.f('ck_activity_results_additional_sales_million_vnd_numeric')).ddl_if(dialect='sqlite'),
    sa.CheckConstraint("contract_value_million_vnd IS NULL OR typeof(contract_value_million_vnd) IN ('real', 'integer')", name=op.f('ck_activity_results_contract_value_million_vnd_numeric')).ddl_if(dialect='sqlite'),
    sa.CheckConstraint('additional_sales_million_vnd IS NULL OR additional_sales_million_vnd >= 0', name=op.f('ck_activity_results_additional_sales_million_vnd_non_negative')),
    sa.CheckConstraint('contract_value_million_vnd IS NULL OR contract_value_million_vnd >= 0', name=op.f('ck_activity_results_contract_value_million_vnd_non_negative')),
    sa.CheckConstraint('contracts IS NULL OR contracts >= 0', name=op.f('ck_activity_results_contracts_non_negative')),
    sa.CheckConstraint('new_customers IS NULL OR new_customers >= 0', name=op.f('ck_activity_results_new_customers_non_negative')),
    sa.CheckConstraint('new_markets IS NULL OR new_markets >= 0', name=op.f('ck_activity_results_new_markets_non_negative')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_results_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_activity_results_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_results')),
    sa.UniqueConstraint('activity_id', 'enterprise_id', name=op.f('uq_activity_results_activity_id_enterprise_id'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin_unit_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('objective_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outside_programme', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_activities_admin_unit_code_admin_units'), 'admin_units', ['admin_unit_code'], ['code'])
        batch_op.create_foreign_key(batch_op.f('fk_activities_objective_id_objectives'), 'objectives', ['objective_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activities_objective_id_objectives'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_activities_admin_unit_code_admin_units'), type_='foreignkey')
        batch_op.drop_column('outside_programme')
        batch_op.drop_column('objective_id')
        batch_op.drop_column('admin_unit_code')

    op.drop_table('activity_results')
    op.drop_table('activity_participants')
    op.drop_table('activity_indicators')
    op.drop_table('enterprise_reports')
    op.drop_table('enterprises')
