"""Donations (捐赠): donors, their pledges with lines (item, quantity, the use asked), and
receipts against a pledge: goods received at a depot, each line into a new lot named with the
ledger row that brought it in, or money recorded without stock.

Revision ID: 1d6f9ffc6d8e
Revises: 8d1f3a6c2e47
Create Date: 2026-12-06 00:18:52.848427+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '1d6f9ffc6d8e'
down_revision = '8d1f3a6c2e47'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('donors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('organisation', 'person')", name=op.f('ck_donors_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors'))
    )
    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('pledged_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount IS NULL OR amount > 0', name=op.f('ck_pledges_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pledges_created_by_id_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_pledges_donor_id_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges')),
    sa.UniqueConstraint('number', name=op.f('uq_pledges_number'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_donor_id'), ['donor_id'], unique=False)

    op.create_table('donation_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'goods') = (depot_id IS NOT NULL)", name=op.f('ck_donation_receipts_goods_at_a_depot')),
    sa.CheckConstraint("(kind = 'money') = (amount IS NOT NULL)", name=op.f('ck_donation_receipts_money_has_amount')),
    sa.CheckConstraint("kind IN ('goods', 'money')", name=op.f('ck_donation_receipts_kind')),
    sa.CheckConstraint('amount IS NULL OR amount > 0', name=op.f('ck_donation_receipts_amount_positive')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_donation_receipts_depot_id_depots')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_donation_receipts_pledge_id_pledges')),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_donation_receipts_received_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_receipts')),
    sa.UniqueConstraint('number', name=op.f('uq_donation_receipts_number'))
    )
    with op.batch_alter_table('donation_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_receipts_depot_id'), ['depot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_receipts_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('pledge_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pledge_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_pledge_lines_item_id_items')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_pledge_lines_pledge_id_pledges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_lines'))
    )
    with op.batch_alter_table('pledge_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_lines_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('donation_receipt_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=False),
    sa.Column('pledge_line_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('movement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_donation_receipt_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_donation_receipt_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['movement_id'], ['stock_movements.id'], name=op.f('fk_donation_receipt_lines_movement_id_stock_movements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pledge_line_id'], ['pledge_lines.id'], name=op.f('fk_donation_receipt_lines_pledge_line_id_pledge_lines')),
    sa.ForeignKeyConstraint(['receipt_id'], ['donation_receipts.id'], name=op.f('fk_donation_receipt_lines_receipt_id_donation_receipts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_receipt_lines')),
    sa.UniqueConstraint('lot_id', name=op.f('uq_donation_receipt_lines_lot_id')),
    sa.UniqueConstraint('movement_id', name=op.f('uq_donation_receipt_lines_movement_id'))
    )
    with op.batch_alter_table('donation_receipt_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_receipt_lines_pledge_line_id'), ['pledge_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_receipt_lines_receipt_id'), ['receipt_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('donation_receipt_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_receipt_lines_receipt_id'))
        batch_op.drop_index(batch_op.f('ix_donation_receipt_lines_pledge_line_id'))

    op.drop_table('donation_receipt_lines')
    with op.batch_alter_table('pledge_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledge_lines_pledge_id'))

    op.drop_table('pledge_lines')
    with op.batch_alter_table('donation_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_receipts_pledge_id'))
        batch_op.drop_index(batch_op.f('ix_donation_receipts_depot_id'))

    op.drop_table('donation_receipts')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledges_donor_id'))

    op.drop_table('pledges')
    op.drop_table('donors')
