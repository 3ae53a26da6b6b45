"""Users get a session version, raised on deactivation, password change or reset and role
change, so that web sessions and remember-me cookies made before stop matching at once; and
the time their password last changed. The audit trail refuses UPDATE and DELETE, as the
ledger does, and is indexed by time and by user, the filters auditors use.

Sessions made before this migration name no version, so everyone logs in again once.

Revision ID: 7a3c5e9d1b20
Revises: f0011900eaf0
Create Date: 2026-12-05 21:30:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '7a3c5e9d1b20'
down_revision = 'f0011900eaf0'
branch_labels = None
depends_on = None

GUARD_MESSAGE = "audit events are never changed or deleted"


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('auth_version', sa.Integer(), nullable=False,
                                   server_default='1'))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True),
                                   nullable=True))
    op.create_index('ix_audit_events_at', 'audit_events', ['at'])
    op.create_index('ix_audit_events_actor_id', 'audit_events', ['actor_id'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{GUARD_MESSAGE}'; END $$;
        """)
        op.execute("""
            CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_guard();
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_events_no_{action.lower()} BEFORE {action} ON audit_events
                BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}'); END;
            """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_guard()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    op.drop_index('ix_audit_events_actor_id', table_name='audit_events')
    op.drop_index('ix_audit_events_at', table_name='audit_events')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('password_changed_at')
        batch.drop_column('auth_version')
