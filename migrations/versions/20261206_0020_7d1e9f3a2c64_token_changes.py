"""Token changes: one row per change that may invalidate remembered bearer tokens, so that
every worker process, not only the one that made the change, forgets them at once.

Revision ID: 7d1e9f3a2c64
Revises: 7c2d4e1a9b35
Create Date: 2026-12-06 00:20:00.000000+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '7d1e9f3a2c64'
down_revision = '7c2d4e1a9b35'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('token_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_token_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_token_changes'))
    )


def downgrade() -> None:
    op.drop_table('token_changes')
