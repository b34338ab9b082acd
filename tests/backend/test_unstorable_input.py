"""Text a database cannot store and numbers JSON cannot echo get a 422 naming the field, never a 500."""

import json

import httpx

from tests.support.factories import launch_and_claim

JSON = {"content-type": "application/json"}


def _error(response: httpx.Response) -> dict:
    """The one error of a 422."""
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    return error


def test_unpaired_surrogates_and_nul_characters_are_refused_in_run_fields(client: httpx.Client):
    launch = {"architecture": "lstm", "dataset": "synthetic"}
    surrogate = client.post("/api/runs", content=json.dumps({**launch, "notes": "\ud800"}), headers=JSON)
    error = _error(surrogate)
    assert error["loc"] == ["body", "notes"] and "unpaired surrogate" in error["msg"]
    assert error["input"] == "\\ud800"
    assert _error(client.post("/api/runs", json={**launch, "name": "a\x00b"}))["loc"] == ["body", "name"]
    assert _error(client.post("/api/runs", json={**launch, "tags": ["ok", "x\x00"]}))["loc"] == ["body", "tags", 1]
    assert client.get("/api/runs").json()["count"] == 0


def test_worker_fields_refuse_nul_and_non_finite_numbers(client: httpx.Client):
    assert _error(client.post("/api/worker/register", json={"name": "w\x00"}))["loc"] == ["body", "name"]
    wait = _error(client.post("/api/worker/claim", content=b'{"worker": "w1", "wait": NaN}', headers=JSON))
    assert (wait["loc"], wait["type"], wait["input"]) == (["body", "wait"], "finite_number", "nan")
    run = launch_and_claim(client)
    progress = client.post(f"/api/worker/runs/{run['id']}/progress",
                           content=b'{"worker": "w1", "epoch": 1, "fraction": Infinity}', headers=JSON)
    assert _error(progress)["loc"] == ["body", "fraction"]


def test_list_filters_refuse_nul(client: httpx.Client):
    assert _error(client.get("/api/runs", params={"tag": "a\x00"}))["loc"] == ["query", "tag"]
    assert _error(client.get("/api/runs", params={"architecture": "\x00"}))["loc"] == ["query", "architecture"]
