"""letters.deductions: the credit notes and unapplied payments a letter's totals are net of

Revision ID: 0007
Revises: 0004c
Create Date: 2026-11-30 01:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0004c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deductions', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('deductions')
