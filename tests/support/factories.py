"""Small factories for API tests: launch runs and act as a worker over plain HTTP."""

from collections.abc import Iterator

import httpx

from tests.support.sse import read_events

TINY_HYPERPARAMS = {"epochs": 3, "num_words": 100, "maxlen": 20, "embedding_dim": 8, "hidden_dim": 8}


def launch(client: httpx.Client, architecture: str = "lstm", **fields) -> dict:
    """POST /api/runs with tiny defaults; return the created run."""
    body = {"architecture": architecture, "dataset": "synthetic", "hyperparams": dict(TINY_HYPERPARAMS), **fields}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def claim(client: httpx.Client, worker: str = "w1", wait: float = 0) -> httpx.Response:
    """POST /api/worker/claim as `worker`."""
    return client.post("/api/worker/claim", json={"worker": worker, "device": "cpu", "wait": wait})


def launch_and_claim(client: httpx.Client, worker: str = "w1", **fields) -> dict:
    """Launch a run and claim it as `worker`; the queue must hold nothing older."""
    run = launch(client, **fields)
    response = claim(client, worker)
    assert response.status_code == 200, response.text
    assert response.json()["run"]["id"] == run["id"], "an older queued run was left behind by another test"
    return run


def epoch_row(epoch: int, worker: str = "w1", **metrics) -> dict:
    """An epoch POST body with plausible metrics."""
    row = {
        "worker": worker,
        "epoch": epoch,
        "train_loss": 0.7 - 0.1 * epoch,
        "train_acc": 0.5 + 0.1 * epoch,
        "val_loss": 0.72 - 0.1 * epoch,
        "val_acc": 0.48 + 0.1 * epoch,
        "seconds": 1.5,
        "samples_per_second": 1000.0,
    }
    row.update(metrics)
    return row


def post_epoch(client: httpx.Client, run_id: int, epoch: int, worker: str = "w1", **metrics) -> httpx.Response:
    """POST one epoch row of `run_id`."""
    return client.post(f"/api/worker/runs/{run_id}/epochs", json=epoch_row(epoch, worker, **metrics))


def finish(client: httpx.Client, run_id: int, status: str = "succeeded", worker: str = "w1", **fields) -> httpx.Response:
    """POST the worker's final verdict."""
    body = {"worker": worker, "status": status, "test_loss": 0.4, "test_acc": 0.8, **fields}
    return client.post(f"/api/worker/runs/{run_id}/finish", json=body)


def sse_events(response: httpx.Response) -> Iterator[dict]:
    """The named events of a text/event-stream response as {"id", "event", "data"} dicts (data JSON-decoded).

    A view of tests.support.sse.read_events, the one SSE parser of the tests.
    """
    for event in read_events(response):
        if event.event != "message":
            yield {"id": event.id, "event": event.event, "data": event.data}
