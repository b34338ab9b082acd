"""Limits: request bodies (413), names, tags, notes and review text (422), and the launch's memory budget (422)."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.factories import TINY_HYPERPARAMS

FASTTEXT_2_15_BILLION = {"embedding_dim": 1024, "ngram_buckets": 2_000_000, "num_words": 100_000}
FF_EMBEDDING_HUGE = {"maxlen": 2000, "embedding_dim": 1024, "dense_dim": 4096}


@pytest.fixture
def client(module_backend: tuple[str, Path]) -> Iterator[httpx.Client]:
    """A client with room for the first launch's cold start (torch on the meta device) on a busy machine."""
    with httpx.Client(base_url=module_backend[0], timeout=60) as http:
        yield http


def launch_body(**fields) -> dict:
    return {"architecture": "lstm", "dataset": "synthetic", "hyperparams": dict(TINY_HYPERPARAMS), **fields}


def only_error(response: httpx.Response) -> dict:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    return error


@pytest.mark.parametrize(("fields", "loc", "bound"), [
    ({"tags": [f"t{i}" for i in range(10_000)]}, ["body", "tags"], "at most 32 items"),
    ({"tags": ["x" * 65]}, ["body", "tags", 0], "at most 64 characters"),
    ({"tags": [""]}, ["body", "tags", 0], "at least 1 character"),
    ({"notes": "n" * 10_001}, ["body", "notes"], "at most 10000 characters"),
    ({"name": "n" * 201}, ["body", "name"], "at most 200 characters"),
])
def test_launch_labels_over_their_bounds_get_a_422_naming_the_bound(client: httpx.Client, fields, loc, bound):
    error = only_error(client.post("/api/runs", json=launch_body(**fields)))
    assert error["loc"] == loc and bound in error["msg"]


@pytest.mark.parametrize(("path", "loc", "bound"), [
    ("/api/runs?tag=" + "t" * 65, ["query", "tag"], "at most 64 characters"),
    ("/api/runs.csv?tag=" + "t" * 5000, ["query", "tag"], "at most 64 characters"),
    ("/api/groups?tag=" + "t" * 65, ["query", "tag"], "at most 64 characters"),
    ("/api/runs?q=" + "q" * 201, ["query", "q"], "at most 200 characters"),
])
def test_filters_longer_than_what_they_filter_get_a_422_naming_the_bound(client: httpx.Client, path, loc, bound):
    error = only_error(client.get(path))   # a tag has at most 64 characters: a longer filter could never match
    assert error["loc"] == loc and bound in error["msg"], error


def test_the_leaderboard_of_an_unknown_dataset_names_the_datasets(client: httpx.Client):
    error = only_error(client.get("/api/leaderboard", params={"dataset": "imbd"}))
    assert error["loc"] == ["query", "dataset"] and "imbd" in error["msg"] and "synthetic" in error["msg"], error
    board = client.get("/api/leaderboard", params={"dataset": "imdb"})   # a known dataset without runs: empty, not refused
    assert board.status_code == 200 and board.json()["entries"] == [], board.text


@pytest.mark.parametrize(("method", "path", "field", "known"), [
    ("GET", "/api/runs", "architecture", "nbsvm"),
    ("GET", "/api/runs.csv", "architecture", "nbsvm"),
    ("GET", "/api/groups", "architecture", "nbsvm"),
    ("GET", "/api/groups", "dataset", "imdb"),
    ("GET", "/api/leaderboard", "dataset", "imdb"),
    ("POST", "/api/architectures/lstm/summary", "dataset", "imdb"),
])
def test_a_filter_naming_no_contestant_or_dataset_gets_a_422_naming_the_choices(client: httpx.Client, method, path, field, known):
    error = only_error(client.request(method, path, params={field: "imbd"}, json={} if method == "POST" else None))
    assert error["loc"] == ["query", field] and "imbd" in error["msg"] and known in error["msg"], error
    assert error["type"] == f"unknown_{field}"
    answer = client.request(method, path, params={field: known}, json={} if method == "POST" else None)
    assert answer.status_code == 200, answer.text   # a known name without runs: an empty answer, not a refusal


def test_a_worker_name_over_its_bound_is_counted_in_characters(client: httpx.Client):
    error = only_error(client.post("/api/worker/register", json={"name": "w" * 201}))
    assert error["loc"] == ["body", "name"] and "at most 200 characters" in error["msg"]


def test_edits_are_held_to_the_same_bounds(client: httpx.Client):
    run = client.post("/api/runs", json=launch_body()).json()
    error = only_error(client.patch(f"/api/runs/{run['id']}", json={"tags": ["a"] * 33}))
    assert error["loc"] == ["body", "tags"] and "at most 32" in error["msg"]


def test_blank_labels_are_refused_or_take_the_default_and_labels_lose_their_outer_spaces(client: httpx.Client):
    run = client.post("/api/runs", json=launch_body(name="   ", tags=["  spaced  "])).json()
    assert run["name"] == f"lstm #{run['id']}" and run["tags"] == ["spaced"], run   # a blank name: the default
    error = only_error(client.patch(f"/api/runs/{run['id']}", json={"name": "   "}))
    assert error["loc"] == ["body", "name"] and "at least 1 character" in error["msg"], error
    error = only_error(client.post("/api/runs", json=launch_body(tags=["ok", " \t "])))
    assert error["loc"] == ["body", "tags", 1] and "at least 1 character" in error["msg"], error
    assert client.get(f"/api/runs/{run['id']}").json()["name"] == f"lstm #{run['id']}"


def test_a_5_mb_review_gets_a_413_naming_the_limit(client: httpx.Client):
    response = client.post("/api/runs/1/predict", json={"text": "great film " * 500_000})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Request body too large: over the limit of 4,194,304 bytes (4.0 MiB)")


def test_a_review_longer_than_any_in_imdb_gets_a_422(client: httpx.Client):
    error = only_error(client.post("/api/runs/1/predict", json={"text": "a" * 20_001}))
    assert error["loc"] == ["body", "text"] and "at most 20000" in error["msg"]


@pytest.mark.parametrize(("architecture", "hyperparams"), [("fasttext", FASTTEXT_2_15_BILLION),
                                                           ("ff_embedding", FF_EMBEDDING_HUGE)])
def test_launches_that_cannot_fit_are_refused_with_the_estimate_and_the_budget(client: httpx.Client, architecture,
                                                                               hyperparams):
    response = client.post("/api/runs", json={"architecture": architecture, "dataset": "imdb", "hyperparams": hyperparams})
    error = only_error(response)
    assert error["loc"] == ["body", "hyperparams"] and error["type"] == "memory_budget"
    assert error["msg"].startswith("Estimated peak memory ")
    assert "exceeds the budget of 12,288 MB (BATTLEFIELD_MEMORY_BUDGET_MB)" in error["msg"]
    assert error["ctx"]["estimate_mb"] > 40_000 and error["ctx"]["budget_mb"] == 12_288
    assert client.get("/api/runs", params={"architecture": architecture}).json()["count"] == 0  # nothing stored


def test_summary_gives_the_memory_estimate_and_the_budget(client: httpx.Client):
    small = client.post("/api/architectures/lstm/summary?dataset=synthetic", json={"batch_size": 8}).json()["memory"]
    large = client.post("/api/architectures/lstm/summary?dataset=synthetic", json={"batch_size": 64}).json()["memory"]
    assert small["budget"] == 12_288
    assert small["total"] == pytest.approx(sum(v for k, v in small.items() if k not in ("total", "budget")), abs=0.5)
    assert large["activations"] == pytest.approx(8 * small["activations"], rel=0.01)  # linear in the batch
    assert large["weights"] == small["weights"] > 0


LONG_WORKER = "w" * 201   # one over the registration's bound (backend.schemas.MAX_WORKER_NAME_CHARS)
REPORTS = [   # every request a worker names itself in, with a body otherwise valid
    ("POST", "/api/worker/claim", {"wait": 0}),
    ("POST", "/api/worker/runs/1/heartbeat", {}),
    ("POST", "/api/worker/runs/1/progress", {"epoch": 1, "fraction": 0.5, "loss": 0.6}),
    ("POST", "/api/worker/runs/1/epochs", {"epoch": 1, "train_loss": 0.6, "val_acc": 0.7}),
    ("POST", "/api/worker/runs/1/telemetry", {"samples": [], "lines": []}),
    ("POST", "/api/worker/runs/1/finish", {"status": "succeeded", "test_acc": 0.8}),
    ("PUT", "/api/worker/runs/1/predictions", {"probabilities": [0.5], "labels": [1]}),
]


@pytest.mark.parametrize(("method", "path", "body"), REPORTS)
def test_every_report_holds_the_worker_name_to_its_registration_bound(client: httpx.Client, method, path, body):
    error = only_error(client.request(method, path, json={"worker": LONG_WORKER, **body}))
    assert error["loc"] == ["body", "worker"] and "at most 200 characters" in error["msg"], error
    empty = only_error(client.request(method, path, json={"worker": "", **body}))   # as registration: not empty either
    assert empty["loc"] == ["body", "worker"] and "at least 1 character" in empty["msg"], empty


def test_the_checkpoint_upload_holds_the_worker_name_to_its_registration_bound(client: httpx.Client):
    response = client.put("/api/worker/runs/1/checkpoint", params={"worker": LONG_WORKER}, content=b"weights",
                          headers={"content-type": "application/octet-stream"})
    error = only_error(response)
    assert error["loc"] == ["query", "worker"] and "at most 200 characters" in error["msg"], error
