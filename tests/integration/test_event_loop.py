"""The event loop stays free: while another connection holds SQLite's write lock for 3 s (and a PATCH
waits for it in the thread pool), health, an event stream's keep-alive pings and an idle long-poll
claim still answer on time."""

import sqlite3
import threading
import time

import httpx

from tests.support.factories import claim, launch
from tests.support.live import running_backend

HOLD_SECONDS = 3.0
BOUND_SECONDS = 0.2
PING_SECONDS = 0.5
CLAIM_WAIT_SECONDS = 1.0


def _hold_write_lock(database: str, held: threading.Event, seconds: float) -> None:
    """BEGIN IMMEDIATE takes SQLite's write lock (WAL readers still read); keep it `seconds`."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=10)
    try:
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def _ping_times(url: str, until: float, times: list[float]) -> None:
    """Read /api/events until `until` (monotonic), noting when each keep-alive comment arrives."""
    with httpx.stream("GET", f"{url}/api/events", timeout=10) as stream:
        for line in stream.iter_lines():
            if line.startswith(":"):
                times.append(time.monotonic())
            if time.monotonic() > until:
                return


def _in_thread(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def test_a_held_write_lock_stalls_neither_health_nor_pings_nor_an_idle_claim(tmp_path):
    with running_backend(tmp_path, env={"BATTLEFIELD_SSE_PING_SECONDS": str(PING_SECONDS)}) as url:
        client = httpx.Client(base_url=url, timeout=15)
        run = launch(client)
        assert client.post(f"/api/runs/{run['id']}/cancel").json()["status"] == "cancelled"  # nothing queued
        pings: list[float] = []
        pinger = _in_thread(_ping_times, url, time.monotonic() + HOLD_SECONDS + 2 * PING_SECONDS, pings)
        time.sleep(PING_SECONDS * 1.5)
        held = threading.Event()
        holder = _in_thread(_hold_write_lock, str(tmp_path / "battlefield.db"), held, HOLD_SECONDS)
        assert held.wait(5)
        locked_at = time.monotonic()
        patched: list[httpx.Response] = []
        patcher = _in_thread(lambda: patched.append(client.patch(f"/api/runs/{run['id']}", json={"notes": "n"})))
        claimed: list[tuple[int, float]] = []

        def idle_claim() -> None:
            started = time.monotonic()
            response = claim(httpx.Client(base_url=url, timeout=15), "idle", wait=CLAIM_WAIT_SECONDS)
            claimed.append((response.status_code, time.monotonic() - started))

        claimer = _in_thread(idle_claim)
        time.sleep(0.1)
        health_seconds = []
        while time.monotonic() - locked_at < HOLD_SECONDS - 0.3:
            started = time.monotonic()
            assert client.get("/api/health").status_code == 200
            health_seconds.append(time.monotonic() - started)
            time.sleep(0.1)
        claimer.join(5)
        patch_pending_during_lock = not patched
        for thread in (patcher, holder, pinger):
            thread.join(10)
    during = [t for t in pings if locked_at <= t <= locked_at + HOLD_SECONDS]
    gaps = [later - earlier for earlier, later in zip(pings, pings[1:])]
    print(f"\nhealth during the lock: max {max(health_seconds) * 1000:.0f} ms over {len(health_seconds)} requests; "
          f"idle claim (wait {CLAIM_WAIT_SECONDS:g} s): {claimed[0][1] * 1000:.0f} ms; "
          f"ping gaps: max {max(gaps) * 1000:.0f} ms (interval {PING_SECONDS * 1000:.0f} ms)")
    assert patch_pending_during_lock and patched[0].status_code == 200  # the PATCH waited for the lock, then landed
    assert max(health_seconds) < BOUND_SECONDS, health_seconds
    assert claimed[0][0] == 204 and claimed[0][1] < CLAIM_WAIT_SECONDS + BOUND_SECONDS, claimed
    assert len(during) >= 4 and max(gaps) < PING_SECONDS + BOUND_SECONDS, gaps
