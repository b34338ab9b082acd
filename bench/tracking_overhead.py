"""Tracking overhead: one lstm run through the worker agent and the backend against `python -m worker train`.

The same config (lstm on the synthetic reviews, fixed epochs, no early stop, checkpoint written) is
run alternately, after one warm-up of each:
- standalone: `python -m worker train lstm --dataset synthetic --set ... --checkpoint X --json`;
- tracked: the run launched on a live backend (started once, outside the clock), then
  `python -m worker --server URL --once` claims it, trains it, streams progress and epoch rows,
  heartbeats, uploads the checkpoint and reports the finish.
Each side's time is the wall time of its worker process, start to exit (interpreter start-up, imports,
data from the warm cache, training, test, checkpoint); the ratio tracked / standalone is the overhead.
On a shared, busy machine wall time swings by tens of percent between runs, so the CPU time is reported
too: the worker process's user+system seconds, plus, for the tracked side, the backend's CPU seconds
spent during the run (the whole cost of tracking on this machine). Both sides use one torch thread by
default, so that CPU time is not inflated by threads spinning while they wait for a busy core.

Usage (repository root): KERAS_BACKEND=torch .venv/bin/python bench/tracking_overhead.py [--repeats 3] [--epochs 2]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))   # a script, run from anywhere: import the repo

from tests.support.live import running_backend  # noqa: E402

TARGET_RATIO = 1.03
ARCHITECTURE = "lstm"


def child_env(data_dir: Path, threads: int) -> dict[str, str]:
    """The same environment for both sides: the data dir (warm synthetic cache), the torch backend, threads."""
    env = dict(os.environ, BATTLEFIELD_DATA_DIR=str(data_dir), KERAS_BACKEND="torch", PYTHONUNBUFFERED="1")
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    return env


def children_cpu_seconds() -> float:
    """User + system seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User + system seconds a running process has used (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pid(url: str) -> int:
    """The pid of our `python -m backend` child serving `url`."""
    port = url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == os.getpid() and b"backend" in arguments and port.encode() in arguments:
            return int(entry.name)
    raise RuntimeError(f"no backend child process serves {url}")


def timed(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """Wall and CPU seconds of a worker process from start to exit; raise if it failed."""
    cpu_before, started = children_cpu_seconds(), time.perf_counter()
    with open(log, "ab") as output:
        code = subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT).returncode
    elapsed, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu_before
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {code}; see {log}")
    return elapsed, cpu


def standalone(hyperparams: dict, env: dict[str, str], folder: Path) -> tuple[float, float]:
    """`python -m worker train` with the config and a checkpoint, like the agent writes one."""
    settings = [arg for name, value in hyperparams.items() for arg in ("--set", f"{name}={value}")]
    command = [sys.executable, "-m", "worker", "train", ARCHITECTURE, "--dataset", "synthetic", *settings,
               "--device", "cpu", "--checkpoint", str(folder / "standalone.pt"), "--json"]
    return timed(command, env, folder / "standalone.log")


def tracked(api: httpx.Client, url: str, hyperparams: dict, env: dict[str, str], folder: Path) -> tuple[float, float]:
    """Launch the run on the backend and time a `--once` worker agent that trains and reports it.

    The CPU time adds the backend's CPU seconds while the agent ran.
    """
    server = backend_pid(url)
    run = api.post("/api/runs", json={"architecture": ARCHITECTURE, "dataset": "synthetic", "hyperparams": hyperparams})
    run_id = run.raise_for_status().json()["id"]
    command = [sys.executable, "-m", "worker", "--server", url, "--name", "bench-agent", "--device", "cpu", "--once"]
    server_before = process_cpu_seconds(server)
    seconds, cpu = timed(command, env, folder / "agent.log")
    server_cpu = process_cpu_seconds(server) - server_before
    print(f"    tracked CPU: agent {cpu:.2f} s + backend {server_cpu:.2f} s", flush=True)
    cpu += server_cpu
    stored = api.get(f"/api/runs/{run_id}").json()
    if stored["status"] != "succeeded" or stored["epochs_done"] != hyperparams["epochs"] or not stored["has_checkpoint"]:
        raise RuntimeError(f"run {run_id} ended {stored['status']} with {stored['epochs_done']} rows: {stored['error']}")
    return seconds, cpu


def main(argv: list[str]) -> int:
    """Start a backend, alternate the two sides, print each time, the medians and the ratio."""
    parser = argparse.ArgumentParser(description="tracking overhead of the worker agent + backend")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side (default 3)")
    parser.add_argument("--epochs", type=int, default=6, help="epochs per run (default 6: ~30 s with one thread here)")
    parser.add_argument("--threads", type=int, default=1, help="OMP threads for both sides (default 1; 0: torch's choice)")
    args = parser.parse_args(argv)
    hyperparams = {"epochs": args.epochs, "patience": 0}
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs; {ARCHITECTURE} on synthetic, {hyperparams}",
          flush=True)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = child_env(folder / "worker-data", args.threads)
        with running_backend(folder / "backend-data") as url, httpx.Client(base_url=url, timeout=30.0) as api:
            standalone(hyperparams, env, folder)          # warm-up: builds the data cache, warms the page cache
            tracked(api, url, hyperparams, env, folder)
            times: dict[str, list[tuple[float, float]]] = {"standalone": [], "tracked": []}
            for _ in range(args.repeats):
                times["standalone"].append(standalone(hyperparams, env, folder))
                times["tracked"].append(tracked(api, url, hyperparams, env, folder))
                (wall_a, cpu_a), (wall_t, cpu_t) = times["standalone"][-1], times["tracked"][-1]
                print(f"  standalone {wall_a:6.1f} s wall {cpu_a:6.1f} s CPU   tracked {wall_t:6.1f} s wall "
                      f"{cpu_t:6.1f} s CPU", flush=True)
    for index, measure in enumerate(("wall", "CPU")):
        alone = statistics.median(t[index] for t in times["standalone"])
        with_tracking = statistics.median(t[index] for t in times["tracked"])
        ratio = with_tracking / alone
        pairs = [t[index] / s[index] for s, t in zip(times["standalone"], times["tracked"])]
        print(f"{measure} median: standalone {alone:.1f} s, tracked {with_tracking:.1f} s, ratio {ratio:.3f} "
              f"(pairwise {', '.join(f'{p:.3f}' for p in pairs)}); target <= {TARGET_RATIO}: "
              f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
