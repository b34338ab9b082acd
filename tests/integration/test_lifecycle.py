"""A run's life through a real backend and worker: train, stream, cancel, predict."""

from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from tests.integration.runs import api_client, get_run, launch, wait_for_run, wait_until_terminal
from tests.support.sse import read_events
from tests.support.live import running_backend_and_worker

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL

LEASE_SECONDS = 3   # heartbeat every second, so a cancel reaches the worker within about a second


@pytest.fixture(scope="module")
def api(tmp_path_factory, database) -> Iterator[httpx.Client]:
    """One backend and one worker for this module (starting them is most of a test's time);
    each test launches and checks only its own runs."""
    data_dir = tmp_path_factory.mktemp("data")
    with running_backend_and_worker(data_dir, worker_name="w1", lease_seconds=LEASE_SECONDS,
                                    env=database.backend_env()) as url, api_client(url) as client:
        yield client


def test_three_synthetic_runs_succeed_with_every_epoch_row(api):
    runs = [launch(api, architecture) for architecture in ("cnn", "fasttext", "lstm")]

    finished = [wait_until_terminal(api, run["id"], timeout=60) for run in runs]

    assert [run["status"] for run in finished] == ["succeeded"] * 3
    for run in finished:
        metrics = api.get(f"/api/runs/{run['id']}/metrics").json()
        assert [row["epoch"] for row in metrics] == [1, 2, 3]
        assert run["epochs_done"] == 3
        assert run["worker"] == "w1"
        scored = api.get(f"/api/runs/{run['id']}/predictions").json()  # the test reviews the worker scored
        assert run["test_acc"] == pytest.approx(scored["accuracy"], abs=1e-6) and scored["n"] > 0


def test_run_event_stream_sends_status_progress_and_epoch_events(api):
    run = launch(api, "lstm", epochs=2, batch_size=32)

    kinds = []
    with api.stream("GET", f"/api/runs/{run['id']}/events", timeout=30.0) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for event in read_events(response):
            kinds.append(event.event)
            if event.event == "end":
                assert event.data["status"] == "succeeded"
                break

    assert {"status", "progress", "epoch", "end"} <= set(kinds)
    assert kinds.count("epoch") == 2


def test_cancelling_a_running_run_ends_it_cancelled_within_seconds(api):
    run = launch(api, "lstm", epochs=200, batch_size=16)
    wait_for_run(api, run["id"], lambda r: r["status"] == "running" and r["progress"] is not None, timeout=30)

    response = api.post(f"/api/runs/{run['id']}/cancel")

    assert response.status_code == 200
    cancelled = wait_until_terminal(api, run["id"], timeout=LEASE_SECONDS + 7)
    assert cancelled["status"] == "cancelled"
    assert cancelled["epochs_done"] < 200


def test_predict_on_a_finished_run_returns_a_probability(api):
    run = launch(api, "fasttext")
    finished = wait_until_terminal(api, run["id"], timeout=60)
    assert finished["status"] == "succeeded"
    assert get_run(api, run["id"])["has_checkpoint"] is True

    response = api.post(f"/api/runs/{run['id']}/predict", json={"text": "a wonderful film, i loved it"})

    assert response.status_code == 200
    body = response.json()
    assert body["run_id"] == run["id"]
    assert body["probability"] > 0.5 and body["label"] == "positive"
    scorn = api.post(f"/api/runs/{run['id']}/predict", json={"text": "an awful boring film, terrible, i hated it"}).json()
    assert scorn["probability"] < 0.5 and scorn["label"] == "negative"


def test_a_finished_run_keeps_its_test_predictions_and_worst_errors(api):
    run = launch(api, "fasttext")
    finished = wait_until_terminal(api, run["id"], timeout=60)
    assert finished["status"] == "succeeded" and finished["has_predictions"] is True

    body = api.get(f"/api/runs/{run['id']}/predictions").json()

    assert body["accuracy"] == pytest.approx(finished["test_acc"], abs=1e-6)
    confusion = body["confusion"]
    assert confusion["tn"] + confusion["fp"] + confusion["fn"] + confusion["tp"] == body["n"] > 0
    roc = body["roc"]   # a trained fasttext ranks synthetic's test reviews almost perfectly (0.97 to 0.99 by seed)
    assert roc["auc"] > 0.9 and roc["auc"] == pytest.approx(np.trapezoid(roc["tpr"], roc["fpr"]), abs=1e-6)
    wrong_conf = [abs(review["probability"] - 0.5) for review in body["wrong"]]
    assert wrong_conf == sorted(wrong_conf, reverse=True) and len(wrong_conf) <= 50
    for review in body["wrong"]:
        assert (review["probability"] >= 0.5) != (review["label"] == 1) and review["text"]
