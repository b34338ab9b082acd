"""Two real backend processes on one PostgreSQL database: events, claim wake-ups and the reaper cross over."""

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.sse import read_events
from tests.support.factories import claim, launch, post_epoch
from tests.support.live import running_backend, wait_for

LEASE_SECONDS = 1.0


@pytest.fixture(scope="module")
def two_backends(tmp_path_factory: pytest.TempPathFactory, pg_cluster) -> Iterator[tuple[httpx.Client, httpx.Client, list[Path]]]:
    """Clients on backends A and B sharing one fresh PostgreSQL database, and their log files.

    Generous timeouts: the first launch on a backend imports the contestants (torch), slow on a busy machine.
    """
    url = pg_cluster.new_database()
    env = {"BATTLEFIELD_DATABASE_URL": url}
    data_a, data_b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    with running_backend(data_a, lease_seconds=LEASE_SECONDS, env=env) as url_a, \
            running_backend(data_b, lease_seconds=LEASE_SECONDS, env=env) as url_b, \
            httpx.Client(base_url=url_a, timeout=60) as a, httpx.Client(base_url=url_b, timeout=60) as b:
        yield a, b, [*data_a.glob("backend-*.log"), *data_b.glob("backend-*.log")]


def _collect(url: str, path: str, into: list, ready: threading.Event, stop: threading.Event) -> None:
    """Read the SSE stream at `path` into `into` until `stop` (runs in a thread)."""
    with httpx.stream("GET", f"{url}{path}", timeout=httpx.Timeout(60)) as response:
        ready.set()
        try:
            for event in read_events(response):
                into.append(event)
                if stop.is_set():
                    return
        except httpx.ReadTimeout:
            return


def test_an_event_stored_through_one_backend_reaches_a_stream_on_the_other(two_backends):
    a, b, _ = two_backends
    seen: list = []
    ready, stop = threading.Event(), threading.Event()
    reader = threading.Thread(target=_collect, args=(str(b.base_url), "/api/events", seen, ready, stop), daemon=True)
    reader.start()
    assert ready.wait(10)
    time.sleep(0.3)   # the stream is subscribed once its first bytes arrived

    run = launch(a)
    claimed = claim(a, "wa")
    assert claimed.json()["run"]["id"] == run["id"]
    a.post(f"/api/worker/runs/{run['id']}/progress", json={"worker": "wa", "epoch": 1, "fraction": 0.5, "loss": 0.6})
    assert post_epoch(a, run["id"], 1, worker="wa").status_code == 201

    def statuses():
        return [e.data["status"] for e in seen if e.event == "status" and e.data.get("id") == run["id"]]

    wait_for(lambda: "queued" in statuses() and "running" in statuses(), timeout=5)
    wait_for(lambda: any(e.event == "progress" and e.data["run_id"] == run["id"] for e in seen), timeout=5)
    stop.set()
    # B's own view of the run carries the progress A's worker reported (B's board followed A's).
    seen_on_b = b.get(f"/api/runs/{run['id']}").json()
    assert seen_on_b["epochs_done"] == 1
    assert seen_on_b["progress"]["fraction"] == 0.5


def test_a_launch_on_one_backend_wakes_a_claim_waiting_on_the_other(two_backends):
    a, b, _ = two_backends
    result: dict = {}

    def wait_on_b():
        started = time.monotonic()
        result["response"] = claim(b, "wb", wait=15)
        result["seconds"] = time.monotonic() - started

    waiter = threading.Thread(target=wait_on_b, daemon=True)
    waiter.start()
    time.sleep(1.0)   # B's claim is waiting now
    run = launch(a)
    waiter.join(timeout=20)

    assert result["response"].status_code == 200, result["response"].text
    assert result["response"].json()["run"]["id"] == run["id"]
    assert result["seconds"] < 5, f"claim answered after {result['seconds']:.1f} s: woken by its timeout, not the launch"


def test_only_one_backend_reaps_an_expired_lease(two_backends):
    a, b, logs = two_backends
    run = launch(a)
    assert claim(b, "silent").json()["run"]["id"] == run["id"]   # and never heartbeats

    failed = wait_for(lambda: (r := a.get(f"/api/runs/{run['id']}").json())["status"] == "failed" and r, timeout=10)
    time.sleep(2 * LEASE_SECONDS)   # both reapers have had several chances

    assert failed["error"] == f"worker silent lost: no heartbeat for {LEASE_SECONDS:g} s"
    reaped = [line for log in logs for line in log.read_text().splitlines() if re.search(rf"run {run['id']}: worker", line)]
    assert len(reaped) == 1, reaped
    assert b.get(f"/api/runs/{run['id']}").json()["attempts"] == 1


def test_a_cancel_on_one_backend_reaches_progress_reports_on_the_other_within_moments(two_backends):
    """Backend A remembers who holds the run after the first progress report (backend/holders.py); the
    cancel stored through B must reach A's memory through B's event, well before the entry expires."""
    a, b, _ = two_backends
    run = launch(a)
    assert claim(a, "wc").json()["run"]["id"] == run["id"]
    point = {"worker": "wc", "epoch": 1, "fraction": 0.5, "loss": 0.6}
    progress = f"/api/worker/runs/{run['id']}/progress"
    assert a.post(progress, json=point).json() == {"cancel": False}
    assert b.post(f"/api/runs/{run['id']}/cancel").json()["status"] == "cancelling"
    cancelled_at = time.monotonic()
    while (reply := a.post(progress, json=point).json()) == {"cancel": False}:
        assert time.monotonic() - cancelled_at < 2.0, "A still answers from its memory of the run before the cancel"
        a.post(f"/api/worker/runs/{run['id']}/heartbeat", json={"worker": "wc"})
        time.sleep(0.05)
    assert reply == {"cancel": True}
    assert a.post(f"/api/worker/runs/{run['id']}/finish", json={"worker": "wc", "status": "cancelled"}).status_code == 200
