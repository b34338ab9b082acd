"""Pydantic request and response models of the public REST API (the worker's are in worker_schemas.py)."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from worker.wire import ACTIVE_STATUSES, DB_INT_MAX, TERMINAL_STATUSES, EndReason, EpochMetrics, Progress, RunStatus

__all__ = ["ACTIVE_STATUSES", "DB_INT_MAX", "TERMINAL_STATUSES", "RunStatus"]  # re-exported: older imports
StoredInt = Annotated[int, Field(ge=0, le=DB_INT_MAX)]


def storable_text(text: Any) -> Any:
    """Refuse what a database cannot store: NUL characters (PostgreSQL) and unpaired surrogates (UTF-8).

    Runs before the str check (anything but a str passes on to it), so a surrogate is named as such.
    """
    if not isinstance(text, str):
        return text
    if "\x00" in text:
        raise ValueError("must not contain NUL (\\u0000) characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode; it holds an unpaired surrogate (\\ud800-\\udfff)") from None
    return text


STORABLE_SCHEMA = {"pattern": "^[^\\u0000]*$"}
"""What `storable_text` refuses, as JSON Schema can say it: no NUL. (Unpaired surrogates are not valid UTF-8,
so no conforming JSON text carries them; the check refuses the escapes that spell them.)"""


NOT_BLANK_SCHEMA = {"pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"}
"""STORABLE_SCHEMA for text that must hold more than whitespace (a stripped text of at least one character)."""


def stored_text(max_length: int | None = None, min_length: int | None = None, *, strip: bool = False) -> Any:
    """A str type of `min_length` to `max_length` characters that a database can store (`storable_text`).

    strip: leading and trailing whitespace is dropped before the bounds are checked (a label of spaces is empty).

    The bounds sit on the str itself: placed after a validator (a `Field(max_length=...)` on an
    `Annotated[str, AfterValidator]`) pydantic checks them as a generic length and its 422 says "items"
    instead of characters. The storability check runs first, on the raw input.
    """
    schema = NOT_BLANK_SCHEMA if strip and min_length else STORABLE_SCHEMA
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, strip_whitespace=strip),
                     Field(json_schema_extra=schema), BeforeValidator(storable_text)]


StoredText = stored_text()

# Bounds on what a person types (a 422 names the field and the bound).
MAX_NAME_CHARS = 200
MAX_TAGS = 32
MAX_TAG_CHARS = 64
MAX_NOTES_CHARS = 10_000
MAX_REVIEW_CHARS = 20_000  # the longest aclImdb review has 13,704 characters
MAX_WORKER_NAME_CHARS = 200
WorkerName = stored_text(MAX_WORKER_NAME_CHARS, min_length=1)
"""A worker's name as it registers, and as every one of its requests names it (claim, reports, uploads)."""
Tag = stored_text(MAX_TAG_CHARS, min_length=1, strip=True)
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS, description=f"At most {MAX_TAGS} tags of 1 to {MAX_TAG_CHARS} characters.")]
Notes = Annotated[stored_text(MAX_NOTES_CHARS), Field(description=f"Free text, at most {MAX_NOTES_CHARS:,} characters.")]


class RunCreate(BaseModel):
    """A launch: contestant, dataset, hyperparameters (missing ones take the defaults) and labels."""

    model_config = ConfigDict(extra="forbid")

    architecture: stored_text(64) = Field(description="Contestant name, see GET /api/architectures.")
    dataset: stored_text(64) = Field(description="Dataset name, see GET /api/datasets.")
    hyperparams: dict[str, Any] = Field(default_factory=dict, description="Hyperparameter values by name.")
    name: stored_text(MAX_NAME_CHARS, strip=True) | None = Field(None, description="Defaults to '<architecture> #<id>' (also when empty or blank).")
    tags: Tags = Field(default_factory=list)
    notes: Notes = ""
    repeats: int = Field(
        1, ge=1, le=20,
        description="Launch this many runs that differ only in `seed` (seed, seed + 1, ...): one group.",
    )


class RunUpdate(BaseModel):
    """The labels of a run that may change after launch."""

    model_config = ConfigDict(extra="forbid")

    name: stored_text(MAX_NAME_CHARS, min_length=1, strip=True) | None = None
    tags: Tags | None = None
    notes: Notes | None = None


class ProgressPublic(Progress):
    """Where a running run is within its current epoch (kept in memory, not stored)."""


class RunPublic(BaseModel):
    """A run as the API shows it: config, lifecycle, timings and summary metrics."""

    id: int
    name: str
    architecture: str
    dataset: str
    hyperparams: dict[str, Any]
    record_format: int = Field(description="The format version of `hyperparams` (the checkpoint's `format`): 2 is "
                                           "every resolved hyperparameter as of the launch; docs/API.md.")
    tags: list[str]
    notes: str
    status: RunStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None = Field(description="finished - started, or now - started while running.")
    worker: str | None
    device: str | None
    attempts: int
    error: str | None
    end_reason: EndReason | None = Field(description="Why the run ended without succeeding; null otherwise.")
    param_count: int
    epochs_total: int
    epochs_done: int
    progress: ProgressPublic | None
    best_epoch: int | None
    best_val_acc: float | None
    best_val_loss: float | None
    test_acc: float | None
    test_loss: float | None
    seconds_per_epoch: float | None
    has_checkpoint: bool
    has_predictions: bool = Field(description="Its test predictions are stored: GET /api/runs/{id}/predictions.")
    clone_of: int | None
    group_id: str = Field(description="Its group: the runs with the same config but the seed, GET /api/groups/{id}.")

    @classmethod
    def from_row(cls, row: Any, progress: dict | None = None, now: datetime | None = None) -> "RunPublic":
        """Build from a runs row (Core Row or ORM object); `progress` only shows while the run is active.

        `now` (default: the present) ends a running run's duration.
        """
        started, finished = row.started_at, row.finished_at
        duration = None
        if started is not None:
            duration = ((finished or now or datetime.now(UTC)) - started).total_seconds()
        return cls(
            id=row.id,
            name=row.name,
            architecture=row.architecture,
            dataset=row.dataset,
            hyperparams=row.hyperparams,
            record_format=row.record_format,
            tags=row.tags or [],
            notes=row.notes or "",
            status=row.status,
            created_at=row.created_at,
            started_at=started,
            finished_at=finished,
            duration_seconds=duration,
            worker=row.worker,
            device=row.device,
            attempts=row.attempts,
            error=row.error,
            end_reason=row.end_reason,
            param_count=row.param_count,
            epochs_total=int(row.hyperparams.get("epochs", 0)),
            epochs_done=row.epochs_done,
            progress=progress if row.status in ACTIVE_STATUSES else None,
            best_epoch=row.best_epoch,
            best_val_acc=row.best_val_acc,
            best_val_loss=row.best_val_loss,
            test_acc=row.test_acc,
            test_loss=row.test_loss,
            seconds_per_epoch=row.seconds_per_epoch,
            has_checkpoint=row.has_checkpoint,
            has_predictions=row.has_predictions,
            clone_of=row.clone_of,
            group_id=row.config_hash,
        )


class LaunchPublic(RunPublic):
    """The first run launched, and the ids of all of them when `repeats` > 1."""

    launched_ids: list[int] = Field(description="Every run this launch queued, in seed order.")


class RunsPublic(BaseModel):
    """One page of runs, newest first, and how many match the filters in all."""

    data: list[RunPublic]
    count: int


class EpochPublic(EpochMetrics):
    """One point of a learning curve; null where the metric was NaN."""


class CompareEntry(BaseModel):
    """A run and its learning curve."""

    run: RunPublic
    metrics: list[EpochPublic]


class ComparePublic(BaseModel):
    """Several runs with their curves, in the order asked."""

    runs: list[CompareEntry]


class LayerPublic(BaseModel):
    """A module that owns parameters directly."""

    name: str
    type: str
    params: int


class MemoryPublic(BaseModel):
    """A launch's estimated peak training memory by part, in MB (2**20 bytes), and the launch budget."""

    weights: float
    gradients: float
    optimizer: float
    best_weights: float
    activations: float
    data: float
    fitting: float = Field(description="What fitting statistics of the training reviews holds first (nbsvm's bigram table); 0 for most.")
    total: float
    budget: float = Field(description="BATTLEFIELD_MEMORY_BUDGET_MB: a launch whose total exceeds it gets a 422.")


class SummaryPublic(BaseModel):
    """Parameter count of a contestant built with given hyperparameters, per layer, and the memory estimate."""

    param_count: int
    layers: list[LayerPublic]
    memory: MemoryPublic


class ArchitecturePublic(BaseModel):
    """A contestant: its texts, the JSON Schema of its hyperparameters and its named presets."""

    name: str
    title: str
    description: str
    params_schema: dict[str, Any]
    presets: dict[str, dict[str, Any]]


class DatasetPublic(BaseModel):
    """A dataset a run may train on, and whether a live worker can load it now."""

    name: str
    title: str
    description: str
    ready: bool = Field(description="Some live worker holds this dataset's files (no download needed).")
    workers_ready: list[str] = Field(description="The live workers that can load it now.")
    how_to: str = Field(description="Where it is ready, or what to do to make it ready.")


class PredictRequest(BaseModel):
    """A review to score."""

    text: str = Field(max_length=MAX_REVIEW_CHARS, json_schema_extra={"pattern": r"\S"},  # _not_blank, as a schema says it
                      description=f"Review text in English, at most {MAX_REVIEW_CHARS:,} characters, not all blank.")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise PydanticCustomError("empty_text", "text must not be empty")
        return text


class PredictPublic(BaseModel):
    """A finished run's verdict on a review."""

    run_id: int
    probability: float = Field(description="Probability that the review is positive.")
    label: Literal["positive", "negative"]


class WorkerPublic(BaseModel):
    """A worker as GET /api/workers shows it: state, current run, device and memory, versions, last contact."""

    name: str
    state: Literal["idle", "training", "lost"] = Field(description="lost: silent for two leases.")
    host: str
    device: str
    device_name: str | None
    memory_total_bytes: int | None = Field(description="Device memory (host RAM for a CPU worker), bytes.")
    memory_free_bytes: int | None = Field(description="Free device memory when the worker registered, bytes.")
    torch_version: str | None
    cuda_version: str | None
    version: str | None = Field(description="The worker's product version.")
    current_run_id: int | None
    current_run_name: str | None
    registered_at: datetime | None
    last_seen: datetime
    seconds_since_seen: float


class HealthPublic(BaseModel):
    """The backend is up; which database it uses and how many workers were heard from lately."""

    status: Literal["ok"]
    version: str
    database: str
    workers: int


class HyperparamGroup(BaseModel):
    """A display group of hyperparameters; the group with no fields ("Model") takes every field no other names."""

    name: str
    fields: list[str]


class MetaPublic(BaseModel):
    """The fixed vocabulary of the API, so the dashboard keeps no copy of it."""

    statuses: list[RunStatus] = Field(description="Every run status, in lifecycle order.")
    active_statuses: list[RunStatus] = Field(description="Statuses whose run a worker holds (running, cancelling).")
    terminal_statuses: list[RunStatus] = Field(description="Statuses that never change again.")
    end_reasons: list[EndReason]
    hyperparam_groups: list[HyperparamGroup]
    notebook_test_acc: dict[str, float | None] = Field(
        description="The course notebook's best test accuracy per contestant it had; null where its cell never finished.")
