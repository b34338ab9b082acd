"""Measure queue latency and epoch-row throughput against a live backend and worker.

1. With an idle worker, the time from POST /api/runs to the run's first epoch row, seen on the
   /api/events SSE stream, for a tiny synthetic run (median of a few runs; the first one also
   builds the dataset cache).
2. How many epoch rows per second the backend stores from one worker connection: the agent's
   own client posting synthetic rows in a loop.

Usage (from the repository root): KERAS_BACKEND=torch .venv/bin/python bench/first_epoch_latency.py [--runs 5]
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

from tests.integration.runs import tiny_hyperparams  # noqa: E402
from tests.support.sse import read_events  # noqa: E402
from tests.support.live import running_backend, running_worker, wait_for  # noqa: E402
from worker.agent.client import BackendClient  # noqa: E402
from worker.wire import EpochMetrics, FinishReport, RunStatus  # noqa: E402

ROWS_PER_RUN = 200   # the most epochs a run may have


def first_epoch_seconds(api: httpx.Client, architecture: str) -> float:
    """Seconds from launching one tiny run to the status event that shows its first epoch row."""
    seen = threading.Event()
    opened = threading.Event()
    run_id: list[int] = []

    def listen() -> None:
        with api.stream("GET", "/api/events", timeout=60.0) as response:
            opened.set()
            for event in read_events(response):
                if (event.event == "status" and run_id and event.data["id"] == run_id[0]
                        and event.data["epochs_done"] >= 1):
                    seen.set()
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    opened.wait(10)
    started = time.perf_counter()
    response = api.post("/api/runs", json={"architecture": architecture, "dataset": "synthetic",
                                           "hyperparams": tiny_hyperparams(architecture, epochs=1)})
    run_id.append(response.raise_for_status().json()["id"])
    if not seen.wait(60):
        raise TimeoutError(f"run {run_id[0]} showed no epoch row within 60 s")
    elapsed = time.perf_counter() - started
    wait_for(lambda: api.get(f"/api/runs/{run_id[0]}").json()["status"] == "succeeded", timeout=30)
    return elapsed


def rows_per_second(url: str, runs: int) -> float:
    """Epoch rows stored per second when one client posts `ROWS_PER_RUN` rows to each of `runs` runs."""
    client = BackendClient(url)
    api = httpx.Client(base_url=url, timeout=10.0)
    try:
        client.register("bench", {"host": "bench", "device": "cpu"})
        row = {"train_loss": 0.5, "train_acc": 0.8, "val_loss": 0.5, "val_acc": 0.8, "seconds": 1.0,
               "samples_per_second": 1000.0}
        stored, elapsed = 0, 0.0
        for _ in range(runs):
            api.post("/api/runs", json={"architecture": "fasttext", "dataset": "synthetic",
                                        "hyperparams": tiny_hyperparams("fasttext", epochs=ROWS_PER_RUN)}).raise_for_status()
            claim = client.claim("bench", "cpu", wait=5)
            run_id = claim.run.id
            started = time.perf_counter()
            for epoch in range(1, ROWS_PER_RUN + 1):
                stored += client.epoch(run_id, "bench", EpochMetrics(epoch=epoch, **row))
            elapsed += time.perf_counter() - started
            client.finish(run_id, "bench", FinishReport(status=RunStatus.FAILED, error="benchmark rows only"))
        return stored / elapsed
    finally:
        api.close()
        client.close()


def main(argv: list[str]) -> int:
    """Start a backend and a worker in a temporary folder, measure, print the figures."""
    parser = argparse.ArgumentParser(description="first-epoch latency and epoch-row throughput")
    parser.add_argument("--runs", type=int, default=5, help="runs to time (default 5)")
    parser.add_argument("--architecture", default="fasttext")
    parser.add_argument("--row-runs", type=int, default=3, help=f"runs of {ROWS_PER_RUN} rows to post (default 3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, running_backend(Path(folder)) as url:
        # Rows first: with no real worker around, the bench's claims get the runs it launches.
        throughput = rows_per_second(url, args.row_runs)
        with running_worker(url, name="bench-worker", data_dir=Path(folder)), httpx.Client(base_url=url, timeout=10.0) as api:
            wait_for(lambda: api.get("/api/health").json()["workers"] >= 2, timeout=60)
            time.sleep(0.5)   # let the worker enter its long-poll claim
            latencies = [first_epoch_seconds(api, args.architecture) for _ in range(args.runs)]
    print(f"first epoch row after launch ({args.architecture}, tiny synthetic, idle worker):")
    print("  each run: " + ", ".join(f"{seconds:.2f} s" for seconds in latencies) + "  (the first builds the data cache)")
    print(f"  median: {statistics.median(latencies):.2f} s")
    print(f"epoch rows stored per second from one worker connection: {throughput:.0f} "
          f"({args.row_runs} x {ROWS_PER_RUN} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
