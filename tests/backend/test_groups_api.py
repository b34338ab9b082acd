"""Repeats and groups over the REST API: same config joins, a different hyperparameter does not, statistics."""

import httpx
import pytest
from scipy import stats

from tests.support.factories import TINY_HYPERPARAMS, claim, finish, launch, post_epoch


def _finish_run(client: httpx.Client, run_id: int, worker: str, test_acc: float, val_accs: list[float]) -> None:
    response = claim(client, worker)
    assert response.status_code == 200 and response.json()["run"]["id"] == run_id, response.text
    for epoch, val_acc in enumerate(val_accs, start=1):
        assert post_epoch(client, run_id, epoch, worker, val_acc=val_acc).status_code == 201
    assert finish(client, run_id, worker=worker, test_acc=test_acc).status_code == 200


def test_repeats_launch_runs_differing_only_in_seed(client: httpx.Client):
    response = client.post("/api/runs", json={"architecture": "gru", "dataset": "synthetic", "repeats": 3,
                                              "hyperparams": {**TINY_HYPERPARAMS, "seed": 7}, "tags": ["rep"]})
    assert response.status_code == 201, response.text
    ids = response.json()["launched_ids"]
    assert len(ids) == 3 and response.json()["id"] == ids[0]
    runs = [client.get(f"/api/runs/{run_id}").json() for run_id in ids]
    assert [run["hyperparams"]["seed"] for run in runs] == [7, 8, 9]
    assert len({run["group_id"] for run in runs}) == 1
    without_seed = [{k: v for k, v in run["hyperparams"].items() if k != "seed"} for run in runs]
    assert without_seed[0] == without_seed[1] == without_seed[2]
    group = client.get(f"/api/groups/{runs[0]['group_id']}").json()
    assert group["run_ids"] == ids and group["n"] == 3 and group["n_finished"] == 0
    for run_id in ids:
        client.post(f"/api/runs/{run_id}/cancel")


def test_a_run_launched_alone_joins_its_group_and_a_different_hyperparameter_does_not(client: httpx.Client):
    first = launch(client, architecture="rnn", hyperparams={**TINY_HYPERPARAMS, "seed": 1})
    same = launch(client, architecture="rnn", hyperparams={**TINY_HYPERPARAMS, "seed": 2})
    spelt_out = launch(client, architecture="rnn", hyperparams={**first["hyperparams"], "seed": 3})
    other = launch(client, architecture="rnn", hyperparams={**TINY_HYPERPARAMS, "seed": 1, "lr": 0.005})
    assert first["group_id"] == same["group_id"] == spelt_out["group_id"]
    assert other["group_id"] != first["group_id"]
    assert client.get(f"/api/groups/{first['group_id']}").json()["run_ids"] == [first["id"], same["id"], spelt_out["id"]]
    assert client.get(f"/api/groups/{other['group_id']}").json()["run_ids"] == [other["id"]]
    for run in (first, same, spelt_out, other):
        client.post(f"/api/runs/{run['id']}/cancel")


@pytest.mark.parametrize("repeats", [0, 21, "three"])
def test_repeats_outside_1_to_20_is_a_422_naming_the_field(client: httpx.Client, repeats):
    before = client.get("/api/runs").json()["count"]
    response = client.post("/api/runs", json={"architecture": "gru", "dataset": "synthetic", "repeats": repeats})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "repeats"]
    assert client.get("/api/runs").json()["count"] == before


def test_repeats_past_the_largest_seed_is_a_422_and_nothing_is_queued(client: httpx.Client):
    before = client.get("/api/runs").json()["count"]
    response = client.post("/api/runs", json={"architecture": "gru", "dataset": "synthetic", "repeats": 5,
                                              "hyperparams": {"seed": 2**31 - 3}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "repeats"]
    assert client.get("/api/runs").json()["count"] == before


def test_group_statistics_match_scipy_and_the_curve_counts_runs_per_epoch(client: httpx.Client):
    hyperparams = {**TINY_HYPERPARAMS, "seed": 100, "hidden_dim": 12}
    launched = client.post("/api/runs", json={"architecture": "lstm", "dataset": "synthetic", "repeats": 3,
                                              "hyperparams": hyperparams}).json()["launched_ids"]
    test_accs = [0.81, 0.84, 0.79]
    curves = [[0.6, 0.7, 0.8], [0.62, 0.74], [0.58, 0.69, 0.77]]  # the second stopped after 2 epochs
    for run_id, test_acc, curve in zip(launched, test_accs, curves, strict=True):
        _finish_run(client, run_id, "w1", test_acc, curve)
    group_id = client.get(f"/api/runs/{launched[0]}").json()["group_id"]
    group = client.get(f"/api/groups/{group_id}").json()
    assert group["n"] == 3 and group["n_finished"] == 3
    described = stats.describe(test_accs)
    low, high = stats.t.interval(0.95, 2, loc=described.mean, scale=stats.sem(test_accs))
    assert group["test_acc"]["mean"] == pytest.approx(described.mean)
    assert group["test_acc"]["sd"] == pytest.approx(described.variance ** 0.5)
    assert (group["test_acc"]["ci_low"], group["test_acc"]["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert group["best_val_acc"]["mean"] == pytest.approx((0.8 + 0.74 + 0.77) / 3)
    assert [run["id"] for run in group["runs"]] == launched
    curve = client.get(f"/api/groups/{group_id}/curve").json()["points"]
    assert [(point["epoch"], point["n"]) for point in curve] == [(1, 3), (2, 3), (3, 2)]
    assert curve[2]["val_acc"]["mean"] == pytest.approx((0.8 + 0.77) / 2)
    assert curve[0]["val_acc"]["sd"] == pytest.approx(stats.tstd([0.6, 0.62, 0.58]))
    listed = client.get("/api/groups", params={"architecture": "lstm", "status": "succeeded"}).json()
    assert any(item["id"] == group_id and item["n"] == 3 for item in listed["data"])


def test_an_unknown_group_is_404_and_a_malformed_id_is_422(client: httpx.Client):
    missing = client.get("/api/groups/0123456789abcdef")
    assert missing.status_code == 404
    assert "0123456789abcdef" in missing.json()["detail"]
    assert client.get("/api/groups/not-a-group").status_code == 422
    assert client.get("/api/groups", params={"status": "bogus"}).status_code == 422
