"""Liveness: version, database kind and how many workers were heard from lately."""

from fastapi import APIRouter

from backend import __version__, queue
from backend.access import PUBLIC
from backend.config import settings
from backend.deps import SessionDep
from backend.schemas import HealthPublic

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthPublic, openapi_extra=PUBLIC)
def health(session: SessionDep) -> HealthPublic:
    """{"status": "ok", ...} once the database answers."""
    workers = queue.count_live_workers(session, settings.lease_seconds)
    return HealthPublic(status="ok", version=__version__, database=settings.database_kind, workers=workers)
