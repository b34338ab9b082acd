"""Run telemetry: system samples and log lines per run (deleted with it), and a failed run's traceback.

Revision ID: 0009_run_telemetry
Revises: 0008_run_record_format
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from backend.models import LOG_LEVEL_CHECK, UTCDateTime

revision = "0009_run_telemetry"
down_revision = "0008_run_record_format"
branch_labels = None
depends_on = None


def _run_id() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.add_column("runs", sa.Column("traceback", sa.Text, nullable=True))  # a plain ADD COLUMN, no table rebuild
    op.create_table(
        "run_samples",
        sa.Column("id", sa.Integer, primary_key=True),
        _run_id(),
        sa.Column("t", sa.Float, nullable=False),
        sa.Column("cpu_percent", sa.Float, nullable=False),
        sa.Column("rss_mb", sa.Float, nullable=False),
        sa.Column("memory_percent", sa.Float, nullable=False),
        sa.Column("gpu_util_percent", sa.Float, nullable=True),
        sa.Column("gpu_mem_mb", sa.Float, nullable=True),
    )
    op.create_index("ix_run_samples_run_id", "run_samples", ["run_id", "id"])
    op.create_table(
        "run_log_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        _run_id(),
        sa.Column("time", UTCDateTime, nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.CheckConstraint(LOG_LEVEL_CHECK, name="ck_run_log_lines_level"),
    )
    op.create_index("ix_run_log_lines_run_id", "run_log_lines", ["run_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_run_log_lines_run_id", table_name="run_log_lines")
    op.drop_table("run_log_lines")
    op.drop_index("ix_run_samples_run_id", table_name="run_samples")
    op.drop_table("run_samples")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("traceback")
