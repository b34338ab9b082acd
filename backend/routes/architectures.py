"""Contestants and datasets: what can be launched, with which hyperparameters."""

from typing import Any

from fastapi import APIRouter, Body

from backend import queue
from backend.config import settings
from backend.contestants import architectures, datasets, summary
from backend.deps import SessionDep
from backend.schemas import ArchitecturePublic, DatasetPublic, SummaryPublic

router = APIRouter(prefix="/api", tags=["architectures"])


@router.get("/architectures", response_model=list[ArchitecturePublic])
def list_architectures() -> list[dict]:
    """Every contestant: title, description, JSON Schema of its hyperparameters, presets."""
    return architectures()


@router.post("/architectures/{name}/summary", response_model=SummaryPublic)
def summarize_architecture(name: str, hyperparams: dict[str, Any] = Body(default_factory=dict)) -> dict:
    """Parameter count and layers for these hyperparameters, without training. 404 unknown, 422 invalid."""
    return summary(name, hyperparams)


@router.get("/datasets", response_model=list[DatasetPublic])
def list_datasets(session: SessionDep) -> list[dict]:
    """Every dataset a run may train on, whether a live worker can load it now, and how to make it ready."""
    return datasets(queue.live_worker_datasets(session, settings.lease_seconds))
