"""Pydantic models of a run's telemetry: the worker's batch (POST) and the dashboard's replies (GET)."""

from typing import Annotated

from pydantic import BaseModel, Field

from backend.schemas import WorkerName, stored_text
from worker.wire import MAX_LOG_MESSAGE_CHARS, MAX_TELEMETRY_ITEMS, LogLine, SystemSample, Telemetry

MAX_LOG_PAGE = 1_000
DEFAULT_LOG_PAGE = 500
MAX_SAMPLE_PAGE = 5_000
DEFAULT_SAMPLE_PAGE = 5_000


class StoredLogLine(LogLine):
    """A log line whose message the database can store (no NUL, valid Unicode)."""

    message: stored_text(max_length=MAX_LOG_MESSAGE_CHARS)


class TelemetryRequest(Telemetry):
    """A batch of system samples and log lines from the worker holding the run."""

    worker: WorkerName
    lines: Annotated[list[StoredLogLine], Field(max_length=MAX_TELEMETRY_ITEMS)] = Field(default_factory=list)


class TelemetryPublic(BaseModel):
    """How much of the batch the run kept (the rest was over the per-run caps)."""

    samples: int
    lines: int


class SystemSamplePublic(SystemSample):
    """A stored system sample; `id` increases along a run's samples (the `after` cursor)."""

    id: int


class CursorPage(BaseModel):
    """Where a page of a run's rows ends: the cursor of the next page and whether there is one."""

    next_after: int = Field(description="Pass as `after` for the rows that follow (the last id here, or `after`).")
    more: bool = Field(description="True when more rows follow this page.")


class SystemPublic(CursorPage):
    """A page of a run's system samples, oldest first (empty for a run recorded before they existed)."""

    samples: list[SystemSamplePublic]


class LogLinePublic(LogLine):
    """A stored log line; `id` increases along a run's log (the `after` cursor)."""

    id: int


class LogsPublic(CursorPage):
    """A page of a run's log, oldest first, and the failed run's traceback."""

    lines: list[LogLinePublic]
    traceback: str | None = Field(None, description="A failed run's full traceback, as its worker reported it.")
