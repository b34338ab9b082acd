"""Leases with a one-second lease: silence fails the run, heartbeats keep it alive."""

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.support.factories import launch_and_claim, post_epoch
from tests.support.live import running_backend, wait_for

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL


@pytest.fixture(scope="module")
def short_lease_client(tmp_path_factory: pytest.TempPathFactory, database) -> Iterator[httpx.Client]:
    """A client on a backend whose leases last one second."""
    data: Path = tmp_path_factory.mktemp("lease")
    with running_backend(data, lease_seconds=1, env=database.backend_env()) as url, httpx.Client(base_url=url, timeout=10) as client:
        # The first launch loads the contestants (torch); not inside a one-second lease test.
        assert client.post("/api/architectures/lstm/summary", json={}, timeout=120).status_code == 200
        yield client


def test_run_without_heartbeat_fails_with_the_reason_keeping_epochs(short_lease_client: httpx.Client):
    client = short_lease_client
    run = launch_and_claim(client)
    post_epoch(client, run["id"], 1)
    failed = wait_for(lambda: (r := client.get(f"/api/runs/{run['id']}").json())["status"] == "failed" and r, timeout=5)
    assert failed["error"] == "worker w1 lost: no heartbeat for 1 s"
    held = datetime.fromisoformat(failed["finished_at"]) - datetime.fromisoformat(failed["started_at"])
    assert held.total_seconds() >= 0.99   # failed only once its one-second lease had run out
    assert len(client.get(f"/api/runs/{run['id']}/metrics").json()) == 1


def test_heartbeats_keep_a_long_run_alive(short_lease_client: httpx.Client):
    client = short_lease_client
    run = launch_and_claim(client)
    for _ in range(8):  # 2.4 s: longer than the lease, ages from the last heartbeat
        assert client.post(f"/api/worker/runs/{run['id']}/heartbeat", json={"worker": "w1"}).status_code == 200
        time.sleep(0.3)
    assert client.get(f"/api/runs/{run['id']}").json()["status"] == "running"


def test_worker_token_is_required_when_set(tmp_path: Path):
    with running_backend(tmp_path / "data", env={"BATTLEFIELD_WORKER_TOKEN": "s3cret"}) as url:
        body = {"name": "w1", "host": "h", "device": "cpu"}
        refused = httpx.post(f"{url}/api/worker/register", json=body)
        accepted = httpx.post(f"{url}/api/worker/register", json=body, headers={"Authorization": "Bearer s3cret"})
    assert refused.status_code == 401
    assert refused.json() == {
        "detail": "Missing or wrong worker token; start the worker with --token or BATTLEFIELD_TOKEN "
                  "(or BATTLEFIELD_WORKER_TOKEN)"
    }
    assert accepted.status_code == 200


def test_a_silent_worker_is_listed_lost_after_two_leases(short_lease_client: httpx.Client):
    client = short_lease_client
    assert client.post("/api/worker/register", json={"name": "wl-silent"}).status_code == 200
    assert next(w for w in client.get("/api/workers").json() if w["name"] == "wl-silent")["state"] == "idle"

    lost = wait_for(lambda: next(w for w in client.get("/api/workers").json() if w["name"] == "wl-silent")["state"] == "lost",
                    timeout=6)
    assert lost
