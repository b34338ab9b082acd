"""The one way code on a thread pool hands work to the server's event loop.

The other direction (blocking work out of `async def` code) is Starlette's `run_in_threadpool`.
"""

import asyncio
import threading
from collections.abc import Callable
from typing import Any


class LoopHop:
    """Runs a callback on the event loop it was bound to, from whichever thread calls it.

    Routes run blocking work in FastAPI's thread pool; what they announce (events, claim wake-ups)
    lives in asyncio objects that only the loop's thread may touch. Before `bind()` (or on the
    loop's own thread) the callback runs at once.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the server's event loop; call from that loop's thread."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The bound loop, if any."""
        return self._loop

    def call(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run `callback(*args)` on the loop: now if this is its thread, else as soon as it is free."""
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            if not self._loop.is_closed():
                self._loop.call_soon_threadsafe(callback, *args)
        else:
            callback(*args)


    def schedule(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run `callback(*args)` on the loop's next turn, even from the loop's thread (safe in a signal handler)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback, *args)
