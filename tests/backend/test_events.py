"""Server-Sent Events: one run's stream, the all-runs stream, resume by Last-Event-ID."""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.support.factories import finish, launch, launch_and_claim, post_epoch, sse_events


def test_run_stream_carries_status_progress_epoch_and_end_with_ids(client: httpx.Client, module_backend):
    run = launch_and_claim(client)
    url = f"{module_backend[0]}/api/runs/{run['id']}/events"
    with httpx.stream("GET", url, timeout=10) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        events = sse_events(stream)
        opening = next(events)
        assert (opening["event"], opening["data"]["status"]) == ("status", "running")
        client.post(f"/api/worker/runs/{run['id']}/progress", json={"worker": "w1", "epoch": 1, "fraction": 0.5, "loss": 0.7})
        post_epoch(client, run["id"], 1)
        finish(client, run["id"])
        received = list(events)  # the server closes the stream after `end`
    kinds = [event["event"] for event in received]
    assert kinds == ["progress", "epoch", "status", "status", "end"]
    assert received[0]["data"] == {"run_id": run["id"], "epoch": 1, "fraction": 0.5, "loss": 0.7}
    assert received[1]["data"]["epoch"] == 1 and received[1]["data"]["run_id"] == run["id"]
    assert received[-1]["data"]["status"] == "succeeded"
    ids = [int(event["id"]) for event in received]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_stream_of_finished_run_sends_status_then_end_at_once(client: httpx.Client, module_backend):
    run = launch_and_claim(client)
    finish(client, run["id"])
    with httpx.stream("GET", f"{module_backend[0]}/api/runs/{run['id']}/events", timeout=10) as stream:
        received = list(sse_events(stream))
    assert [event["event"] for event in received] == ["status", "end"]


def test_stream_of_unknown_run_is_404(client: httpx.Client):
    response = client.get("/api/runs/999/events")
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999 not found"}


def test_last_event_id_resumes_without_gaps(client: httpx.Client, module_backend):
    run = launch_and_claim(client)
    url = f"{module_backend[0]}/api/runs/{run['id']}/events"
    with httpx.stream("GET", url, timeout=10) as stream:
        events = sse_events(stream)
        next(events)
        post_epoch(client, run["id"], 1)
        first_epoch = next(events)
        assert first_epoch["event"] == "epoch"
    post_epoch(client, run["id"], 2)  # published while no one listens
    post_epoch(client, run["id"], 3)
    with httpx.stream("GET", url, headers={"Last-Event-ID": first_epoch["id"]}, timeout=10) as stream:
        events = sse_events(stream)
        replayed = [next(events) for _ in range(5)]
    epochs = [event["data"]["epoch"] for event in replayed if event["event"] == "epoch"]
    assert epochs == [2, 3]
    assert [event["event"] for event in replayed] == ["status", "epoch", "status", "epoch", "status"]


@contextmanager
def all_runs_events(url: str, last_event_id: str | None = None) -> Iterator[Iterator[dict]]:
    """The events of GET /api/events on the backend at `url` (resumed after `last_event_id`), while open."""
    headers = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
    with httpx.stream("GET", f"{url}/api/events", headers=headers, timeout=10) as stream:
        yield sse_events(stream)


def launched_and_announced(client: httpx.Client, events: Iterator[dict]) -> tuple[dict, dict]:
    """Launch a run and read the all-runs stream's event that announces it: (run, event)."""
    run = launch(client)
    return run, next(events)


def test_all_runs_stream_announces_launch_and_delete(client: httpx.Client, module_backend):
    with all_runs_events(module_backend[0]) as events:
        run, created = launched_and_announced(client, events)
        client.post(f"/api/runs/{run['id']}/cancel")
        cancelled = next(events)
        client.delete(f"/api/runs/{run['id']}")
        deleted = next(events)
    assert (created["event"], created["data"]["id"], created["data"]["status"]) == ("status", run["id"], "queued")
    assert cancelled["data"]["status"] == "cancelled"
    assert (deleted["event"], deleted["data"]) == ("deleted", {"id": run["id"]})


def test_all_runs_stream_sends_a_snapshot_of_active_runs_when_the_resume_is_too_old(client: httpx.Client, module_backend):
    queued = launch(client)
    with all_runs_events(module_backend[0], last_event_id="1") as events:
        snapshot = next(events)
    client.post(f"/api/runs/{queued['id']}/cancel")
    assert snapshot["event"] == "snapshot"
    assert queued["id"] in [run["id"] for run in snapshot["data"]["runs"]]
    assert snapshot["data"]["count"] == len(snapshot["data"]["runs"])
    assert {run["status"] for run in snapshot["data"]["runs"]} <= {"queued", "running", "cancelling"}


def test_all_runs_stream_replays_instead_of_a_snapshot_when_it_can(client: httpx.Client, module_backend):
    with all_runs_events(module_backend[0]) as events:
        run, created = launched_and_announced(client, events)
    client.post(f"/api/runs/{run['id']}/cancel")
    with all_runs_events(module_backend[0], last_event_id=created["id"]) as events:
        resumed = next(events)
    assert (resumed["event"], resumed["data"]["id"], resumed["data"]["status"]) == ("status", run["id"], "cancelled")


def test_run_stream_sends_a_fresh_status_when_the_resume_is_too_old(client: httpx.Client, module_backend):
    run = launch_and_claim(client)
    post_epoch(client, run["id"], 1)
    with httpx.stream("GET", f"{module_backend[0]}/api/runs/{run['id']}/events", headers={"Last-Event-ID": "1"},
                      timeout=10) as stream:
        first = next(sse_events(stream))
    finish(client, run["id"])
    assert (first["event"], first["data"]["status"], first["data"]["epochs_done"]) == ("status", "running", 1)
