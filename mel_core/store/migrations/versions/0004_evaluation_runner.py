"""evaluations remember the process that runs them; a run whose process is gone becomes 'interrupted'

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('running', 'succeeded', 'failed')"
NEW = "status IN ('running', 'succeeded', 'failed', 'interrupted')"


def upgrade() -> None:
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner_host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('runner_pid', sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f('ck_evaluations_status_allowed'), type_='check')
        batch_op.create_check_constraint('status_allowed', NEW)


def downgrade() -> None:
    op.execute("UPDATE evaluations SET status = 'failed' WHERE status = 'interrupted'")
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_evaluations_status_allowed'), type_='check')
        batch_op.create_check_constraint('status_allowed', OLD)
        batch_op.drop_column('runner_pid')
        batch_op.drop_column('runner_host')
