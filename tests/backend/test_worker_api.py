"""The worker endpoints driven over plain HTTP: claim, heartbeat, epochs, progress, finish, checkpoint, predict."""

import io
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
import pytest
import torch

from tests.support.factories import claim, epoch_row, finish, launch, launch_and_claim, post_epoch
from worker.contestants import REGISTRY, parse_hyperparams
from worker.inference import Predictor

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL


def test_register_returns_lease_terms(client: httpx.Client):
    response = client.post("/api/worker/register", json={"name": "w-reg", "host": "box", "device": "cpu"})
    assert response.status_code == 200
    assert response.json() == {"name": "w-reg", "lease_seconds": 30.0, "heartbeat_seconds": 10.0}


def test_claim_with_empty_queue_is_204(client: httpx.Client):
    assert claim(client).status_code == 204


def test_claim_hands_out_oldest_run_running_under_the_worker(client: httpx.Client):
    run = launch(client)
    response = claim(client, "w1")
    assert response.status_code == 200
    body = response.json()
    assert body["run"] == {
        "id": run["id"], "name": run["name"], "architecture": "lstm", "dataset": "synthetic", "hyperparams": run["hyperparams"]
    }
    assert body["lease_expires_at"].endswith("Z")
    claimed = client.get(f"/api/runs/{run['id']}").json()
    assert (claimed["status"], claimed["worker"], claimed["device"], claimed["attempts"]) == ("running", "w1", "cpu", 1)
    assert datetime.fromisoformat(claimed["started_at"]) >= datetime.fromisoformat(run["created_at"])
    assert datetime.fromisoformat(body["lease_expires_at"]) > datetime.fromisoformat(claimed["started_at"])


def test_waiting_claim_wakes_when_a_run_is_launched(client: httpx.Client, module_backend):
    with ThreadPoolExecutor(1) as pool, httpx.Client(base_url=module_backend[0], timeout=30) as other:
        waiting = pool.submit(claim, other, "w1", 20)
        time.sleep(0.5)
        run = launch(client)
        started = time.monotonic()
        response = waiting.result(timeout=5)
        assert time.monotonic() - started < 1.0
    assert response.status_code == 200
    assert response.json()["run"]["id"] == run["id"]


def test_concurrent_claims_hand_each_run_out_once(client: httpx.Client, module_backend):
    launched = {launch(client)["id"] for _ in range(4)}

    def one_claim(index: int) -> httpx.Response:
        with httpx.Client(base_url=module_backend[0], timeout=10) as http:
            return claim(http, f"wc{index}")

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(one_claim, range(8)))
    claimed = [response.json()["run"]["id"] for response in responses if response.status_code == 200]
    assert sorted(claimed) == sorted(launched)
    assert sum(response.status_code == 204 for response in responses) == 4


def test_heartbeat_renews_lease_without_cancel(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.post(f"/api/worker/runs/{run['id']}/heartbeat", json={"worker": "w1"})
    assert response.status_code == 200
    assert response.json()["cancel"] is False


def test_heartbeat_from_another_worker_is_409(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.post(f"/api/worker/runs/{run['id']}/heartbeat", json={"worker": "w2"})
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is not leased to worker w2"}


def test_heartbeat_of_unknown_run_is_404(client: httpx.Client):
    response = client.post("/api/worker/runs/999/heartbeat", json={"worker": "w1"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_cancel_running_run_turns_cancelling_and_heartbeat_says_cancel(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.post(f"/api/runs/{run['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelling"
    heartbeat = client.post(f"/api/worker/runs/{run['id']}/heartbeat", json={"worker": "w1"})
    assert heartbeat.json()["cancel"] is True
    finished = finish(client, run["id"], "cancelled")
    assert finished.status_code == 200
    assert finished.json()["status"] == "cancelled"


def test_epoch_row_is_stored_and_updates_summary(client: httpx.Client):
    run = launch_and_claim(client)
    assert post_epoch(client, run["id"], 1, val_acc=0.6, val_loss=0.5).status_code == 201
    assert post_epoch(client, run["id"], 2, val_acc=0.7, val_loss=0.45).status_code == 201
    assert post_epoch(client, run["id"], 3, val_acc=0.65, val_loss=0.5).status_code == 201
    summary = client.get(f"/api/runs/{run['id']}").json()
    assert (summary["epochs_done"], summary["best_epoch"], summary["best_val_acc"], summary["best_val_loss"]) == (3, 2, 0.7, 0.45)
    assert summary["seconds_per_epoch"] == 1.5
    metrics = client.get(f"/api/runs/{run['id']}/metrics").json()
    assert [point["epoch"] for point in metrics] == [1, 2, 3]
    assert metrics[0] == {key: value for key, value in epoch_row(1, val_acc=0.6, val_loss=0.5).items() if key != "worker"}


def test_retried_epoch_post_is_200_without_duplicate_row(client: httpx.Client):
    run = launch_and_claim(client)
    assert post_epoch(client, run["id"], 1).status_code == 201
    retry = post_epoch(client, run["id"], 1, val_acc=0.99)
    assert retry.status_code == 200
    assert len(client.get(f"/api/runs/{run['id']}/metrics").json()) == 1
    summary = client.get(f"/api/runs/{run['id']}").json()
    assert (summary["epochs_done"], summary["best_val_acc"]) == (1, 0.58)


def test_nan_metric_is_stored_as_null(client: httpx.Client):
    run = launch_and_claim(client)
    body = epoch_row(1)
    content = httpx.Request("POST", "/", json=body).content.replace(b'"train_loss":0.6', b'"train_loss":NaN')
    content = content.replace(b'"train_loss": 0.6', b'"train_loss": NaN')
    assert b"NaN" in content
    response = client.post(
        f"/api/worker/runs/{run['id']}/epochs", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201
    assert client.get(f"/api/runs/{run['id']}/metrics").json()[0]["train_loss"] is None


def test_epoch_row_with_bad_values_is_422_naming_the_field_and_bound(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.post(f"/api/worker/runs/{run['id']}/epochs", json=epoch_row(0) | {"val_acc": "high"})
    assert response.status_code == 422
    errors = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert errors[("body", "epoch")] == "Input should be greater than or equal to 1"
    assert "valid number" in errors[("body", "val_acc")]
    assert client.get(f"/api/runs/{run['id']}/metrics").json() == []


def test_epoch_row_that_is_not_json_is_422(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.post(
        f"/api/worker/runs/{run['id']}/epochs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_epoch_from_another_worker_is_409(client: httpx.Client):
    run = launch_and_claim(client)
    response = post_epoch(client, run["id"], 1, worker="w2")
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is not leased to worker w2"}


def test_progress_shows_on_the_running_run(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.post(
        f"/api/worker/runs/{run['id']}/progress", json={"worker": "w1", "epoch": 1, "fraction": 0.5, "loss": 0.69}
    )
    assert (response.status_code, response.json()) == (200, {"cancel": False})
    assert client.get(f"/api/runs/{run['id']}").json()["progress"] == {"epoch": 1, "fraction": 0.5, "loss": 0.69}


def test_progress_reply_carries_the_cancel_of_a_cancelling_run(client: httpx.Client):
    run = launch_and_claim(client)
    assert client.post(f"/api/runs/{run['id']}/cancel").json()["status"] == "cancelling"
    response = client.post(
        f"/api/worker/runs/{run['id']}/progress", json={"worker": "w1", "epoch": 1, "fraction": 0.6, "loss": 0.6}
    )
    finish(client, run["id"], "cancelled")
    assert (response.status_code, response.json()) == (200, {"cancel": True})


def test_finish_succeeded_records_test_metrics(client: httpx.Client):
    run = launch_and_claim(client)
    post_epoch(client, run["id"], 1)
    response = finish(client, run["id"], "succeeded", test_acc=0.81, test_loss=0.42, best_epoch=1, device="cpu")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["test_acc"], body["test_loss"], body["error"]) == ("succeeded", 0.81, 0.42, None)
    started, ended = datetime.fromisoformat(body["started_at"]), datetime.fromisoformat(body["finished_at"])
    assert ended >= started and body["duration_seconds"] == pytest.approx((ended - started).total_seconds())


def test_finish_failed_keeps_the_error(client: httpx.Client):
    run = launch_and_claim(client)
    response = finish(client, run["id"], "failed", error="DatasetUnavailable: set BATTLEFIELD_ACLIMDB")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["error"]) == ("failed", "DatasetUnavailable: set BATTLEFIELD_ACLIMDB")


def test_finish_by_another_worker_is_409(client: httpx.Client):
    run = launch_and_claim(client)
    response = finish(client, run["id"], worker="w2")
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is not leased to worker w2"}


def test_cancel_finished_run_is_409(client: httpx.Client):
    run = launch_and_claim(client)
    finish(client, run["id"])
    response = client.post(f"/api/runs/{run['id']}/cancel")
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is succeeded; only queued or running runs can be cancelled"}


def test_delete_running_run_is_409(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.delete(f"/api/runs/{run['id']}")
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is running; cancel it before deleting"}


def test_delete_finished_run_removes_metrics_and_checkpoint(client: httpx.Client, module_backend):
    run = launch_and_claim(client)
    post_epoch(client, run["id"], 1)
    client.put(f"/api/worker/runs/{run['id']}/checkpoint", params={"worker": "w1"}, content=b"not really a checkpoint")
    finish(client, run["id"])
    checkpoint = module_backend[1] / "checkpoints" / f"{run['id']}.pt"
    assert checkpoint.exists()
    assert client.delete(f"/api/runs/{run['id']}").status_code == 204
    assert not checkpoint.exists()
    assert client.get(f"/api/runs/{run['id']}/metrics").status_code == 404


def _tiny_checkpoint() -> bytes:
    """A real lstm contestant's weights saved in the documented checkpoint format."""
    torch.manual_seed(0)
    hyperparams = parse_hyperparams("lstm", {"num_words": 100, "maxlen": 20, "embedding_dim": 8, "hidden_dim": 8})
    model = REGISTRY["lstm"].build(hyperparams)
    buffer = io.BytesIO()
    torch.save(
        {
            "architecture": "lstm",
            "dataset": "synthetic",
            "hyperparams": hyperparams.model_dump(mode="json"),
            "state_dict": model.state_dict(),
            "vocab": ["good", "bad", "film"],
        },
        buffer,
    )
    return buffer.getvalue()


def test_predict_scores_text_with_uploaded_checkpoint(client: httpx.Client, tmp_path):
    run = launch_and_claim(client)
    upload = client.put(
        f"/api/worker/runs/{run['id']}/checkpoint",
        params={"worker": "w1"},
        content=_tiny_checkpoint(),
        headers={"content-type": "application/octet-stream"},
    )
    assert upload.status_code == 204
    finish(client, run["id"])
    assert client.get(f"/api/runs/{run['id']}").json()["has_checkpoint"] is True
    response = client.post(f"/api/runs/{run['id']}/predict", json={"text": "a good film"})
    assert response.status_code == 200
    body = response.json()
    local = tmp_path / "tiny.pt"
    local.write_bytes(_tiny_checkpoint())
    assert body["run_id"] == run["id"]
    assert body["probability"] == pytest.approx(Predictor.from_checkpoint(local).predict("a good film"), abs=1e-6)
    assert body["label"] == ("positive" if body["probability"] >= 0.5 else "negative")


def test_checkpoint_from_another_worker_is_409(client: httpx.Client):
    run = launch_and_claim(client)
    response = client.put(f"/api/worker/runs/{run['id']}/checkpoint", params={"worker": "w2"}, content=b"x")
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is not leased to worker w2"}


def test_leaderboard_shows_each_contestants_group_and_its_best_run(client: httpx.Client):
    weaker = launch_and_claim(client, architecture="gru")
    post_epoch(client, weaker["id"], 1, val_acc=0.9)
    finish(client, weaker["id"], test_acc=0.6)
    better = launch_and_claim(client, architecture="gru", hyperparams={**weaker["hyperparams"], "seed": 43})
    post_epoch(client, better["id"], 1, val_acc=0.6)
    finish(client, better["id"], test_acc=0.9)
    entries = client.get("/api/leaderboard", params={"dataset": "synthetic"}).json()["entries"]
    gru = next(entry for entry in entries if entry["architecture"] == "gru")
    assert gru["best_run"]["id"] == better["id"]
    assert gru["group"]["run_ids"] == [weaker["id"], better["id"]] and gru["group"]["test_acc"]["mean"] == 0.75
    assert gru["title"]


def test_predict_with_an_unreadable_checkpoint_is_409_with_the_reason(client: httpx.Client):
    run = launch_and_claim(client)
    upload = client.put(f"/api/worker/runs/{run['id']}/checkpoint", params={"worker": "w1"}, content=b"not a torch file",
                        headers={"content-type": "application/octet-stream"})
    assert upload.status_code == 204
    response = client.post(f"/api/runs/{run['id']}/predict", json={"text": "great film"})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith(f"Run {run['id']}'s checkpoint cannot be loaded (") and detail.endswith("clone the run to train it again")
