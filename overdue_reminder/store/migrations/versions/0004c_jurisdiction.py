"""Jurisdiction per matter, served notices tied to released letters, letter enclosures

Revision ID: 0004c
Revises: 0006a
Create Date: 2026-11-29 23:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004c'
down_revision = '0005d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jurisdiction', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('engagement', sa.String(length=10), nullable=False, server_default='written'))
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jurisdiction', sa.String(length=10), nullable=False, server_default=''))
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_kind', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('served_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('served_method', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('enclosures', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letter_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('letter_id')
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('enclosures')
        batch_op.drop_column('served_method')
        batch_op.drop_column('served_on')
        batch_op.drop_column('notice_kind')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('jurisdiction')
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_column('engagement')
        batch_op.drop_column('jurisdiction')
