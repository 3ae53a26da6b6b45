"""The outlets register (轮换去向): school canteens, drills, markets and other places that take
an item each month before it expires, with the value recovered per unit; rotation scenarios
copy the outlets they choose from it.

Revision ID: 7b3e51c0a9d4
Revises: 7a3c5e9d1b20
Create Date: 2026-12-05 21:30:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '7b3e51c0a9d4'
down_revision = '7a3c5e9d1b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rotation_outlets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('capacity_per_month', sa.Integer(), nullable=False),
    sa.Column('value_per_unit', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('canteen', 'drill', 'market', 'other')", name=op.f('ck_rotation_outlets_kind')),
    sa.CheckConstraint('capacity_per_month >= 0', name=op.f('ck_rotation_outlets_capacity_not_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_rotation_outlets_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_outlets')),
    sa.UniqueConstraint('name', 'item_id', name=op.f('uq_rotation_outlets_name_item_id'))
    )
    with op.batch_alter_table('rotation_outlets') as batch:
        batch.create_index(batch.f('ix_rotation_outlets_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rotation_outlets') as batch:
        batch.drop_index(batch.f('ix_rotation_outlets_item_id'))
    op.drop_table('rotation_outlets')
