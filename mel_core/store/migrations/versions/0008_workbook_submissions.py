"""workbook submissions: uploaded, checked, approved or returned; figures remember their submission

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Observations, targets and expenditures gain who submitted and who approved their current value, and the portal
submission it came from (NULL for values loaded before, or with ``mel import``, which names only its account
as submitter from now on). On SQLite the three tables are copied once to add the foreign key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = ('expenditures', 'observations', 'targets')


def upgrade() -> None:
    op.create_table('workbook_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('stored_path', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('checked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('problems_count', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=True),
    sa.Column('row_counts', sa.JSON(), nullable=True),
    sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.CheckConstraint("kind IN ('xlsx', 'csv')", name=op.f('ck_workbook_submissions_kind_allowed')),
    sa.CheckConstraint("status IN ('uploaded', 'checked', 'approved', 'returned')", name=op.f('ck_workbook_submissions_status_allowed')),
    sa.CheckConstraint('problems_count >= 0', name=op.f('ck_workbook_submissions_problems_count_non_negative')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_workbook_submissions_size_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workbook_submissions'))
    )
    with op.batch_alter_table('workbook_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workbook_submissions_sha256'), ['sha256'], unique=False)
        batch_op.create_index('ix_workbook_submissions_status_id', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workbook_submissions_uploaded_by'), ['uploaded_by'], unique=False)

    for table in FIGURES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('submitted_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
            batch_op.add_column(sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_submission_id_workbook_submissions'),
                'workbook_submissions',
                ['submission_id'],
                ['id'],
                ondelete='SET NULL',
            )


def downgrade() -> None:
    for table in reversed(FIGURES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_submission_id_workbook_submissions'), type_='foreignkey')
            batch_op.drop_column('approved_by')
            batch_op.drop_column('submitted_by')
            batch_op.drop_column('submission_id')

    with op.batch_alter_table('workbook_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workbook_submissions_uploaded_by'))
        batch_op.drop_index('ix_workbook_submissions_status_id')
        batch_op.drop_index(batch_op.f('ix_workbook_submissions_sha256'))

    op.drop_table('workbook_submissions')
