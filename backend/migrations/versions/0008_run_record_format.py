"""Runs: the format version of their recorded hyperparameters (worker.record_format.RECORD_FORMAT).

Every existing run gets 2: the backend has stored the contestant's full resolved hyperparameters
since the first release (8e43af9), which is what format 2 holds; format 1 (hyperparameters that may
lack fields the contestant had) only ever described checkpoints. The value is written here as a
literal, not read from RECORD_FORMAT, because it states what old rows are, whatever the constant
becomes later.

Revision ID: 0008_run_record_format
Revises: 0007_worker_registration
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_run_record_format"
down_revision = "0007_worker_registration"
branch_labels = None
depends_on = None

WRITTEN_UNDER = 2  # the format every run written before this column holds (see above)


def upgrade() -> None:
    # NOT NULL with a default fills the existing rows without copying the table (SQLite adds it in place);
    # the default is dropped on PostgreSQL, so every new run states its format. SQLite cannot drop a
    # default without copying the table; there create_run always sets the column, a test checks it.
    op.add_column("runs", sa.Column("record_format", sa.Integer(), nullable=False,
                                    server_default=sa.text(str(WRITTEN_UNDER))))
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("runs", "record_format", server_default=None)


def downgrade() -> None:
    op.drop_column("runs", "record_format")  # in place on SQLite 3.35 and later too: the table is not copied
