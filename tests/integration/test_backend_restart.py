"""A backend restart in the middle of a run loses no epoch row: the worker keeps them and resends.

Stopped gracefully (SIGTERM) or SIGKILLed, the backend restarts on the same database; the run
succeeds with every epoch stored exactly once and SQLite's integrity check passes.
"""

import signal
import sqlite3

import pytest

from tests.integration.proxy import switchable_proxy
from tests.integration.runs import api_client, launch, wait_for_run, wait_until_terminal
from tests.support.live import running_backend, running_worker

TINY = {"epochs": 6, "batch_size": 256, "maxlen": 32, "embedding_dim": 8, "num_words": 500, "ngram_buckets": 500}


def _stored_epochs_and_integrity(database, run_id: int) -> tuple[list[int], str]:
    connection = sqlite3.connect(database)
    try:
        epochs = [row[0] for row in connection.execute("SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch", (run_id,))]
        return epochs, connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL])
def test_backend_restart_mid_run_loses_no_epoch_row(data_dir, stop_signal):
    # The worker talks to a fixed address; behind it the first backend stops and a second one
    # starts on the same data dir (database), as a restart on the same port would.
    with switchable_proxy() as proxy, running_worker(proxy.url, name="w1", data_dir=data_dir):
        with running_backend(data_dir) as first_url, api_client(first_url) as api:
            proxy.point_to(first_url)
            run = launch(api, "fasttext", **TINY)
            before = wait_for_run(api, run["id"], lambda r: r["epochs_done"] >= 2, timeout=60)
            first_url.process.send_signal(stop_signal)
            first_url.process.wait(timeout=10)
            proxy.point_to(None)
        with running_backend(data_dir) as second_url, api_client(second_url) as api:
            proxy.point_to(second_url)
            finished = wait_until_terminal(api, run["id"], timeout=90)
            metrics = api.get(f"/api/runs/{run['id']}/metrics").json()

    assert before["status"] == "running"
    assert finished["status"] == "succeeded"
    assert [row["epoch"] for row in metrics] == list(range(1, 7))
    assert _stored_epochs_and_integrity(data_dir / "battlefield.db", run["id"]) == (list(range(1, 7)), "ok")
