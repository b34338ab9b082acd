"""Small helpers for the browser tests: tiny run settings, launching over REST, waiting for a status."""

import httpx

from tests.support.live import wait_for

TERMINAL = {"succeeded", "failed", "cancelled"}

# Hyperparameters small enough that a run on `synthetic` trains in about a second on one CPU thread.
TINY = {
    "lstm": {"embedding_dim": 16, "hidden_dim": 16},
    "rnn": {"embedding_dim": 16, "hidden_dim": 16},
    "gru": {"embedding_dim": 16, "hidden_dim": 16},
    "cnn": {"embedding_dim": 16, "filters": 16},
    "ff_embedding": {"embedding_dim": 8, "dense_dim": 16},
    "fasttext": {"embedding_dim": 16, "ngram_buckets": 1000},
}
TINY_DATA = {"maxlen": 64, "batch_size": 64, "num_words": 1000, "patience": 0}


def tiny_hyperparams(architecture: str, epochs: int = 3, **overrides) -> dict:
    """The tiny settings of a contestant with `epochs` and any overrides."""
    return {**TINY_DATA, **TINY[architecture], "epochs": epochs, **overrides}


def launch(url: str, architecture: str = "lstm", *, epochs: int = 3, name: str | None = None, tags=(), **overrides) -> dict:
    """POST /api/runs for a tiny run on `synthetic`; return the created run."""
    body = {
        "architecture": architecture,
        "dataset": "synthetic",
        "hyperparams": tiny_hyperparams(architecture, epochs, **overrides),
        "tags": list(tags),
    }
    if name is not None:
        body["name"] = name
    reply = httpx.post(f"{url}/api/runs", json=body, timeout=60)  # the first launch imports torch
    assert reply.status_code == 201, reply.text
    return reply.json()


def get_run(url: str, run_id: int) -> dict:
    """GET /api/runs/{id}."""
    reply = httpx.get(f"{url}/api/runs/{run_id}", timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def wait_finished(url: str, run_id: int, timeout: float = 180.0) -> dict:
    """Wait until the run is terminal and return it."""
    return wait_for(lambda: (run := get_run(url, run_id))["status"] in TERMINAL and run, timeout=timeout, interval=0.2)
