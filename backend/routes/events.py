"""Server-Sent Events: every run's news at /api/events, one run's at /api/runs/{id}/events."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from backend import store
from backend.db import SessionLocal
from backend.deps import RunId, StateDep
from backend.events import Event, Subscription
from backend.schemas import TERMINAL_STATUSES
from backend.state import AppState

router = APIRouter(prefix="/api", tags=["events"])

KEEPALIVE_SECONDS = 15.0
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "Connection": "keep-alive"}
SSE_DOC = {200: {"content": {"text/event-stream": {}}, "description": "An event stream."}}


def _parse_last_event_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _frame(event_id: int, kind: str, data: str) -> bytes:
    return f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n".encode()


async def _stream(state: AppState, subscription: Subscription, opening: list[bytes], end_after: bool) -> AsyncIterator[bytes]:
    """Yield the opening frames, then live events until `end`/`deleted` (one-run streams) or shutdown."""
    try:
        yield b"retry: 2000\n\n"
        for frame in opening:
            yield frame
        if end_after:
            return
        while True:
            event: Event | None = None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(KEEPALIVE_SECONDS):
                    event = await subscription.queue.get()
                if event is None:
                    return
            if event is None:
                yield b": keep-alive\n\n"
                continue
            yield event.encode()
            if subscription.run_id is not None and event.kind in ("end", "deleted"):
                return
    finally:
        state.broadcaster.unsubscribe(subscription)


@router.get("/events", responses=SSE_DOC, response_class=StreamingResponse)
async def all_events(state: StateDep, last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:
    """`status` (created, any change, after each epoch row), `progress` and `deleted` events of every run."""
    subscription, replay = state.broadcaster.subscribe(None, _parse_last_event_id(last_event_id))
    opening = [event.encode() for event in replay or []]
    return StreamingResponse(_stream(state, subscription, opening, False), media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/runs/{run_id}/events", responses=SSE_DOC, response_class=StreamingResponse)
async def run_events(run_id: RunId, state: StateDep, last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:
    """One run's `status`, `progress`, `epoch` and a final `end` once it is terminal (then the stream closes)."""
    resume_from = _parse_last_event_id(last_event_id)
    subscription, replay = state.broadcaster.subscribe(run_id, resume_from)
    snapshot_id = state.broadcaster.last_id
    try:
        with SessionLocal() as session:  # a fresh session, never the request's
            row = store.get_run(session, run_id)
    except Exception:
        state.broadcaster.unsubscribe(subscription)
        raise
    public = state.run_public(row).model_dump_json()
    terminal = row.status in TERMINAL_STATUSES
    opening = [event.encode() for event in replay or []]
    replayed_end = any(event.kind == "end" for event in replay or [])
    if replay is None or resume_from is None:
        opening.append(_frame(snapshot_id, "status", public))
    if terminal and not replayed_end:
        opening.append(_frame(snapshot_id, "end", public))
    end_after = terminal or any(event.kind in ("end", "deleted") for event in replay or [])
    return StreamingResponse(
        _stream(state, subscription, opening, end_after), media_type="text/event-stream", headers=SSE_HEADERS
    )
