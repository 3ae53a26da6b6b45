"""Idempotency keys are each user's own: the records kept for retries are re-keyed
``<user id>:<key>``, as the application now stores them.

A phone that sent a request before this migration and retries it after still meets its
record (the retry's record collides with it, so the first answer is replayed and nothing is
written twice). Ledger rows keep the keys they were written with: they are hash-chained and
never edited, and new rows' keys carry the prefix, so the two cannot collide.

Revision ID: 4b7e2c9d1f53
Revises: 8d1f0b2c4e6a
Create Date: 2026-12-06 02:00:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '4b7e2c9d1f53'
down_revision = '8d1f0b2c4e6a'
branch_labels = None
depends_on = None

records = sa.table('idempotency_records', sa.column('key', sa.String(255)),
                   sa.column('user_id', sa.Integer))
_USER = sa.cast(records.c.user_id, sa.String)


def upgrade() -> None:
    op.execute(records.update().values(key=_USER + ':' + records.c.key))


def downgrade() -> None:
    prefix = sa.func.length(_USER) + 2
    op.execute(records.update()
               .where(records.c.key.like(_USER + ':%'))
               .values(key=sa.func.substr(records.c.key, prefix)))
