"""Pydantic models of the worker-facing endpoints under /api/worker."""

from datetime import datetime

from pydantic import BaseModel, Field

from backend.schemas import StoredText, WorkerName, stored_text
from worker.wire import MAX_TRACEBACK_CHARS, ClaimedRun, ClaimReply, EpochMetrics, FinishReport, Progress, ProgressReply

__all__ = ["ClaimPublic", "ClaimedRun", "EpochRequest", "FinishRequest", "ProgressRequest"]


class DatasetReadiness(BaseModel):
    """Whether a worker can load a dataset now (its files are there, no download needed), and why not."""

    ready: bool
    detail: stored_text(1000) = ""


class RegisterRequest(BaseModel):
    """A worker announcing itself: where it runs, on what, with which versions (worker/agent/sysinfo.py),
    and the datasets it can load.

    Only `name` is required (an older or minimal client); a `version` whose major.minor differs from
    the backend's is refused with 409.
    """

    name: WorkerName
    host: stored_text(200) = ""
    device: stored_text(64) = ""
    device_name: stored_text(200) | None = Field(None, description="e.g. 'NVIDIA H100 80GB HBM3' or the CPU model.")
    memory_total_bytes: int | None = Field(None, ge=0, le=2**62, description="The device's memory (host RAM for a CPU), bytes.")
    memory_free_bytes: int | None = Field(None, ge=0, le=2**62, description="Free device memory at registration, bytes.")
    torch_version: stored_text(64) | None = None
    cuda_version: stored_text(64) | None = Field(None, description="torch.version.cuda; null on a CPU build.")
    version: stored_text(64) | None = Field(None, description="The worker's product version.")
    datasets: dict[stored_text(64), DatasetReadiness] = Field(
        default_factory=dict, max_length=64, description="Dataset name -> readiness on this worker."
    )

    def registration(self) -> dict:
        """The columns of the workers row this registration sets (everything but the name)."""
        return self.model_dump(exclude={"name"})


class RegisterPublic(BaseModel):
    """The lease terms the worker must keep."""

    name: str
    lease_seconds: float
    heartbeat_seconds: float


class ClaimRequest(BaseModel):
    """Ask for the oldest queued run, waiting up to `wait` seconds for one to be launched."""

    worker: WorkerName
    device: StoredText = "cpu"
    wait: float = Field(0, ge=0, le=25, allow_inf_nan=False)


class ClaimPublic(ClaimReply):
    """A claimed run and when its lease ends unless renewed."""


class HeartbeatRequest(BaseModel):
    """The worker holding the run."""

    worker: WorkerName


class HeartbeatPublic(BaseModel):
    """Whether the run was cancelled, and the renewed lease."""

    cancel: bool
    lease_expires_at: datetime


class ProgressPublic(ProgressReply):
    """The reply to a progress report: `cancel` is true once the run was asked to stop."""


class ProgressRequest(Progress):
    """Where the trainer is within an epoch, from the worker holding the run."""

    worker: WorkerName


class EpochRequest(EpochMetrics):
    """One epoch row from the worker holding the run; NaN metrics are stored as NULL."""

    worker: WorkerName


class FinishRequest(FinishReport):
    """The final verdict on a run, from the worker holding it (its texts must be storable)."""

    worker: WorkerName
    device: StoredText | None = None
    error: StoredText | None = None
    traceback: stored_text(max_length=MAX_TRACEBACK_CHARS) | None = None
