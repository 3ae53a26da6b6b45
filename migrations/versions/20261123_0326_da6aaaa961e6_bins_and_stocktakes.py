"""Bins (storage locations with QR labels) and stocktakes (盘点) with their counts.

Revision ID: da6aaaa961e6
Revises: 7ee89540924e
Create Date: 2026-11-23 03:26:24.390758+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'da6aaaa961e6'
down_revision = '7ee89540924e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_bins_depot_id_depots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bins')),
    sa.UniqueConstraint('depot_id', 'code', name=op.f('uq_bins_depot_id_code'))
    )
    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bins_depot_id'), ['depot_id'], unique=False)

    op.create_table('stocktakes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('counting', 'submitted', 'approved', 'rejected', 'cancelled')", name=op.f('ck_stocktakes_status')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_stocktakes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_stocktakes_depot_id_depots')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_stocktakes_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktakes')),
    sa.UniqueConstraint('number', name=op.f('uq_stocktakes_number'))
    )
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktakes_depot_id'), ['depot_id'], unique=False)

    op.create_table('stocktake_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stocktake_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('counted_by_id', sa.Integer(), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.CheckConstraint('counted >= 0', name=op.f('ck_stocktake_counts_counted_not_negative')),
    sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_stocktake_counts_counted_by_id_users')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_stocktake_counts_lot_id_lots')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.id'], name=op.f('fk_stocktake_counts_stocktake_id_stocktakes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake_counts')),
    sa.UniqueConstraint('stocktake_id', 'lot_id', name=op.f('uq_stocktake_counts_stocktake_id_lot_id'))
    )
    with op.batch_alter_table('stocktake_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktake_counts_stocktake_id'), ['stocktake_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; a batch copy of the table would
        # have to drop "lots", which the ledger's foreign keys forbid once it holds rows.
        op.execute("ALTER TABLE lots ADD COLUMN bin_id INTEGER "
                   "CONSTRAINT fk_lots_bin_id_bins REFERENCES bins (id)")
    else:
        op.add_column('lots', sa.Column('bin_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_lots_bin_id_bins'), 'lots', 'bins', ['bin_id'], ['id'])
    op.create_index(op.f('ix_lots_bin_id'), 'lots', ['bin_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_lots_bin_id'), table_name='lots')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(batch_op.f('fk_lots_bin_id_bins'), type_='foreignkey')
        batch_op.drop_column('bin_id')

    with op.batch_alter_table('stocktake_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stocktake_counts_stocktake_id'))

    op.drop_table('stocktake_counts')
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stocktakes_depot_id'))

    op.drop_table('stocktakes')
    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bins_depot_id'))

    op.drop_table('bins')
