"""Bearer tokens carry an expiry; idempotency records are indexed by age so that those past
their retention are purged without reading the whole table.

Tokens issued before this migration get the default lifetime (90 days) from now, so that no
token works forever unless it is issued so on purpose.

Revision ID: 8d1f3a6c2e47
Revises: 7d1e9f3a2c64
Create Date: 2026-12-06 00:30:00+00:00
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = '8d1f3a6c2e47'
down_revision = '7d1e9f3a2c64'
branch_labels = None
depends_on = None

DEFAULT_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table('api_tokens', sa.column('expires_at', sa.DateTime(timezone=True)),
                      sa.column('revoked_at', sa.DateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.revoked_at.is_(None))
               .values(expires_at=datetime.now(UTC) + DEFAULT_LIFETIME))
    op.create_index('ix_idempotency_records_created_at', 'idempotency_records', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_idempotency_records_created_at', table_name='idempotency_records')
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('expires_at')
