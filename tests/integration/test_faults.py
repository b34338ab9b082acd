"""Faults with real processes: a worker SIGKILLed among three (a backend SIGKILLed mid-run is in
test_backend_restart.py). The figures (runs, kills, lost, duplicated) print with `pytest -s`."""

import os
import re
import signal
import sqlite3
import time
from contextlib import ExitStack
from pathlib import Path

from tests.integration.runs import api_client, launch, wait_until_terminal
from tests.support.live import running_backend, running_worker, wait_for

RUNS = 30
TINY = {"epochs": 1, "batch_size": 256, "maxlen": 32, "embedding_dim": 8, "num_words": 500, "ngram_buckets": 500}
LEASE_SECONDS = 6   # generous: three workers share two busy cores, and a first run imports torch


def _claims(data_dir: Path, names: list[str]) -> dict[int, list[str]]:
    """Run id -> the workers whose log says they claimed it."""
    claimed: dict[int, list[str]] = {}
    for name in names:
        text = (data_dir / f"worker-{name}.log").read_text(errors="replace")
        for run_id in re.findall(rf"worker {name} run (\d+): claimed", text):
            claimed.setdefault(int(run_id), []).append(name)
    return claimed


def _epoch_rows(database: Path) -> dict[int, list[int]]:
    """Run id -> its stored epoch numbers, in order, straight from the database."""
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT run_id, epoch FROM epochs ORDER BY run_id, epoch").fetchall()
    finally:
        connection.close()
    stored: dict[int, list[int]] = {}
    for run_id, epoch in rows:
        stored.setdefault(run_id, []).append(epoch)
    return stored


def _running_on(api, name: str) -> dict | None:
    """The run the backend lists as running on worker `name`, or None."""
    return next((r for r in api.get("/api/runs", params={"status": "running"}).json()["data"] if r["worker"] == name), None)


def _freeze_holding_a_run(api, worker, name: str, attempts: int = 50) -> dict:
    """SIGSTOP `worker` while the backend lists it as running a run, and return that run.

    The run is read again after the stop (and after any request already in flight has landed): a
    tiny run can finish between a first read and the signal, and then the worker holds no run.
    Raises AssertionError if the worker is never caught holding one.
    """
    for _ in range(attempts):
        wait_for(lambda: _running_on(api, name), timeout=60, interval=0.02)
        os.kill(worker.pid, signal.SIGSTOP)
        time.sleep(0.3)
        held = _running_on(api, name)
        if held is not None:
            return held
        os.kill(worker.pid, signal.SIGCONT)
    raise AssertionError(f"worker {name} was never caught holding a run in {attempts} tries")


def test_thirty_runs_on_three_workers_with_one_killed_end_terminal_none_lost_none_twice(data_dir):
    names = ["w1", "w2", "w3"]
    with running_backend(data_dir, lease_seconds=LEASE_SECONDS) as url, api_client(url) as api, ExitStack() as stack:
        launched = [launch(api, "fasttext", **TINY)["id"] for _ in range(RUNS)]
        workers = {name: stack.enter_context(running_worker(url, name=name, data_dir=data_dir)) for name in names}
        wait_for(lambda: len(api.get("/api/runs", params={"status": "succeeded", "limit": 1}).json()["data"]) and
                 api.get("/api/runs", params={"status": "succeeded"}).json()["count"] >= 5, timeout=120, interval=0.2)
        victim_run = _freeze_holding_a_run(api, workers["w2"], "w2")
        os.kill(workers["w2"].pid, signal.SIGKILL)
        workers["w2"].wait(timeout=10)
        final = [wait_until_terminal(api, run_id, timeout=180) for run_id in launched]
        listed = api.get("/api/runs", params={"limit": 1000}).json()
    claims = _claims(data_dir, names)
    stored = _epoch_rows(data_dir / "battlefield.db")
    by_id = {run["id"]: run for run in final}
    lost = [run_id for run_id in launched if by_id[run_id]["status"] not in ("succeeded", "failed", "cancelled")]
    twice = [run_id for run_id, who in claims.items() if len(who) > 1] + [r["id"] for r in final if r["attempts"] != 1]
    duplicated_rows = [run_id for run_id, epochs in stored.items() if len(epochs) != len(set(epochs))]
    print(f"\nthree workers: runs {RUNS}, kills 1, lost {len(lost)}, trained twice {len(twice)}, "
          f"duplicated epoch rows {len(duplicated_rows)}; succeeded "
          f"{sum(r['status'] == 'succeeded' for r in final)}, failed {sum(r['status'] == 'failed' for r in final)}")
    assert listed["count"] == RUNS and sorted(claims) == sorted(launched)
    assert lost == [] and twice == [] and duplicated_rows == []
    killed = by_id[victim_run["id"]]
    assert killed["status"] == "failed" and killed["error"].startswith("worker w2 lost")
    assert all(by_id[run_id]["status"] == "succeeded" for run_id in launched if run_id != victim_run["id"])
    for run in final:
        assert stored.get(run["id"], []) == list(range(1, run["epochs_done"] + 1))

