"""Claim throughput: 8 concurrent claimers drain a queue through a real backend, on SQLite and on PostgreSQL.

Each database gets a fresh backend (PostgreSQL: a throwaway cluster, tests/support/postgres.py);
`--runs` runs are queued, then `--claimers` threads, each with its own keep-alive HTTP client, call
POST /api/worker/claim (wait 0) until the queue answers 204. Printed per database: claims per
second over the drain, and runs handed out twice (must be 0, checked twice: ids seen by two
claimers, and runs whose `attempts` is not 1 afterwards).

    .venv/bin/python bench/claim_throughput.py                  # 400 runs, 8 claimers, both databases
    .venv/bin/python bench/claim_throughput.py --runs 40 --json # tiny, machine-readable
Timing figures need a quiet machine.
"""

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

from tests.support.live import running_backend  # noqa: E402
from tests.support.postgres import find_pg_bin, postgres_cluster  # noqa: E402

TINY = {"epochs": 1, "num_words": 100, "maxlen": 20, "embedding_dim": 8, "hidden_dim": 8}


def queue_runs(url: str, count: int) -> list[int]:
    """Launch `count` tiny runs; their ids."""
    with httpx.Client(base_url=url, timeout=60) as api:
        return [api.post("/api/runs", json={"architecture": "lstm", "dataset": "synthetic", "hyperparams": TINY}).json()["id"]
                for _ in range(count)]


def drain(url: str, claimers: int) -> tuple[list[int], float]:
    """`claimers` threads claim until the queue is empty; (every id handed out, seconds the drain took)."""
    claimed: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(claimers + 1)

    def claimer(index: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            body = {"worker": f"bench-{index}", "device": "cpu", "wait": 0}
            http.get("/api/health")   # connect before the clock starts
            start.wait()
            while (reply := http.post("/api/worker/claim", json=body)).status_code == 200:
                with lock:
                    claimed.append(reply.json()["run"]["id"])

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(claimers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return claimed, time.perf_counter() - began


def measure(url: str, runs: int, claimers: int) -> dict:
    """Queue, drain, and check one backend; the figures."""
    queued = queue_runs(url, runs)
    claimed, seconds = drain(url, claimers)
    twice = sum(n - 1 for n in Counter(claimed).values() if n > 1)
    with httpx.Client(base_url=url, timeout=60) as api:
        attempts = [api.get(f"/api/runs/{run_id}").json()["attempts"] for run_id in queued]
    return {
        "runs": runs, "claimers": claimers, "claimed": len(claimed), "seconds": round(seconds, 3),
        "claims_per_second": round(len(claimed) / seconds, 1),
        "handed_out_twice": twice, "runs_not_claimed_exactly_once": sum(a != 1 for a in attempts),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the bench on each database asked for and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--claimers", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true", help="one JSON object per database")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="claim-bench-") as folder:
        for kind in args.databases.split(","):
            env = {}
            cluster = None
            if kind == "postgresql":
                if find_pg_bin() is None:
                    print("postgresql: skipped (no PostgreSQL binaries in /usr/lib/postgresql/*/bin)", file=sys.stderr)
                    continue
                cluster = postgres_cluster()
                env = {"BATTLEFIELD_DATABASE_URL": cluster.__enter__().new_database()}
            try:
                with running_backend(Path(folder) / kind, env=env) as url:
                    results[kind] = measure(url, args.runs, args.claimers)
            finally:
                if cluster is not None:
                    cluster.__exit__(None, None, None)
    for kind, figures in results.items():
        if args.json:
            print(json.dumps({"database": kind, **figures}))
        else:
            print(f"{kind:10s} {figures['claims_per_second']:8.1f} claims/s  ({figures['claimed']} runs, "
                  f"{figures['claimers']} claimers, {figures['seconds']} s)  handed out twice: {figures['handed_out_twice']}"
                  f"  not claimed exactly once: {figures['runs_not_claimed_exactly_once']}")
    return 0 if all(f["handed_out_twice"] == 0 and f["runs_not_claimed_exactly_once"] == 0 for f in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
