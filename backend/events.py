"""In-process event broadcaster for Server-Sent Events: per-subscriber queues and a replay ring buffer."""

import asyncio
import time
from collections import deque
from collections.abc import Callable

from sse_starlette import ServerSentEvent

from backend.holders import HOLDER_EVENT_KINDS
from backend.loophop import LoopHop

# The events the all-runs stream carries; a one-run stream carries every kind for its run.
GLOBAL_KINDS = frozenset({"status", "progress", "deleted"})
SUBSCRIBER_BACKLOG = 10_000


EventData = str | Callable[[], str]


class Event:
    """One event: a globally increasing id, its kind, the run it is about and its JSON data.

    The data may be given as a function of no arguments over a snapshot; it is called once, when a
    stream first sends the event, so that an epoch row nobody is watching costs no serialisation.
    """

    __slots__ = ("id", "kind", "run_id", "_data", "_wire")

    def __init__(self, id: int, kind: str, run_id: int, data: EventData):
        self.id, self.kind, self.run_id = id, kind, run_id
        self._data = data
        self._wire: bytes | None = None

    @property
    def data(self) -> str:
        """The JSON text of the event (built on first use when it was given as a function)."""
        if callable(self._data):
            self._data = self._data()
        return self._data

    def encode(self) -> bytes:
        """The SSE wire form (built once, shared by every stream)."""
        if self._wire is None:
            self._wire = frame(self.id, self.kind, self.data)
        return self._wire


def frame(event_id: int, kind: str, data: str) -> bytes:
    """One event in the SSE wire format (sse-starlette's encoder, `\n` line ends): id, event, data."""
    return ServerSentEvent(data, event=kind, id=str(event_id), sep="\n").encode()


class Subscription:
    """One open stream: its filter and its queue (None in the queue means: stream over)."""

    def __init__(self, run_id: int | None):
        self.run_id = run_id
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=SUBSCRIBER_BACKLOG)

    def wants(self, event: Event) -> bool:
        """True if this stream should carry `event`."""
        if self.run_id is None:
            return event.kind in GLOBAL_KINDS
        return event.run_id == self.run_id


class Broadcaster:
    """Fans events out to subscribers the moment they are published; keeps the last `capacity` for resume."""

    def __init__(self, hop: LoopHop | None = None, capacity: int = 1000):
        self._hop = hop or LoopHop()
        self._buffer: deque[Event] = deque(maxlen=capacity)
        # Ids continue from the wall clock in microseconds, so ids after a restart exceed the old ones
        # and a client resuming with an old Last-Event-ID is seen as having a gap.
        self._next_id = time.time_ns() // 1000
        self._subscribers: set[Subscription] = set()
        self.closed = False
        # Called with every event published here (not with relayed ones): backend/notify.py's hook.
        self.relay: Callable[[Event], None] | None = None
        # Called with the run id of every `status`, `end` or `deleted` event, here or relayed (on the loop).
        self.run_changed: Callable[[int], None] | None = None

    @property
    def last_id(self) -> int:
        """The id of the latest event published (or just below the first one to come)."""
        return self._next_id - 1

    def publish(self, kind: str, run_id: int, data: EventData, *, relay: bool = True) -> None:
        """Publish an event (data: JSON text, or a function returning it); safe from any thread.

        `relay=False` for an event another backend published (it must not be relayed back).
        """
        self._hop.call(self._publish, kind, run_id, data, relay)

    def _publish(self, kind: str, run_id: int, data: EventData, relay: bool = True) -> None:
        event = Event(self._next_id, kind, run_id, data)
        self._next_id += 1
        self._buffer.append(event)
        if kind in HOLDER_EVENT_KINDS and self.run_changed is not None:
            self.run_changed(run_id)
        for subscription in list(self._subscribers):
            if subscription.wants(event):
                try:
                    subscription.queue.put_nowait(event)
                except asyncio.QueueFull:  # a stalled client: end its stream; it resumes by Last-Event-ID
                    self._end(subscription)
        if relay and self.relay is not None:
            self.relay(event)

    def subscribe(self, run_id: int | None, last_event_id: int | None) -> tuple[Subscription, list[Event] | None]:
        """Open a subscription; also return the events after `last_event_id` (None if they are not all kept)."""
        subscription = Subscription(run_id)
        if self.closed:
            subscription.queue.put_nowait(None)
            return subscription, []
        self._subscribers.add(subscription)
        if last_event_id is None:
            return subscription, []
        oldest_kept = self._buffer[0].id if self._buffer else self._next_id
        if last_event_id < oldest_kept - 1 or last_event_id > self.last_id:
            return subscription, None
        return subscription, [e for e in self._buffer if e.id > last_event_id and subscription.wants(e)]

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget a subscription whose stream ended."""
        self._subscribers.discard(subscription)

    def _end(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)
        while not subscription.queue.empty():
            subscription.queue.get_nowait()
        subscription.queue.put_nowait(None)

    def close(self) -> None:
        """End every stream now (server shutting down); later subscriptions end at once."""
        self.closed = True
        for subscription in list(self._subscribers):
            self._end(subscription)


class ProgressBoard:
    """In-epoch progress of active runs, kept in memory only."""

    def __init__(self) -> None:
        self._by_run: dict[int, dict] = {}

    def get(self, run_id: int) -> dict | None:
        """The latest {"epoch", "fraction", "loss"} of the run, if any."""
        return self._by_run.get(run_id)

    def set(self, run_id: int, progress: dict) -> None:
        """Record the latest progress of the run."""
        self._by_run[run_id] = progress

    def clear(self, run_id: int) -> None:
        """Forget the run's progress (finished, failed or deleted)."""
        self._by_run.pop(run_id, None)
