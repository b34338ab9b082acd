"""The backend's view of the shared contestant registry and datasets: validation in the API's 422 format.

The registry and the dataset package load torch and numpy (seconds); they are imported on first use,
so the backend answers its first request without them (see `warm_up`).
"""

from __future__ import annotations

import functools
import json
import types
from typing import TYPE_CHECKING, Any

from backend import lazyimport
from backend.config import settings
from backend.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from worker.contestants import HyperparamError
    from worker.contestants.memory import MemoryEstimate


def _contestants() -> types.ModuleType:
    """worker.contestants, imported on first use (it imports torch)."""
    return lazyimport.load("worker.contestants")


def _datasets() -> dict[str, dict[str, str]]:
    """worker.data.DATASETS, imported on first use."""
    return lazyimport.load("worker.data").DATASETS


def dataset_names() -> list[str]:
    """The names a run's `dataset` may take (worker.data.DATASETS)."""
    return list(_datasets())


def warm_up() -> None:
    """Import the registry and the datasets now (a start-up thread calls it, so the first launch does not wait)."""
    _contestants()
    _datasets()


def unknown_contestant_message(name: str) -> str:
    """The message for a contestant name that does not exist."""
    return str(_contestants().UnknownContestant(name))


def unknown_dataset_message(name: str) -> str:
    """The message for a dataset name that does not exist."""
    return f"Unknown dataset '{name}'; choose one of: {', '.join(_datasets())}"


def unknown_name_errors(location: str, *, architecture: str | None = None, dataset: str | None = None) -> list[dict]:
    """A 422 item at [location, field] for each given contestant or dataset name that does not exist (none given: none).

    location: "body" for a launch, "query" for a filter (GET /api/runs, /api/runs.csv, /api/groups, /api/leaderboard).
    """
    errors = []
    if architecture is not None and architecture not in _contestants().REGISTRY:
        errors.append({"loc": [location, "architecture"], "msg": unknown_contestant_message(architecture),
                       "type": "unknown_architecture"})
    if dataset is not None and dataset not in _datasets():
        errors.append({"loc": [location, "dataset"], "msg": unknown_dataset_message(dataset), "type": "unknown_dataset"})
    return errors


def check_filters(*, architecture: str | None = None, dataset: str | None = None) -> None:
    """InvalidInput (422) at ["query", field] naming the choices when a filter names no contestant or dataset.

    A filter that matched nothing would read as "no runs yet"; a known name without runs is an empty answer.
    """
    if errors := unknown_name_errors("query", architecture=architecture, dataset=dataset):
        raise InvalidInput(errors)


def hyperparam_errors(error: HyperparamError, prefix: tuple[str, ...]) -> list[dict]:
    """HyperparamError.errors in FastAPI's format, each loc ending with the field name."""
    details = []
    for item in error.errors:
        loc = item["loc"] if isinstance(item["loc"], (list, tuple)) else (item["loc"],)
        details.append({"loc": [*prefix, *loc], "msg": item["msg"], "type": item["type"]})
    return details


def validate_launch(architecture: str, dataset: str, hyperparams: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Resolve the hyperparameters with defaults and count parameters; InvalidInput (422) otherwise."""
    errors = unknown_name_errors("body", architecture=architecture, dataset=dataset)
    registry = _contestants().REGISTRY
    resolved: dict[str, Any] = {}
    if architecture in registry:
        try:
            resolved = _contestants().parse_hyperparams(architecture, hyperparams).model_dump(mode="json")
        except _contestants().HyperparamError as invalid:
            errors.extend(hyperparam_errors(invalid, ("body", "hyperparams")))
    if errors:
        raise InvalidInput(errors)
    param_count = summary(architecture, resolved)["param_count"]
    check_budget(memory_estimate(architecture, resolved, param_count, dataset))
    return resolved, param_count


def memory_estimate(architecture: str, hyperparams: dict[str, Any], param_count: int, dataset: str) -> MemoryEstimate:
    """The launch's estimated peak memory (worker/contestants/memory.py); `hyperparams` already validated."""
    memory = lazyimport.load("worker.contestants.memory")  # torch: imported on first use, like the registry
    hp = _contestants().parse_hyperparams(architecture, hyperparams)
    return memory.estimate_memory(architecture, hp, param_count, dataset)


def memory_public(estimate: MemoryEstimate) -> dict:
    """The estimate in MB as the API shows it, with the budget it is held to."""
    return {**estimate.as_mb(), "budget": float(settings.memory_budget_mb)}


def check_budget(estimate: MemoryEstimate) -> None:
    """InvalidInput (422) when the estimate exceeds BATTLEFIELD_MEMORY_BUDGET_MB, giving both figures."""
    if estimate.total_mb <= settings.memory_budget_mb:
        return
    raise InvalidInput([{
        "loc": ["body", "hyperparams"], "type": "memory_budget",
        "msg": f"Estimated peak memory {estimate.describe()} exceeds the budget of {settings.memory_budget_mb:,} MB "
               f"(BATTLEFIELD_MEMORY_BUDGET_MB); lower batch_size, maxlen, num_words or the model's sizes",
        "ctx": {"estimate_mb": round(estimate.total_mb, 1), "budget_mb": settings.memory_budget_mb},
    }])


def summary(architecture: str, hyperparams: dict[str, Any]) -> dict:
    """Parameter count and layers; NotFound for an unknown contestant, InvalidInput for bad values."""
    if architecture not in _contestants().REGISTRY:
        raise NotFound(unknown_contestant_message(architecture))
    try:
        return _cached_summary(architecture, json.dumps(hyperparams, sort_keys=True))
    except _contestants().HyperparamError as invalid:
        raise InvalidInput(hyperparam_errors(invalid, ("body",))) from None


@functools.lru_cache(maxsize=256)
def _cached_summary(architecture: str, hyperparams_json: str) -> dict:
    return _contestants().summarize(architecture, json.loads(hyperparams_json))


@functools.cache
def numeric_hyperparams() -> frozenset[str]:
    """The hyperparameter names whose values are numbers in some contestant's schema (sorted as numbers)."""
    names = set()
    for item in architectures():
        for name, prop in item["params_schema"].get("properties", {}).items():
            types = {prop.get("type"), *(option.get("type") for option in prop.get("anyOf", []))}
            if types & {"number", "integer"}:
                names.add(name)
    return frozenset(names)


@functools.cache
def architectures() -> list[dict]:
    """Every contestant with its texts, hyperparameter JSON Schema and presets (computed once)."""
    return [
        {
            "name": name,
            "title": contestant.title,
            "description": contestant.description,
            "params_schema": _contestants().params_schema(name),
            "presets": contestant.presets,
        }
        for name, contestant in _contestants().REGISTRY.items()
    ]


NO_WORKER = (
    "No worker is connected, so nothing can train yet: start one with `make up` or "
    "`python -m worker --server <this backend's URL>`."
)


def datasets(worker_datasets: dict[str, dict[str, dict]] | None = None) -> list[dict]:
    """Every dataset with its title, description and readiness on the live workers.

    worker_datasets: {worker name: {dataset: {"ready", "detail"}}} (queue.live_worker_datasets).
    A dataset is ready when some live worker holds its files; `how_to` then says where, otherwise
    what to do (the first not-ready worker's advice, or how to start a worker when none is live).
    """
    worker_datasets = worker_datasets or {}
    out = []
    for name, info in _datasets().items():
        reports = {worker: said[name] for worker, said in worker_datasets.items() if name in said}
        ready = sorted(worker for worker, report in reports.items() if report.get("ready"))
        if ready:
            how_to = f"Ready on {', '.join(ready)}: {reports[ready[0]].get('detail', '')}".rstrip(": ")
        elif reports:
            worker, report = sorted(reports.items())[0]
            how_to = f"Not ready on {worker}: {report.get('detail') or 'it cannot load this dataset'}"
        elif worker_datasets:
            how_to = "No live worker reported this dataset; restart the workers so that they report it."
        else:
            how_to = NO_WORKER
        out.append({"name": name, **info, "ready": bool(ready), "workers_ready": ready, "how_to": how_to})
    return out
