"""Distribution to households (发放): records naming the recipient (the national ID number only
masked and as a keyed hash), their lines with the lots chosen first-expiry-first-out and the
ledger rows written, confirmation images (signature or photo) and staged batches read from a
households list.

Revision ID: 8d1f0b2c4e6a
Revises: 1d6f9ffc6d8e
Create Date: 2026-12-06 00:15:11.637784+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '8d1f0b2c4e6a'
down_revision = '1d6f9ffc6d8e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('distribution_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('signature', 'photo')", name=op.f('ck_distribution_confirmations_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_distribution_confirmations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_confirmations'))
    )
    op.create_table('distribution_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('households', sa.JSON(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmation_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('staged', 'issued')", name=op.f('ck_distribution_batches_status')),
    sa.ForeignKeyConstraint(['confirmation_id'], ['distribution_confirmations.id'], name=op.f('fk_distribution_batches_confirmation_id_distribution_confirmations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_distribution_batches_created_by_id_users')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_distribution_batches_depot_id_depots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_batches')),
    sa.UniqueConstraint('code', name=op.f('uq_distribution_batches_code'))
    )
    with op.batch_alter_table('distribution_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_batches_depot_id'), ['depot_id'], unique=False)

    op.create_table('distributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=True),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('keeper_id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=50), nullable=False),
    sa.Column('household_size', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('id_masked', sa.String(length=18), nullable=True),
    sa.Column('id_hash', sa.String(length=64), nullable=True),
    sa.Column('household_key', sa.String(length=64), nullable=False),
    sa.Column('household_code', sa.String(length=16), nullable=False),
    sa.Column('confirmation_kind', sa.String(length=16), nullable=False),
    sa.Column('confirmation_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('repeat_confirmed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("confirmation_kind IN ('signature', 'photo', 'sheet')", name=op.f('ck_distributions_confirmation_kind')),
    sa.CheckConstraint('household_size > 0', name=op.f('ck_distributions_household_size_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['distribution_batches.id'], name=op.f('fk_distributions_batch_id_distribution_batches')),
    sa.ForeignKeyConstraint(['confirmation_id'], ['distribution_confirmations.id'], name=op.f('fk_distributions_confirmation_id_distribution_confirmations')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_distributions_depot_id_depots')),
    sa.ForeignKeyConstraint(['keeper_id'], ['users.id'], name=op.f('fk_distributions_keeper_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distributions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_distributions_idempotency_key')),
    sa.UniqueConstraint('number', name=op.f('uq_distributions_number'))
    )
    with op.batch_alter_table('distributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distributions_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_distributions_depot_occurred', ['depot_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_distributions_household_key'), ['household_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_distributions_id_hash'), ['id_hash'], unique=False)

    op.create_table('distribution_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('distribution_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('movement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_distribution_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['distribution_id'], ['distributions.id'], name=op.f('fk_distribution_lines_distribution_id_distributions')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_distribution_lines_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_distribution_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['movement_id'], ['stock_movements.id'], name=op.f('fk_distribution_lines_movement_id_stock_movements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_lines'))
    )
    with op.batch_alter_table('distribution_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_lines_distribution_id'), ['distribution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_distribution_lines_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('distribution_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_lines_item_id'))
        batch_op.drop_index(batch_op.f('ix_distribution_lines_distribution_id'))

    op.drop_table('distribution_lines')
    with op.batch_alter_table('distributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distributions_id_hash'))
        batch_op.drop_index(batch_op.f('ix_distributions_household_key'))
        batch_op.drop_index('ix_distributions_depot_occurred')
        batch_op.drop_index(batch_op.f('ix_distributions_batch_id'))

    op.drop_table('distributions')
    with op.batch_alter_table('distribution_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_batches_depot_id'))

    op.drop_table('distribution_batches')
    op.drop_table('distribution_confirmations')
