"""The worker's side: register, claim (long poll), heartbeat, progress, epoch rows, telemetry, checkpoint, predictions,
finish.

Plain `def` routes (FastAPI's thread pool) except the claim's long poll, the checkpoint's body stream
and progress reports, which await and hop to the thread pool for each database or file call (a
progress report usually needs none: backend/holders.py remembers who holds each run), and the epoch POST,
whose rows backend/epoch_writer.py stores on a thread of its own.
"""

import asyncio
import contextlib
import os
import time
from datetime import UTC, datetime

import anyio
from fastapi import APIRouter, BackgroundTasks, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from pydantic import ValidationError

from backend import db, predictions, queue, store, telemetry, workers
from backend.api_docs import errors
from backend.body_limit import limited_body_route
from backend.config import settings
from backend.db import SessionLocal
from backend.deps import RunId, SessionDep, StateDep, get_state, run_id_from_text
from backend.errors import NotLeased
from backend.jsonutil import dumps
from backend.predict import checkpoint_path
from backend.schemas import RunPublic, WorkerName
from backend.state import AppState
from backend.telemetry_schemas import TelemetryPublic, TelemetryRequest
from backend.verdict_schemas import PredictionsUpload
from backend.worker_schemas import (
    ClaimedRun,
    ClaimPublic,
    ClaimRequest,
    EpochRequest,
    FinishRequest,
    HeartbeatPublic,
    HeartbeatRequest,
    ProgressPublic,
    ProgressRequest,
    RegisterPublic,
    RegisterRequest,
)
from worker.wire import EpochMetrics, Progress, RunStatus

router = APIRouter(prefix="/api/worker", tags=["worker"])


class LeanEpochRoute(APIRoute):
    """The epoch POST without FastAPI's per-request dependency solving and body parsing: it is the hottest request.

    Either way the row is stored by the app's EpochWriter (backend/epoch_writer.py), on a thread of its own.
    """

    def get_route_handler(self):
        standard = super().get_route_handler()  # anything unusual or invalid: FastAPI's own answer (422, 401...)
        known = {get_state}
        assert {d.call for d in self.dependant.dependencies} <= known, "a new dependency the lean handler would skip"

        async def handler(request: Request) -> Response:
            run_id = run_id_from_text(request.path_params["run_id"])
            if request.headers.get("content-type") != "application/json" or run_id is None:
                return await standard(request)
            try:
                body = EpochRequest.model_validate_json(await request.body())
            except ValidationError:
                return await standard(request)
            return await self.endpoint(run_id, body, request.app.state.battlefield)

        return handler


async def add_epoch(run_id: RunId, body: EpochRequest, state: StateDep) -> Response:
    """Store one epoch row (idempotent on run and epoch) and broadcast it with the run's new summary.

    The hottest request: stored by the app's EpochWriter on its own thread (a Connection, no session),
    and events whose JSON is built only when a stream sends them.
    """
    values = body.model_dump()
    row = await state.epoch_writer.add_epoch(run_id, body.worker, values)
    if row is None:
        return Response(_epoch_reply(run_id, body.epoch, False), status_code=200, media_type="application/json")
    point = {name: values[name] for name in EpochMetrics.model_fields}
    state.broadcaster.publish("epoch", run_id, lambda: dumps({"run_id": run_id, **point}))
    state.announce_run(row)
    return Response(_epoch_reply(run_id, body.epoch, True), status_code=201, media_type="application/json")


router.add_api_route(  # first in the router, so matched first
    "/runs/{run_id}/epochs",
    add_epoch,
    methods=["POST"],
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "This (run, epoch) was already stored; nothing changed."}, **errors(404, 409)},
    route_class_override=LeanEpochRoute,
)


@router.post(
    "/register",
    response_model=RegisterPublic,
    responses={409: {"description": "The worker's version is incompatible with the backend's (major.minor differ)."}},
)
def register(body: RegisterRequest, session: SessionDep) -> RegisterPublic:
    """Record the worker and what it runs on, and tell it the lease terms; 409 for an incompatible version."""
    workers.check_compatible(body.name, body.version)
    queue.touch_worker(session, body.name, **body.registration(), registered_at=datetime.now(UTC))
    session.commit()
    return RegisterPublic(
        name=body.name, lease_seconds=settings.lease_seconds, heartbeat_seconds=settings.heartbeat_seconds
    )


@router.post(
    "/claim",
    response_model=ClaimPublic,
    responses={204: {"description": "Nothing was queued within `wait` seconds."}},
)
async def claim(
    body: ClaimRequest, request: Request, session: SessionDep, state: StateDep, background: BackgroundTasks
) -> ClaimPublic | Response:
    """The oldest queued run, now running under this worker's lease; waits up to `wait` s for a launch."""
    deadline = time.monotonic() + body.wait

    def nothing() -> Response:
        background.add_task(_note_idle, body.worker, body.device)  # a claim that took a run recorded its worker
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    while True:
        if await request.is_disconnected():  # a worker that hung up mid-wait must not take a run
            return nothing()
        launched = state.run_available.current()  # taken before looking, so a launch in between wakes us
        row = await run_in_threadpool(queue.claim, session, body.worker, body.device, settings.lease_seconds)
        if row is not None:
            state.publish_run(row)
            run = ClaimedRun.model_validate(row, from_attributes=True)
            return ClaimPublic(run=run, lease_expires_at=row.lease_expires_at)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or state.stopping.is_set():
            return nothing()
        with contextlib.suppress(TimeoutError):  # a launch or the server's shutdown wakes it
            async with asyncio.timeout(remaining):
                await launched.wait()


def _note_idle(worker: str, device: str) -> None:
    """Record an idle worker's `last_seen` once its empty claim was answered (a write may wait on a lock)."""
    with SessionLocal() as session:
        queue.note_idle(session, worker, device)


@router.post("/runs/{run_id}/heartbeat", response_model=HeartbeatPublic, responses=errors(404, 409))
def heartbeat(run_id: RunId, body: HeartbeatRequest, session: SessionDep) -> HeartbeatPublic:
    """Renew the lease; `cancel` tells the worker to stop. 409 if this worker does not hold the run."""
    row = queue.heartbeat(session, run_id, body.worker, settings.lease_seconds)
    return HeartbeatPublic(cancel=row.status == RunStatus.CANCELLING, lease_expires_at=row.lease_expires_at)


@router.post("/runs/{run_id}/progress", response_model=ProgressPublic, responses=errors(404, 409))
async def progress(run_id: RunId, body: ProgressRequest, state: StateDep) -> Response:
    """In-epoch progress: kept in memory and broadcast (JSON built only when a stream sends it), not stored.

    The lease check reads the database only when the run's holder is not remembered (backend/holders.py),
    so a report usually needs no thread and no query. The reply's `cancel` carries a cancel request to
    the worker within one progress report.
    """
    run_status = await _holder_status(state, run_id, body.worker)
    point = body.model_dump(include=set(Progress.model_fields))
    state.progress.set(run_id, point)
    state.broadcaster.publish("progress", run_id, lambda: dumps({"run_id": run_id, **point}))
    return Response(b'{"cancel":true}' if run_status == RunStatus.CANCELLING else b'{"cancel":false}', media_type="application/json")


def _read_holder(run_id: int, worker: str) -> tuple[str, float]:
    """The run's status and when it was read; RunNotFound or NotLeased unless `worker` holds it."""
    with db.engine.connect() as connection:
        read_at = time.monotonic()
        return queue.check_holder(connection, run_id, worker), read_at


async def _holder_status(state: AppState, run_id: int, worker: str) -> str:
    """The active run's status (running or cancelling); NotLeased unless `worker` holds it (on the loop)."""
    holder = state.holders.get(run_id)
    if holder is not None:
        if holder.worker != worker:
            raise NotLeased(run_id, worker)
        return holder.status
    generation = state.holders.generation
    run_status, read_at = await run_in_threadpool(_read_holder, run_id, worker)
    state.holders.put(run_id, worker, run_status, read_at, generation)
    return run_status


@router.post("/runs/{run_id}/telemetry", response_model=TelemetryPublic, responses=errors(404, 409))
def add_telemetry(run_id: RunId, body: TelemetryRequest, session: SessionDep, state: StateDep) -> TelemetryPublic:
    """Store a batch of the run's system samples and log lines (within the per-run caps) and send it to the
    run's stream as a `telemetry` event. 409 unless this worker holds the running run."""
    samples, lines = telemetry.add_batch(session, run_id, body.worker, body)
    if samples or lines:
        state.broadcaster.publish("telemetry", run_id, telemetry.event_data(run_id, samples, lines))
    return TelemetryPublic(samples=len(samples), lines=len(lines))


def _epoch_reply(run_id: int, epoch: int, created: bool) -> bytes:
    """The epoch POST's reply body: {"run_id","epoch","created"}."""
    return b'{"run_id":%d,"epoch":%d,"created":%s}' % (run_id, epoch, b"true" if created else b"false")


@router.put(
    "/runs/{run_id}/checkpoint",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
    max_body_size=settings.max_checkpoint_bytes,
    responses=errors(404, 409),
)
async def upload_checkpoint(run_id: RunId, worker: WorkerName, request: Request, session: SessionDep, state: StateDep) -> Response:
    """Store the run's checkpoint (raw bytes of torch.save) at <data_dir>/checkpoints/<id>.pt."""
    await run_in_threadpool(_check_upload, session, run_id, worker)
    path = checkpoint_path(run_id)
    partial = anyio.Path(path.with_suffix(f".{os.getpid()}.{run_id}.part"))
    try:
        await partial.parent.mkdir(parents=True, exist_ok=True)
        async with await anyio.open_file(partial, "wb") as file:
            async for chunk in request.stream():
                await file.write(chunk)
        await partial.replace(path)
    finally:
        await partial.unlink(missing_ok=True)
    state.predictors.forget(run_id)
    await run_in_threadpool(queue.mark_checkpoint, session, run_id, worker)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _check_upload(session, run_id: int, worker: str) -> None:
    """The upload's guard, its read transaction ended before the body streams in."""
    queue.check_checkpoint_upload(session, run_id, worker)
    session.rollback()


def upload_predictions(run_id: RunId, body: PredictionsUpload, session: SessionDep) -> Response:
    """Store the chosen weights' test predictions (one probability per test review) and the worst errors' text.

    Only the run's own worker may upload; a body of the wrong shape, with NaN or values outside
    [0, 1], or over 8 MiB is refused (422, 413) and nothing is stored.
    """
    queue.check_checkpoint_upload(session, run_id, body.worker)
    session.rollback()
    predictions.save(run_id, body.probabilities, body.labels, [review.model_dump() for review in body.wrong])
    queue.mark_predictions(session, run_id, body.worker)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router.add_api_route(
    "/runs/{run_id}/predictions",
    upload_predictions,
    methods=["PUT"],
    status_code=status.HTTP_204_NO_CONTENT,
    route_class_override=limited_body_route(predictions.MAX_UPLOAD_BYTES),
    max_body_size=predictions.MAX_UPLOAD_BYTES,
    responses={411: {"description": "No Content-Length."}, 413: {"description": "Body over the limit (8 MiB)."}, **errors(404, 409)},
)


@router.post("/runs/{run_id}/finish", response_model=RunPublic, responses=errors(404, 409))
def finish(run_id: RunId, body: FinishRequest, session: SessionDep, state: StateDep) -> RunPublic:
    """The worker's final verdict; the run turns succeeded, failed (with the error) or cancelled."""
    row = queue.finish(session, run_id, body.worker, body)
    return state.publish_run(row)
