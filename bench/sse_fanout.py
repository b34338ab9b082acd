"""SSE fan-out: one backend on PostgreSQL, 100 browser streams, 50 simulated workers posting progress.

A throwaway PostgreSQL cluster (tests/support/postgres.py) and one real backend; `--workers` runs
are launched and claimed, one per simulated worker. `--clients` event streams (GET /api/events, as
the dashboard's runs table opens) are held open by `--client-processes` processes, while the
workers (threads of one more process) post progress `--rate` times a second each and an epoch row
every `--epoch-seconds`. Each progress post carries a unique (run, fraction); every client notes
when it receives each one (CLOCK_MONOTONIC is one clock for all processes of a machine), so the
post-to-client latency is measured at every client. Printed: p50/p95/p99 latency, events
delivered and missed, and the backend's CPU seconds per event posted (progress or epoch row).
Goal: p95 < 50 ms.

    .venv/bin/python bench/sse_fanout.py                          # 100 clients, 50 workers, 20 s
    .venv/bin/python bench/sse_fanout.py --clients 4 --workers 2 --seconds 3   # tiny
Timing figures need a quiet machine.
"""

import argparse
import asyncio
import http.client
import json
import multiprocessing
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

from bench.tracking_overhead import backend_pid, process_cpu_seconds  # noqa: E402
from tests.support.live import running_backend  # noqa: E402
from tests.support.postgres import postgres_cluster  # noqa: E402

TINY = {"epochs": 200, "num_words": 100, "maxlen": 20, "embedding_dim": 8, "hidden_dim": 8}
SETTLE_SECONDS = 1.0   # after the last post, for the last events to arrive


def _key(run_id: int, fraction: float) -> str:
    return f"{run_id}:{fraction:.9f}"


# --- clients ---------------------------------------------------------------------------------------
# The clients stand in for browsers, whose SSE parsing is native code: each stream is a raw socket
# read in large chunks and scanned with one regular expression, so that the clients' own CPU (on the
# same cores as the backend here) disturbs the figure as little as it can. Frames are matched whole:
# an HTTP chunk holds whole frames, and a read cut inside one keeps its tail for the next read.
PROGRESS_FRAME = re.compile(rb'event: progress\ndata: \{"run_id":\s*(\d+),.*?"fraction":\s*([0-9.eE+-]+)')


async def _one_stream(url: str, received: dict, ready: list) -> None:
    """Hold GET /api/events open until cancelled, noting the arrival time of each progress event."""
    address = urlsplit(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(f"GET /api/events HTTP/1.1\r\nHost: {address.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    ready.append(True)
    pending = b""
    try:
        while chunk := await reader.read(1 << 16):
            arrived = time.monotonic()
            pending += chunk
            cut = pending.rfind(b"\n\n")
            if cut < 0:
                continue
            complete, pending = pending[:cut], pending[cut + 2:]
            for run_id, fraction in PROGRESS_FRAME.findall(complete):
                received.setdefault(_key(int(run_id), float(fraction)), arrived)
    finally:
        writer.close()


def client_process(url: str, streams: int, stop, ready, results) -> None:
    """`streams` streams in one asyncio loop until `stop` is set; puts a list of {key: arrival} dicts on `results`."""
    async def run() -> list[dict]:
        received = [{} for _ in range(streams)]
        opened: list = []
        tasks = [asyncio.create_task(_one_stream(url, received[i], opened)) for i in range(streams)]
        while len(opened) < streams:
            await asyncio.sleep(0.05)
        ready.put(streams)
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        return received

    results.put(asyncio.run(run()))


# --- workers ---------------------------------------------------------------------------------------
def _post(connection: http.client.HTTPConnection, path: str, body: dict) -> None:
    """POST JSON on a kept-alive connection (http.client: the lightest client, so posts are not held up here)."""
    connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    if response.status >= 400:
        raise RuntimeError(f"POST {path}: {response.status}")


def worker_process(url: str, runs: list[int], rate: float, epoch_seconds: float, seconds: float, results,
                   spread_epochs: bool = False) -> None:
    """One thread per simulated worker: progress `rate` times a second, an epoch row every `epoch_seconds`.

    Every worker posts its epoch row at the same instant of each period (50 rows at once), unless
    `spread_epochs` offsets each worker's rows by its share of the period, as unrelated workers would be."""
    sent: dict[str, float] = {}
    counts = {"progress": 0, "epochs": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    address = urlsplit(url)

    def simulate(index: int, run_id: int) -> None:
        worker = f"sim-{index}"
        phase = epoch_seconds * index / len(runs) if spread_epochs else 0.0
        step, epoch, next_epoch = 0, 1, time.monotonic() + epoch_seconds + phase
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        next_post = time.monotonic() + index / (rate * len(runs))   # spread the workers over the period
        while (now := time.monotonic()) < stop_at:
            if now >= next_epoch and epoch < TINY["epochs"]:
                _post(connection, f"/api/worker/runs/{run_id}/epochs", {"worker": worker, "epoch": epoch, "train_loss": 0.5,
                      "train_acc": 0.7, "val_loss": 0.5, "val_acc": 0.7, "seconds": epoch_seconds})
                epoch, next_epoch = epoch + 1, next_epoch + epoch_seconds
                with lock:
                    counts["epochs"] += 1
            step += 1
            fraction = (step % 1_000_000) / 1_000_000 + 1e-9 * index
            with lock:
                sent[_key(run_id, fraction)] = time.monotonic()
                counts["progress"] += 1
            _post(connection, f"/api/worker/runs/{run_id}/progress", {"worker": worker, "epoch": epoch,
                  "fraction": fraction, "loss": 0.5})
            next_post += 1 / rate
            time.sleep(max(0.0, next_post - time.monotonic()))
        connection.close()

    threads = [threading.Thread(target=simulate, args=(i, run_id)) for i, run_id in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((sent, counts))


# --- the bench -------------------------------------------------------------------------------------
def prepare(url: str, workers: int) -> list[int]:
    """Launch and claim one run per simulated worker; the run ids."""
    with httpx.Client(base_url=url, timeout=60) as api:
        runs = []
        for index in range(workers):
            launched = api.post("/api/runs", json={"architecture": "lstm", "dataset": "synthetic", "hyperparams": TINY})
            assert launched.status_code == 201, launched.text
            claim = api.post("/api/worker/claim", json={"worker": f"sim-{index}", "device": "cpu", "wait": 0})
            runs.append(claim.json()["run"]["id"])
        return runs


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def measure(url: str, args) -> dict:
    """Open the streams, run the workers, gather the arrivals; the figures."""
    runs = prepare(url, args.workers)
    context = multiprocessing.get_context("spawn")
    ready, client_results, worker_results = context.Queue(), context.Queue(), context.Queue()
    per_process = [args.clients // args.client_processes + (i < args.clients % args.client_processes)
                   for i in range(args.client_processes)]
    stop = context.Event()
    clients = [context.Process(target=client_process, args=(url, n, stop, ready, client_results))
               for n in per_process if n]
    for process in clients:
        process.start()
    opened = sum(ready.get(timeout=120) for _ in clients)
    pid = backend_pid(url)
    cpu_before = process_cpu_seconds(pid)
    poster = context.Process(target=worker_process, args=(url, runs, args.rate, args.epoch_seconds, args.seconds, worker_results, args.spread_epochs))
    poster.start()
    sent, counts = worker_results.get(timeout=args.seconds + 120)
    poster.join()
    cpu_seconds = process_cpu_seconds(pid) - cpu_before
    time.sleep(SETTLE_SECONDS)
    stop.set()
    streams = [received for _ in clients for received in client_results.get(timeout=args.seconds + 180)]
    for process in clients:
        process.terminate()
        process.join()
    latencies = [(received[key] - at) * 1000 for received in streams for key, at in sent.items() if key in received]
    expected = len(sent) * len(streams)
    events = counts["progress"] + counts["epochs"]
    return {
        "clients": opened, "workers": args.workers, "seconds": args.seconds,
        "progress_posted": counts["progress"], "epochs_posted": counts["epochs"],
        "delivered": len(latencies), "missed": expected - len(latencies),
        "p50_ms": round(percentile(latencies, 0.50), 2) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 2) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
        "backend_cpu_ms_per_event": round(1000 * cpu_seconds / events, 3) if events else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Start PostgreSQL and a backend, run the fan-out, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=4.0, help="progress posts per second per worker")
    parser.add_argument("--epoch-seconds", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--spread-epochs", action="store_true",
                        help="offset each worker's epoch rows over the period (default: all at the same instant)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with postgres_cluster() as cluster, tempfile.TemporaryDirectory(prefix="sse-bench-") as folder, \
            running_backend(Path(folder), env={"BATTLEFIELD_DATABASE_URL": cluster.new_database(),
                                               "BATTLEFIELD_LEASE_SECONDS": "3600"}) as url:
        figures = measure(str(url), args)  # a plain string: the spawned processes pickle it
    if args.json:
        print(json.dumps(figures))
    else:
        epochs = "spread" if args.spread_epochs else "aligned"
        print(f"{figures['clients']} clients, {figures['workers']} workers ({epochs} epoch rows), {figures['seconds']:g} s on PostgreSQL: "
              f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms post-to-client; "
              f"{figures['delivered']} deliveries, {figures['missed']} missed; "
              f"backend CPU {figures['backend_cpu_ms_per_event']} ms per event posted "
              f"({figures['progress_posted']} progress, {figures['epochs_posted']} epoch rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
