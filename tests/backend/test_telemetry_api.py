"""A run's telemetry over HTTP: the worker's POST (guarded like its other routes, bounded), GET system and logs, the event."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.factories import finish, launch, launch_and_claim, sse_events
from worker.wire import LOG_TRUNCATED_MESSAGE, MAX_LOG_LINES_PER_RUN

pytestmark = pytest.mark.databases   # SQLite and PostgreSQL


def sample(t: float, **fields) -> dict:
    """A plausible system sample at `t` s."""
    return {"t": t, "cpu_percent": 97.5, "rss_mb": 512.25, "memory_percent": 41.0, **fields}


def line(message: str, level: str = "INFO", second: int = 0) -> dict:
    """A log line at 12:00:<second> UTC."""
    return {"time": f"2026-12-02T12:00:{second:02d}Z", "level": level, "message": message}


def post_telemetry(client: httpx.Client, run_id: int, worker: str = "w1", samples=(), lines=()) -> httpx.Response:
    return client.post(f"/api/worker/runs/{run_id}/telemetry",
                       json={"worker": worker, "samples": list(samples), "lines": list(lines)})


def test_telemetry_is_stored_and_served_oldest_first(client: httpx.Client):
    run = launch_and_claim(client)
    first = post_telemetry(client, run["id"], samples=[sample(5.0)], lines=[line("data: 800 reviews"), line("epoch 1/3", second=4)])
    second = post_telemetry(client, run["id"], samples=[sample(10.0, gpu_util_percent=88.0, gpu_mem_mb=1024.0)],
                            lines=[line("disk almost full", "WARNING", 9)])
    assert (first.status_code, first.json()) == (200, {"samples": 1, "lines": 2})
    assert second.json() == {"samples": 1, "lines": 1}

    system = client.get(f"/api/runs/{run['id']}/system").json()
    assert [{k: v for k, v in s.items() if k != "id"} for s in system["samples"]] == [
        {**sample(5.0), "gpu_util_percent": None, "gpu_mem_mb": None},
        sample(10.0, gpu_util_percent=88.0, gpu_mem_mb=1024.0),
    ]
    sample_ids = [s["id"] for s in system["samples"]]
    assert sample_ids == sorted(sample_ids) and (system["next_after"], system["more"]) == (sample_ids[-1], False)
    logs = client.get(f"/api/runs/{run['id']}/logs").json()
    assert [(entry["level"], entry["message"], entry["time"]) for entry in logs["lines"]] == [
        ("INFO", "data: 800 reviews", "2026-12-02T12:00:00Z"),
        ("INFO", "epoch 1/3", "2026-12-02T12:00:04Z"),
        ("WARNING", "disk almost full", "2026-12-02T12:00:09Z"),
    ]
    ids = [entry["id"] for entry in logs["lines"]]
    assert ids == sorted(ids) and (logs["next_after"], logs["more"], logs["traceback"]) == (ids[-1], False, None)


def test_logs_are_paged_by_the_after_cursor(client: httpx.Client):
    run = launch_and_claim(client)
    post_telemetry(client, run["id"], lines=[line(f"line {i}") for i in range(5)])
    page = client.get(f"/api/runs/{run['id']}/logs", params={"limit": 2}).json()
    assert [entry["message"] for entry in page["lines"]] == ["line 0", "line 1"] and page["more"] is True
    rest = client.get(f"/api/runs/{run['id']}/logs", params={"after": page["next_after"], "limit": 10}).json()
    assert [entry["message"] for entry in rest["lines"]] == ["line 2", "line 3", "line 4"] and rest["more"] is False
    empty = client.get(f"/api/runs/{run['id']}/logs", params={"after": rest["next_after"]}).json()
    assert (empty["lines"], empty["next_after"], empty["more"]) == ([], rest["next_after"], False)


@pytest.mark.parametrize(("path", "key"), [("system", "samples"), ("logs", "lines")])
def test_samples_and_logs_are_paged_alike_by_the_after_cursor(client: httpx.Client, path: str, key: str):
    run = launch_and_claim(client)
    post_telemetry(client, run["id"], samples=[sample(float(i)) for i in range(5)], lines=[line(f"line {i}") for i in range(5)])
    label = (lambda row: row["t"]) if key == "samples" else (lambda row: row["message"])
    page = client.get(f"/api/runs/{run['id']}/{path}", params={"limit": 2}).json()
    assert len(page[key]) == 2 and page["more"] is True and page["next_after"] == page[key][-1]["id"]
    rest = client.get(f"/api/runs/{run['id']}/{path}", params={"after": page["next_after"], "limit": 10}).json()
    assert len(rest[key]) == 3 and rest["more"] is False and rest[key][0]["id"] > page["next_after"]
    assert [label(row) for row in page[key] + rest[key]] == (
        [float(i) for i in range(5)] if key == "samples" else [f"line {i}" for i in range(5)])
    empty = client.get(f"/api/runs/{run['id']}/{path}", params={"after": rest["next_after"]}).json()
    assert (empty[key], empty["next_after"], empty["more"]) == ([], rest["next_after"], False)
    finish(client, run["id"])


def test_a_run_without_telemetry_serves_empty_lists(client: httpx.Client):
    run = launch(client)
    assert client.get(f"/api/runs/{run['id']}/system").json() == {"samples": [], "next_after": 0, "more": False}
    assert client.get(f"/api/runs/{run['id']}/logs").json() == {"lines": [], "next_after": 0, "more": False, "traceback": None}
    client.post(f"/api/runs/{run['id']}/cancel")   # leave the queue empty for the next test's claim


def test_telemetry_from_a_worker_not_holding_the_run_is_409_and_stores_nothing(client: httpx.Client):
    run = launch_and_claim(client)
    response = post_telemetry(client, run["id"], worker="w2", samples=[sample(1.0)], lines=[line("not mine")])
    assert response.status_code == 409
    assert response.json() == {"detail": f"Run {run['id']} is not leased to worker w2"}
    assert client.get(f"/api/runs/{run['id']}/system").json()["samples"] == []
    assert client.get(f"/api/runs/{run['id']}/logs").json()["lines"] == []


def test_telemetry_after_the_run_finished_is_409(client: httpx.Client):
    run = launch_and_claim(client)
    finish(client, run["id"])
    response = post_telemetry(client, run["id"], lines=[line("late")])
    assert response.status_code == 409


def test_telemetry_and_reads_of_an_unknown_run_are_404(client: httpx.Client):
    assert post_telemetry(client, 999_999, lines=[line("x")]).json() == {"detail": "Run 999999 not found"}
    for path in ("system", "logs"):
        response = client.get(f"/api/runs/999999/{path}")
        assert (response.status_code, response.json()) == (404, {"detail": "Run 999999 not found"})


@pytest.mark.parametrize(("body", "loc", "bound"), [
    ({"lines": [line("x" * 2001)]}, ["body", "lines", 0, "message"], "2000 characters"),
    ({"lines": [line("bad level", "LOUD")]}, ["body", "lines", 0, "level"], "'INFO'"),
    ({"lines": [line("a\x00b")]}, ["body", "lines", 0, "message"], "NUL"),
    ({"samples": [sample(1.0, cpu_percent=-1)]}, ["body", "samples", 0, "cpu_percent"], "greater than or equal to 0"),
    ({"samples": [sample(1.0, memory_percent=100.5)]}, ["body", "samples", 0, "memory_percent"], "less than or equal to 100"),
    ({"samples": [sample(1.0, gpu_util_percent=101)]}, ["body", "samples", 0, "gpu_util_percent"], "less than or equal to 100"),
    ({"lines": [line("x")] * 1001}, ["body", "lines"], "at most 1000 items"),
])
def test_telemetry_out_of_bounds_is_422_naming_the_field(client: httpx.Client, body: dict, loc: list, bound: str):
    run = launch_and_claim(client)
    response = client.post(f"/api/worker/runs/{run['id']}/telemetry", json={"worker": "w1", **body})
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == loc and bound in error["msg"], error
    finish(client, run["id"])


@pytest.mark.parametrize(("path", "params", "loc", "bound"), [
    ("logs", {"limit": 0}, "limit", "greater than or equal to 1"),
    ("logs", {"limit": 1001}, "limit", "less than or equal to 1000"),
    ("logs", {"after": -1}, "after", "greater than or equal to 0"),
    ("system", {"limit": 0}, "limit", "greater than or equal to 1"),
    ("system", {"limit": 5001}, "limit", "less than or equal to 5000"),
    ("system", {"after": -1}, "after", "greater than or equal to 0"),
    ("system", {"after": 2**31}, "after", "less than or equal to 2147483647"),
])
def test_a_telemetry_query_out_of_bounds_is_422_naming_it_and_its_bound(client: httpx.Client, path, params, loc, bound):
    response = client.get(f"/api/runs/1/{path}", params=params)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["query", loc] and bound in error["msg"], error


def test_a_run_keeps_its_first_lines_then_one_truncated_line(client: httpx.Client):
    run = launch_and_claim(client)
    batches = MAX_LOG_LINES_PER_RUN // 1000
    kept = [post_telemetry(client, run["id"], lines=[line(f"{b}-{i}") for i in range(1000)]).json()["lines"] for b in range(batches)]
    over = post_telemetry(client, run["id"], lines=[line("over 1"), line("over 2")]).json()
    after = post_telemetry(client, run["id"], lines=[line("over 3")]).json()
    assert kept == [1000] * batches and over == {"samples": 0, "lines": 1} and after == {"samples": 0, "lines": 0}
    last = client.get(f"/api/runs/{run['id']}/logs", params={"after": 0, "limit": 1000}).json()
    cursor, count, tail = 0, 0, []
    while True:
        page = client.get(f"/api/runs/{run['id']}/logs", params={"after": cursor, "limit": 1000}).json()
        count += len(page["lines"])
        tail = (tail + page["lines"])[-2:]
        cursor = page["next_after"]
        if not page["more"]:
            break
    assert last["more"] is True and count == MAX_LOG_LINES_PER_RUN + 1
    assert [(entry["level"], entry["message"]) for entry in tail] == [("INFO", f"{batches - 1}-999"), ("WARNING", LOG_TRUNCATED_MESSAGE)]


def test_a_failed_runs_traceback_is_served_with_its_log(client: httpx.Client):
    run = launch_and_claim(client)
    trace = 'Traceback (most recent call last):\n  File "runner.py", line 3, in run\nValueError: boom\n'
    finish(client, run["id"], status="failed", error="ValueError: boom", traceback=trace)
    logs = client.get(f"/api/runs/{run['id']}/logs").json()
    assert logs["traceback"] == trace
    assert client.get(f"/api/runs/{run['id']}").json()["error"] == "ValueError: boom"


def test_a_succeeded_run_keeps_no_traceback(client: httpx.Client):
    run = launch_and_claim(client)
    finish(client, run["id"], traceback="Traceback (most recent call last):\n")
    assert client.get(f"/api/runs/{run['id']}/logs").json()["traceback"] is None


def test_telemetry_goes_to_the_run_stream_only(client: httpx.Client, module_backend):
    run = launch_and_claim(client)
    base = module_backend[0]

    def first_event(url: str, kinds: set[str]) -> dict:
        with httpx.stream("GET", url, timeout=10) as stream:
            for event in sse_events(stream):
                if event["event"] in kinds:
                    return event
        return {}

    with ThreadPoolExecutor(2) as pool:
        on_run = pool.submit(first_event, f"{base}/api/runs/{run['id']}/events", {"telemetry"})
        on_all = pool.submit(first_event, f"{base}/api/events", {"telemetry", "deleted"})
        time.sleep(1.0)   # both streams subscribed
        post_telemetry(client, run["id"], samples=[sample(5.0)], lines=[line("epoch 1/3")])
        finish(client, run["id"])
        client.delete(f"/api/runs/{run['id']}")   # ends the all-runs wait with a `deleted`
        event = on_run.result(timeout=10)
        assert on_all.result(timeout=10)["event"] == "deleted"
    data = event["data"]
    assert data["run_id"] == run["id"] and data["complete"] is True
    assert data["samples"] == [{**sample(5.0), "gpu_util_percent": None, "gpu_mem_mb": None}]
    assert [(entry["message"], entry["level"]) for entry in data["lines"]] == [("epoch 1/3", "INFO")]
    assert isinstance(data["lines"][0]["id"], int)
