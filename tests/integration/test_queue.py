"""The queue across worker processes: each run is trained exactly once, by a live worker."""

import re
import signal
import time

import pytest

from tests.integration.runs import api_client, launch, read_log, registered, wait_until_terminal
from tests.support.live import running_worker, wait_for

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL


@pytest.fixture
def backend_url(module_backend) -> str:
    """The module's backend (tests/conftest.py), not one per test: each test runs its own workers, under
    their own names, on its own runs."""
    return module_backend[0]


def test_two_workers_train_each_of_ten_runs_exactly_once(backend_url, data_dir):
    with running_worker(backend_url, name="w1", data_dir=data_dir), \
            running_worker(backend_url, name="w2", data_dir=data_dir), \
            api_client(backend_url) as api:
        wait_for(lambda: registered(api, "w1", "w2"), timeout=30)
        runs = [launch(api, "fasttext", epochs=1) for _ in range(10)]

        finished = [wait_until_terminal(api, run["id"], timeout=60) for run in runs]

    assert [run["status"] for run in finished] == ["succeeded"] * 10
    assert [run["attempts"] for run in finished] == [1] * 10
    assert {run["worker"] for run in finished} <= {"w1", "w2"}
    logs = read_log(data_dir / "worker-w1.log") + read_log(data_dir / "worker-w2.log")
    claimed = sorted(int(run_id) for run_id in re.findall(r"run (\d+): claimed", logs))
    assert claimed == sorted(run["id"] for run in runs)


def test_a_worker_stopped_while_idle_does_not_take_the_next_run(backend_url, data_dir):
    with api_client(backend_url) as api:
        with running_worker(backend_url, name="gone", data_dir=data_dir) as worker:
            wait_for(lambda: registered(api, "gone"), timeout=30)
            time.sleep(0.5)   # inside its long-poll claim
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=5) == 0

        run = launch(api, "fasttext")
        time.sleep(0.5)   # a claim answers a launch within milliseconds

        assert api.get(f"/api/runs/{run['id']}").json()["status"] == "queued"
