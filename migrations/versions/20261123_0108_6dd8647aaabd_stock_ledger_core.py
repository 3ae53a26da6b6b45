"""Stock ledger core: areas, depots, catalogue, users, lots, the ledger, seals, transfers.

The ledger table refuses UPDATE and DELETE with a trigger on both SQLite and PostgreSQL:
corrections are reversal rows, never edits.

Revision ID: 6dd8647aaabd
Revises: (none)
Create Date: 2026-11-23 01:08:10.057004+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '6dd8647aaabd'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.CheckConstraint("level IN ('county', 'township', 'village')", name=op.f('ck_areas_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['areas.id'], name=op.f('fk_areas_parent_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_areas_code'))
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_areas_parent_id'), ['parent_id'], unique=False)

    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=150), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('gbt_class', sa.String(length=40), nullable=True),
    sa.Column('gbt_code', sa.String(length=7), nullable=True),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('shelf_life_days', sa.Integer(), nullable=True),
    sa.Column('unit_volume_m3', sa.Numeric(precision=10, scale=4), nullable=True),
    sa.Column('unit_weight_kg', sa.Numeric(precision=10, scale=3), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('shelf_life_days IS NULL OR shelf_life_days > 0', name=op.f('ck_items_shelf_life')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('code', name=op.f('uq_items_code'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_category'), ['category'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'bureau', 'keeper', 'planner', 'auditor')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('depots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('capacity_m3', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('keeper_name', sa.String(length=50), nullable=True),
    sa.Column('keeper_phone', sa.String(length=30), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('government', 'enterprise', 'community')", name=op.f('ck_depots_kind')),
    sa.CheckConstraint('capacity_m3 IS NULL OR capacity_m3 >= 0', name=op.f('ck_depots_capacity_not_negative')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_depots_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_depots')),
    sa.UniqueConstraint('code', name=op.f('uq_depots_code'))
    )
    with op.batch_alter_table('depots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_depots_area_id'), ['area_id'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_records_user_id_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_idempotency_records'))
    )
    op.create_table('ledger_seals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('lots_count', sa.Integer(), nullable=False),
    sa.Column('movements_count', sa.Integer(), nullable=False),
    sa.Column('prev_digest', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('daily', 'on_demand')", name=op.f('ck_ledger_seals_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ledger_seals_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_seals')),
    sa.UniqueConstraint('digest', name=op.f('uq_ledger_seals_digest'))
    )
    op.create_table('lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('manufactured_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('origin_lot_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('purchase', 'donation', 'transfer', 'contract', 'capacity', 'opening')", name=op.f('ck_lots_source')),
    sa.CheckConstraint("status IN ('available', 'quarantined', 'expired', 'written_off')", name=op.f('ck_lots_status')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_lots_quantity_not_negative')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_lots_depot_id_depots')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_lots_item_id_items')),
    sa.ForeignKeyConstraint(['origin_lot_id'], ['lots.id'], name=op.f('fk_lots_origin_lot_id_lots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lots')),
    sa.UniqueConstraint('depot_id', 'item_id', 'code', name=op.f('uq_lots_depot_id_item_id_code'))
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index('ix_lots_depot_item_expiry', ['depot_id', 'item_id', 'expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_lots_item_id'), ['item_id'], unique=False)

    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('from_depot_id', sa.Integer(), nullable=False),
    sa.Column('to_depot_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'dispatched', 'received', 'cancelled')", name=op.f('ck_transfers_status')),
    sa.CheckConstraint('from_depot_id <> to_depot_id', name=op.f('ck_transfers_different_depots')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_transfers_created_by_id_users')),
    sa.ForeignKeyConstraint(['from_depot_id'], ['depots.id'], name=op.f('fk_transfers_from_depot_id_depots')),
    sa.ForeignKeyConstraint(['to_depot_id'], ['depots.id'], name=op.f('fk_transfers_to_depot_id_depots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers')),
    sa.UniqueConstraint('number', name=op.f('uq_transfers_number'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_from_depot_id'), ['from_depot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfers_to_depot_id'), ['to_depot_id'], unique=False)

    op.create_table('user_depots',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_user_depots_depot_id_depots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_depots_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'depot_id', name=op.f('pk_user_depots'))
    )
    op.create_table('ledger_seal_heads',
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_ledger_seal_heads_lot_id_lots')),
    sa.ForeignKeyConstraint(['seal_id'], ['ledger_seals.id'], name=op.f('fk_ledger_seal_heads_seal_id_ledger_seals')),
    sa.PrimaryKeyConstraint('seal_id', 'lot_id', name=op.f('pk_ledger_seal_heads'))
    )
    with op.batch_alter_table('ledger_seal_heads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_seal_heads_lot_id'), ['lot_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('recipient', sa.String(length=100), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'issue', 'transfer_out', 'transfer_in', 'adjustment', 'write_off', 'rotation_out', 'reversal')", name=op.f('ck_stock_movements_kind')),
    sa.CheckConstraint('balance_after >= 0', name=op.f('ck_stock_movements_balance_not_negative')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_stock_movements_quantity_not_zero')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_stock_movements_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_stock_movements_depot_id_depots'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_movements_item_id_items'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_stock_movements_lot_id_lots'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reverses_id'], ['stock_movements.id'], name=op.f('fk_stock_movements_reverses_id_stock_movements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_stock_movements_transfer_id_transfers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_stock_movements_idempotency_key')),
    sa.UniqueConstraint('lot_id', 'seq', name=op.f('uq_stock_movements_lot_id_seq')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_stock_movements_reverses_id'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index('ix_stock_movements_depot_occurred', ['depot_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_stock_movements_item_occurred', ['item_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_transfer_id'), ['transfer_id'], unique=False)

    op.create_table('transfer_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('quantity_received', sa.Integer(), nullable=True),
    sa.Column('received_lot_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_transfer_lines_quantity_positive')),
    sa.CheckConstraint('quantity_received IS NULL OR quantity_received >= 0', name=op.f('ck_transfer_lines_received')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_transfer_lines_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_transfer_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['received_lot_id'], ['lots.id'], name=op.f('fk_transfer_lines_received_lot_id_lots')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_transfer_lines_transfer_id_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_lines'))
    )
    with op.batch_alter_table('transfer_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_lines_transfer_id'), ['transfer_id'], unique=False)

    create_ledger_guard()



def downgrade() -> None:
    drop_ledger_guard()
    with op.batch_alter_table('transfer_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_lines_transfer_id'))

    op.drop_table('transfer_lines')
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movements_transfer_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_reference'))
        batch_op.drop_index('ix_stock_movements_item_occurred')
        batch_op.drop_index('ix_stock_movements_depot_occurred')

    op.drop_table('stock_movements')
    with op.batch_alter_table('ledger_seal_heads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_seal_heads_lot_id'))

    op.drop_table('ledger_seal_heads')
    op.drop_table('user_depots')
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_to_depot_id'))
        batch_op.drop_index(batch_op.f('ix_transfers_from_depot_id'))

    op.drop_table('transfers')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lots_item_id'))
        batch_op.drop_index('ix_lots_depot_item_expiry')

    op.drop_table('lots')
    op.drop_table('ledger_seals')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('depots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_depots_area_id'))

    op.drop_table('depots')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_category'))

    op.drop_table('items')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_areas_parent_id'))

    op.drop_table('areas')


GUARD_MESSAGE = "stock ledger rows are never changed or deleted; record a reversal instead"


def create_ledger_guard() -> None:
    """Refuse UPDATE and DELETE on stock_movements."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION stock_movements_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{GUARD_MESSAGE}'; END $$;
        """)
        op.execute("""
            CREATE TRIGGER stock_movements_no_change BEFORE UPDATE OR DELETE ON stock_movements
            FOR EACH ROW EXECUTE FUNCTION stock_movements_guard();
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER stock_movements_no_{action.lower()} BEFORE {action} ON stock_movements
                BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}'); END;
            """)


def drop_ledger_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stock_movements_no_change ON stock_movements")
        op.execute("DROP FUNCTION IF EXISTS stock_movements_guard()")
    else:
        op.execute("DROP TRIGGER IF EXISTS stock_movements_no_update")
        op.execute("DROP TRIGGER IF EXISTS stock_movements_no_delete")
