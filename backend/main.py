"""Assembles the FastAPI app: routers, error handlers, static files, and the start-up/shut-down work."""

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi_offline import FastAPIOffline
from sse_starlette.sse import AppStatus

from backend import __version__, contestants, notify, queue
from backend.access import install_access
from backend.api_docs import install_api_docs
from backend.config import settings
from backend.db import SessionLocal, engine, upgrade_database
from backend.errors import install_error_handlers
from backend.limits import TooLargeAsJson
from backend.routes import architectures, compare, downloads, events, groups, health, meta, runs, session, telemetry, verdicts, worker, workers
from backend.state import AppState
from backend.static import mount_static

log = logging.getLogger("backend")


def reap_once(state: AppState) -> None:
    """Fail the active runs whose lease expired, and announce them (blocking: runs in the thread pool)."""
    with SessionLocal() as session:
        for row in queue.reap_expired(session, settings.lease_seconds):
            log.warning("run %s: %s", row.id, row.error)
            state.publish_run(row)


def start_up() -> None:
    """Migrate, then renew the leases the outage interrupted (blocking: runs in the thread pool)."""
    upgrade_database()
    with SessionLocal() as session:
        queue.extend_leases(session, settings.lease_seconds)


async def reap_forever(state: AppState) -> None:
    """Every second (or a quarter lease), fail the active runs whose lease expired, and announce them."""
    interval = min(1.0, settings.lease_seconds / 4)
    while not state.stopping.is_set():
        try:
            await run_in_threadpool(reap_once, state)
        except Exception:  # keep reaping after a transient database error
            log.exception("lease reaper failed; retrying")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval):
                await state.stopping.wait()


SHUTDOWN_CHECK_SECONDS = 0.25


async def end_streams_on_exit(state: AppState) -> None:
    """Once uvicorn is told to stop (sse-starlette's `AppStatus` sees its signal), end the event streams
    and wake the waiting claims, so that the graceful shutdown does not wait on them."""
    while not (state.stopping.is_set() or AppStatus.should_exit):
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SHUTDOWN_CHECK_SECONDS):
                await state.stopping.wait()
    state.begin_shutdown()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Migrate, renew the leases the outage interrupted, run the reaper; end streams on the way out."""
    state: AppState = app.state.battlefield
    state.bind(asyncio.get_running_loop())
    await run_in_threadpool(start_up)
    relay = notify.start_relay(engine, state)   # PostgreSQL: events to and from the other backends
    tasks = [asyncio.create_task(reap_forever(state)), asyncio.create_task(end_streams_on_exit(state))]
    # torch and the contestant registry load beside the first requests, not before them.
    threading.Thread(target=contestants.warm_up, name="warm-up", daemon=True).start()
    try:
        yield
    finally:
        if relay is not None:
            relay.stop()
        state.begin_shutdown()
        await asyncio.sleep(0)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def create_app() -> FastAPI:
    """The whole backend: REST API, worker endpoints, SSE streams and the static dashboard."""
    # fastapi-offline: /docs (Swagger UI) and /redoc with their scripts served from the installed
    # package instead of a CDN, so the API page works with no internet (as the dashboard's plotly does).
    app = FastAPIOffline(
        title="IMDB Battlefield",
        version=__version__,
        description="Launch, watch and compare neural-network runs on the IMDB review task.",
        lifespan=lifespan,
        static_url="/vendor/api-docs",
    )
    app.state.battlefield = AppState()
    install_error_handlers(app)
    for module in (worker, health, session, meta, architectures, runs, downloads, groups, compare, verdicts, telemetry, events, workers):  # worker first: its posts are the hottest path
        app.include_router(module.router, max_body_size=settings.max_body_bytes)  # 413 over it; the uploads set their own
    mount_static(app)
    app.add_middleware(TooLargeAsJson)
    install_api_docs(app)  # error answers, links and launch constraints in /openapi.json
    install_access(app)  # outermost: a request without the token is refused before its body is read
    return app
