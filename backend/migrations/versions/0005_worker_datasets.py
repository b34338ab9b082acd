"""Workers say which datasets they can load: workers.datasets (JSON, {name: {ready, detail}}).

Revision ID: 0005_worker_datasets
Revises: 0002_run_groups_predictions
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_worker_datasets"
down_revision = "0002_run_groups_predictions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("datasets", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("datasets")
