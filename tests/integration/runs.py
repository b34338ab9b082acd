"""Launching tiny synthetic runs over REST and waiting for them, for the integration tests."""

import time

import httpx

from tests.support.live import wait_for

TERMINAL = {"succeeded", "failed", "cancelled"}

# Tiny settings: each of these trains 3 epochs on `synthetic` in about a second on one CPU thread.
TINY = {"epochs": 3, "embedding_dim": 16, "maxlen": 64, "batch_size": 64, "num_words": 1000, "patience": 0}
MODEL_SETTINGS = {"cnn": {"filters": 16, "dense_dim": 16}, "fasttext": {"ngram_buckets": 1000}, "lstm": {"hidden_dim": 16}}


def tiny_hyperparams(architecture: str, **overrides) -> dict:
    """The tiny settings for `architecture`, with `overrides` on top."""
    return {**TINY, **MODEL_SETTINGS.get(architecture, {}), **overrides}


def launch(client: httpx.Client, architecture: str = "fasttext", dataset: str = "synthetic", **overrides) -> dict:
    """POST /api/runs with tiny hyperparameters; the created run."""
    body = {"architecture": architecture, "dataset": dataset, "hyperparams": tiny_hyperparams(architecture, **overrides)}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def get_run(client: httpx.Client, run_id: int) -> dict:
    """GET /api/runs/{id}."""
    response = client.get(f"/api/runs/{run_id}")
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_run(client: httpx.Client, run_id: int, predicate, timeout: float = 30.0) -> dict:
    """Poll the run until `predicate(run)` holds; the run."""
    return wait_for(lambda: (lambda run: run if predicate(run) else None)(get_run(client, run_id)),
                    timeout=timeout, interval=0.1)


def wait_until_terminal(client: httpx.Client, run_id: int, timeout: float = 30.0) -> dict:
    """Poll the run until it is succeeded, failed or cancelled; the run."""
    return wait_for_run(client, run_id, lambda run: run["status"] in TERMINAL, timeout=timeout)


def registered(client: httpx.Client, *names: str) -> bool:
    """Whether every worker in `names` has registered with the backend (GET /api/workers)."""
    return set(names) <= {worker["name"] for worker in client.get("/api/workers").json()}


def read_log(path, timeout: float = 5.0, contains: str | None = None) -> str:
    """A worker's log text, waiting up to `timeout` s for `contains` to appear in it."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        if contains is None or contains in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


API_TIMEOUT = 30.0   # generous: the CI machine may be busy with other test processes


def api_client(url: str, token: str | None = None) -> httpx.Client:
    """A REST client for the backend at `url`, sending `token` as a bearer token when given."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, timeout=API_TIMEOUT, headers=headers)
