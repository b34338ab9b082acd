"""A backend restart in the middle of a run loses no epoch row: the worker keeps them and resends."""

from tests.integration.proxy import switchable_proxy
from tests.integration.runs import api_client, launch, wait_for_run, wait_until_terminal
from tests.support.live import running_backend, running_worker


def test_backend_restart_mid_run_loses_no_epoch_row(data_dir):
    # The worker talks to a fixed address; behind it the first backend stops and a second one
    # starts on the same data dir (database), as a restart on the same port would.
    with switchable_proxy() as proxy, running_worker(proxy.url, name="w1", data_dir=data_dir):
        with running_backend(data_dir) as first_url, api_client(first_url) as api:
            proxy.point_to(first_url)
            run = launch(api, "lstm", epochs=6, batch_size=32)
            before = wait_for_run(api, run["id"], lambda r: r["epochs_done"] >= 2, timeout=30)
            proxy.point_to(None)
        with running_backend(data_dir) as second_url, api_client(second_url) as api:
            proxy.point_to(second_url)
            finished = wait_until_terminal(api, run["id"], timeout=60)
            metrics = api.get(f"/api/runs/{run['id']}/metrics").json()

    assert before["status"] == "running"
    assert finished["status"] == "succeeded"
    assert [row["epoch"] for row in metrics] == list(range(1, 7))
