"""Run groups and kept predictions: runs.config_hash (indexed, backfilled) and runs.has_predictions.

Revision ID: 0002_run_groups_predictions
Revises: 0004_runs_autoincrement
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_run_groups_predictions"
down_revision = "0004_runs_autoincrement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from backend.confighash import config_hash  # the one definition of a group, also for the runs stored before

    # plain ADD COLUMN (no batch rebuild, which would drop SQLite's AUTOINCREMENT from 0004)
    op.add_column("runs", sa.Column("config_hash", sa.String(16), nullable=False, server_default=""))
    op.add_column("runs", sa.Column("has_predictions", sa.Boolean, nullable=False, server_default=sa.false()))
    runs = sa.table(
        "runs",
        sa.column("id", sa.Integer),
        sa.column("architecture", sa.String),
        sa.column("dataset", sa.String),
        sa.column("hyperparams", sa.JSON),
        sa.column("config_hash", sa.String),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(runs.c.id, runs.c.architecture, runs.c.dataset, runs.c.hyperparams)).all():
        connection.execute(
            sa.update(runs)
            .where(runs.c.id == row.id)
            .values(config_hash=config_hash(row.architecture, row.dataset, row.hyperparams or {}))
        )
    op.create_index("ix_runs_config_hash", "runs", ["config_hash"])


def downgrade() -> None:
    op.drop_index("ix_runs_config_hash", table_name="runs")
    with op.batch_alter_table("runs", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("has_predictions")
        batch.drop_column("config_hash")
