"""Orders made from plans: one record per run linking its draft transfers and call-offs,
production orders to capacity reserves, the purchase list, and rotation work orders with their
lines (lot, outlet, quantity).

Revision ID: e6a12615c9ca
Revises: 3c5e7a9b1d2f
Create Date: 2026-12-04 21:16:18.208900+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'e6a12615c9ca'
down_revision = '3c5e7a9b1d2f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('dispatch', 'preposition', 'rotation')", name=op.f('ck_plan_orders_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_orders_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_orders')),
    sa.UniqueConstraint('run_id', name=op.f('uq_plan_orders_run_id'))
    )
    op.create_table('plan_purchases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_orders_id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('month', sa.Date(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_plan_purchases_quantity_positive')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_plan_purchases_depot_id_depots')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_plan_purchases_item_id_items')),
    sa.ForeignKeyConstraint(['plan_orders_id'], ['plan_orders.id'], name=op.f('fk_plan_purchases_plan_orders_id_plan_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_purchases'))
    )
    with op.batch_alter_table('plan_purchases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_purchases_plan_orders_id'), ['plan_orders_id'], unique=False)

    op.create_table('production_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('plan_orders_id', sa.Integer(), nullable=False),
    sa.Column('capacity_reserve_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('hours_needed', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('destination_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('ordered', 'cancelled')", name=op.f('ck_production_orders_status')),
    sa.CheckConstraint('hours_needed >= 0', name=op.f('ck_production_orders_hours_not_negative')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_production_orders_quantity_positive')),
    sa.ForeignKeyConstraint(['capacity_reserve_id'], ['capacity_reserves.id'], name=op.f('fk_production_orders_capacity_reserve_id_capacity_reserves')),
    sa.ForeignKeyConstraint(['destination_id'], ['depots.id'], name=op.f('fk_production_orders_destination_id_depots')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_production_orders_item_id_items')),
    sa.ForeignKeyConstraint(['plan_orders_id'], ['plan_orders.id'], name=op.f('fk_production_orders_plan_orders_id_plan_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_production_orders_number'))
    )
    with op.batch_alter_table('production_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_production_orders_capacity_reserve_id'), ['capacity_reserve_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_production_orders_plan_orders_id'), ['plan_orders_id'], unique=False)

    op.create_table('rotation_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('plan_orders_id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'cancelled')", name=op.f('ck_rotation_orders_status')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_rotation_orders_depot_id_depots')),
    sa.ForeignKeyConstraint(['plan_orders_id'], ['plan_orders.id'], name=op.f('fk_rotation_orders_plan_orders_id_plan_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_rotation_orders_number'))
    )
    with op.batch_alter_table('rotation_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_orders_depot_id'), ['depot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_orders_plan_orders_id'), ['plan_orders_id'], unique=False)

    op.create_table('plan_order_transfers',
    sa.Column('plan_orders_id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_orders_id'], ['plan_orders.id'], name=op.f('fk_plan_order_transfers_plan_orders_id_plan_orders')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_plan_order_transfers_transfer_id_transfers')),
    sa.PrimaryKeyConstraint('plan_orders_id', 'transfer_id', name=op.f('pk_plan_order_transfers')),
    sa.UniqueConstraint('transfer_id', name=op.f('uq_plan_order_transfers_transfer_id'))
    )
    op.create_table('rotation_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('outlet', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_rotation_order_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_rotation_order_lines_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_rotation_order_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['order_id'], ['rotation_orders.id'], name=op.f('fk_rotation_order_lines_order_id_rotation_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_order_lines')),
    sa.UniqueConstraint('order_id', 'lot_id', 'outlet', name=op.f('uq_rotation_order_lines_order_id_lot_id_outlet'))
    )
    with op.batch_alter_table('rotation_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_order_lines_order_id'), ['order_id'], unique=False)

    op.create_table('plan_order_call_offs',
    sa.Column('plan_orders_id', sa.Integer(), nullable=False),
    sa.Column('call_off_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_off_id'], ['call_offs.id'], name=op.f('fk_plan_order_call_offs_call_off_id_call_offs')),
    sa.ForeignKeyConstraint(['plan_orders_id'], ['plan_orders.id'], name=op.f('fk_plan_order_call_offs_plan_orders_id_plan_orders')),
    sa.PrimaryKeyConstraint('plan_orders_id', 'call_off_id', name=op.f('pk_plan_order_call_offs')),
    sa.UniqueConstraint('call_off_id', name=op.f('uq_plan_order_call_offs_call_off_id'))
    )


def downgrade() -> None:
    op.drop_table('plan_order_call_offs')
    with op.batch_alter_table('rotation_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_order_lines_order_id'))

    op.drop_table('rotation_order_lines')
    op.drop_table('plan_order_transfers')
    with op.batch_alter_table('rotation_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_orders_plan_orders_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_orders_depot_id'))

    op.drop_table('rotation_orders')
    with op.batch_alter_table('production_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_production_orders_plan_orders_id'))
        batch_op.drop_index(batch_op.f('ix_production_orders_capacity_reserve_id'))

    op.drop_table('production_orders')
    with op.batch_alter_table('plan_purchases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_purchases_plan_orders_id'))

    op.drop_table('plan_purchases')
    op.drop_table('plan_orders')
