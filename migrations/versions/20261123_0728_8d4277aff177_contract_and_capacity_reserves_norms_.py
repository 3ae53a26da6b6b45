"""Reserves beyond the shelf: contract reserves (协议储备) with their call-offs, capacity
reserves (产能储备), per-person norms (人均标准), targets, travel times and depot handling hours.

Revision ID: 8d4277aff177
Revises: da6aaaa961e6
Create Date: 2026-11-23 07:28:33.131593+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '8d4277aff177'
down_revision = 'da6aaaa961e6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('supplier', sa.String(length=100), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('committed_quantity', sa.Integer(), nullable=False),
    sa.Column('response_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('response_to', sa.String(length=8), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("response_to IN ('county', 'site')", name=op.f('ck_agreements_response_to')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'ended')", name=op.f('ck_agreements_status')),
    sa.CheckConstraint('committed_quantity > 0', name=op.f('ck_agreements_committed_positive')),
    sa.CheckConstraint('response_hours >= 0', name=op.f('ck_agreements_response_not_negative')),
    sa.CheckConstraint('valid_until >= valid_from', name=op.f('ck_agreements_valid_period')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_agreements_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('number', name=op.f('uq_agreements_number'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_item_id'), ['item_id'], unique=False)

    op.create_table('capacity_reserves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise', sa.String(length=100), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('rate_per_hour', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('ramp_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('max_quantity', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('max_quantity > 0', name=op.f('ck_capacity_reserves_max_positive')),
    sa.CheckConstraint('ramp_hours >= 0', name=op.f('ck_capacity_reserves_ramp_not_negative')),
    sa.CheckConstraint('rate_per_hour > 0', name=op.f('ck_capacity_reserves_rate_positive')),
    sa.CheckConstraint('valid_until >= valid_from', name=op.f('ck_capacity_reserves_valid_period')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_capacity_reserves_area_id_areas')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_capacity_reserves_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_reserves'))
    )
    with op.batch_alter_table('capacity_reserves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_reserves_item_id'), ['item_id'], unique=False)

    op.create_table('norms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('per_person', sa.Numeric(precision=10, scale=4), nullable=False),
    sa.Column('duration_hours', sa.Integer(), nullable=False),
    sa.Column('season', sa.String(length=8), nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.CheckConstraint("season IN ('all', 'winter', 'summer')", name=op.f('ck_norms_season')),
    sa.CheckConstraint('per_person > 0', name=op.f('ck_norms_per_person_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_norms_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_norms')),
    sa.UniqueConstraint('item_id', 'season', name=op.f('uq_norms_item_id_season'))
    )
    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('deadline_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('season', sa.String(length=8), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("season IN ('all', 'winter', 'summer')", name=op.f('ck_targets_season')),
    sa.CheckConstraint('deadline_hours > 0', name=op.f('ck_targets_deadline_positive')),
    sa.CheckConstraint('people > 0', name=op.f('ck_targets_people_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_targets_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets'))
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_area_id'), ['area_id'], unique=False)

    op.create_table('travel_times',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.CheckConstraint("source IN ('survey', 'import', 'manual')", name=op.f('ck_travel_times_source')),
    sa.CheckConstraint('hours >= 0', name=op.f('ck_travel_times_hours_not_negative')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_travel_times_area_id_areas')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_travel_times_depot_id_depots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_travel_times')),
    sa.UniqueConstraint('depot_id', 'area_id', name=op.f('uq_travel_times_depot_id_area_id'))
    )
    with op.batch_alter_table('travel_times', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_travel_times_area_id'), ['area_id'], unique=False)

    op.create_table('call_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('received_quantity', sa.Integer(), nullable=True),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('settled_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settlement_reference', sa.String(length=100), nullable=True),
    sa.CheckConstraint("status IN ('expected', 'received', 'cancelled')", name=op.f('ck_call_offs_status')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_call_offs_quantity_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_call_offs_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_call_offs_depot_id_depots')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_call_offs_lot_id_lots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_offs'))
    )
    with op.batch_alter_table('call_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_offs_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('depots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_hours', sa.Numeric(precision=5, scale=2), server_default='1.0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('depots', schema=None) as batch_op:
        batch_op.drop_column('handling_hours')

    with op.batch_alter_table('call_offs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_offs_agreement_id'))

    op.drop_table('call_offs')
    with op.batch_alter_table('travel_times', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_travel_times_area_id'))

    op.drop_table('travel_times')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_area_id'))

    op.drop_table('targets')
    op.drop_table('norms')
    with op.batch_alter_table('capacity_reserves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_reserves_item_id'))

    op.drop_table('capacity_reserves')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_item_id'))

    op.drop_table('agreements')
