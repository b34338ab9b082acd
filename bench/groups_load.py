"""GET /api/groups over many runs: the groups are aggregated by the database (GROUP BY), never by loading runs.

Workload: a fresh `python -m backend` (SQLite, temporary data dir); N runs (default 10,000) written straight
into its database in 500 groups (same contestant, dataset and hyperparameters, seeds 0..k), over three
datasets and every status, with summary metrics; then, over HTTP on one keep-alive connection:
GET /api/groups?limit=50 (the Runs page's grouped view), with a dataset filter, with a status filter,
and GET /api/leaderboard?dataset=aclimdb, each `--rounds` times: p50 and p95 in ms. Goal: p50 < 100 ms.

Usage (repository root): KERAS_BACKEND=torch .venv/bin/python bench/groups_load.py [--runs 10000] [--rounds 50]
"""

import argparse
import http.client
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

from backend.confighash import config_hash  # noqa: E402
from tests.support.live import running_backend  # noqa: E402

GOAL_P50_MS = 100.0
GROUPS = 500
CONTESTANTS = ("lstm", "cnn", "fasttext", "gru", "bilstm")
DATASETS = ("aclimdb", "imdb", "synthetic")
STATUSES = ("succeeded",) * 7 + ("failed", "cancelled", "running")


def seed_runs(database: Path, count: int, rng: random.Random) -> None:
    """Insert `count` runs in GROUPS groups straight into the backend's SQLite file (one transaction)."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    rows = []
    for index in range(count):
        group = index % GROUPS
        architecture, dataset = CONTESTANTS[group % len(CONTESTANTS)], DATASETS[group % len(DATASETS)]
        hyperparams = {"epochs": 5, "lr": 0.001 * (1 + group // 15), "batch_size": 64, "seed": index // GROUPS}
        status = rng.choice(STATUSES)
        done = status == "succeeded"
        rows.append((f"{architecture} #{index + 1}", architecture, dataset, json.dumps(hyperparams), json.dumps(["bench"]), "",
                     status, now, 1, 100_000 + group, 5, 0, config_hash(architecture, dataset, hyperparams), 0,
                     rng.uniform(0.8, 0.9), rng.uniform(0.8, 0.9) if done else None, rng.uniform(5, 50) if done else None))
    connection = sqlite3.connect(database)
    connection.executemany(
        "INSERT INTO runs (name, architecture, dataset, hyperparams, tags, notes, status, created_at, attempts, param_count,"
        " epochs_done, has_checkpoint, config_hash, has_predictions, best_val_acc, test_acc, seconds_per_epoch)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()


def timed(url: str, path: str, rounds: int) -> dict:
    """p50 and p95 in ms of `rounds` GETs of `path` on one keep-alive connection (after one warm-up)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    samples = []
    for attempt in range(rounds + 1):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:200]!r}")
        if attempt:
            samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1),
            "bytes": len(body)}


def main(argv: list[str]) -> int:
    """Seed the runs, time the queries, print one JSON object; exit 1 when a p50 misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, running_backend(Path(folder)) as url:
        seed_runs(Path(folder) / "battlefield.db", args.runs, random.Random(0))
        figures = {
            "runs": args.runs,
            "groups": timed(url, "/api/groups?limit=50", args.rounds),
            "groups_dataset": timed(url, "/api/groups?limit=50&dataset=aclimdb", args.rounds),
            "groups_succeeded": timed(url, "/api/groups?limit=50&status=succeeded", args.rounds),
            "leaderboard": timed(url, "/api/leaderboard?dataset=aclimdb", args.rounds),
        }
    figures["goal_p50_ms"] = GOAL_P50_MS
    print(json.dumps(figures, indent=2))
    return 0 if figures["groups"]["p50_ms"] < GOAL_P50_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
