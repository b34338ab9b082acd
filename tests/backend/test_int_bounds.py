"""Integers too large for the database's Integer column get a 422 naming the field and the bound, never a 500."""

import httpx
import pytest

from backend.schemas import DB_INT_MAX
from tests.support.factories import epoch_row, launch_and_claim

TOO_BIG = 10**23


def assert_bound(response: httpx.Response, loc: list) -> None:
    """A 422 whose detail names `loc` and the largest value the database stores."""
    assert response.status_code == 422, response.text
    error = next(error for error in response.json()["detail"] if error["loc"] == loc)
    assert error["ctx"] == {"le": DB_INT_MAX}


@pytest.mark.parametrize("path", ["/api/runs/{id}", "/api/runs/{id}/metrics", "/api/runs/{id}/events"])
def test_run_paths_bound_the_id(client: httpx.Client, path: str):
    assert_bound(client.get(path.format(id=TOO_BIG)), ["path", "run_id"])
    assert client.get(path.format(id=DB_INT_MAX)).status_code == 404


def test_worker_bodies_and_paths_bound_their_integers(client: httpx.Client):
    run = launch_and_claim(client)
    epochs = f"/api/worker/runs/{run['id']}/epochs"
    assert_bound(client.post(epochs, json=epoch_row(TOO_BIG)), ["body", "epoch"])
    assert_bound(client.post(f"/api/worker/runs/{TOO_BIG}/epochs", json=epoch_row(1)), ["path", "run_id"])
    assert_bound(client.post(f"/api/worker/runs/{run['id']}/progress", json={"worker": "w1", "epoch": TOO_BIG, "fraction": 0.5}),
                 ["body", "epoch"])
    finish = client.post(f"/api/worker/runs/{run['id']}/finish",
                         json={"worker": "w1", "status": "succeeded", "best_epoch": TOO_BIG, "param_count": TOO_BIG})
    assert_bound(finish, ["body", "best_epoch"])
    assert_bound(finish, ["body", "param_count"])
    assert client.get(f"/api/runs/{run['id']}").json()["status"] == "running"
    assert client.get(f"/api/runs/{run['id']}/metrics").json() == []


def test_listing_and_compare_bound_their_integers(client: httpx.Client):
    assert_bound(client.get("/api/runs", params={"offset": TOO_BIG}), ["query", "offset"])
    compare = client.get("/api/compare", params={"ids": f"1,{TOO_BIG}"})
    assert compare.status_code == 422
    assert str(DB_INT_MAX) in compare.json()["detail"][0]["msg"]
