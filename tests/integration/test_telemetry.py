"""A real worker process ends its runs with their system samples and log lines stored, and a failed run's traceback."""

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.runs import api_client, launch, wait_until_terminal
from tests.support.live import running_backend_and_worker


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A backend and one worker sampling every 0.5 s (missing aclImdb: its runs fail), shared by the module."""
    data_dir = tmp_path_factory.mktemp("telemetry")
    env = {"BATTLEFIELD_SYSTEM_METRICS_SECONDS": "0.5", "BATTLEFIELD_ACLIMDB": str(data_dir / "nowhere.tar.gz")}
    with running_backend_and_worker(data_dir, worker_name="tw1", worker_env=env) as url, api_client(url) as client:
        yield client


def test_a_trained_run_ends_with_its_samples_and_log_lines(api: httpx.Client):
    run = launch(api, "fasttext", epochs=3)
    done = wait_until_terminal(api, run["id"], timeout=120)
    assert done["status"] == "succeeded"
    samples = api.get(f"/api/runs/{run['id']}/system").json()["samples"]
    logs = api.get(f"/api/runs/{run['id']}/logs").json()
    assert len(samples) >= 1 and all(s["rss_mb"] > 10 and s["gpu_util_percent"] is None for s in samples)
    assert [s["t"] for s in samples] == sorted(s["t"] for s in samples)
    messages = [line["message"] for line in logs["lines"]]
    assert messages[0] == f"claimed {run['name']!r}: fasttext on synthetic"
    assert [m.split(" val_acc")[0] for m in messages if m.startswith("epoch ")] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert any(m.startswith("checkpoint uploaded") for m in messages)   # logged after training: the second flush
    assert any(m.startswith("test predictions uploaded") for m in messages)
    # the outcome is logged after the uploads and sent before finish: the backend keeps lines only while the run runs
    assert messages[-1] == f"succeeded: test_acc {done['test_acc']:.3f}, best epoch {done['best_epoch']}"
    assert {line["level"] for line in logs["lines"]} == {"INFO"} and logs["traceback"] is None


def test_a_failed_run_keeps_its_traceback_and_its_error_line(api: httpx.Client):
    run = launch(api, "fasttext", dataset="aclimdb")
    failed = wait_until_terminal(api, run["id"], timeout=60)
    assert failed["status"] == "failed" and "BATTLEFIELD_ACLIMDB" in failed["error"]
    logs = api.get(f"/api/runs/{run['id']}/logs").json()
    trace = logs["traceback"]
    assert trace.startswith("Traceback (most recent call last):")
    assert "run_experiment" in trace and trace.rstrip().splitlines()[-1].startswith("worker.data.types.DatasetUnavailable")
    errors = [line["message"] for line in logs["lines"] if line["level"] == "ERROR"]
    assert errors == [f"DatasetUnavailable: {failed['error']}"]
    assert logs["lines"][-1]["message"] == f"failed: {failed['error']}"   # the last line, kept: sent before finish
