"""Contestants and datasets: what can be launched, with which hyperparameters."""

from typing import Any

from fastapi import APIRouter, Body

from backend.contestants import architectures, datasets, summary
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
def list_datasets() -> list[dict]:
    """Every dataset a run may train on."""
    return datasets()
