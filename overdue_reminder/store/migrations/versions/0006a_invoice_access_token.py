"""invoices.access_token: the Odoo customer-portal token of each invoice, for the pay link in reminders

Revision ID: 0006a
Revises: 0003
Create Date: 2026-11-29 23:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006a'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_token', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('access_token')
