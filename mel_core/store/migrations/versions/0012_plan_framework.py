"""the plan's framework (seed 004): general objectives, solutions, indicators placed by their own sector with their
timing and collection method, adjusted plans beside the original ones; the sectors of a provincial plan

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SECTORS = "sector IN ('crops', 'livestock', 'forestry', 'aquaculture', 'non_farm', 'vocational_training', 'trade_promotion', 'infrastructure', 'governance', 'planning', 'social_protection', 'other')"
NEW_SECTORS = "sector IN ('crops', 'livestock', 'forestry', 'aquaculture', 'non_farm', 'vocational_training', 'trade_promotion', 'infrastructure', 'governance', 'planning', 'social_protection', 'other', 'general_economy', 'rural_development', 'transport', 'tourism', 'education', 'health', 'culture', 'information', 'gender', 'children', 'natural_resources', 'environment', 'climate_change', 'inspection', 'civil_service', 'security', 'defence')"
INDICATOR_SECTORS = "sector IS NULL OR sector IN ('crops', 'livestock', 'forestry', 'aquaculture', 'non_farm', 'vocational_training', 'trade_promotion', 'infrastructure', 'governance', 'planning', 'social_protection', 'other', 'general_economy', 'rural_development', 'transport', 'tourism', 'education', 'health', 'culture', 'information', 'gender', 'children', 'natural_resources', 'environment', 'climate_change', 'inspection', 'civil_service', 'security', 'defence')"


def upgrade() -> None:
    op.create_table('solutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_solutions_number_positive')),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], name=op.f('fk_solutions_objective_id_objectives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solutions')),
    sa.UniqueConstraint('objective_id', 'number', name=op.f('uq_solutions_objective_id_number'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('general_objective', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.drop_constraint(op.f('ck_programmes_sector_allowed'), type_='check')
        batch_op.create_check_constraint('sector_allowed', NEW_SECTORS)
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('solution_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timing', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('collection_method', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_check_constraint('sector_allowed', INDICATOR_SECTORS)
        batch_op.create_foreign_key(batch_op.f('fk_indicators_solution_id_solutions'), 'solutions', ['solution_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adjusted_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('adjusted_value_high', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('adjusted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('adjustment_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_check_constraint(
            'adjusted_range_ordered', 'adjusted_value_high IS NULL OR adjusted_value_high >= adjusted_value'
        )
        batch_op.create_check_constraint('adjustment_dated', '(adjusted_value IS NULL) = (adjusted_on IS NULL)')
        if op.get_bind().dialect.name == 'sqlite':
            for column in ('adjusted_value', 'adjusted_value_high'):
                batch_op.create_check_constraint(
                    f'{column}_numeric', f"{column} IS NULL OR typeof({column}) IN ('real', 'integer')"
                )


def downgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        if op.get_bind().dialect.name == 'sqlite':
            for column in ('adjusted_value', 'adjusted_value_high'):
                batch_op.drop_constraint(op.f(f'ck_targets_{column}_numeric'), type_='check')
        batch_op.drop_constraint(op.f('ck_targets_adjustment_dated'), type_='check')
        batch_op.drop_constraint(op.f('ck_targets_adjusted_range_ordered'), type_='check')
        batch_op.drop_column('adjustment_reason')
        batch_op.drop_column('adjusted_on')
        batch_op.drop_column('adjusted_value_high')
        batch_op.drop_column('adjusted_value')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicators_solution_id_solutions'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_indicators_sector_allowed'), type_='check')
        batch_op.drop_column('collection_method')
        batch_op.drop_column('timing')
        batch_op.drop_column('solution_id')
        batch_op.drop_column('sector')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.execute("UPDATE programmes SET sector = 'other' WHERE NOT (" + OLD_SECTORS + ")")
        batch_op.drop_constraint(op.f('ck_programmes_sector_allowed'), type_='check')
        batch_op.create_check_constraint('sector_allowed', OLD_SECTORS)
        batch_op.drop_column('general_objective')
    op.drop_table('solutions')
