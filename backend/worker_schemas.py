"""Pydantic models of the worker-facing endpoints under /api/worker."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from backend.schemas import DB_INT_MAX, StoredInt, StoredText


class DatasetReadiness(BaseModel):
    """Whether a worker can load a dataset now (its files are there, no download needed), and why not."""

    ready: bool
    detail: StoredText = Field("", max_length=1000)


class RegisterRequest(BaseModel):
    """A worker announcing itself, with the datasets it can load."""

    name: StoredText = Field(min_length=1, max_length=200)
    host: StoredText = ""
    device: StoredText = ""
    datasets: dict[Annotated[StoredText, Field(max_length=64)], DatasetReadiness] = Field(
        default_factory=dict, max_length=64, description="Dataset name -> readiness on this worker."
    )


class RegisterPublic(BaseModel):
    """The lease terms the worker must keep."""

    name: str
    lease_seconds: float
    heartbeat_seconds: float


class ClaimRequest(BaseModel):
    """Ask for the oldest queued run, waiting up to `wait` seconds for one to be launched."""

    worker: StoredText = Field(min_length=1, max_length=200)
    device: StoredText = "cpu"
    wait: float = Field(0, ge=0, le=25, allow_inf_nan=False)


class ClaimedRun(BaseModel):
    """What a worker needs to train a run."""

    id: int
    name: str
    architecture: str
    dataset: str
    hyperparams: dict[str, Any]


class ClaimPublic(BaseModel):
    """A claimed run and when its lease ends unless renewed."""

    run: ClaimedRun
    lease_expires_at: datetime


class HeartbeatRequest(BaseModel):
    """The worker holding the run."""

    worker: StoredText


class HeartbeatPublic(BaseModel):
    """Whether the run was cancelled, and the renewed lease."""

    cancel: bool
    lease_expires_at: datetime


class ProgressPublic(BaseModel):
    """The reply to a progress report: `cancel` is true once the run was asked to stop."""

    cancel: bool


class ProgressRequest(BaseModel):
    """Where the trainer is within an epoch."""

    worker: StoredText
    epoch: int = Field(ge=1, le=DB_INT_MAX)
    fraction: float = Field(ge=0, le=1, allow_inf_nan=False)
    loss: float | None = None


class EpochRequest(BaseModel):
    """One epoch row; NaN metrics are stored as NULL."""

    worker: StoredText
    epoch: int = Field(ge=1, le=DB_INT_MAX)
    train_loss: float | None = None
    train_acc: float | None = None
    val_loss: float | None = None
    val_acc: float | None = None
    seconds: float | None = None
    samples_per_second: float | None = None


class FinishRequest(BaseModel):
    """The final verdict on a run."""

    worker: StoredText
    status: Literal["succeeded", "failed", "cancelled"]
    test_loss: float | None = None
    test_acc: float | None = None
    best_epoch: StoredInt | None = None
    param_count: StoredInt | None = None
    device: StoredText | None = None
    error: StoredText | None = None
