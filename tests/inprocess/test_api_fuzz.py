"""Schemathesis against the app's own OpenAPI document, in this process (ASGI, its lifespan run once, no token).

Every operation gets a bounded number of generated cases (positive data: what the schema allows), and
each answer must be no 5xx and conform to the schema (status code, content type, body, headers).
A stateful run then follows the OpenAPI links (launch -> the operations on the run, claim -> the
worker's reports, run -> its group...), so fuzzing reaches the logic behind an id, not only its 404.

BATTLEFIELD_FUZZ_REPORT=<file> writes the tally (cases per operation and status, per phase) as JSON;
BATTLEFIELD_FUZZ_EXAMPLES / BATTLEFIELD_FUZZ_STATEFUL_EXAMPLES raise the bounds for a longer run.
"""

import collections
import json
import os

import hypothesis
import schemathesis
from schemathesis.python import asgi

from backend import db
from backend.main import create_app
from backend.models import Base

MAX_EXAMPLES = int(os.environ.get("BATTLEFIELD_FUZZ_EXAMPLES", "25"))  # per operation
STATEFUL_EXAMPLES = int(os.environ.get("BATTLEFIELD_FUZZ_STATEFUL_EXAMPLES", "40"))  # scenarios
STATEFUL_STEPS = 25  # calls per scenario at most
REPORT_PATH = os.environ.get("BATTLEFIELD_FUZZ_REPORT")
# The run's checks are schemathesis's defaults but:
# - ignored_auth: this app has no token configured (every route open by design, as in `make up`);
#   tests/backend/test_access.py covers the token.
# - positive_data_acceptance takes a 422 from the operations whose validation has rules across fields that
#   JSON Schema cannot state (each named below with its rule); everywhere else schema-valid data must pass.
CROSS_FIELD_RULES = {
    "POST /api/runs": "the estimated peak memory within the budget; num_heads divides embedding_dim; seed + repeats - 1 storable",
    "POST /api/architectures/{name}/summary": "the body's hyperparameters are the path's contestant's; the same rules as a launch",
    "PUT /api/worker/runs/{run_id}/predictions": "one label per probability; each wrong review's index within them",
    "GET /api/compare/disagreement": "two different run ids",
}
CONFIG = schemathesis.Config.from_dict({
    # utf-8: JSON text is UTF-8 (RFC 8259), so unpaired surrogates are not schema-valid strings on the wire
    "generation": {"mode": "positive", "deterministic": True, "database": "none", "codec": "utf-8"},
    # stateful: the declared links only (no links inferred from names), so the run measures what the document says
    "phases": {"coverage": {"enabled": False}, "stateful": {"inference": {"algorithms": []}}},
    "checks": {"ignored_auth": {"enabled": False}},
    "max-stream-events": 1,  # an event stream never ends: read its first event (the snapshot) and hang up
    "operations": [{"include-name": name, "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", 404, 409, 422]}}} for name in CROSS_FIELD_RULES],
})
APP = create_app()  # no torch, no database yet: the lifespan (migrations, reaper) starts on the first call
schema = schemathesis.openapi.from_dict(APP.openapi(), config=CONFIG)
schema.app = APP  # cases are sent to the app in this process

# status counts per phase and operation: {"operations": {"POST /api/runs": {201: 20, 422: 5}}}
TALLY: dict[str, dict[str, collections.Counter]] = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))


def prepare(case) -> None:
    """A claim waits up to `wait` s for a launch: fuzzing asks for no wait (the schema's 0-25 s is right)."""
    if case.path == "/api/worker/claim" and isinstance(case.body, dict):
        case.body["wait"] = 0


def tally(phase: str, case, response) -> None:
    """Count one answer by phase, operation and status."""
    TALLY[phase][f"{case.method.upper()} {case.path}"][response.status_code] += 1


def teardown_module() -> None:
    """Stop the app's lifespan (its lease reaper must not outlive the module); write the tally when asked."""
    asgi.shutdown_lifespans()
    if REPORT_PATH:
        with open(REPORT_PATH, "w") as out:
            json.dump({phase: {op: dict(counts) for op, counts in ops.items()} for phase, ops in TALLY.items()},
                      out, indent=1, sort_keys=True)


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,  # no examples kept between runs
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_every_operation_answers_within_its_schema(case):
    prepare(case)
    response = case.call()
    tally("operations", case, response)
    case.validate_response(response)


class Links(schema.as_state_machine()):
    """Scenarios along the OpenAPI links: each step calls an operation with an id an earlier answer gave."""

    def setup(self) -> None:
        """Each scenario starts on an empty database, so the same choices meet the same answers
        (hypothesis refuses a scenario whose steps depend on what an earlier one left behind)."""
        with db.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())

    def before_call(self, case) -> None:
        prepare(case)

    def after_call(self, response, case) -> None:
        tally("stateful", case, response)


def test_scenarios_along_the_links_answer_within_the_schema():
    with asgi.get_client(APP) as client:  # the app's lifespan migrates the database before the first scenario empties it
        assert client.get("/api/health").status_code == 200
    Links.run(settings=hypothesis.settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS,
                                           deadline=None, database=None,
                                           suppress_health_check=list(hypothesis.HealthCheck)))
    reached = TALLY["stateful"]
    # The links lead somewhere: a launched run was read, and a worker claimed one and reported on it.
    assert reached["GET /api/runs/{run_id}"][200] > 0, dict(reached)
    assert reached["POST /api/worker/claim"][200] > 0, dict(reached)
