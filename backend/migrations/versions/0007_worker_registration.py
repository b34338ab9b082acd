"""Workers: what each reports at registration (device name, memory, torch/CUDA and product versions).

Revision ID: 0007_worker_registration
Revises: 0006_run_status_check
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from backend.models import UTCDateTime

revision = "0007_worker_registration"
down_revision = "0006_run_status_check"
branch_labels = None
depends_on = None

COLUMNS = (
    ("device_name", sa.String(200)),
    ("memory_total_bytes", sa.BigInteger()),
    ("memory_free_bytes", sa.BigInteger()),
    ("torch_version", sa.String(64)),
    ("cuda_version", sa.String(64)),
    ("version", sa.String(64)),
    ("registered_at", UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
