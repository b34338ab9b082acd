"""What crosses between a worker and the backend: run statuses and one Pydantic model per record.

Both sides import this module (the trainer reports these records, the backend validates and stores
them), so it imports Pydantic only, never torch. NaN and infinities stay floats in Python and are
written as JSON `null` by Pydantic's serialiser (`model_dump_json`, `pydantic_core.to_json`).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

DB_INT_MAX = 2**31 - 1  # the largest value of an Integer column in PostgreSQL (SQLite holds more)


class RunStatus(StrEnum):
    """Where a run is in its life: queued -> running [-> cancelling] -> succeeded | failed | cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    CANCELLING = "cancelling"   # a cancel arrived while running; its worker stops at the next batch
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (RunStatus.RUNNING, RunStatus.CANCELLING)                        # a worker holds the lease
TERMINAL_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)   # nothing changes any more


class EndReason(StrEnum):
    """Why a run ended without succeeding (the `end_reason` column); null for a run that succeeded."""

    LEASE_LOST = "lease_lost"   # its worker stopped heartbeating for a whole lease
    CANCELLED = "cancelled"     # a user cancelled it
    DIVERGED = "diverged"       # the training loss became NaN or infinite
    ERROR = "error"             # anything else: bad data, a bug, a worker stopped mid-run


class EpochMetrics(BaseModel):
    """One row of a learning curve, as the trainer reports it and the `epochs` table stores it.

    Losses are mean binary cross-entropy in nats per review, accuracies fractions in [0, 1];
    a metric may be NaN (stored and served as null).
    """

    epoch: int = Field(ge=1, le=DB_INT_MAX, description="From 1.")
    train_loss: float | None = None
    train_acc: float | None = None
    val_loss: float | None = None
    val_acc: float | None = None
    seconds: float | None = Field(None, description="Wall time of the epoch, validation included.")
    samples_per_second: float | None = Field(None, description="Training reviews per second of training time.")


METRIC_NAMES = tuple(name for name in EpochMetrics.model_fields if name != "epoch")


class Progress(BaseModel):
    """Where the trainer is within an epoch (kept in the backend's memory, never stored)."""

    epoch: int = Field(ge=1, le=DB_INT_MAX)
    fraction: float = Field(ge=0, le=1, allow_inf_nan=False, description="Of the epoch's batches done.")
    loss: float | None = Field(None, description="Running mean training loss of this epoch.")


class ProgressReply(BaseModel):
    """The backend's answer to a progress report."""

    cancel: bool = Field(description="True once the run was asked to stop: the worker stops at the next batch.")


MAX_TRACEBACK_CHARS = 20_000      # a worker keeps the traceback's last characters (the raise is at its end)


class FinishReport(BaseModel):
    """A worker's final verdict on a run it holds."""

    status: Literal[RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED]
    end_reason: Literal[EndReason.DIVERGED, EndReason.ERROR] | None = Field(
        None, description="Why a failed run failed; a failed run without one ended for an error.")
    test_loss: float | None = None
    test_acc: float | None = None
    best_epoch: int | None = Field(None, ge=0, le=DB_INT_MAX)
    param_count: int | None = Field(None, ge=0, le=DB_INT_MAX)
    device: str | None = None
    error: str | None = None
    traceback: str | None = Field(
        None, max_length=MAX_TRACEBACK_CHARS,
        description="A failed run's full Python traceback (the error's short reason is `error`).")


# --- telemetry: what the worker's process does while a run trains, and the run's log --------------------
MAX_LOG_MESSAGE_CHARS = 2_000      # a longer message is cut by the worker (and refused by the backend)
MAX_LOG_LINES_PER_RUN = 5_000      # then one "truncated" line, and nothing more
MAX_SAMPLES_PER_RUN = 20_000       # 27 h at one sample every 5 s
MAX_TELEMETRY_ITEMS = 1_000        # samples or lines in one batch
LOG_TRUNCATED_MESSAGE = f"log truncated: a run keeps its first {MAX_LOG_LINES_PER_RUN:,} lines"
_BIG = 1e9                         # a bound that refuses nonsense, far above any real machine


class SystemSample(BaseModel):
    """What the worker's process used at one moment of a run, sampled every few seconds (psutil; torch.cuda).

    GPU fields are null unless the run trains on CUDA (and utilisation also when NVML is missing).
    """

    t: float = Field(ge=0, le=_BIG, allow_inf_nan=False, description="Seconds since the run started on its worker.")
    cpu_percent: float = Field(ge=0, le=100_000, allow_inf_nan=False,
                               description="The worker process's CPU use since the last sample; 100 is one core busy.")
    rss_mb: float = Field(ge=0, le=_BIG, allow_inf_nan=False, description="The process's resident memory, MiB.")
    memory_percent: float = Field(ge=0, le=100, allow_inf_nan=False, description="The machine's memory in use, %.")
    gpu_util_percent: float | None = Field(None, ge=0, le=100, allow_inf_nan=False,
                                           description="The GPU's utilisation (NVML), %; null off CUDA.")
    gpu_mem_mb: float | None = Field(None, ge=0, le=_BIG, allow_inf_nan=False,
                                     description="Tensor memory this process holds on the GPU, MiB; null off CUDA.")


class LogLevel(StrEnum):
    """A log line's level (Python's logging names)."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


class LogLine(BaseModel):
    """One line of a run's log, as the worker's logging wrote it."""

    time: datetime = Field(description="When it was logged (UTC).")
    level: LogLevel
    message: str = Field(max_length=MAX_LOG_MESSAGE_CHARS)


class Telemetry(BaseModel):
    """A batch of a run's system samples and log lines, oldest first; the worker sends one every few seconds."""

    samples: list[SystemSample] = Field(default_factory=list, max_length=MAX_TELEMETRY_ITEMS)
    lines: list[LogLine] = Field(default_factory=list, max_length=MAX_TELEMETRY_ITEMS)


class ClaimedRun(BaseModel):
    """What a worker needs to train a run."""

    id: int
    name: str
    architecture: str
    dataset: str
    hyperparams: dict[str, Any]


class ClaimReply(BaseModel):
    """A claimed run and when its lease ends unless renewed."""

    run: ClaimedRun
    lease_expires_at: datetime


_ANY = TypeAdapter(Any)


def to_json(data: Any) -> bytes:
    """Compact JSON of `data` (dicts, lists, numbers, strings, models) with NaN and infinities as null.

    The one NaN-to-null of the project: Pydantic's serialiser (ser_json_inf_nan="null", its default).
    """
    return _ANY.dump_json(data)
