"""revoked_sessions: signed-out review-page sessions survive a restart (issue 14)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 20:45:00.000000
"""
from alembic import op
import sqlalchemy as sa

import overdue_reminder.store.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('revoked_sessions',
    sa.Column('sid_sha256', sa.String(length=64), nullable=False),
    sa.Column('expires_at', overdue_reminder.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sid_sha256', name=op.f('pk_revoked_sessions'))
    )
    with op.batch_alter_table('revoked_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('revoked_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_sessions_expires_at'))
    op.drop_table('revoked_sessions')
