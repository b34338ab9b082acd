"""The OpenAPI document's links, error answers and launch constraints (backend/api_docs.py), read from the app."""

import pytest

from backend import contestants
from backend.main import create_app


@pytest.fixture(scope="module")
def document() -> dict:
    return create_app().openapi()


def operations(document: dict) -> dict[str, dict]:
    return {f"{method.upper()} {path}": op for path, item in document["paths"].items() for method, op in item.items()}


def incoming_links(document: dict) -> dict[str, list[str]]:
    """operationId -> the "METHOD path status" of each response that links to it."""
    found: dict[str, list[str]] = {}
    for label, operation in operations(document).items():
        for status, response in operation["responses"].items():
            for link in response.get("links", {}).values():
                found.setdefault(link["operationId"], []).append(f"{label} {status}")
    return found


def test_every_operation_that_takes_an_id_is_linked_from_where_the_id_comes_from(document):
    links = incoming_links(document)
    for label, operation in operations(document).items():
        path = label.split(" ", 1)[1]
        if "{run_id}" in path:
            source = "POST /api/worker/claim 200" if path.startswith("/api/worker/") else "POST /api/runs 201"
            assert source in links.get(operation["operationId"], []), label
        if "{group_id}" in path:
            assert "POST /api/runs 201" in links.get(operation["operationId"], []), label


def test_the_claim_links_carry_the_claiming_worker(document):
    claim = operations(document)["POST /api/worker/claim"]["responses"]["200"]["links"]
    assert claim["PostApiWorkerRunsRunIdFinish"]["requestBody"] == {"worker": "$request.body#/worker"}
    assert claim["PutApiWorkerRunsRunIdCheckpoint"]["parameters"]["query.worker"] == "$request.body#/worker"


def test_the_launch_body_has_one_variant_per_contestant_with_its_own_bounds(document):
    schemas = document["components"]["schemas"]
    mapping = schemas["RunCreate"]["discriminator"]["mapping"]
    assert list(mapping) == [item["name"] for item in contestants.architectures()]
    lstm = schemas["RunCreate_lstm"]["properties"]
    assert lstm["architecture"]["const"] == "lstm"
    assert lstm["dataset"]["enum"] == contestants.dataset_names()
    hyperparams = schemas[lstm["hyperparams"]["$ref"].rsplit("/", 1)[-1]]
    assert hyperparams == next(item["params_schema"] for item in contestants.architectures() if item["name"] == "lstm")
    assert hyperparams["properties"]["hidden_dim"]["maximum"] == 1024 and hyperparams["additionalProperties"] is False
    assert lstm["tags"]["maxItems"] == 32 and lstm["tags"]["items"]["maxLength"] == 64


def test_errors_the_routes_answer_are_documented(document):
    ops = operations(document)
    assert {"404", "409"} <= set(ops["POST /api/runs/{run_id}/cancel"]["responses"])
    assert "401" in ops["GET /api/runs"]["responses"] and "401" not in ops["GET /api/health"]["responses"]
    assert "413" in ops["POST /api/runs"]["responses"] and "413" not in ops["GET /api/runs"]["responses"]
    assert ops["GET /api/runs/{run_id}"]["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorPublic"}
