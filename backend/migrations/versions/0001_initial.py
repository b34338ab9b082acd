"""Initial schema: runs, epochs, workers.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from backend.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("architecture", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("hyperparams", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=True),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("device", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("param_count", sa.Integer, nullable=False),
        sa.Column("clone_of", sa.Integer, nullable=True),
        sa.Column("epochs_done", sa.Integer, nullable=False),
        sa.Column("best_epoch", sa.Integer, nullable=True),
        sa.Column("best_val_acc", sa.Float, nullable=True),
        sa.Column("best_val_loss", sa.Float, nullable=True),
        sa.Column("test_acc", sa.Float, nullable=True),
        sa.Column("test_loss", sa.Float, nullable=True),
        sa.Column("seconds_per_epoch", sa.Float, nullable=True),
        sa.Column("has_checkpoint", sa.Boolean, nullable=False),
    )
    op.create_index("ix_runs_status_id", "runs", ["status", "id"])
    op.create_index(
        "ix_runs_queued",
        "runs",
        ["id"],
        sqlite_where=sa.text("status = 'queued'"),
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index("ix_runs_architecture", "runs", ["architecture"])
    op.create_table(
        "epochs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("train_loss", sa.Float, nullable=True),
        sa.Column("train_acc", sa.Float, nullable=True),
        sa.Column("val_loss", sa.Float, nullable=True),
        sa.Column("val_acc", sa.Float, nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("samples_per_second", sa.Float, nullable=True),
        sa.UniqueConstraint("run_id", "epoch", name="uq_epochs_run_epoch"),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("current_run_id", sa.Integer, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("workers")
    op.drop_table("epochs")
    op.drop_index("ix_runs_architecture", table_name="runs")
    op.drop_index("ix_runs_queued", table_name="runs")
    op.drop_index("ix_runs_status_id", table_name="runs")
    op.drop_table("runs")
