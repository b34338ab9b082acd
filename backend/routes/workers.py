"""The worker fleet as the dashboard shows it: GET /api/workers."""

from fastapi import APIRouter

from backend import workers
from backend.config import settings
from backend.deps import SessionDep
from backend.schemas import WorkerPublic

router = APIRouter(prefix="/api", tags=["workers"])


@router.get("/workers", response_model=list[WorkerPublic])
def list_workers(session: SessionDep) -> list[dict]:
    """Every worker that registered or claimed: idle, training (with its run) or lost, most recently seen first."""
    return workers.list_workers(session, settings.lease_seconds)
