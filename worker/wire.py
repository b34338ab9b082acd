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
