"""Epoch rows stored on one thread of their own, the rows that arrive together on one database connection.

When every worker of a Battle ends an epoch at once, FastAPI's pool of 40 threads would store their
rows side by side, and those threads would take the GIL from the event loop in turn, holding up every
progress report and event stream behind them (docs/SCALING.md, bench/sse_fanout.py). Here one thread
stores them in turn; rows that arrive while it is busy wait and are then stored one after another on one
connection (one pool checkout and pre-ping for the lot instead of one per row), each row in its own
transaction as `store.add_epoch` makes it. One row takes a few milliseconds: one thread stores a few
hundred a second. The thread is idle between rows and outlives an app's lifespan (an in-process test
client may start and stop it more than once); the interpreter joins it at exit.
"""

import asyncio
import collections
import concurrent.futures
from typing import Any

from sqlalchemy import Row

from backend import db, store

THREAD_NAME = "epoch-rows"

_Pending = tuple[int, str, dict[str, Any], concurrent.futures.Future]


class EpochWriter:
    """Stores epoch rows (`store.add_epoch`) on one thread, in the order they arrive."""

    def __init__(self) -> None:
        self._pending: collections.deque[_Pending] = collections.deque()
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)

    async def add_epoch(self, run_id: int, worker: str, values: dict[str, Any]) -> Row | None:
        """Store one epoch row; the run's updated row, or None when (run, epoch) was already stored.

        Raises what `store.add_epoch` raises (RunNotFound, NotLeased) and any database error.
        """
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._pending.append((run_id, worker, values, future))
        self._thread.submit(self._store_pending)
        return await asyncio.wrap_future(future)

    def _store_pending(self) -> None:
        """Store every row waiting now, on one connection (on the writer's thread)."""
        batch = [self._pending.popleft() for _ in range(len(self._pending))]
        batch = [item for item in batch if item[3].set_running_or_notify_cancel()]  # a request given up: skip its row
        if not batch:
            return
        outcomes: list[tuple[bool, Any]] = []
        try:
            with db.engine.connect() as connection:
                for run_id, worker, values, _ in batch:
                    try:
                        outcomes.append((True, store.add_epoch(connection, run_id, worker, values)))
                    except BaseException as error:  # noqa: BLE001  (the request that sent the row raises it)
                        outcomes.append((False, error))
        except BaseException as error:  # noqa: BLE001  (no connection: the rows not stored get the error)
            outcomes += [(False, error)] * (len(batch) - len(outcomes))
        # Every request of the batch is answered at once, after the last row: their events then reach each
        # stream in one loop turn, and a stream sends them in one write instead of one write per row.
        for (stored, outcome), (*_, future) in zip(outcomes, batch):
            future.set_result(outcome) if stored else future.set_exception(outcome)
