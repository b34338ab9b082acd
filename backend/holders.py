"""Which worker holds each active run, remembered between progress reports so that a report needs no query.

Progress reports are the hottest path (every worker, several times a second) and are not stored: all
they need from the database is the lease check (is this run active, and held by this worker?). The
answer is kept here after the first report and dropped whenever the run's status changes: every
change publishes a `status`, `end` or `deleted` event, here or on another backend (whose events
arrive over PostgreSQL NOTIFY, backend/notify.py), and the broadcaster tells this cache about each
one. An entry also expires after MAX_AGE_SECONDS, which bounds how stale it can be if a notification
is lost (a backend's LISTEN connection that drops and reconnects misses what was sent meanwhile).

Used on the event loop's thread only (the broadcaster calls `forget` there, the progress route reads
and fills it there), so it needs no lock.
"""

import time
from dataclasses import dataclass

MAX_AGE_SECONDS = 5.0
HOLDER_EVENT_KINDS = frozenset({"status", "end", "deleted"})
"""The event kinds after which a run's holder or status may have changed."""


@dataclass(frozen=True, slots=True)
class Holder:
    """The worker that holds an active run, and the run's status (running or cancelling)."""

    worker: str
    status: str
    read_at: float   # time.monotonic() when it was read from the database


class HolderCache:
    """run id -> Holder for active runs, filled from the database and emptied by the run's events."""

    def __init__(self, max_age: float = MAX_AGE_SECONDS) -> None:
        self._holders: dict[int, Holder] = {}
        self._generation = 0   # counts `forget` calls: a read that began before one is not kept
        self._max_age = max_age

    @property
    def generation(self) -> int:
        """Take before reading the database; pass to `put` so a read that a change overtook is dropped."""
        return self._generation

    def get(self, run_id: int) -> Holder | None:
        """The run's holder if it was read less than the maximum age ago and nothing changed since."""
        holder = self._holders.get(run_id)
        if holder is None:
            return None
        if time.monotonic() - holder.read_at > self._max_age:
            del self._holders[run_id]
            return None
        return holder

    def put(self, run_id: int, worker: str, status: str, read_at: float, generation: int) -> None:
        """Keep what a database read found, unless a change was announced after `generation` was taken."""
        if generation == self._generation:
            self._holders[run_id] = Holder(worker, status, read_at)

    def forget(self, run_id: int) -> None:
        """The run's status or holder may have changed: ask the database next time."""
        self._generation += 1
        self._holders.pop(run_id, None)
