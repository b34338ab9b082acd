"""Runs: launch, list, read, relabel, cancel, clone, delete, learning curve, predict.

Every route is a plain `def`: FastAPI runs it in its thread pool, so a database wait never stalls the event loop.
"""

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from backend import predictions, queue, run_query, store
from backend.api_docs import errors
from backend.contestants import check_filters, numeric_hyperparams, validate_launch
from backend.deps import RunId, SessionDep, StateDep
from backend.errors import Conflict, InvalidInput
from backend.jsonutil import dumps
from backend.predict import checkpoint_path
from backend.schemas import (
    DB_INT_MAX,
    MAX_NAME_CHARS,
    MAX_TAG_CHARS,
    EpochPublic,
    LaunchPublic,
    PredictPublic,
    PredictRequest,
    RunCreate,
    RunPublic,
    RunsPublic,
    RunStatus,
    RunUpdate,
    StoredText,
    stored_text,
)

router = APIRouter(prefix="/api/runs", tags=["runs"])

MAX_PAGE = 1000


def _announce_queued(state, row) -> RunPublic:
    """Publish a new run as queued, then wake waiting claims (so `queued` always precedes `running`)."""
    public = state.publish_run(row)
    state.run_available.notify()
    return public


_ONE_STATUS = "(" + "|".join(value.value for value in RunStatus) + ")"
STATUSES_SCHEMA = {"pattern": rf"^ *{_ONE_STATUS} *(, *{_ONE_STATUS} *)*$"}
"""The OpenAPI schema of a `status` filter: what `parse_statuses` accepts (the check itself stays there, for its message)."""


def parse_statuses(status: str | None) -> list[str] | None:
    """'queued, running' -> ['queued', 'running']; a 422 at the query field names an unknown status."""
    statuses = [part.strip() for part in status.split(",") if part.strip()] if status else None
    allowed = [value.value for value in RunStatus]
    bad = [part for part in statuses or [] if part not in allowed]
    if bad:
        raise InvalidInput(
            [{"loc": ["query", "status"], "msg": f"Unknown status '{bad[0]}'; choose from: {', '.join(allowed)}", "type": "enum"}]
        )
    return statuses


def repeat_seeds(seed: int, repeats: int) -> list[int]:
    """seed, seed + 1, ... for `repeats` runs; a 422 at body.repeats when the last would pass the seed's bound."""
    if seed + repeats - 1 > DB_INT_MAX:
        raise InvalidInput([{"loc": ["body", "repeats"], "type": "less_than_equal",
                             "msg": f"seed + repeats - 1 must be at most {DB_INT_MAX} (seed {seed}, repeats {repeats}); "
                                    "lower the seed or the repeats"}])
    return [seed + offset for offset in range(repeats)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LaunchPublic)
def launch_run(body: RunCreate, session: SessionDep, state: StateDep) -> LaunchPublic:
    """Queue a run, or `repeats` runs with seeds seed, seed + 1, ... (one group); 422 for anything invalid.

    Missing hyperparameters take the contestant's defaults. The reply is the first run, with the
    ids of all of them in `launched_ids`.
    """
    hyperparams, param_count = validate_launch(body.architecture, body.dataset, body.hyperparams)
    launched = []
    for seed in repeat_seeds(int(hyperparams.get("seed", 0)), body.repeats):
        row = store.create_run(
            session,
            architecture=body.architecture,
            dataset=body.dataset,
            hyperparams={**hyperparams, "seed": seed} if "seed" in hyperparams else hyperparams,
            param_count=param_count,
            name=body.name,
            tags=body.tags,
            notes=body.notes,
        )
        launched.append(_announce_queued(state, row))
    return LaunchPublic(**launched[0].model_dump(), launched_ids=[run.id for run in launched])


def runs_query(
    status: Annotated[str | None, Query(description="One status or several, comma-separated.",
                                        json_schema_extra=STATUSES_SCHEMA)] = None,
    architecture: StoredText | None = None,
    tag: Annotated[stored_text(MAX_TAG_CHARS) | None, Query(description="Runs with a tag containing this text (any case).")] = None,
    q: Annotated[stored_text(MAX_NAME_CHARS) | None, Query(description="Runs whose name contains this text (any case).")] = None,
    sort: Annotated[str, Query(max_length=120, description=f"One of: {', '.join(run_query.SORTS)}.", json_schema_extra={
        "anyOf": [{"enum": [*run_query.SORT_COLUMNS, "duration"]}, {"pattern": rf"^{re.escape(run_query.HP_PREFIX)}[A-Za-z0-9_]+$"}]})] = "id",
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
) -> dict:
    """The filters and order of a runs listing (GET /api/runs and GET /api/runs.csv); 422 for an unknown sort,
    status or contestant."""
    check_filters(architecture=architecture)
    known = sort in run_query.SORT_COLUMNS or sort == "duration"
    hp_name = sort.removeprefix(run_query.HP_PREFIX) if sort.startswith(run_query.HP_PREFIX) else None
    if not known and not (hp_name and hp_name.replace("_", "").isalnum()):
        raise InvalidInput([{"loc": ["query", "sort"], "type": "enum",
                             "msg": f"Unknown sort '{sort}'; choose one of: {', '.join(run_query.SORTS)}"}])
    return {"status": parse_statuses(status), "architecture": architecture, "tag": tag, "q": q, "sort": sort,
            "order": order, "numeric_hyperparams": numeric_hyperparams()}


RunsQueryDep = Annotated[dict, Depends(runs_query)]


@router.get("", response_model=RunsPublic)
def list_runs(
    query: RunsQueryDep,
    session: SessionDep,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
) -> Response:
    """A page of runs, filtered, searched and sorted by the server (newest first by default); `count` is the total matching."""
    rows, count = store.list_runs(session, **query, limit=limit, offset=offset)
    page = RunsPublic(data=[state.run_public(row) for row in rows], count=count)
    # Serialised here once: returning the model would make FastAPI validate all the runs again.
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("/{run_id}", response_model=RunPublic, responses=errors(404))
def read_run(run_id: RunId, session: SessionDep, state: StateDep) -> RunPublic:
    """One run: config, status, timings, parameter count, best and final metrics, error."""
    return state.run_public(store.get_run(session, run_id))


@router.patch("/{run_id}", response_model=RunPublic, responses=errors(404))
def update_run(run_id: RunId, body: RunUpdate, session: SessionDep, state: StateDep) -> RunPublic:
    """Change a run's name, tags or notes."""
    row = store.update_labels(session, run_id, body.model_dump(exclude_unset=True, exclude_none=True))
    return state.publish_run(row, announce_end=False)


@router.post("/{run_id}/cancel", response_model=RunPublic, responses=errors(404, 409))
def cancel_run(run_id: RunId, session: SessionDep, state: StateDep) -> RunPublic:
    """A queued run is cancelled at once; a running one turns cancelling and its worker stops it."""
    return state.publish_run(queue.cancel(session, run_id))


@router.post("/{run_id}/clone", status_code=status.HTTP_201_CREATED, response_model=RunPublic, responses=errors(404))
def clone_run(run_id: RunId, session: SessionDep, state: StateDep) -> RunPublic:
    """A new queued run with the same contestant, dataset, hyperparameters, tags and custom name.

    A default name ('lstm #7') is not copied: the clone gets its own ('lstm #8').
    """
    source = store.get_run(session, run_id)
    row = store.create_run(
        session,
        architecture=source.architecture,
        dataset=source.dataset,
        hyperparams=source.hyperparams,
        param_count=source.param_count,
        name=None if source.name == store.default_name(source.architecture, source.id) else source.name,
        tags=source.tags,
        notes=source.notes,
        clone_of=source.id,
        record_format=source.record_format,
    )
    return _announce_queued(state, row)


@router.delete("/{run_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(404, 409))
def delete_run(run_id: RunId, session: SessionDep, state: StateDep) -> Response:
    """Delete a run that is not running, with its epoch rows, checkpoint and predictions."""
    store.delete_run(session, run_id)
    checkpoint_path(run_id).unlink(missing_ok=True)
    predictions.delete(run_id)
    state.predictors.forget(run_id)
    state.progress.clear(run_id)
    state.broadcaster.publish("deleted", run_id, dumps({"id": run_id}))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{run_id}/metrics", response_model=list[EpochPublic], responses=errors(404))
def read_metrics(run_id: RunId, session: SessionDep) -> Response:
    """The run's epoch rows in order; null where a metric was NaN."""
    return Response(dumps(store.metrics(session, run_id)), media_type="application/json")


@router.post("/{run_id}/predict", response_model=PredictPublic, responses=errors(404, 409))
def predict(run_id: RunId, body: PredictRequest, session: SessionDep, state: StateDep) -> PredictPublic:
    """The finished run's probability that the review is positive."""
    store.get_run(session, run_id)
    if not checkpoint_path(run_id).exists():
        raise Conflict(f"Run {run_id} has no checkpoint yet; predict needs a finished run")
    probability = state.predictors.get(run_id).predict(body.text)
    return PredictPublic(run_id=run_id, probability=probability, label="positive" if probability >= 0.5 else "negative")
