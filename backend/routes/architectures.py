"""Contestants and datasets: what can be launched, with which hyperparameters."""

from typing import Any

from fastapi import APIRouter, Body, Query

from backend import queue
from backend.api_docs import errors
from backend.config import settings
from backend.contestants import architectures, check_filters, datasets, memory_estimate, memory_public, summary
from backend.deps import SessionDep
from backend.schemas import ArchitecturePublic, DatasetPublic, SummaryPublic

router = APIRouter(prefix="/api", tags=["architectures"])


@router.get("/architectures", response_model=list[ArchitecturePublic])
def list_architectures() -> list[dict]:
    """Every contestant: title, description, JSON Schema of its hyperparameters, presets."""
    return architectures()


@router.post("/architectures/{name}/summary", response_model=SummaryPublic, responses=errors(404))
def summarize_architecture(
    name: str,
    hyperparams: dict[str, Any] = Body(default_factory=dict),
    dataset: str = Query("imdb", max_length=40, description="The dataset whose reviews the memory estimate counts."),
) -> dict:
    """Parameter count, layers and the estimated peak memory (MB, with the launch budget) for these
    hyperparameters, without training. 404 unknown, 422 invalid (also for an unknown dataset)."""
    result = summary(name, hyperparams)
    check_filters(dataset=dataset)
    return {**result, "memory": memory_public(memory_estimate(name, hyperparams, result["param_count"], dataset))}


@router.get("/datasets", response_model=list[DatasetPublic])
def list_datasets(session: SessionDep) -> list[dict]:
    """Every dataset a run may train on, whether a live worker can load it now, and how to make it ready."""
    return datasets(queue.live_worker_datasets(session, settings.lease_seconds))
