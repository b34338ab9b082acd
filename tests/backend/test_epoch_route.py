"""The epoch POST's lean path (body parsed by the route itself) answers exactly as FastAPI's own handler.

That it enforces the worker token too is in tests/integration/test_worker_token.py (a backend that wants one)."""

import httpx

from tests.support.factories import epoch_row, launch_and_claim

JSON = {"content-type": "application/json"}  # the lean path; any other content type takes FastAPI's


def post(client: httpx.Client, path: str, content: bytes, headers: dict = JSON) -> httpx.Response:
    return client.post(path, content=content, headers=headers)


def test_lean_and_standard_paths_store_and_answer_alike(client: httpx.Client):
    run = launch_and_claim(client)
    path = f"/api/worker/runs/{run['id']}/epochs"
    row = httpx.Request("POST", "/", json=epoch_row(1)).content
    assert post(client, path, row).json() == {"run_id": run["id"], "epoch": 1, "created": True}
    assert post(client, path, row, {"content-type": "application/json; charset=utf-8"}).status_code == 200
    second = httpx.Request("POST", "/", json=epoch_row(2)).content
    assert post(client, path, second, {"content-type": "application/json; charset=utf-8"}).status_code == 201
    assert post(client, path, second).json() == {"run_id": run["id"], "epoch": 2, "created": False}
    assert [point["epoch"] for point in client.get(f"/api/runs/{run['id']}/metrics").json()] == [1, 2]
    assert client.get(f"/api/runs/{run['id']}").json()["epochs_done"] == 2
    assert post(client, path, httpx.Request("POST", "/", json=epoch_row(3, "w2")).content).status_code == 409


def test_bad_epoch_bodies_get_fastapis_422(client: httpx.Client):
    run = launch_and_claim(client)
    path = f"/api/worker/runs/{run['id']}/epochs"
    assert post(client, path, b'{"worker": "w1", "epoch": 0}').json() == {"detail": [{
        "type": "greater_than_equal", "loc": ["body", "epoch"], "msg": "Input should be greater than or equal to 1",
        "input": 0, "ctx": {"ge": 1},
    }]}
    assert post(client, path, b"{not json").json()["detail"] == [{
        "type": "json_invalid", "loc": ["body", 1], "msg": "JSON decode error", "input": {},
        "ctx": {"error": "Expecting property name enclosed in double quotes"},
    }]
    missing = {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    assert post(client, path, b"").json()["detail"] == [missing]
    bad_path = post(client, "/api/worker/runs/abc/epochs", b'{"worker": "w1", "epoch": 1}')
    assert (bad_path.status_code, bad_path.json()["detail"][0]["loc"]) == (422, ["path", "run_id"])
    assert client.get(f"/api/runs/{run['id']}/metrics").json() == []


def test_openapi_still_documents_the_epoch_body(client: httpx.Client):
    operation = client.get("/openapi.json").json()["paths"]["/api/worker/runs/{run_id}/epochs"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/EpochRequest"}
    assert operation["parameters"][0]["schema"]["type"] == "integer"
    assert set(operation["responses"]) == {"200", "201", "401", "404", "409", "413", "422"}
