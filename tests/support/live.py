"""Start a real backend or worker as a subprocess for a test, and poll until something holds."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 120.0   # generous: a busy 2-core machine runs several suites at once
STOP_TIMEOUT_SECONDS = 10.0

# The log files of the backends and workers running now, by title: a failing test's report shows their
# tails (tests/conftest.py), since a module's shared backend outlives the test that fails on it.
LIVE_LOGS: dict[str, Path] = {}


def free_port() -> int:
    """Ask the OS for a TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05) -> object:
    """Call `predicate` until it returns something truthy and return that; raise TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s: {predicate!r}")
        time.sleep(interval)


def _child_env(data_dir: Path, extra: Mapping[str, str] | None) -> dict[str, str]:
    """The parent's environment plus the data dir, single-threaded maths and the caller's overrides."""
    env = dict(os.environ)
    env.update(
        BATTLEFIELD_DATA_DIR=str(data_dir),
        KERAS_BACKEND="torch",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("BATTLEFIELD_DATABASE_URL", None)
    env.update(extra or {})
    return env


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the process, then kill it if it does not exit in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _dump_log(title: str, log_path: Path) -> None:
    """Print a subprocess log to stderr so a failing test shows what the server said."""
    text = log_path.read_text(errors="replace") if log_path.exists() else "(no log)"
    sys.stderr.write(f"\n----- {title} ({log_path}) -----\n{text[-20000:]}\n----- end of {title} -----\n")


def _backend_healthy(url: str, process: subprocess.Popen, log_path: Path) -> bool:
    """True once /api/health answers; raises if the server process died while starting."""
    if process.poll() is not None:
        _dump_log("backend log", log_path)
        raise RuntimeError(f"backend exited with code {process.returncode} while starting")
    try:
        return httpx.get(f"{url}/api/health", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class BackendURL(str):
    """A running backend's base URL; `.process` is its Popen (for tests that kill it)."""

    process: subprocess.Popen


@contextlib.contextmanager
def running_backend(
    data_dir: Path, *, lease_seconds: float | None = None, env: dict | None = None, port: int | None = None
) -> Iterator["BackendURL"]:
    """Run `python -m backend` on `port` (default: a free one) with its SQLite database in `data_dir`;
    yield its BackendURL once it answers and has loaded the contestants."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    overrides = dict(env or {})
    if lease_seconds is not None:
        overrides["BATTLEFIELD_LEASE_SECONDS"] = str(lease_seconds)
    log_path = data_dir / f"backend-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=_child_env(data_dir, overrides),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    log_title = f"backend {url}"
    LIVE_LOGS[log_title] = log_path
    try:
        wait_for(lambda: _backend_healthy(url, process, log_path), timeout=STARTUP_TIMEOUT_SECONDS, interval=0.1)
        # The backend answers before torch and the contestants load (a warm-up thread imports them);
        # wait for that here, so that a test's first launch is not timed against the import.
        httpx.get(f"{url}/api/architectures", timeout=STARTUP_TIMEOUT_SECONDS)
        url = BackendURL(url)
        url.process = process
        yield url
    except BaseException:
        _stop(process)
        _dump_log("backend log", log_path)
        raise
    finally:
        LIVE_LOGS.pop(log_title, None)
        _stop(process)


@contextlib.contextmanager
def running_worker(
    url: str,
    *,
    name: str,
    data_dir: Path,
    env: dict | None = None,
    extra_args: Sequence[str] = (),
) -> Iterator[subprocess.Popen]:
    """Run `python -m worker --server url --name name --device cpu`; yield the Popen, stop it on exit."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"worker-{name}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "worker", "--server", url, "--name", name, "--device", "cpu", *extra_args],
            cwd=REPO_ROOT,
            env=_child_env(data_dir, env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    LIVE_LOGS[f"worker {name} ({url})"] = log_path
    try:
        yield process
    except BaseException:
        _stop(process)
        _dump_log(f"worker {name} log", log_path)
        raise
    finally:
        LIVE_LOGS.pop(f"worker {name} ({url})", None)
        _stop(process)


@contextlib.contextmanager
def running_backend_and_worker(
    data_dir: Path, *, worker_name: str, lease_seconds: float | None = None, env: dict | None = None,
    worker_env: dict | None = None,
) -> Iterator["BackendURL"]:
    """A backend (as running_backend) and one worker on it, started together: the worker imports torch
    while the backend starts, and registers once it answers (the agent waits for a backend not up yet).
    `env` is the backend's extra environment, `worker_env` the worker's. Yields the backend's URL once it
    is up; the worker is stopped before the backend."""
    port = free_port()
    with running_worker(f"http://127.0.0.1:{port}", name=worker_name, data_dir=data_dir, env=worker_env) as worker:
        with running_backend(data_dir, lease_seconds=lease_seconds, env=env, port=port) as url:
            try:
                yield url
            finally:
                _stop(worker)   # first, so that it never waits on a backend that is gone
