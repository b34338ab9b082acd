"""Assembles the FastAPI app: routers, error handlers, static files, and the start-up/shut-down work."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from backend import __version__, queue
from backend.config import settings
from backend.db import SessionLocal, upgrade_database
from backend.errors import install_error_handlers
from backend.routes import architectures, compare, events, health, runs, worker
from backend.state import AppState
from backend.static import mount_static

log = logging.getLogger("backend")


async def reap_forever(state: AppState) -> None:
    """Every second (or a quarter lease), fail the active runs whose lease expired, and announce them."""
    interval = min(1.0, settings.lease_seconds / 4)
    while not state.stopping.is_set():
        try:
            with SessionLocal() as session:
                for row in queue.reap_expired(session, settings.lease_seconds):
                    log.warning("run %s: %s", row.id, row.error)
                    state.publish_run(row)
        except Exception:  # keep reaping after a transient database error
            log.exception("lease reaper failed; retrying")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval):
                await state.stopping.wait()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Migrate, renew the leases the outage interrupted, run the reaper; end streams on the way out."""
    state: AppState = app.state.battlefield
    state.bind(asyncio.get_running_loop())
    upgrade_database()
    with SessionLocal() as session:
        queue.extend_leases(session, settings.lease_seconds)
    reaper = asyncio.create_task(reap_forever(state))
    try:
        yield
    finally:
        state.begin_shutdown()
        await asyncio.sleep(0)
        reaper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reaper


def create_app() -> FastAPI:
    """The whole backend: REST API, worker endpoints, SSE streams and the static dashboard."""
    app = FastAPI(
        title="IMDB Battlefield",
        version=__version__,
        description="Launch, watch and compare neural-network runs on the IMDB review task.",
        lifespan=lifespan,
    )
    app.state.battlefield = AppState()
    install_error_handlers(app)
    for module in (worker, health, architectures, runs, compare, events):  # worker first: its posts are the hottest path
        app.include_router(module.router)
    mount_static(app)
    return app
