"""Cancel reaches a real worker within one progress report (the progress reply carries it), not a heartbeat."""

import time

from tests.integration.runs import api_client, launch, read_log, wait_for_run, wait_until_terminal
from tests.support.live import running_backend_and_worker

LEASE_SECONDS = 60   # a heartbeat every 20 s: a cancel that waited for one would take far longer than the bound
BOUND_SECONDS = 5.0  # one progress report (4 a second) plus the batch in flight and the finish


def test_cancel_reaches_the_worker_through_the_progress_reply_long_before_a_heartbeat(tmp_path):
    with running_backend_and_worker(tmp_path, worker_name="w1", lease_seconds=LEASE_SECONDS) as url, \
            api_client(url) as api:
        run = launch(api, "lstm", epochs=200, batch_size=16)
        wait_for_run(api, run["id"], lambda r: r["status"] == "running" and r["progress"] is not None, timeout=60)
        started = time.monotonic()
        assert api.post(f"/api/runs/{run['id']}/cancel").json()["status"] == "cancelling"
        ended = wait_until_terminal(api, run["id"], timeout=LEASE_SECONDS / 3)
        seconds = time.monotonic() - started
        log = read_log(tmp_path / "worker-w1.log", contains="cancel requested")
    assert ended["status"] == "cancelled" and seconds < BOUND_SECONDS, seconds
    assert "cancel requested (progress reply)" in log
