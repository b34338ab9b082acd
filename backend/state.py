"""What the app keeps in memory between requests: broadcaster, progress, claim wake-ups, predictors."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backend.epoch_writer import EpochWriter
from backend.events import Broadcaster, ProgressBoard
from backend.holders import HolderCache
from backend.loophop import LoopHop
from backend.predict import PredictorCache
from backend.queue import RunAvailable
from backend.schemas import RunPublic
from worker.wire import TERMINAL_STATUSES


@dataclass
class AppState:
    """The in-process services shared by the routes and background tasks."""

    hop: LoopHop = field(default_factory=LoopHop)
    broadcaster: Broadcaster = None  # type: ignore[assignment]  # built on `hop` in __post_init__
    progress: ProgressBoard = field(default_factory=ProgressBoard)
    holders: HolderCache = field(default_factory=HolderCache)   # who holds each active run (progress route)
    epoch_writer: EpochWriter = field(default_factory=EpochWriter)   # stores epoch rows on a thread of its own
    run_available: RunAvailable = None  # type: ignore[assignment]
    predictors: PredictorCache = field(default_factory=PredictorCache)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.broadcaster = self.broadcaster or Broadcaster(self.hop)
        self.broadcaster.run_changed = self.holders.forget
        self.run_available = self.run_available or RunAvailable(self.hop)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach the thread-safe notifiers to the server's event loop."""
        self.hop.bind(loop)

    def begin_shutdown(self) -> None:
        """End streams and long polls now so the server can exit promptly; safe from a signal handler."""
        self.hop.schedule(self._stop)

    def _stop(self) -> None:
        self.stopping.set()
        self.broadcaster.close()
        self.run_available.notify()

    def run_public(self, row: Any) -> RunPublic:
        """The public form of a runs row, with its in-memory progress."""
        return RunPublic.from_row(row, self.progress.get(row.id))

    def publish_run(self, row: Any, *, announce_end: bool = True) -> RunPublic:
        """Broadcast the run's `status` (and `end` once it is terminal); return its public form."""
        public = self.run_public(row)
        data = public.model_dump_json()
        self.broadcaster.publish("status", row.id, data)
        if announce_end and row.status in TERMINAL_STATUSES:
            self.progress.clear(row.id)
            self.broadcaster.publish("end", row.id, data)
        return public

    def announce_run(self, row: Any) -> None:
        """Broadcast the run's `status`, its JSON built from this snapshot only when a stream sends it."""
        progress, now = self.progress.get(row.id), datetime.now(UTC)
        self.broadcaster.publish("status", row.id, lambda: RunPublic.from_row(row, progress, now).model_dump_json())
