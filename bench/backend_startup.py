"""Backend start-up: seconds from `python -m backend` to the first answer of GET /api/health, and its memory.

Each round starts a fresh backend (a free port, a temporary data dir and SQLite) from the tree given by
--repo (default: this repository), so two commits can be compared with the same script:

    git worktree add /tmp/before <commit>   # or: git archive <commit> | tar -x -C /tmp/before
    .venv/bin/python bench/backend_startup.py --repo /tmp/before
    .venv/bin/python bench/backend_startup.py

Reported per round: seconds to the first 200 from /api/health; the resident memory (VmRSS) then; and,
once GET /api/architectures answered (torch and the registry loaded), the seconds to that answer and
the memory after it. Medians over the rounds. Timings need a quiet machine.

Usage (repository root): .venv/bin/python bench/backend_startup.py [--rounds 5] [--repo DIR]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))   # a script, run from anywhere: import the repo

from tests.support.live import free_port  # noqa: E402


def rss_mib(pid: int) -> float:
    """Resident memory of process `pid` in MiB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _first_ok(client: httpx.Client, path: str, process: subprocess.Popen, timeout: float) -> float:
    """Poll `path` until it answers 200; the monotonic time it did. Raises if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"backend exited with {process.returncode}")
        try:
            if client.get(path).status_code == 200:
                return time.monotonic()
        except httpx.TransportError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"{path} did not answer within {timeout} s")


def one_round(repo: Path, timeout: float) -> dict:
    """Start one backend from `repo`, measure, stop it."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="battlefield-startup-") as data:
        env = {**os.environ, "BATTLEFIELD_DATA_DIR": data, "BATTLEFIELD_PORT": str(port), "KERAS_BACKEND": "torch",
               "PYTHONPATH": str(repo), "OMP_NUM_THREADS": "1"}
        env.pop("BATTLEFIELD_DATABASE_URL", None)
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "backend", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout) as client:
                healthy = _first_ok(client, "/api/health", process, timeout)
                rss_healthy = rss_mib(process.pid)
                ready = _first_ok(client, "/api/architectures", process, timeout)
                time.sleep(0.5)  # let a warm-up thread finish what it started
                rss_ready = rss_mib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"health_s": healthy - started, "rss_health_mib": rss_healthy,
            "architectures_s": ready - started, "rss_ready_mib": rss_ready}


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print one line per round and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repo", type=Path, default=REPO_ROOT, help="the tree to start the backend from")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each answer")
    args = parser.parse_args(argv)
    rounds = []
    for number in range(1, args.rounds + 1):
        rounds.append(one_round(args.repo.resolve(), args.timeout))
        print(f"round {number}: " + ", ".join(f"{key} {value:.2f}" for key, value in rounds[-1].items()), flush=True)
    medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    print(f"median of {len(rounds)} ({args.repo}): " + ", ".join(f"{key} {value:.2f}" for key, value in medians.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
