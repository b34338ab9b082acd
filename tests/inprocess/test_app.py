"""The app in this process through httpx's ASGITransport: GET /api/meta and a worker's round trip."""

import pytest

from backend import store
from worker.catalog import HYPERPARAM_GROUPS, NOTEBOOK_TEST_ACC

pytestmark = pytest.mark.anyio


async def test_meta_serves_the_status_sets_groups_and_notebook_figures(api):
    response = await api.get("/api/meta")
    assert response.status_code == 200
    meta = response.json()
    assert meta["statuses"] == ["queued", "running", "cancelling", "succeeded", "failed", "cancelled"]
    assert meta["active_statuses"] == ["running", "cancelling"]
    assert meta["terminal_statuses"] == ["succeeded", "failed", "cancelled"]
    assert meta["end_reasons"] == ["lease_lost", "cancelled", "diverged", "error"]
    assert [group["name"] for group in meta["hyperparam_groups"]] == list(HYPERPARAM_GROUPS)
    assert meta["hyperparam_groups"][2] == {"name": "Data", "fields": ["num_words", "maxlen", "val_split"]}
    assert meta["notebook_test_acc"] == NOTEBOOK_TEST_ACC and meta["notebook_test_acc"]["cnn"] is None


async def test_worker_round_trip_records_why_the_run_ended(api):
    launched = await api.post("/api/runs", json={"architecture": "fasttext", "dataset": "synthetic",
                                                 "hyperparams": {"epochs": 1, "num_words": 100, "maxlen": 20}})
    assert launched.status_code == 201, launched.text
    run_id = launched.json()["id"]
    claimed = await api.post("/api/worker/claim", json={"worker": "w1", "device": "cpu"})
    assert claimed.json()["run"]["id"] == run_id
    row = await api.post(f"/api/worker/runs/{run_id}/epochs", content=b'{"worker":"w1","epoch":1,"train_loss":NaN}',
                         headers={"Content-Type": "application/json"})
    assert row.status_code == 201
    finished = await api.post(f"/api/worker/runs/{run_id}/finish", json={
        "worker": "w1", "status": "failed", "end_reason": "diverged", "error": "Training diverged at epoch 1"})
    assert (finished.json()["status"], finished.json()["end_reason"]) == ("failed", "diverged")
    metrics = (await api.get(f"/api/runs/{run_id}/metrics")).json()
    assert metrics[0]["train_loss"] is None


async def test_finish_with_an_unknown_end_reason_is_422_naming_the_field(api):
    response = await api.post("/api/worker/runs/1/finish", json={"worker": "w1", "status": "failed",
                                                                "end_reason": "lease_lost"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "end_reason"]


async def test_a_clone_keeps_the_record_format_of_its_source(api, session):
    source = store.create_run(session, architecture="fasttext", dataset="synthetic", hyperparams={"epochs": 1},
                              param_count=10, record_format=1)   # hyperparameters recorded under format 1
    clone = await api.post(f"/api/runs/{source.id}/clone")
    assert clone.status_code == 201, clone.text
    assert (clone.json()["clone_of"], clone.json()["record_format"]) == (source.id, 1)
    assert (await api.get(f"/api/runs/{source.id}")).json()["record_format"] == 1
