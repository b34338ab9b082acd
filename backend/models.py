"""Database tables: runs (config + summary columns), epochs (the learning-curve history), workers, and each
run's telemetry (system samples, log lines)."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from worker.wire import EndReason, LogLevel, RunStatus


def one_of(column: str, values: type[StrEnum]) -> str:
    """The SQL of a CHECK that `column` holds one of the enum's values (or NULL)."""
    return f"{column} IN ({', '.join(repr(value.value) for value in values)})"


STATUS_CHECK = one_of("status", RunStatus)
END_REASON_CHECK = one_of("end_reason", EndReason)
LOG_LEVEL_CHECK = one_of("level", LogLevel)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python; naive UTC in SQLite, timestamptz elsewhere."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base; the schema itself is created by the Alembic migrations."""


class Run(Base):
    """One launch: its config, lifecycle, lease and summary of the epoch rows (so listing never scans them)."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # config (architecture and dataset are columns so that they can be filtered portably)
    architecture: Mapped[str] = mapped_column(String(64))
    dataset: Mapped[str] = mapped_column(String(64))
    hyperparams: Mapped[dict] = mapped_column(JSON)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    # lifecycle
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    device: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    traceback: Mapped[str | None] = mapped_column(Text, nullable=True)  # a failed run's full traceback (worker.wire.FinishReport)
    end_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)  # an EndReason; NULL if it succeeded
    param_count: Mapped[int] = mapped_column(Integer, default=0)
    clone_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the group: a hash of contestant, dataset and every hyperparameter but the seed (backend/groups.py)
    config_hash: Mapped[str] = mapped_column(String(16), default="")
    # the format version of `hyperparams` (worker.record_format.RECORD_FORMAT when launched; a clone keeps its source's)
    record_format: Mapped[int] = mapped_column(Integer)
    # summary, updated as each epoch row arrives
    epochs_done: Mapped[int] = mapped_column(Integer, default=0)
    best_epoch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    best_val_acc: Mapped[float | None] = mapped_column(Float, nullable=True)
    best_val_loss: Mapped[float | None] = mapped_column(Float, nullable=True)
    test_acc: Mapped[float | None] = mapped_column(Float, nullable=True)
    test_loss: Mapped[float | None] = mapped_column(Float, nullable=True)
    seconds_per_epoch: Mapped[float | None] = mapped_column(Float, nullable=True)
    has_checkpoint: Mapped[bool] = mapped_column(Boolean, default=False)
    has_predictions: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="ck_runs_status"),
        CheckConstraint(END_REASON_CHECK, name="ck_runs_end_reason"),
        Index("ix_runs_status_id", "status", "id"),
        Index(
            "ix_runs_queued",
            "id",
            sqlite_where=text("status = 'queued'"),
            postgresql_where=text("status = 'queued'"),
        ),
        Index("ix_runs_architecture", "architecture"),
        Index("ix_runs_config_hash", "config_hash"),
        # Ids are never reused after a delete (migration 0004_runs_autoincrement; PostgreSQL: an identity).
        {"sqlite_autoincrement": True},
    )


class Epoch(Base):
    """One point of a run's learning curve (worker.wire.EpochMetrics, checked by a test); NULL where NaN."""

    __tablename__ = "epochs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    epoch: Mapped[int] = mapped_column(Integer)
    train_loss: Mapped[float | None] = mapped_column(Float, nullable=True)
    train_acc: Mapped[float | None] = mapped_column(Float, nullable=True)
    val_loss: Mapped[float | None] = mapped_column(Float, nullable=True)
    val_acc: Mapped[float | None] = mapped_column(Float, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    samples_per_second: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (UniqueConstraint("run_id", "epoch", name="uq_epochs_run_epoch"),)


class Worker(Base):
    """A worker process that registered or claimed: where it runs, on what, and when it was last heard from."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    host: Mapped[str] = mapped_column(String(200), default="")
    device: Mapped[str] = mapped_column(String(64), default="")
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    current_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {dataset: {"ready": bool, "detail": str}}, as the worker said at registration
    datasets: Mapped[dict | None] = mapped_column(JSON, nullable=True, default=dict)
    # what it reported at registration (NULL for a worker that only ever claimed)
    device_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    memory_total_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    memory_free_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    torch_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cuda_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SystemSampleRow(Base):
    """One system sample of a run (worker.wire.SystemSample, checked by a test)."""

    __tablename__ = "run_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    t: Mapped[float] = mapped_column(Float)
    cpu_percent: Mapped[float] = mapped_column(Float)
    rss_mb: Mapped[float] = mapped_column(Float)
    memory_percent: Mapped[float] = mapped_column(Float)
    gpu_util_percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    gpu_mem_mb: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (Index("ix_run_samples_run_id", "run_id", "id"),)


class LogLineRow(Base):
    """One line of a run's log (worker.wire.LogLine, checked by a test); `id` orders a run's lines."""

    __tablename__ = "run_log_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(LOG_LEVEL_CHECK, name="ck_run_log_lines_level"),
        Index("ix_run_log_lines_run_id", "run_id", "id"),
    )


runs = Run.__table__
epochs = Epoch.__table__
workers = Worker.__table__
run_samples = SystemSampleRow.__table__
run_log_lines = LogLineRow.__table__
