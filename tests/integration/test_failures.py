"""Runs that end badly: a dead worker, a stopped worker, missing data."""

import os
import signal

import httpx
import pytest

from tests.integration.runs import api_client, launch, registered, wait_for_run, wait_until_terminal
from tests.support.live import running_backend, running_worker, wait_for

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL

LONG = {"epochs": 200, "batch_size": 16}   # still training when the test interrupts it


@pytest.fixture
def shared_url(module_backend) -> str:
    """The module's backend (tests/conftest.py), for the tests that need no lease of their own; each runs
    its own worker, under its own name, on its own runs."""
    return module_backend[0]


def _mid_run(api: httpx.Client, run_id: int) -> dict:
    """Wait until the run has stored at least one epoch row and is still running."""
    return wait_for_run(api, run_id, lambda run: run["status"] == "running" and run["epochs_done"] >= 1, timeout=30)


def test_killed_worker_leaves_its_run_failed_with_epoch_rows_once_the_lease_expires(data_dir, database):
    with running_backend(data_dir, lease_seconds=2, env=database.backend_env()) as url, api_client(url) as api:
        with running_worker(url, name="w1", data_dir=data_dir) as worker:
            run = launch(api, "lstm", **LONG)
            _mid_run(api, run["id"])
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)

        failed = wait_until_terminal(api, run["id"], timeout=10)
        metrics = api.get(f"/api/runs/{run['id']}/metrics").json()

    assert failed["status"] == "failed"
    assert failed["error"].startswith("worker w1 lost: no heartbeat for 2")
    assert failed["epochs_done"] >= 1
    assert [row["epoch"] for row in metrics] == list(range(1, failed["epochs_done"] + 1))


def test_sigterm_mid_run_fails_the_run_as_worker_stopped_and_exits_zero(shared_url, data_dir):
    with running_worker(shared_url, name="w-sigterm", data_dir=data_dir) as worker, \
            api_client(shared_url) as api:
        run = launch(api, "lstm", **LONG)
        _mid_run(api, run["id"])

        worker.send_signal(signal.SIGTERM)

        assert worker.wait(timeout=10) == 0
        stopped = wait_until_terminal(api, run["id"], timeout=5)
    assert stopped["status"] == "failed"
    assert stopped["error"] == "worker stopped"


def test_sigterm_while_idle_exits_zero_at_once(shared_url, data_dir):
    with running_worker(shared_url, name="w-idle", data_dir=data_dir) as worker, \
            api_client(shared_url) as api:
        wait_for(lambda: registered(api, "w-idle"), timeout=30)

        worker.send_signal(signal.SIGTERM)

        assert worker.wait(timeout=15) == 0   # "at once": well inside a heartbeat, with room for a loaded machine


def test_missing_aclimdb_fails_the_run_with_the_reason_and_the_worker_trains_the_next(shared_url, data_dir):
    missing = data_dir / "nowhere" / "aclImdb_v1.tar.gz"
    with running_worker(shared_url, name="w-missing", data_dir=data_dir, env={"BATTLEFIELD_ACLIMDB": str(missing)}), \
            api_client(shared_url) as api:
        unavailable = launch(api, "fasttext", dataset="aclimdb")
        following = launch(api, "fasttext")

        failed = wait_until_terminal(api, unavailable["id"], timeout=30)
        succeeded = wait_until_terminal(api, following["id"], timeout=30)

    assert failed["status"] == "failed"
    assert str(missing) in failed["error"]
    assert "BATTLEFIELD_ACLIMDB" in failed["error"]
    assert succeeded["status"] == "succeeded"
