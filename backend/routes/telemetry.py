"""A run's telemetry for the dashboard: its system samples (GET /api/runs/{id}/system) and its log (…/logs).

The worker sends them with POST /api/worker/runs/{id}/telemetry (backend/routes/worker.py); an open
run page gets each batch live as a `telemetry` event on the run's stream. Both GETs page alike: rows
with an id above `after`, at most `limit` of them, and `next_after` / `more` to go on.
"""

from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Query

from backend import store, telemetry
from backend.api_docs import errors
from backend.deps import RunId, SessionDep
from backend.schemas import DB_INT_MAX
from backend.telemetry_schemas import (
    DEFAULT_LOG_PAGE,
    DEFAULT_SAMPLE_PAGE,
    MAX_LOG_PAGE,
    MAX_SAMPLE_PAGE,
    LogsPublic,
    SystemPublic,
)

router = APIRouter(prefix="/api/runs", tags=["telemetry"])


class Cursor(NamedTuple):
    """A page request: rows with an id above `after`, at most `limit`."""

    after: int
    limit: int


def cursor_query(rows: str, max_page: int, default: int):
    """The `after` and `limit` query parameters of a paged route over a run's `rows` (422 naming the field and bound)."""

    def cursor(
        after: Annotated[int, Query(ge=0, le=DB_INT_MAX, description=f"Only {rows} with an id above this (0: from the start).")] = 0,
        limit: Annotated[int, Query(ge=1, le=max_page, description=f"At most this many {rows} (1 to {max_page:,}).")] = default,
    ) -> Cursor:
        return Cursor(after, limit)

    return Depends(cursor)


def _ends(rows: list[dict], after: int, more: bool) -> dict:
    """The page's `next_after` (its last id, or `after` when empty) and `more`."""
    return {"next_after": rows[-1]["id"] if rows else after, "more": more}


@router.get("/{run_id}/system", response_model=SystemPublic, responses=errors(404))
def read_system(
    run_id: RunId,
    session: SessionDep,
    page: Annotated[Cursor, cursor_query("samples", MAX_SAMPLE_PAGE, DEFAULT_SAMPLE_PAGE)],
) -> SystemPublic:
    """A page of the run's system samples, oldest first: the worker process's CPU and memory, the GPU's when on
    CUDA; follow `next_after` while `more`."""
    store.get_run(session, run_id)
    samples, more = telemetry.sample_page(session, run_id, page.after, page.limit)
    return SystemPublic(samples=samples, **_ends(samples, page.after, more))


@router.get("/{run_id}/logs", response_model=LogsPublic, responses=errors(404))
def read_logs(
    run_id: RunId,
    session: SessionDep,
    page: Annotated[Cursor, cursor_query("lines", MAX_LOG_PAGE, DEFAULT_LOG_PAGE)],
) -> LogsPublic:
    """A page of the run's log lines, oldest first, with the failed run's traceback; follow `next_after` while `more`."""
    run = store.get_run(session, run_id)
    lines, more = telemetry.log_page(session, run_id, page.after, page.limit)
    return LogsPublic(lines=lines, traceback=run.traceback, **_ends(lines, page.after, more))
