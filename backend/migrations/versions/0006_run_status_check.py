"""Run status as a checked set of values, and an end_reason column filled from the old error texts.

Revision ID: 0006_run_status_check
Revises: 0005_worker_datasets
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from backend.models import END_REASON_CHECK, STATUS_CHECK

revision = "0006_run_status_check"
down_revision = "0005_worker_datasets"
branch_labels = None
depends_on = None

KEEP_AUTOINCREMENT = {"sqlite_autoincrement": True}  # the copy keeps 0004's never-reused ids

# Why existing runs ended, read once from the texts the code wrote before this column existed.
FILL_END_REASON = """
UPDATE runs SET end_reason = CASE
    WHEN status = 'cancelled' THEN 'cancelled'
    WHEN error LIKE 'worker % lost:%' THEN 'lease_lost'
    WHEN error LIKE 'Training diverged%' THEN 'diverged'
    ELSE 'error'
END
WHERE status IN ('failed', 'cancelled')
"""


def _create_queued_index() -> None:
    """The partial index of the claim's hot path (0001's), which SQLite's table copy drops."""
    op.create_index("ix_runs_queued", "runs", ["id"], sqlite_where=sa.text("status = 'queued'"),
                    postgresql_where=sa.text("status = 'queued'"))


def upgrade() -> None:
    # SQLite adds a CHECK only by copying the table (batch mode); its partial index is made again after.
    op.drop_index("ix_runs_queued", table_name="runs")
    with op.batch_alter_table("runs", table_kwargs=KEEP_AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("end_reason", sa.String(16), nullable=True))
        batch.create_check_constraint("ck_runs_status", sa.text(STATUS_CHECK))
        batch.create_check_constraint("ck_runs_end_reason", sa.text(END_REASON_CHECK))
    _create_queued_index()
    op.execute(FILL_END_REASON)


def downgrade() -> None:
    op.drop_index("ix_runs_queued", table_name="runs")
    with op.batch_alter_table("runs", table_kwargs=KEEP_AUTOINCREMENT) as batch:
        batch.drop_constraint("ck_runs_end_reason", type_="check")
        batch.drop_constraint("ck_runs_status", type_="check")
        batch.drop_column("end_reason")
    _create_queued_index()
