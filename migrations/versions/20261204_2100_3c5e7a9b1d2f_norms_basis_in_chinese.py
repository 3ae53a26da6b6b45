"""Norms say their basis in Chinese too (the shared norms file gives it in English).

Revision ID: 3c5e7a9b1d2f
Revises: 16520cb8f062
Create Date: 2026-12-04 21:00:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '3c5e7a9b1d2f'
down_revision = '16520cb8f062'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('norms') as batch:
        batch.add_column(sa.Column('basis_zh', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('norms') as batch:
        batch.drop_column('basis_zh')
