"""attachments: PDF, Word and Excel files attached to a programme, an evaluation or a lesson, and their text

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

The files themselves are kept once by their content under MEL_HOME/attachments.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('entity_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('uploaded_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('extraction_note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.CheckConstraint("entity IN ('programme', 'evaluation', 'lesson')", name=op.f('ck_attachments_entity_allowed')),
    sa.CheckConstraint("visibility IN ('public', 'internal')", name=op.f('ck_attachments_visibility_allowed')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_attachments_size_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('entity', 'entity_key', 'sha256', name=op.f('uq_attachments_entity_entity_key_sha256'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_entity_entity_key', ['entity', 'entity_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index('ix_attachments_entity_entity_key')
    op.drop_table('attachments')
