"""What the OpenAPI document says beyond each route's own declaration: the error answers, the links from an
operation that returns an id to every operation that takes it, and the launch body's real constraints.

All of it is derived (from the route table, the contestant registry and the datasets), so an operation
added later that takes `{run_id}` is linked without a line here. Schemathesis follows the links in
tests/inprocess/test_api_fuzz.py, which is how fuzzing reaches the logic behind an id instead of its 404.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from backend import contestants

ERROR_DESCRIPTIONS = {
    401: "The access token is missing or wrong (BATTLEFIELD_TOKEN is set).",
    404: "What the path (or `ids`) names does not exist.",
    409: "The run's state does not allow this (or the worker does not hold it).",
    413: "The request body is over the route's limit (BATTLEFIELD_MAX_BODY_BYTES).",
}


class ErrorPublic(BaseModel):
    """An error the client can act on: `detail` says what and what to do."""

    detail: str


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route that answers these error statuses with {"detail": "..."}: errors(404, 409)."""
    return {code: {"model": ErrorPublic, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


# Where an id comes from: (operation "METHOD path", its status, the runtime expression of the id).
# Each link goes to every operation whose path has that parameter (`targets`).
RUN_ID_SOURCES = (
    ("POST /api/runs", "201", "$response.body#/id"),
    ("POST /api/runs/{run_id}/clone", "201", "$response.body#/id"),
)
# The worker's side: only the worker that claimed a run may report on it, so these carry its name too.
CLAIM = ("POST /api/worker/claim", "200", "$response.body#/run/id")
WORKER_PREFIX = "/api/worker/runs/"
GROUP_ID_SOURCES = (
    ("POST /api/runs", "201", "$response.body#/group_id"),
    ("GET /api/runs/{run_id}", "200", "$response.body#/group_id"),
)
NAME_SOURCES = (("GET /api/architectures", "200", "$response.body#/0/name"),)
# Operations that take run ids in the query (`ids`): one from a launch, two from a launch with repeats.
IDS_LINKS = (
    ("POST /api/runs", "201", "GET /api/compare", "$response.body#/id"),
    ("POST /api/runs", "201", "GET /api/compare/disagreement",
     "{$response.body#/launched_ids/0},{$response.body#/launched_ids/1}"),
)


def _operations(schema: dict) -> dict[str, dict]:
    """{"METHOD path": operation object} of the document."""
    return {f"{method.upper()} {path}": operation
            for path, item in schema["paths"].items() for method, operation in item.items()}


def _link_name(label: str) -> str:
    """'GET /api/runs/{run_id}/metrics' -> 'GetApiRunsRunIdMetrics' (a link's name: letters and digits)."""
    words = label.replace("/", " ").replace("{", " ").replace("}", " ").replace("_", " ").replace(".", " ").split()
    return "".join(word[:1].upper() + word[1:].lower() for word in words)


def _body_fields(schema: dict, operation: dict) -> set[str]:
    """The top-level JSON body fields an operation takes (empty when it takes none)."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return set(body.get("properties", {}))


def _add_link(operations: dict[str, dict], source: str, status: str, target: str, link: dict) -> None:
    response = operations[source]["responses"].setdefault(status, {"description": "Success"})
    response.setdefault("links", {})[_link_name(target)] = {"operationId": operations[target]["operationId"], **link}


def add_links(schema: dict) -> None:
    """OpenAPI links from each operation that returns an id to each operation that takes it (in place)."""
    operations = _operations(schema)

    def takes(parameter: str) -> list[str]:
        return [label for label in operations if "{" + parameter + "}" in label.split(" ", 1)[1]]

    for target in takes("run_id"):
        if target.split(" ", 1)[1].startswith(WORKER_PREFIX):
            worker = {"requestBody": {"worker": "$request.body#/worker"}} if "worker" in _body_fields(
                schema, operations[target]) else {}
            query = {"query.worker": "$request.body#/worker"} if any(
                p["name"] == "worker" and p["in"] == "query" for p in operations[target].get("parameters", [])) else {}
            _add_link(operations, CLAIM[0], CLAIM[1], target,
                      {"parameters": {"path.run_id": CLAIM[2], **query}, **worker})
            continue
        for source, status, expression in (*RUN_ID_SOURCES, CLAIM):
            if source != target:
                _add_link(operations, source, status, target, {"parameters": {"path.run_id": expression}})
    for parameter, sources in (("group_id", GROUP_ID_SOURCES), ("name", NAME_SOURCES)):
        for target in takes(parameter):
            for source, status, expression in sources:
                _add_link(operations, source, status, target, {"parameters": {f"path.{parameter}": expression}})
    for source, status, target, expression in IDS_LINKS:
        _add_link(operations, source, status, target, {"parameters": {"query.ids": expression}})
    # A launch queues a run that the next claim hands out (no value passes: the queue is the state).
    _add_link(operations, "POST /api/runs", "201", CLAIM[0], {"description": "A claim now hands out this run (the oldest queued)."})


def add_error_responses(schema: dict) -> None:
    """401 on every operation the token guards (backend/access.py), 413 on every one that takes a body (in place)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorPublic"] = ErrorPublic.model_json_schema()
    answer = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorPublic"}}}}
    for operation in _operations(schema).values():
        responses = operation["responses"]
        if operation.get("security") != []:
            responses.setdefault("401", {"description": ERROR_DESCRIPTIONS[401], **answer})
        if "requestBody" in operation:
            responses.setdefault("413", {"description": ERROR_DESCRIPTIONS[413], **answer})


NAMED_FILTERS = (("/api/architectures/{name}/summary", "post"), ("/api/leaderboard", "get"), ("/api/runs", "get"),
                 ("/api/runs.csv", "get"), ("/api/groups", "get"))
"""The operations whose contestant (`name`, `architecture`) and `dataset` parameters must name one that exists
(backend.contestants.check_filters)."""


def _one_of_names(parameter_schema: dict, names: list[str]) -> dict:
    """A parameter's schema restricted to `names` (an optional filter keeps its null)."""
    options = parameter_schema.get("anyOf")
    if options:
        return {**parameter_schema, "anyOf": [option if option.get("type") == "null" else {**option, "enum": names}
                                              for option in options]}
    return {**parameter_schema, "enum": names}


def constrain_launch(schema: dict) -> None:
    """The launch body as validation enforces it (in place): one variant per contestant (RunCreate_<name>),
    its `architecture` a constant, its `hyperparams` that contestant's schema (bounds and enums from its
    field definitions), `dataset` one of the datasets; the summary's path `name` one of the contestants and
    its body one of their hyperparameter schemas; every contestant or dataset filter (NAMED_FILTERS) one that exists."""
    components = schema["components"]["schemas"]
    base = components["RunCreate"]
    datasets = list(contestants.dataset_names())
    names, hp_refs, mapping = [], [], {}
    for item in contestants.architectures():
        name = item["name"]
        names.append(name)
        hp_refs.append({"$ref": f"#/components/schemas/Hyperparams_{name}"})
        components[f"Hyperparams_{name}"] = copy.deepcopy(item["params_schema"])
        variant = copy.deepcopy(base)
        properties = variant["properties"]
        variant["title"] = f"RunCreate_{name}"
        properties["architecture"] = {"const": name, "type": "string", "description": base["properties"]["architecture"].get("description", "")}
        properties["dataset"] = {"enum": datasets, "type": "string", "description": base["properties"]["dataset"].get("description", "")}
        properties["hyperparams"] = {**hp_refs[-1], "description": base["properties"]["hyperparams"].get("description", "")}
        variant["required"] = sorted({*base.get("required", []), "architecture", "dataset"})
        components[f"RunCreate_{name}"] = variant
        mapping[name] = f"#/components/schemas/RunCreate_{name}"
    components["RunCreate"] = {"title": "RunCreate", "description": base.get("description", ""),
                               "oneOf": [{"$ref": ref} for ref in mapping.values()],
                               "discriminator": {"propertyName": "architecture", "mapping": mapping}}
    summary = schema["paths"]["/api/architectures/{name}/summary"]["post"]
    allowed = {"name": names, "architecture": names, "dataset": datasets}
    for path, method in NAMED_FILTERS:
        for parameter in schema["paths"][path][method].get("parameters", []):
            if parameter["name"] in allowed:
                parameter["schema"] = _one_of_names(parameter["schema"], allowed[parameter["name"]])
    body = summary["requestBody"]["content"]["application/json"]
    body["schema"] = {**body["schema"], "anyOf": hp_refs}
    body["schema"].pop("additionalProperties", None)
    body["schema"].pop("type", None)


def install_api_docs(app) -> None:
    """Add the error answers, the links and the launch constraints to `app`'s OpenAPI document (built once)."""
    build = app.openapi

    def openapi() -> dict:
        fresh = app.openapi_schema is None
        schema = build()
        if fresh:
            add_error_responses(schema)
            constrain_launch(schema)
            add_links(schema)
        return schema

    app.openapi = openapi
