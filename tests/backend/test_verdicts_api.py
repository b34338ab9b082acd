"""Kept test predictions (upload, limits, analysis), two runs' disagreement, and the leaderboard's rules."""

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from tests.support.factories import claim, finish, launch, post_epoch

LABELS = [1, 0, 1, 1, 0, 0, 1, 0]


def _running(client: httpx.Client, worker: str, **fields) -> dict:
    run = launch(client, **fields)
    response = claim(client, worker)
    assert response.status_code == 200 and response.json()["run"]["id"] == run["id"], response.text
    return run


def _put(client: httpx.Client, run_id: int, body: dict | str, worker: str = "w1") -> httpx.Response:
    content = body if isinstance(body, str) else json.dumps({"worker": worker, **body})
    return client.put(f"/api/worker/runs/{run_id}/predictions", content=content,
                      headers={"content-type": "application/json"})


def _succeed(client: httpx.Client, worker: str, test_acc: float, probabilities: list[float] | None = None, **fields) -> dict:
    run = _running(client, worker, **fields)
    assert post_epoch(client, run["id"], 1, worker, val_acc=test_acc).status_code == 201
    if probabilities is not None:
        assert _put(client, run["id"], {"probabilities": probabilities, "labels": LABELS}, worker).status_code == 204
    assert finish(client, run["id"], worker=worker, test_acc=test_acc).status_code == 200
    return run


def _loaded(pid: int, package: str) -> bool:
    """Whether process `pid` has loaded a compiled module of `package` (its shared objects are mapped)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return f"/site-packages/{package}/" in maps


def test_the_backend_starts_without_scipy_and_scikit_learn_and_loads_them_on_first_use(client, module_backend):
    """First in this module: nothing has asked the module's backend for a statistic yet."""
    pid = module_backend[0].process.pid
    assert _loaded(pid, "torch")   # the warm-up thread's import is seen, so an absence below means something
    assert not _loaded(pid, "scipy") and not _loaded(pid, "sklearn")
    run = _running(client, "w1")
    assert _put(client, run["id"], {"probabilities": [0.9, 0.2, 0.4, 0.8, 0.7, 0.1, 0.95, 0.3],
                                    "labels": LABELS}).status_code == 204
    assert client.get(f"/api/runs/{run['id']}/predictions").status_code == 200
    assert _loaded(pid, "sklearn") and _loaded(pid, "scipy")


def test_predictions_round_trip_with_confusion_roc_and_worst_errors(client: httpx.Client):
    run = _running(client, "w1")
    probabilities = [0.9, 0.2, 0.4, 0.8, 0.7, 0.1, 0.95, 0.3]
    wrong = [{"index": 4, "label": 0, "probability": 0.7, "text": "dull and slow"},
             {"index": 2, "label": 1, "probability": 0.4, "text": "quietly great"}]
    assert _put(client, run["id"], {"probabilities": probabilities, "labels": LABELS, "wrong": wrong}).status_code == 204
    assert client.get(f"/api/runs/{run['id']}").json()["has_predictions"] is True
    body = client.get(f"/api/runs/{run['id']}/predictions").json()
    assert body["n"] == 8 and body["accuracy"] == pytest.approx(6 / 8)
    assert body["confusion"] == {"tn": 3, "fp": 1, "fn": 1, "tp": 3}
    assert body["roc"]["auc"] == pytest.approx(roc_auc_score(LABELS, probabilities))
    assert body["roc"]["fpr"][0] == 0.0 and body["roc"]["tpr"][-1] == 1.0
    assert sum(body["reliability"]["count"]) == 8
    assert len(body["reliability"]["count"]) == len(body["reliability"]["fraction_positive"])
    assert body["wrong"] == wrong
    client.post(f"/api/runs/{run['id']}/cancel")


@pytest.mark.parametrize(
    ("body", "loc_tail", "words"),
    [
        ({"probabilities": [0.5] * 7, "labels": LABELS}, None, "labels has 8 items but probabilities has 7"),
        ({"probabilities": [0.5, 1.5, *[0.5] * 6], "labels": LABELS}, ["probabilities", 1], "less than or equal to 1"),
        ({"probabilities": [0.5, -0.1, *[0.5] * 6], "labels": LABELS}, ["probabilities", 1], "greater than or equal to 0"),
        ({"probabilities": [0.5] * 8, "labels": [2, *LABELS[1:]]}, ["labels", 0], "less than or equal to 1"),
        ({"probabilities": [], "labels": []}, ["probabilities"], "at least 1"),
        ({"probabilities": [0.5] * 8, "labels": LABELS,
          "wrong": [{"index": 9, "label": 0, "probability": 0.9, "text": "x"}]}, None, "beyond the 8 test reviews"),
    ],
)
def test_bad_predictions_are_a_422_naming_what_is_wrong_and_nothing_is_stored(client: httpx.Client, body, loc_tail, words):
    run = _running(client, "w1")
    response = _put(client, run["id"], body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    if loc_tail:
        assert detail["loc"][-len(loc_tail):] == loc_tail
    assert words in detail["msg"]
    assert client.get(f"/api/runs/{run['id']}").json()["has_predictions"] is False
    assert client.get(f"/api/runs/{run['id']}/predictions").status_code == 404
    client.post(f"/api/runs/{run['id']}/cancel")


def test_nan_too_large_and_foreign_predictions_are_refused(client: httpx.Client):
    run = _running(client, "w1")
    nan = _put(client, run["id"], '{"worker": "w1", "probabilities": [0.5, NaN], "labels": [0, 1]}')
    assert nan.status_code == 422 and nan.json()["detail"][0]["loc"][-2:] == ["probabilities", 1]
    huge = _put(client, run["id"], {"probabilities": [0.123456789] * 600_000, "labels": [0] * 600_000})
    assert huge.status_code == 413 and "over the limit of 8,388,608 bytes" in huge.json()["detail"]
    foreign = _put(client, run["id"], {"probabilities": [0.5] * 8, "labels": LABELS}, worker="w2")
    assert foreign.status_code == 409
    assert client.get(f"/api/runs/{run['id']}/predictions").status_code == 404
    client.post(f"/api/runs/{run['id']}/cancel")


def test_disagreement_counts_and_mcnemar_on_a_hand_made_pair(client: httpx.Client):
    # first right on 0-5, second right on 0-1 and 6-7: 4 reviews only the first got right, 2 only the second
    first = _succeed(client, "w1", 0.75, [0.9, 0.1, 0.9, 0.9, 0.1, 0.1, 0.1, 0.9], tags=["pair"])
    second = _succeed(client, "w1", 0.5, [0.9, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.1], tags=["pair"])
    body = client.get("/api/compare/disagreement", params={"ids": f"{first['id']},{second['id']}"}).json()
    assert body["n"] == 8 and body["disagreements"] == 6 and body["rate"] == pytest.approx(0.75)
    assert (body["only_first_right"], body["only_second_right"]) == (4, 2)
    assert body["test"]["test"] == "McNemar's exact test"
    assert body["test"]["p_value"] == pytest.approx(stats.binomtest(4, 6, 0.5).pvalue)  # 0.6875
    assert body["test"]["reading"].startswith("no significant difference")
    assert sorted(review["index"] for review in body["reviews"]) == [2, 3, 4, 5, 6, 7]
    assert client.get("/api/compare/disagreement", params={"ids": str(first["id"])}).status_code == 422


def test_leaderboard_never_mixes_datasets_nor_ranks_cancelled_or_failed_runs(client: httpx.Client):
    seeds = iter(range(500, 600))
    def hp():
        return {"epochs": 3, "num_words": 100, "maxlen": 20, "embedding_dim": 8, "seed": next(seeds), "dropout": 0.31}
    for acc in (0.80, 0.82, 0.81):
        _succeed(client, "w1", acc, architecture="cnn", hyperparams=hp())
    for acc in (0.70, 0.72, 0.69):
        _succeed(client, "w1", acc, architecture="fasttext", hyperparams=hp())
    _succeed(client, "w1", 0.99, architecture="gru", dataset="imdb", hyperparams=hp())  # another dataset
    failed = _running(client, "w1", architecture="rnn", hyperparams=hp())
    post_epoch(client, failed["id"], 1, "w1", val_acc=0.99)
    finish(client, failed["id"], status="failed", worker="w1", error="boom", test_acc=0.99)
    cancelled = _running(client, "w1", architecture="bilstm", hyperparams=hp())
    post_epoch(client, cancelled["id"], 1, "w1", val_acc=0.99)
    finish(client, cancelled["id"], status="cancelled", worker="w1", test_acc=0.99)

    board = client.get("/api/leaderboard", params={"dataset": "synthetic"}).json()
    assert board["dataset"] == "synthetic"
    ranked = [entry["architecture"] for entry in board["entries"]]
    assert "gru" not in ranked and "rnn" not in ranked and "bilstm" not in ranked
    assert ranked.index("cnn") < ranked.index("fasttext")
    assert all(entry["best_run"]["dataset"] == "synthetic" and entry["best_run"]["status"] == "succeeded"
               for entry in board["entries"])
    welch = next(item for item in board["significance"] if item["other"] == "fasttext" and item["test"] == "Welch's t-test")
    assert board["entries"][0]["architecture"] == "cnn"
    expected = stats.ttest_ind([0.80, 0.82, 0.81], [0.70, 0.72, 0.69], equal_var=False)
    assert welch["p_value"] == pytest.approx(expected.pvalue)
    assert welch["reading"] == f"cnn ahead of fasttext, p = {expected.pvalue:.3f}"
    cnn = board["entries"][0]
    assert cnn["group"]["test_acc"]["n"] == 3 and cnn["single_seed"] is False and cnn["best_run"]["test_acc"] == 0.82
    imdb = client.get("/api/leaderboard", params={"dataset": "imdb"}).json()
    assert [entry["architecture"] for entry in imdb["entries"]] == ["gru"]
    assert imdb["entries"][0]["single_seed"] is True
    assert {item["name"] for item in board["datasets"]} >= {"synthetic", "imdb"}
    assert client.get("/api/leaderboard").json()["dataset"] == "imdb"  # the real reviews first when any qualify
