"""the lesson workflow: states draft, submitted, returned, rejected, published; who submitted and published; reviews

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

'reviewed' is no longer a state: a lesson reviewed under the old rule was checked by the ministry and is
published now (DESIGN.md: only published lessons are public).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('draft', 'submitted', 'reviewed', 'published')"
NEW = "status IN ('draft', 'submitted', 'returned', 'rejected', 'published')"


def upgrade() -> None:
    op.create_table('lesson_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.CheckConstraint("action IN ('submit', 'publish', 'return', 'reject')", name=op.f('ck_lesson_reviews_action_allowed')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_reviews_lesson_id_lessons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_reviews'))
    )
    with op.batch_alter_table('lesson_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_reviews_lesson_id'), ['lesson_id'], unique=False)

    op.execute("UPDATE lessons SET status = 'published' WHERE status = 'reviewed'")
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_by_user', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.add_column(sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_lessons_status_allowed'), type_='check')
        batch_op.create_check_constraint('status_allowed', NEW)


def downgrade() -> None:
    op.execute("UPDATE lessons SET status = 'submitted' WHERE status IN ('returned', 'rejected')")
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_lessons_status_allowed'), type_='check')
        batch_op.create_check_constraint('status_allowed', OLD)
        batch_op.drop_column('published_at')
        batch_op.drop_column('published_by')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('submitted_by_user')
    with op.batch_alter_table('lesson_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_reviews_lesson_id'))
    op.drop_table('lesson_reviews')
