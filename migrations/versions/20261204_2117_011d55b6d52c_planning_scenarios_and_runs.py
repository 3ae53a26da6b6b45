"""Planning scenarios (dispatch, pre-positioning, rotation) and their runs: each run keeps the
exact input given to the optimizer, what it printed, its statistics and markers of the data it
was built from; its status is its background job's.

Revision ID: 011d55b6d52c
Revises: e6a12615c9ca
Create Date: 2026-12-04 21:17:15.281954+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '011d55b6d52c'
down_revision = 'e6a12615c9ca'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planning_scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('scenario_date', sa.Date(), nullable=False),
    sa.Column('deadline_hours', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('season', sa.String(length=8), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('sites', sa.JSON(), nullable=False),
    sa.Column('modes', sa.JSON(), nullable=False),
    sa.Column('excluded_depots', sa.JSON(), nullable=False),
    sa.Column('excluded_pairs', sa.JSON(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('dispatch', 'preposition', 'rotation')", name=op.f('ck_planning_scenarios_kind')),
    sa.CheckConstraint('deadline_hours IS NULL OR deadline_hours > 0', name=op.f('ck_planning_scenarios_deadline_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_planning_scenarios_version_positive')),
    sa.ForeignKeyConstraint(['copied_from_id'], ['planning_scenarios.id'], name=op.f('fk_planning_scenarios_copied_from_id_planning_scenarios')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_planning_scenarios_created_by_id_users')),
    sa.ForeignKeyConstraint(['target_id'], ['targets.id'], name=op.f('fk_planning_scenarios_target_id_targets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planning_scenarios'))
    )
    op.create_table('planning_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('scenario_version', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=False),
    sa.Column('input', sa.LargeBinary(), nullable=True),
    sa.Column('input_sha256', sa.String(length=64), nullable=True),
    sa.Column('data_marks', sa.JSON(), nullable=True),
    sa.Column('build_seconds', sa.Float(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('exit_code', sa.Integer(), nullable=True),
    sa.Column('stats', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_planning_runs_created_by_id_users')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_planning_runs_job_id_jobs')),
    sa.ForeignKeyConstraint(['scenario_id'], ['planning_scenarios.id'], name=op.f('fk_planning_runs_scenario_id_planning_scenarios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planning_runs')),
    sa.UniqueConstraint('job_id', name=op.f('uq_planning_runs_job_id'))
    )
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planning_runs_scenario_id'), ['scenario_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planning_runs_scenario_id'))

    op.drop_table('planning_runs')
    op.drop_table('planning_scenarios')
