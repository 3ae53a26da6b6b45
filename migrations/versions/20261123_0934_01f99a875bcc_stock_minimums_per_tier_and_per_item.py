"""Minimum stock per tier (储备定额): each depot of a level holds supplies for N people, or an
item's quantity.

Revision ID: 01f99a875bcc
Revises: 8d4277aff177
Create Date: 2026-11-23 09:34:45.700994+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '01f99a875bcc'
down_revision = '8d4277aff177'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stock_minimums',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('people', sa.Integer(), nullable=True),
    sa.Column('season', sa.String(length=8), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("level IN ('county', 'township', 'village')", name=op.f('ck_stock_minimums_level')),
    sa.CheckConstraint("season IN ('all', 'winter', 'summer')", name=op.f('ck_stock_minimums_season')),
    sa.CheckConstraint('(item_id IS NULL) = (quantity IS NULL)', name=op.f('ck_stock_minimums_item_with_quantity')),
    sa.CheckConstraint('(people IS NULL) <> (item_id IS NULL)', name=op.f('ck_stock_minimums_people_or_item')),
    sa.CheckConstraint('people IS NULL OR people > 0', name=op.f('ck_stock_minimums_people_positive')),
    sa.CheckConstraint('quantity IS NULL OR quantity > 0', name=op.f('ck_stock_minimums_quantity_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_minimums_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_minimums'))
    )


def downgrade() -> None:
    op.drop_table('stock_minimums')
