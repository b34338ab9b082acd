"""A run's telemetry for the dashboard: its system samples (GET /api/runs/{id}/system) and its log (…/logs).

The worker sends them with POST /api/worker/runs/{id}/telemetry (backend/routes/worker.py); an open
run page gets each batch live as a `telemetry` event on the run's stream.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from backend import store, telemetry
from backend.api_docs import errors
from backend.deps import RunId, SessionDep
from backend.schemas import DB_INT_MAX
from backend.telemetry_schemas import DEFAULT_LOG_PAGE, MAX_LOG_PAGE, LogsPublic, SystemPublic

router = APIRouter(prefix="/api/runs", tags=["telemetry"])


@router.get("/{run_id}/system", response_model=SystemPublic, responses=errors(404))
def read_system(run_id: RunId, session: SessionDep) -> SystemPublic:
    """The run's system samples, oldest first: the worker process's CPU and memory, the GPU's when on CUDA."""
    return SystemPublic(samples=telemetry.samples(session, run_id))


@router.get("/{run_id}/logs", response_model=LogsPublic, responses=errors(404))
def read_logs(
    run_id: RunId,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=DB_INT_MAX, description="Only lines with an id above this (0: from the start).")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LOG_PAGE, description=f"At most this many lines (1 to {MAX_LOG_PAGE:,}).")] = DEFAULT_LOG_PAGE,
) -> LogsPublic:
    """A page of the run's log lines, oldest first, with the failed run's traceback; follow `next_after` while `more`."""
    run = store.get_run(session, run_id)
    lines, more = telemetry.log_page(session, run_id, after, limit)
    return LogsPublic(lines=lines, next_after=lines[-1]["id"] if lines else after, more=more, traceback=run.traceback)
