"""management responses: a recommendation's response (accepted, partially, not), key actions, status updates

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

The adoption status, owner and due date of a recommendation (never written by mel) give way to the UNDP
Evaluation Resource Centre's model: a response with text, key actions with a unit and a due date, and dated
status updates of each action.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_recommendations_status_allowed'), type_='check')
        batch_op.drop_column('status')
        batch_op.drop_column('owner')
        batch_op.drop_column('due_date')
        batch_op.add_column(sa.Column('response', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
        batch_op.add_column(sa.Column('responded_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.add_column(sa.Column('responded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(
            'response_allowed',
            "response IS NULL OR response IN ('accepted', 'partially_accepted', 'not_accepted')",
        )
    op.create_table('key_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_key_actions_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_actions')),
    sa.UniqueConstraint('recommendation_id', 'position', name=op.f('uq_key_actions_recommendation_id_position'))
    )
    op.create_table('key_action_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_action_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'initiated', 'completed', 'no_longer_applicable')", name=op.f('ck_key_action_updates_status_allowed')),
    sa.ForeignKeyConstraint(['key_action_id'], ['key_actions.id'], name=op.f('fk_key_action_updates_key_action_id_key_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_action_updates'))
    )
    with op.batch_alter_table('key_action_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_action_updates_key_action_id'), ['key_action_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('key_action_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_action_updates_key_action_id'))
    op.drop_table('key_action_updates')
    op.drop_table('key_actions')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_recommendations_response_allowed'), type_='check')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('responded_by')
        batch_op.drop_column('response')
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.create_check_constraint(
            'status_allowed', "status IS NULL OR status IN ('fully', 'largely', 'partly', 'not_adopted')"
        )
