"""Call-offs remember when their delivery was received, so settlements can be reported by
period; deliveries received before this migration take the time of their lot's first receipt.

Revision ID: f0011900eaf0
Revises: 011d55b6d52c
Create Date: 2026-12-04 21:30:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'f0011900eaf0'
down_revision = '011d55b6d52c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('call_offs') as batch:
        batch.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE call_offs SET received_at = ("
        " SELECT min(m.occurred_at) FROM stock_movements m"
        " WHERE m.lot_id = call_offs.lot_id AND m.kind = 'receipt')"
        " WHERE status = 'received'")


def downgrade() -> None:
    with op.batch_alter_table('call_offs') as batch:
        batch.drop_column('received_at')
