"""Transport: carriers (the bureau, townships, logistics firms) with their vehicles, transport
agreements (运力储备: vehicles of a type promised within so many hours) and waybills (运单)
that follow each transfer or call-off delivery from departure to arrival.

Revision ID: 7c2d4e1a9b35
Revises: 7b3e51c0a9d4
Create Date: 2026-12-05 21:31:27.637273+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '7c2d4e1a9b35'
down_revision = '7b3e51c0a9d4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('carriers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('bureau', 'township', 'logistics')", name=op.f('ck_carriers_kind')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_carriers_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carriers')),
    sa.UniqueConstraint('code', name=op.f('uq_carriers_code'))
    )
    op.create_table('transport_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_type', sa.String(length=50), nullable=False),
    sa.Column('vehicles', sa.Integer(), nullable=False),
    sa.Column('payload_kg', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('volume_m3', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('response_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('price_unit', sa.String(length=8), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("price_unit IN ('trip', 'hour', 'km')", name=op.f('ck_transport_agreements_price_unit')),
    sa.CheckConstraint('payload_kg > 0', name=op.f('ck_transport_agreements_payload_positive')),
    sa.CheckConstraint('response_hours >= 0', name=op.f('ck_transport_agreements_response_not_negative')),
    sa.CheckConstraint('unit_price IS NULL OR unit_price >= 0', name=op.f('ck_transport_agreements_price_not_negative')),
    sa.CheckConstraint('valid_from <= valid_until', name=op.f('ck_transport_agreements_valid_period')),
    sa.CheckConstraint('vehicles > 0', name=op.f('ck_transport_agreements_vehicles_positive')),
    sa.CheckConstraint('volume_m3 > 0', name=op.f('ck_transport_agreements_volume_positive')),
    sa.ForeignKeyConstraint(['carrier_id'], ['carriers.id'], name=op.f('fk_transport_agreements_carrier_id_carriers')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_transport_agreements_depot_id_depots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transport_agreements')),
    sa.UniqueConstraint('number', name=op.f('uq_transport_agreements_number'))
    )
    with op.batch_alter_table('transport_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transport_agreements_carrier_id'), ['carrier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transport_agreements_depot_id'), ['depot_id'], unique=False)

    op.create_table('vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_type', sa.String(length=50), nullable=False),
    sa.Column('payload_kg', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('volume_m3', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=True),
    sa.Column('driver_name', sa.String(length=50), nullable=True),
    sa.Column('driver_phone', sa.String(length=30), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('payload_kg > 0', name=op.f('ck_vehicles_payload_positive')),
    sa.CheckConstraint('volume_m3 > 0', name=op.f('ck_vehicles_volume_positive')),
    sa.ForeignKeyConstraint(['carrier_id'], ['carriers.id'], name=op.f('fk_vehicles_carrier_id_carriers')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_vehicles_depot_id_depots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicles')),
    sa.UniqueConstraint('plate', name=op.f('uq_vehicles_plate'))
    )
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicles_carrier_id'), ['carrier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vehicles_depot_id'), ['depot_id'], unique=False)

    op.create_table('waybills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('call_off_id', sa.Integer(), nullable=True),
    sa.Column('from_depot_id', sa.Integer(), nullable=True),
    sa.Column('to_depot_id', sa.Integer(), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=True),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('driver_name', sa.String(length=50), nullable=True),
    sa.Column('driver_phone', sa.String(length=30), nullable=True),
    sa.Column('seal_number', sa.String(length=40), nullable=True),
    sa.Column('departed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arrived_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(transfer_id IS NULL) <> (call_off_id IS NULL)', name=op.f('ck_waybills_transfer_or_call_off')),
    sa.CheckConstraint('arrived_at IS NULL OR arrived_at >= departed_at', name=op.f('ck_waybills_arrives_after_departure')),
    sa.ForeignKeyConstraint(['arrived_by_id'], ['users.id'], name=op.f('fk_waybills_arrived_by_id_users')),
    sa.ForeignKeyConstraint(['call_off_id'], ['call_offs.id'], name=op.f('fk_waybills_call_off_id_call_offs')),
    sa.ForeignKeyConstraint(['carrier_id'], ['carriers.id'], name=op.f('fk_waybills_carrier_id_carriers')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_waybills_created_by_id_users')),
    sa.ForeignKeyConstraint(['from_depot_id'], ['depots.id'], name=op.f('fk_waybills_from_depot_id_depots')),
    sa.ForeignKeyConstraint(['to_depot_id'], ['depots.id'], name=op.f('fk_waybills_to_depot_id_depots')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_waybills_transfer_id_transfers')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_waybills_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waybills')),
    sa.UniqueConstraint('call_off_id', name=op.f('uq_waybills_call_off_id')),
    sa.UniqueConstraint('number', name=op.f('uq_waybills_number')),
    sa.UniqueConstraint('transfer_id', name=op.f('uq_waybills_transfer_id'))
    )
    with op.batch_alter_table('waybills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waybills_from_depot_id'), ['from_depot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waybills_to_depot_id'), ['to_depot_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('waybills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waybills_to_depot_id'))
        batch_op.drop_index(batch_op.f('ix_waybills_from_depot_id'))

    op.drop_table('waybills')
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicles_depot_id'))
        batch_op.drop_index(batch_op.f('ix_vehicles_carrier_id'))

    op.drop_table('vehicles')
    with op.batch_alter_table('transport_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transport_agreements_depot_id'))
        batch_op.drop_index(batch_op.f('ix_transport_agreements_carrier_id'))

    op.drop_table('transport_agreements')
    op.drop_table('carriers')
