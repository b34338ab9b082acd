"""Server-Sent Events (sse-starlette): every run's news at /api/events, one run's at /api/runs/{id}/events.

A resume the replay buffer cannot serve (a `Last-Event-ID` older than the buffer, or from before a
restart) gets a fresh snapshot instead: the all-runs stream a `snapshot` event listing the active
runs, the run stream the run's `status` (and `end` if it is over). Either way the client should
re-fetch what it shows; the dashboard does so on every reconnect.
"""

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Header
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from backend import store
from backend.api_docs import errors
from backend.config import settings
from backend.db import SessionLocal
from backend.deps import RunId, StateDep
from backend.events import Event, Subscription, frame
from backend.jsonutil import dumps
from backend.state import AppState
from worker.wire import ACTIVE_STATUSES, TERMINAL_STATUSES

router = APIRouter(prefix="/api", tags=["events"])

RETRY_MILLISECONDS = 2000
SSE_DOC = {200: {"content": {"text/event-stream": {}}, "description": "An event stream."}}


def _parse_last_event_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _is_last(subscription: Subscription, event: Event) -> bool:
    """True if `event` ends its stream: a one-run stream ends after the run's `end` or `deleted`."""
    return subscription.run_id is not None and event.kind in ("end", "deleted")


async def _stream(state: AppState, subscription: Subscription, opening: list[bytes], end_after: bool) -> AsyncIterator[bytes]:
    """Yield the opening frames, then live events until `end`/`deleted` (one-run streams) or shutdown."""
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n".encode()
        for data in opening:
            yield data
        if end_after:
            return
        while (event := await subscription.queue.get()) is not None:
            # Whatever else is already queued goes out in the same write: under load, one send per
            # stream per loop turn instead of one per event (the frames are unchanged).
            frames, last = [event.encode()], _is_last(subscription, event)
            while not last and not subscription.queue.empty():
                if (event := subscription.queue.get_nowait()) is None:
                    last = True
                    break
                frames.append(event.encode())
                last = _is_last(subscription, event)
            yield frames[0] if len(frames) == 1 else b"".join(frames)
            if last:
                return
    finally:
        state.broadcaster.unsubscribe(subscription)


def _response(state: AppState, subscription: Subscription, opening: list[bytes], end_after: bool) -> EventSourceResponse:
    """The stream with keep-alive comments every BATTLEFIELD_SSE_PING_SECONDS; ends at server shutdown."""
    return EventSourceResponse(
        _stream(state, subscription, opening, end_after), ping=settings.sse_ping_seconds, sep="\n", send_timeout=30,
        # At shutdown the app ends its streams itself (main.end_streams_on_exit); give it time to, before a cancel.
        shutdown_event=anyio.Event(), shutdown_grace_period=1.0,
    )


SNAPSHOT_MAX_RUNS = 1000


def _active_runs(state: AppState) -> str:
    """The `snapshot` event's data: {"runs": [RunPublic], "count"}: the newest 1000 queued, running or
    cancelling runs and how many there are."""
    with SessionLocal() as session:
        rows, count = store.list_runs(session, status=["queued", *ACTIVE_STATUSES], limit=SNAPSHOT_MAX_RUNS)
    return dumps({"runs": [state.run_public(row).model_dump(mode="json") for row in rows], "count": count})


@router.get("/events", responses=SSE_DOC, response_class=EventSourceResponse)
async def all_events(state: StateDep, last_event_id: Annotated[str | None, Header()] = None) -> EventSourceResponse:
    """`status` (created, any change, after each epoch row), `progress` and `deleted` events of every run;
    `snapshot` first when a resume cannot be replayed."""
    subscription, replay = state.broadcaster.subscribe(None, _parse_last_event_id(last_event_id))
    opening = [event.encode() for event in replay or []]
    if replay is None:
        snapshot_id = state.broadcaster.last_id
        try:
            opening.append(frame(snapshot_id, "snapshot", await run_in_threadpool(_active_runs, state)))
        except Exception:
            state.broadcaster.unsubscribe(subscription)
            raise
    return _response(state, subscription, opening, False)


def _read_run(run_id: int):
    with SessionLocal() as session:  # a fresh session, never the request's
        return store.get_run(session, run_id)


@router.get("/runs/{run_id}/events", responses={**SSE_DOC, **errors(404)}, response_class=EventSourceResponse)
async def run_events(run_id: RunId, state: StateDep, last_event_id: Annotated[str | None, Header()] = None) -> EventSourceResponse:
    """One run's `status`, `progress`, `epoch` and a final `end` once it is terminal (then the stream closes)."""
    resume_from = _parse_last_event_id(last_event_id)
    subscription, replay = state.broadcaster.subscribe(run_id, resume_from)
    snapshot_id = state.broadcaster.last_id
    try:
        row = await run_in_threadpool(_read_run, run_id)
    except Exception:
        state.broadcaster.unsubscribe(subscription)
        raise
    public = state.run_public(row).model_dump_json()
    terminal = row.status in TERMINAL_STATUSES
    opening: list[bytes] = [event.encode() for event in replay or []]
    replayed_end = any(event.kind == "end" for event in replay or [])
    if replay is None or resume_from is None:
        opening.append(frame(snapshot_id, "status", public))
    if terminal and not replayed_end:
        opening.append(frame(snapshot_id, "end", public))
    end_after = terminal or any(event.kind in ("end", "deleted") for event in replay or [])
    return _response(state, subscription, opening, end_after)
