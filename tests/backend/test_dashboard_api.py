"""API behind the dashboard: dataset readiness from worker registration, clone names, offline /docs."""

import csv
import io

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.factories import launch


@pytest.fixture
def client(module_backend: tuple[str, Path]) -> Iterator[httpx.Client]:
    """An HTTP client on the module's backend, patient enough for the first launch (it imports torch)."""
    with httpx.Client(base_url=module_backend[0], timeout=60) as http:
        yield http


def register(client: httpx.Client, name: str, datasets: dict) -> None:
    response = client.post("/api/worker/register", json={"name": name, "host": "h", "device": "cpu", "datasets": datasets})
    assert response.status_code == 200, response.text


def test_datasets_without_a_worker_are_not_ready_and_say_how_to_start_one(client: httpx.Client):
    by_name = {item["name"]: item for item in client.get("/api/datasets").json()}
    assert set(by_name) == {"aclimdb", "imdb", "synthetic"}
    assert all(item["ready"] is False and item["workers_ready"] == [] for item in by_name.values())
    assert "No worker is connected" in by_name["synthetic"]["how_to"] and "make up" in by_name["synthetic"]["how_to"]


def test_datasets_say_which_worker_can_load_them_and_what_the_others_need(client: httpx.Client):
    register(client, "ready-w", {"synthetic": {"ready": True, "detail": "generated"},
                                 "aclimdb": {"ready": False, "detail": "set BATTLEFIELD_ACLIMDB"}})
    register(client, "acl-w", {"aclimdb": {"ready": True, "detail": "local copy"}, "synthetic": {"ready": True}})
    by_name = {item["name"]: item for item in client.get("/api/datasets").json()}
    assert by_name["synthetic"]["ready"] is True and by_name["synthetic"]["workers_ready"] == ["acl-w", "ready-w"]
    assert by_name["aclimdb"]["workers_ready"] == ["acl-w"] and by_name["aclimdb"]["how_to"] == "Ready on acl-w: local copy"
    assert by_name["imdb"]["ready"] is False
    assert by_name["imdb"]["how_to"].startswith("No live worker reported this dataset")


def test_register_refuses_a_readiness_without_its_ready_flag(client: httpx.Client):
    response = client.post("/api/worker/register", json={"name": "bad", "datasets": {"synthetic": {"detail": "x"}}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "datasets", "synthetic", "ready"]


def test_clone_keeps_a_custom_name_and_gives_a_default_name_its_own_id(client: httpx.Client):
    custom = launch(client, name="wide vocabulary")
    assert client.post(f"/api/runs/{custom['id']}/clone").json()["name"] == "wide vocabulary"
    plain = launch(client)
    clone = client.post(f"/api/runs/{plain['id']}/clone").json()
    assert clone["name"] == f"lstm #{clone['id']}"


def test_cnn_kernel_size_alone_means_one_width(client: httpx.Client):
    one = client.post("/api/architectures/cnn/summary", json={"kernel_size": 5, "filters": 4, "num_words": 100}).json()
    many = client.post("/api/architectures/cnn/summary", json={"filters": 4, "num_words": 100}).json()
    listed = client.post("/api/architectures/cnn/summary", json={"kernel_sizes": [5], "filters": 4, "num_words": 100}).json()
    assert one["param_count"] == listed["param_count"] != many["param_count"]


def test_docs_and_redoc_load_their_scripts_from_this_server(client: httpx.Client):
    for page, assets in (("/docs", ("swagger-ui-bundle.js", "swagger-ui.css")), ("/redoc", ("redoc.standalone.js",))):
        html = client.get(page)
        assert html.status_code == 200
        assert "cdn" not in html.text.lower() and "https://" not in html.text
        for asset in assets:
            assert f"/vendor/api-docs/{asset}" in html.text
            response = client.get(f"/vendor/api-docs/{asset}")
            assert response.status_code == 200 and len(response.content) > 10_000


def test_runs_sort_by_any_column_search_names_and_match_tag_substrings(client: httpx.Client):
    made = [launch(client, "gru", name=f"sorter {i}", tags=[f"Sweep-{i}", "bulk"],
                   hyperparams={"epochs": 1, "num_words": 100, "maxlen": 20, "lr": lr, "hidden_dim": 8})
            for i, lr in enumerate([0.003, 0.001, 0.002])]
    ids = [run["id"] for run in made]

    def listed(**params) -> list[int]:
        reply = client.get("/api/runs", params={"q": "SORTER", **params})
        assert reply.status_code == 200, reply.text
        return [run["id"] for run in reply.json()["data"]]

    assert listed() == ids[::-1]
    assert listed(sort="hp.lr", order="asc") == [ids[1], ids[2], ids[0]]
    assert listed(sort="name", order="desc") == ids[::-1]
    assert listed(sort="param_count") == listed(sort="param_count")  # ties broken by id: stable pages
    assert listed(tag="sweep") == ids[::-1] and listed(tag="EP-1") == [ids[1]]
    page = client.get("/api/runs", params={"q": "sorter", "sort": "hp.lr", "limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and [run["id"] for run in page["data"]] == [ids[2]]
    assert client.get("/api/runs", params={"q": "no such name"}).json() == {"data": [], "count": 0}
    for sort in ("duration", "test_acc", "created_at", "hp.optimizer", "status"):
        assert sorted(listed(sort=sort)) == sorted(ids)


def test_runs_unknown_sort_is_422_naming_the_choices(client: httpx.Client):
    reply = client.get("/api/runs", params={"sort": "size"})
    assert reply.status_code == 422
    error = reply.json()["detail"][0]
    assert error["loc"] == ["query", "sort"] and error["msg"].startswith("Unknown sort 'size'; choose one of: id, name")


def test_downloads_runs_and_epochs_as_csv_and_a_missing_checkpoint_is_404(client: httpx.Client):
    run = launch(client, name='csv, "quoted"', tags=["csv-dl"])
    reply = client.get("/api/runs.csv", params={"tag": "csv-dl"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert 'filename="runs.csv"' in reply.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [(row["id"], row["name"], row["tags"], row["hp.embedding_dim"]) for row in rows] == [
        (str(run["id"]), 'csv, "quoted"', "csv-dl", "8")]
    epochs = client.get(f"/api/runs/{run['id']}/metrics.csv")
    assert epochs.status_code == 200 and epochs.text.splitlines() == [
        "epoch,train_loss,train_acc,val_loss,val_acc,seconds,samples_per_second"]
    missing = client.get(f"/api/runs/{run['id']}/checkpoint")
    assert missing.status_code == 404 and "has no checkpoint" in missing.json()["detail"]
    assert client.get("/api/runs/999999/metrics.csv").status_code == 404
