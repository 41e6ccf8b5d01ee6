"""offers.origin (the reminder that first carried an offer) and an index on audit.at

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 21:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=100), nullable=True))
        batch_op.create_index('ux_offers_origin', ['origin'], unique=True)
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index('ix_audit_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_at')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('ux_offers_origin')
        batch_op.drop_column('origin')
