"""Workers register what they run on (and an incompatible version is refused); GET /api/workers lists them with their state."""

import httpx
import pytest

from backend import __version__
from tests.support.factories import claim, finish, launch
from tests.support.live import running_worker, wait_for

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL

GPU_BOX = {
    "host": "gpu-box-3", "device": "cuda:1", "device_name": "NVIDIA H100 80GB HBM3",
    "memory_total_bytes": 85_520_809_984, "memory_free_bytes": 84_000_000_000,
    "torch_version": "2.13.0+cu128", "cuda_version": "12.8", "version": __version__,
}


def _listed(client: httpx.Client, name: str) -> dict | None:
    return next((w for w in client.get("/api/workers").json() if w["name"] == name), None)


def test_registration_is_listed_with_device_memory_and_versions_idle(client: httpx.Client):
    assert client.post("/api/worker/register", json={"name": "wr-gpu", **GPU_BOX}).status_code == 200

    listed = _listed(client, "wr-gpu")

    assert {key: listed[key] for key in GPU_BOX} == GPU_BOX
    assert listed["state"] == "idle"
    assert listed["current_run_id"] is None
    assert listed["registered_at"].endswith("Z") and listed["last_seen"].endswith("Z")
    assert 0 <= listed["seconds_since_seen"] < 30


def test_an_incompatible_worker_version_is_refused_with_what_to_do(client: httpx.Client):
    response = client.post("/api/worker/register", json={"name": "wr-old", **GPU_BOX, "version": "99.3.0"})

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "99.3.0" in detail and __version__ in detail and "Install" in detail
    assert _listed(client, "wr-old") is None


def test_a_patch_release_apart_is_compatible(client: httpx.Client):
    major, minor = __version__.split(".")[:2]
    response = client.post("/api/worker/register", json={"name": "wr-patch", "version": f"{major}.{minor}.99"})
    assert response.status_code == 200


def test_a_worker_holding_a_run_is_training_on_it_then_idle_again(client: httpx.Client):
    client.post("/api/worker/register", json={"name": "wr-train", **GPU_BOX})
    run = launch(client)
    assert claim(client, "wr-train").json()["run"]["id"] == run["id"]

    training = _listed(client, "wr-train")
    assert (training["state"], training["current_run_id"], training["current_run_name"]) == ("training", run["id"], run["name"])

    assert finish(client, run["id"], worker="wr-train").status_code == 200
    assert _listed(client, "wr-train")["state"] == "idle"


def test_a_real_worker_reports_its_host_device_and_versions(client: httpx.Client, module_backend):
    url, data_dir = module_backend
    with running_worker(url, name="wr-real", data_dir=data_dir):
        listed = wait_for(lambda: _listed(client, "wr-real"), timeout=60)

    assert listed["device"] == "cpu"
    assert listed["device_name"]
    assert listed["memory_total_bytes"] >= listed["memory_free_bytes"] > 0
    assert listed["torch_version"].startswith("2.")
    assert listed["version"] == __version__
    assert listed["host"]
