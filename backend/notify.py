"""Events between backend processes that share one PostgreSQL database, over LISTEN/NOTIFY.

Each backend publishes its events locally (backend.events.Broadcaster) and also hands each one to
its `EventRelay`, which NOTIFYs it on one channel; every other backend's relay LISTENs there and
publishes what it hears to its own streams. So a browser connected to backend B sees a run that
backend A stored, a launch on A wakes a claim long-polling on B, and B's progress board follows A's
workers. On SQLite (one backend per database file) no relay runs.

Ordering: one sender thread sends in publication order, in one transaction per batch (PostgreSQL
delivers a transaction's notifications in order, at commit). A NOTIFY payload is limited to 8000
bytes; a larger status event is sent as a reference and the receiver reads the run from the
database (other kinds are small by construction; an oversized one is dropped with a warning).

The pattern (one channel, listeners wake waiters) is the one procrastinate and Oban use.
"""

import json
import logging
import queue as stdlib_queue
import threading
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from backend.events import Event
    from backend.state import AppState

log = logging.getLogger("backend.notify")

CHANNEL = "battlefield_events"
MAX_PAYLOAD_BYTES = 7900          # PostgreSQL's limit is 8000 bytes, less a margin
LISTEN_POLL_SECONDS = 0.5         # how often the listener looks at its stop flag
RECONNECT_SECONDS = 1.0
SENDER_BATCH = 500                # notifications per transaction at most
RUN_SNAPSHOT_KINDS = frozenset({"status", "end"})  # events whose data is a RunPublic


class EventRelay:
    """Sends this backend's events to the other backends on the database and publishes theirs here.

    Start with `start()` (after the app state is bound to its loop); `relay(event)` is the hook the
    Broadcaster calls for every local event; `stop()` ends both threads.
    """

    def __init__(self, engine: Engine, state: "AppState"):
        self.engine = engine
        self.state = state
        self.origin = uuid.uuid4().hex[:12]   # our own notifications come back to us: skip them
        self._own_prefix = json.dumps({"o": self.origin})[:-1]   # how every payload of encode() starts
        self._outbox: stdlib_queue.SimpleQueue = stdlib_queue.SimpleQueue()
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> "EventRelay":
        """Start the sender and listener threads; wait until the listener is subscribed."""
        for target, name in ((self._send_forever, "notify-sender"), (self._listen_forever, "notify-listener")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        if not self._listening.wait(timeout):
            log.warning("LISTEN %s not established within %.0f s; still trying", CHANNEL, timeout)
        return self

    def stop(self) -> None:
        """Stop both threads (events still queued are sent first)."""
        self._stopping.set()
        self._outbox.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def _connect(self):
        """A psycopg autocommit connection with the engine's own connection arguments."""
        import psycopg

        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        return psycopg.connect(*args, **{**kwargs, "autocommit": True})

    # --- sending -------------------------------------------------------------------------------
    def relay(self, event: "Event") -> None:
        """Queue a local event for the other backends; safe from any thread, never blocks."""
        if not self._stopping.is_set():
            self._outbox.put(event)

    def encode(self, event: "Event") -> str | None:
        """The NOTIFY payload of `event` (JSON), a reference when too large, None when it cannot be sent."""
        payload = json.dumps({"o": self.origin, "k": event.kind, "r": event.run_id, "d": event.data})
        if len(payload.encode()) <= MAX_PAYLOAD_BYTES:
            return payload
        if event.kind in RUN_SNAPSHOT_KINDS:
            return json.dumps({"o": self.origin, "k": event.kind, "r": event.run_id, "ref": True})
        log.warning("event %s of run %s is %d bytes, over NOTIFY's limit; other backends will not see it",
                    event.kind, event.run_id, len(payload))
        return None

    def _next_batch(self) -> list["Event"] | None:
        """Block for the next event, then take what else is queued (None: stop)."""
        first = self._outbox.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < SENDER_BATCH:
            try:
                item = self._outbox.get_nowait()
            except stdlib_queue.Empty:
                break
            if item is None:
                self._outbox.put(None)
                break
            batch.append(item)
        return batch

    def _send_forever(self) -> None:
        """The sender thread: NOTIFY each batch in one transaction, reconnecting after errors."""
        connection = None
        while True:
            batch = self._next_batch()
            if batch is None:
                break
            payloads = [p for p in (self.encode(event) for event in batch) if p is not None]
            for attempt in range(2):   # one reconnect per batch; then the batch is dropped (logged)
                try:
                    if connection is None or connection.closed:
                        connection = self._connect()
                    with connection.transaction(), connection.cursor() as cursor:
                        cursor.executemany("SELECT pg_notify(%s, %s)", [(CHANNEL, p) for p in payloads])
                    break
                except Exception:
                    if attempt:
                        log.exception("NOTIFY failed; %d events not relayed", len(payloads))
                    connection = None
        if connection is not None:
            connection.close()

    # --- receiving -----------------------------------------------------------------------------
    def _listen_forever(self) -> None:
        """The listener thread: LISTEN, hand each other backend's event to the event loop; reconnect on errors."""
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    while not self._stopping.is_set():
                        for notification in connection.notifies(timeout=LISTEN_POLL_SECONDS):
                            try:
                                self.receive(notification.payload)
                            except Exception:  # one bad message must not cost the connection
                                log.exception("could not apply a notification: %.200s", notification.payload)
            except Exception:
                if self._stopping.is_set():
                    break
                log.exception("LISTEN connection lost; reconnecting in %.0f s", RECONNECT_SECONDS)
                self._stopping.wait(RECONNECT_SECONDS)

    def receive(self, payload: str) -> None:
        """Publish one notification from another backend here (ours are skipped). Runs on the listener thread."""
        if payload.startswith(self._own_prefix):   # ours, back from the server: skip it without parsing
            return
        message = json.loads(payload)
        kind, run_id = message["k"], message["r"]
        data = message.get("d")
        if data is None:   # a reference: the run as it is in the database now
            data = self._run_snapshot(run_id)
            if data is None:
                return
        self.apply(kind, run_id, data)

    def apply(self, kind: str, run_id: int, data: str) -> None:
        """Do here what the origin backend did with its event: progress board, claim wake-up, streams."""
        state = self.state
        if kind == "progress":
            point = json.loads(data)
            point.pop("run_id", None)
            state.progress.set(run_id, point)
        elif kind in ("end", "deleted"):
            state.progress.clear(run_id)
        if kind == "status" and json.loads(data).get("status") == "queued":
            state.run_available.notify()   # a launch over there: wake the claims waiting here
        state.broadcaster.publish(kind, run_id, data, relay=False)

    def _run_snapshot(self, run_id: int) -> str | None:
        """The run's current public JSON read from the database (None if it was deleted meanwhile)."""
        from backend.db import SessionLocal
        from backend.errors import RunNotFound
        from backend.store import get_run

        try:
            with SessionLocal() as session:
                return self.state.run_public(get_run(session, run_id)).model_dump_json()
        except RunNotFound:
            return None


def start_relay(engine: Engine, state: "AppState") -> EventRelay | None:
    """A started relay hooked into the state's broadcaster when the database is PostgreSQL; else None."""
    if engine.dialect.name != "postgresql":
        return None
    relay = EventRelay(engine, state)
    state.broadcaster.relay = relay.relay
    return relay.start()
