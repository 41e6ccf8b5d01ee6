"""Per-matter flags settable locally or read from Odoo (interest rate and cap, letters' description opt-in,
where each value came from), and the interest a reminder or letter states

Revision ID: 0005d
Revises: 0006a
Create Date: 2026-11-29 23:40:00
"""
from alembic import op
import sqlalchemy as sa

import overdue_reminder.store.types


revision = '0005d'
down_revision = '0006a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interest_rate', overdue_reminder.store.types.Money(length=40), nullable=True))
        batch_op.add_column(sa.Column('interest_cap', overdue_reminder.store.types.Money(length=40), nullable=True))
        batch_op.add_column(sa.Column('describe_in_letters', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('flags_local', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('flags_odoo', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interest', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interest', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('interest')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_column('interest')
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_column('flags_odoo')
        batch_op.drop_column('flags_local')
        batch_op.drop_column('describe_in_letters')
        batch_op.drop_column('interest_cap')
        batch_op.drop_column('interest_rate')
