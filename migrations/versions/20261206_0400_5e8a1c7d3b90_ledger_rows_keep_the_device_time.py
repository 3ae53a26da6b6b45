"""Ledger rows keep the device's time when a late replay is dated at its arrival.

A phone's queued movement that reaches the server after later rows of its lot is dated when
it is recorded, so that the lot's history runs in order; ``device_at`` keeps the time the
phone gave. The column is hashed when it holds a value, so existing rows keep their hashes.

Revision ID: 5e8a1c7d3b90
Revises: 4b7e2c9d1f53
Create Date: 2026-12-06 04:00:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '5e8a1c7d3b90'
down_revision = '4b7e2c9d1f53'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: the ledger table is never rebuilt, so its
    # insert-only triggers and its rows stay as they are.
    op.add_column('stock_movements', sa.Column('device_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35 and later), for the same reason.
    op.drop_column('stock_movements', 'device_at')
