"""Emergency shelters (应急避难场所): the register, a depot kind ``shelter`` for their receiving
points, and road hours from depots to shelters.

Revision ID: ba8c7cf3591b
Revises: 01f99a875bcc
Create Date: 2026-12-04 20:30:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'ba8c7cf3591b'
down_revision = '01f99a875bcc'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('government', 'enterprise', 'community')"
KINDS_AFTER = "kind IN ('government', 'enterprise', 'community', 'shelter')"


def _depot_kinds(check: str) -> None:
    with op.batch_alter_table('depots') as batch_op:
        batch_op.drop_constraint(op.f('ck_depots_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_depots_kind'), check)


def upgrade() -> None:
    _depot_kinds(KINDS_AFTER)
    op.create_table('shelters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('shelter_class', sa.String(length=3), nullable=False),
    sa.Column('capacity_people', sa.Integer(), nullable=False),
    sa.Column('site_area_m2', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('operator', sa.String(length=100), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("shelter_class IN ('I', 'II', 'III')", name=op.f('ck_shelters_shelter_class')),
    sa.CheckConstraint('capacity_people > 0', name=op.f('ck_shelters_capacity_positive')),
    sa.CheckConstraint('site_area_m2 IS NULL OR site_area_m2 >= 0', name=op.f('ck_shelters_site_area_not_negative')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_shelters_area_id_areas')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_shelters_depot_id_depots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelters')),
    sa.UniqueConstraint('code', name=op.f('uq_shelters_code')),
    sa.UniqueConstraint('depot_id', name=op.f('uq_shelters_depot_id'))
    )
    with op.batch_alter_table('shelters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shelters_area_id'), ['area_id'], unique=False)

    op.create_table('shelter_travel_times',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.CheckConstraint("source IN ('survey', 'import', 'manual')", name=op.f('ck_shelter_travel_times_source')),
    sa.CheckConstraint('hours >= 0', name=op.f('ck_shelter_travel_times_hours_not_negative')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_shelter_travel_times_depot_id_depots')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_shelter_travel_times_shelter_id_shelters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_travel_times')),
    sa.UniqueConstraint('depot_id', 'shelter_id', name=op.f('uq_shelter_travel_times_depot_id_shelter_id'))
    )
    with op.batch_alter_table('shelter_travel_times', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shelter_travel_times_shelter_id'), ['shelter_id'], unique=False)


#: what a receiving point may be named by: the downgrade refuses while any of these does
LEDGER_REFERENCES = [("lots", "depot_id"), ("stock_movements", "depot_id"),
                     ("transfers", "to_depot_id"), ("transfers", "from_depot_id"),
                     ("call_offs", "depot_id"), ("stocktakes", "depot_id")]


def downgrade() -> None:
    """Drop the register and its empty receiving points.

    A receiving point that received stock cannot be dropped without losing ledger rows, nor
    silently become another kind of depot, so the downgrade refuses while any has.
    """
    bind = op.get_bind()
    shelter_depots = "SELECT id FROM depots WHERE kind = 'shelter'"
    for table, column in LEDGER_REFERENCES:
        used = bind.execute(sa.text(
            f"SELECT count(*) FROM {table} WHERE {column} IN ({shelter_depots})")).scalar()
        if used:
            raise RuntimeError(f"{table} name shelter receiving points {used} time(s); the "
                               "shelters cannot be removed without losing ledger rows")
    with op.batch_alter_table('shelter_travel_times', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shelter_travel_times_shelter_id'))
    op.drop_table('shelter_travel_times')
    with op.batch_alter_table('shelters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shelters_area_id'))
    op.drop_table('shelters')
    for table in ('user_depots', 'bins', 'travel_times'):
        bind.execute(sa.text(f"DELETE FROM {table} WHERE depot_id IN ({shelter_depots})"))
    bind.execute(sa.text("DELETE FROM depots WHERE kind = 'shelter'"))
    _depot_kinds(KINDS_BEFORE)
