"""The public REST API without a worker: catalogue, launch and its validation, listing, labels, clone, delete."""

from datetime import datetime

import httpx
import pytest

from tests.support.factories import launch
from worker.record_format import RECORD_FORMAT

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL


def test_health_reports_ok_and_the_database_kind(client: httpx.Client, database):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "0.1.0", "database": database.kind, "workers": 0}


def test_architectures_list_every_contestant_with_schema_and_seed_preset(client: httpx.Client):
    response = client.get("/api/architectures")
    assert response.status_code == 200
    by_name = {item["name"]: item for item in response.json()}
    assert {"ff_raw", "ff_embedding", "cnn", "rnn", "lstm", "cnn_lstm"} <= set(by_name)
    lstm = by_name["lstm"]
    assert lstm["params_schema"]["properties"]["lr"]["exclusiveMinimum"] == 0
    assert "seed" in lstm["presets"]


def test_summary_counts_parameters_without_training(client: httpx.Client):
    response = client.post("/api/architectures/lstm/summary", json={"num_words": 100, "embedding_dim": 8})
    assert response.status_code == 200
    body = response.json()
    assert body["param_count"] == sum(layer["params"] for layer in body["layers"])
    assert body["layers"][0]["params"] == 100 * 8


def test_summary_of_unknown_contestant_is_404(client: httpx.Client):
    response = client.post("/api/architectures/resnet/summary", json={})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Unknown contestant 'resnet'; choose one of: ff_raw, ")


def test_summary_with_invalid_value_is_422_at_the_field(client: httpx.Client):
    response = client.post("/api/architectures/lstm/summary", json={"lr": 0})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "lr"], "msg": "lr must be greater than 0 (got 0)", "type": "greater_than"}
    ]


def test_datasets_list_synthetic(client: httpx.Client):
    response = client.get("/api/datasets")
    assert response.status_code == 200
    assert "synthetic" in {item["name"] for item in response.json()}


def test_launch_queues_run_with_defaults_filled_in(client: httpx.Client):
    response = client.post(
        "/api/runs", json={"architecture": "lstm", "dataset": "synthetic", "hyperparams": {"epochs": 2}, "tags": ["t1"]}
    )
    assert response.status_code == 201
    run = response.json()
    assert run["status"] == "queued"
    assert run["name"] == f"lstm #{run['id']}"
    assert run["hyperparams"]["epochs"] == 2
    assert run["hyperparams"]["optimizer"] == "adam"
    assert run["epochs_total"] == 2 and run["epochs_done"] == 0
    counted = client.post("/api/architectures/lstm/summary", json=run["hyperparams"]).json()["param_count"]
    assert run["param_count"] == counted > 0
    assert run["created_at"].endswith("Z")
    assert run["tags"] == ["t1"] and run["progress"] is None and run["has_checkpoint"] is False


def test_launch_unknown_contestant_is_422_listing_the_choices(client: httpx.Client):
    response = client.post("/api/runs", json={"architecture": "resnet", "dataset": "synthetic"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "architecture"]
    assert error["msg"].startswith("Unknown contestant 'resnet'; choose one of: ff_raw, ff_embedding, cnn, ")


def test_launch_unknown_dataset_is_422_at_dataset(client: httpx.Client):
    response = client.post("/api/runs", json={"architecture": "lstm", "dataset": "mnist"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "dataset"]
    assert error["msg"].startswith("Unknown dataset 'mnist'; choose one of: ")


def test_launch_hyperparameter_out_of_bounds_is_422_naming_the_bound(client: httpx.Client):
    response = client.post("/api/runs", json={"architecture": "lstm", "dataset": "synthetic", "hyperparams": {"lr": -1.0}})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "hyperparams", "lr"], "msg": "lr must be greater than 0 (got -1.0)", "type": "greater_than"}
    ]


def test_launch_hyperparameter_of_wrong_type_is_422(client: httpx.Client):
    response = client.post(
        "/api/runs", json={"architecture": "lstm", "dataset": "synthetic", "hyperparams": {"epochs": "many"}}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "hyperparams", "epochs"], "msg": "epochs must be an integer (got 'many')", "type": "int_parsing"}
    ]


def test_launch_unknown_hyperparameter_lists_the_names_it_takes(client: httpx.Client):
    response = client.post(
        "/api/runs", json={"architecture": "rnn", "dataset": "synthetic", "hyperparams": {"filters": 3}}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "hyperparams", "filters"]
    assert error["msg"].startswith("Unknown hyperparameter 'filters' for rnn; it takes: batch_size, ")
    assert "hidden_dim" in error["msg"]


def test_read_unknown_run_is_404(client: httpx.Client):
    response = client.get("/api/runs/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_read_run_returns_it(client: httpx.Client):
    run = launch(client)
    response = client.get(f"/api/runs/{run['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == run["id"]


def test_list_filters_by_tag_and_architecture_newest_first(client: httpx.Client):
    first = launch(client, "gru", tags=["list-test"])
    second = launch(client, "gru", tags=["list-test", "other"])
    launch(client, "rnn", tags=["list-test"])
    response = client.get("/api/runs", params={"tag": "list-test", "architecture": "gru"})
    assert response.status_code == 200
    body = response.json()
    assert [run["id"] for run in body["data"]] == [second["id"], first["id"]]
    assert body["count"] == 2


def test_list_paginates_with_total_count(client: httpx.Client):
    for _ in range(3):
        launch(client, "gru", tags=["page-test"])
    response = client.get("/api/runs", params={"tag": "page-test", "limit": 2, "offset": 1})
    body = response.json()
    assert len(body["data"]) == 2 and body["count"] == 3


def test_list_with_unknown_status_is_422(client: httpx.Client):
    response = client.get("/api/runs", params={"status": "sleeping"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status"]


def test_patch_changes_name_tags_and_notes(client: httpx.Client):
    run = launch(client)
    response = client.patch(f"/api/runs/{run['id']}", json={"name": "mine", "tags": ["a"], "notes": "n"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["tags"], response.json()["notes"]) == ("mine", ["a"], "n")


def test_patch_unknown_run_is_404(client: httpx.Client):
    response = client.patch("/api/runs/999", json={"notes": "x"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_cancel_queued_run_cancels_it_at_once(client: httpx.Client):
    run = launch(client)
    response = client.post(f"/api/runs/{run['id']}/cancel")
    assert response.status_code == 200
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["started_at"] is None   # it never ran; it ended when cancelled
    assert datetime.fromisoformat(cancelled["finished_at"]) >= datetime.fromisoformat(run["created_at"])


def test_cancel_cancelled_run_is_409(client: httpx.Client):
    run = launch(client)
    client.post(f"/api/runs/{run['id']}/cancel")
    response = client.post(f"/api/runs/{run['id']}/cancel")
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is cancelled; only queued or running runs can be cancelled"}


def test_launch_records_todays_format_and_a_clone_keeps_its_source_s(client: httpx.Client):
    run = launch(client)
    assert run["record_format"] == RECORD_FORMAT == 2
    assert client.get(f"/api/runs/{run['id']}").json()["record_format"] == RECORD_FORMAT
    clone = client.post(f"/api/runs/{run['id']}/clone").json()
    assert clone["record_format"] == run["record_format"]


def test_clone_queues_a_copy_of_the_config(client: httpx.Client):
    run = launch(client, tags=["c"])
    response = client.post(f"/api/runs/{run['id']}/clone")
    assert response.status_code == 201
    clone = response.json()
    assert clone["id"] != run["id"] and clone["clone_of"] == run["id"] and clone["status"] == "queued"
    assert clone["hyperparams"] == run["hyperparams"] and clone["tags"] == ["c"]


def test_delete_queued_run_removes_it(client: httpx.Client):
    run = launch(client)
    assert client.delete(f"/api/runs/{run['id']}").status_code == 204
    assert client.get(f"/api/runs/{run['id']}").status_code == 404


def test_delete_unknown_run_is_404(client: httpx.Client):
    response = client.delete("/api/runs/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_metrics_of_new_run_are_empty(client: httpx.Client):
    run = launch(client)
    response = client.get(f"/api/runs/{run['id']}/metrics")
    assert response.status_code == 200
    assert response.json() == []


def test_metrics_of_unknown_run_is_404(client: httpx.Client):
    response = client.get("/api/runs/999/metrics")
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_compare_returns_runs_in_the_order_asked(client: httpx.Client):
    first, second = launch(client), launch(client)
    response = client.get("/api/compare", params={"ids": f"{second['id']},{first['id']}"})
    assert response.status_code == 200
    assert [entry["run"]["id"] for entry in response.json()["runs"]] == [second["id"], first["id"]]


def test_compare_names_the_missing_run(client: httpx.Client):
    run = launch(client)
    response = client.get("/api/compare", params={"ids": f"{run['id']},999"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_predict_on_unknown_run_is_404(client: httpx.Client):
    response = client.post("/api/runs/999/predict", json={"text": "great"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_predict_without_checkpoint_is_409(client: httpx.Client):
    run = launch(client)
    response = client.post(f"/api/runs/{run['id']}/predict", json={"text": "great film"})
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} has no checkpoint yet; predict needs a finished run"}


def test_predict_with_empty_text_is_422(client: httpx.Client):
    run = launch(client)
    response = client.post(f"/api/runs/{run['id']}/predict", json={"text": "  "})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["msg"]) == (["body", "text"], "text must not be empty")


def test_openapi_documents_every_resource(client: httpx.Client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/runs", "/api/runs/{run_id}/events", "/api/worker/claim", "/api/leaderboard", "/api/compare"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_plotly_bundle_is_served(client: httpx.Client):
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
