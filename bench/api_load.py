"""Tracking-server load: a fixed workload against a real backend over HTTP, compared with MLflow's figures.

Workload (a fresh `python -m backend` on a free port with a temporary data dir and SQLite):
1. ingest: 50 runs x 100 epochs, one POST /api/worker/runs/{id}/epochs per epoch row, from 1 client,
   then 50 more runs from 4 concurrent clients (4 processes): rows stored per second;
2. history: GET /api/runs/{id}/metrics of each 100-row run, 4 rounds (p50, p95);
3. listing: GET /api/runs?limit=50 (with summaries) 100 times (p50);
4. events: time from a worker's POST of an epoch row to its arrival on a /api/runs/{id}/events SSE
   client, over 200 rows posted 20 ms apart (p50, p95).

Each ingest also reports the server's CPU milliseconds per row (from /proc), which a busy shared
machine disturbs far less than rows per second. The clients are lean: http.client on one keep-alive HTTP/1.1 connection each, on the same machine.
MLflow's tracking server on SQLite, driven with this workload on this machine (one log-batch request of
4 metrics per epoch row), stored ~16 rows/s from one client and ~50 from four, and read one run's
4-metric history in ~200 ms (p50); those figures are given, not measured here.

Usage (repository root): KERAS_BACKEND=torch .venv/bin/python bench/api_load.py [--runs 50] [--epochs 100] [--only ingest]
"""

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

from bench.tracking_overhead import backend_pid, process_cpu_seconds  # noqa: E402
from tests.support.live import running_backend  # noqa: E402

MLFLOW = {"ingest_1": 16.0, "ingest_4": 50.0, "history_p50_ms": 200.0}
TARGETS = {"ingest_1": 1000.0, "history_p50_ms": 10.0, "event_p95_ms": 50.0}
WORKER = "bench"
ROW = {"train_loss": 0.5, "train_acc": 0.8, "val_loss": 0.5, "val_acc": 0.8, "seconds": 1.0, "samples_per_second": 1000.0}
HEADERS = {"Content-Type": "application/json"}


class Api:
    """A minimal JSON client on one keep-alive HTTP/1.1 connection."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        """Send one request and read the whole reply."""
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self.connection.request(method, path, payload, HEADERS if payload is not None else {})
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            self.connection.close()   # the server closed an idle keep-alive connection: reconnect once
            self.connection.request(method, path, payload, HEADERS if payload is not None else {})
            response = self.connection.getresponse()
        return response.status, response.read()

    def json(self, method: str, path: str, body: dict | None = None, expect: tuple[int, ...] = (200, 201)) -> object:
        """The decoded reply; raise on an unexpected status."""
        status, data = self.call(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path} -> {status}: {data[:300]!r}")
        return json.loads(data) if data else None

    def close(self) -> None:
        self.connection.close()


def launch_and_claim(api: Api, count: int, epochs: int) -> list[int]:
    """Queue `count` runs of `epochs` epochs and claim them all as the bench worker."""
    ids = []
    for _ in range(count):
        api.json("POST", "/api/runs", {"architecture": "fasttext", "dataset": "synthetic", "hyperparams": {"epochs": epochs}})
        claim = api.json("POST", "/api/worker/claim", {"worker": WORKER, "device": "cpu", "wait": 0})
        ids.append(claim["run"]["id"])
    return ids


def post_rows(url: str, run_ids: list[int], epochs: int) -> int:
    """Post every epoch row of each run in turn; return how many were stored (201)."""
    api = Api(url)
    stored = 0
    try:
        for run_id in run_ids:
            path = f"/api/worker/runs/{run_id}/epochs"
            for epoch in range(1, epochs + 1):
                status, _ = api.call("POST", path, {"worker": WORKER, "epoch": epoch, **ROW})
                stored += status == 201
    finally:
        api.close()
    return stored


def ingest(url: str, run_ids: list[int], epochs: int, clients: int) -> tuple[float, float]:
    """Rows stored per second with `clients` processes sharing the runs, and the server's CPU ms per row."""
    server = backend_pid(url)
    server_cpu = process_cpu_seconds(server)
    shares = [run_ids[i::clients] for i in range(clients)]
    if clients == 1:
        started = time.perf_counter()
        stored = post_rows(url, shares[0], epochs)
    else:
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            pool.apply(time.sleep, (0,))  # the workers are up before the clock starts
            started = time.perf_counter()
            # str(): a BackendURL carries its Popen, which cannot be pickled to the client processes
            stored = sum(pool.starmap(post_rows, [(str(url), share, epochs) for share in shares]))
    elapsed = time.perf_counter() - started
    server_cpu = process_cpu_seconds(server) - server_cpu
    expected = len(run_ids) * epochs
    if stored != expected:
        raise RuntimeError(f"stored {stored} rows of {expected}")
    return stored / elapsed, 1000 * server_cpu / stored


def timed_gets(api: Api, paths: list[str]) -> list[float]:
    """Milliseconds per GET, one after the other."""
    times = []
    for path in paths:
        started = time.perf_counter()
        status, _ = api.call("GET", path)
        times.append(1000 * (time.perf_counter() - started))
        if status != 200:
            raise RuntimeError(f"GET {path} -> {status}")
    return times


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def event_delays(url: str, api: Api, events: int, gap: float) -> list[float]:
    """Milliseconds from posting each epoch row to its `epoch` event arriving on the run's SSE stream."""
    (run_id,) = launch_and_claim(api, 1, events)
    sent: dict[int, float] = {}
    arrived: dict[int, float] = {}
    opened = threading.Event()

    def listen() -> None:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("GET", f"/api/runs/{run_id}/events", headers={"Accept": "text/event-stream"})
        response = connection.getresponse()
        opened.set()
        kind = None
        while len(arrived) < events:
            line = response.fp.readline()
            if not line:
                break
            if line.startswith(b"event: "):
                kind = line[7:].strip()
            elif line.startswith(b"data: ") and kind == b"epoch":
                arrived[json.loads(line[6:])["epoch"]] = time.perf_counter()
        connection.close()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    opened.wait(10)
    time.sleep(0.2)
    for epoch in range(1, events + 1):
        sent[epoch] = time.perf_counter()
        api.json("POST", f"/api/worker/runs/{run_id}/epochs", {"worker": WORKER, "epoch": epoch, **ROW})
        time.sleep(gap)
    listener.join(10)
    if len(arrived) != events:
        raise RuntimeError(f"only {len(arrived)} of {events} epoch events arrived")
    return [1000 * (arrived[e] - sent[e]) for e in range(1, events + 1)]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main(argv: list[str]) -> int:
    """Start a backend in a temporary folder, run the workload, print the figures and ratios."""
    parser = argparse.ArgumentParser(description="tracking-server load against MLflow's figures")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--event-gap", type=float, default=0.02, help="seconds between posted rows in the event test")
    parser.add_argument("--only", choices=("ingest",), help="run only the 1-client ingest (for A/B comparisons)")
    args = parser.parse_args(argv)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory() as folder, running_backend(Path(folder)) as url:
        api = Api(url)
        single_ids = launch_and_claim(api, args.runs, args.epochs)
        one, cost = ingest(url, single_ids, args.epochs, 1)
        print(f"ingest, 1 client:  {one:7.0f} rows/s  ({one / MLFLOW['ingest_1']:.0f}x MLflow's {MLFLOW['ingest_1']:.0f})"
              f"  target >= {TARGETS['ingest_1']:.0f}: {verdict(one >= TARGETS['ingest_1'])};"
              f" server CPU {cost:.2f} ms per row", flush=True)
        if args.only == "ingest":
            api.close()
            return 0
        four, cost = ingest(url, launch_and_claim(api, args.runs, args.epochs), args.epochs, 4)
        print(f"ingest, 4 clients: {four:7.0f} rows/s  ({four / MLFLOW['ingest_4']:.0f}x MLflow's {MLFLOW['ingest_4']:.0f});"
              f" server CPU {cost:.2f} ms per row", flush=True)
        history = timed_gets(api, [f"/api/runs/{run_id}/metrics" for run_id in single_ids] * 4)
        p50, p95 = statistics.median(history), percentile(history, 0.95)
        print(f"history of one {args.epochs}-row run: p50 {p50:.2f} ms, p95 {p95:.2f} ms  "
              f"({MLFLOW['history_p50_ms'] / p50:.0f}x faster than MLflow's {MLFLOW['history_p50_ms']:.0f} ms)"
              f"  target p50 < {TARGETS['history_p50_ms']:.0f} ms: {verdict(p50 < TARGETS['history_p50_ms'])}", flush=True)
        listing = timed_gets(api, ["/api/runs?limit=50"] * 100)
        print(f"list 50 of {2 * args.runs} runs with summaries: p50 {statistics.median(listing):.2f} ms, "
              f"p95 {percentile(listing, 0.95):.2f} ms", flush=True)
        delays = event_delays(url, api, args.events, args.event_gap)
        e50, e95 = statistics.median(delays), percentile(delays, 0.95)
        print(f"epoch POST -> SSE client ({args.events} events): p50 {e50:.2f} ms, p95 {e95:.2f} ms"
              f"  target p95 < {TARGETS['event_p95_ms']:.0f} ms: {verdict(e95 < TARGETS['event_p95_ms'])}", flush=True)
        api.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
