"""calls for lessons: a call (letter 247/KTHT-GN is one), who it asks, its deadline; a lesson names the call it answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lesson_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('outline', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("outline IN ('state', 'ngo', 'any')", name=op.f('ck_lesson_calls_outline_allowed')),
    sa.CheckConstraint('year BETWEEN 1900 AND 2100', name=op.f('ck_lesson_calls_year_plausible')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_calls')),
    sa.UniqueConstraint('code', name=op.f('uq_lesson_calls_code'))
    )
    op.create_table('lesson_call_invitees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.CheckConstraint('(province_code IS NULL) <> (organisation IS NULL)', name=op.f('ck_lesson_call_invitees_province_or_organisation')),
    sa.ForeignKeyConstraint(['call_id'], ['lesson_calls.id'], name=op.f('fk_lesson_call_invitees_call_id_lesson_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province_code'], ['admin_units.code'], name=op.f('fk_lesson_call_invitees_province_code_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_call_invitees')),
    sa.UniqueConstraint('call_id', 'province_code', 'organisation', name=op.f('uq_lesson_call_invitees_call_id_province_code_organisation'))
    )
    with op.batch_alter_table('lesson_call_invitees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_call_invitees_call_id'), ['call_id'], unique=False)
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_lessons_call_id_lesson_calls'), 'lesson_calls', ['call_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lessons_call_id_lesson_calls'), type_='foreignkey')
        batch_op.drop_column('call_id')
    with op.batch_alter_table('lesson_call_invitees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_call_invitees_call_id'))
    op.drop_table('lesson_call_invitees')
    op.drop_table('lesson_calls')
