"""API behind the dashboard: dataset readiness from worker registration, clone names, offline /docs."""

import httpx

from tests.support.factories import launch


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
