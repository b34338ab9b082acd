"""`make up`: the backend and local workers (one per visible GPU, else one; WORKERS=N), supervised.

SIGINT (Ctrl-C) or SIGTERM stops both: the worker first, so it can still report its run. A worker
that dies is reported on the console with its exit code and started again after a backoff
(1 s, doubling to 30 s; back to 1 s once one has run a minute); the backend stays up meanwhile.
If the backend itself exits, the worker is stopped and `make up` exits with the backend's code.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request

POLL_SECONDS = 0.2
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
HEALTHY_RUN_SECONDS = 60.0   # a worker that lived this long resets the backoff
STOP_TIMEOUT_SECONDS = 15.0


def say(message: str) -> None:
    """One line on the console, marked as the supervisor's."""
    print(f"[up] {message}", flush=True)


def exit_text(code: int) -> str:
    """'code 3', or 'signal SIGKILL' for a child killed by a signal (Popen gives -9)."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


class Child:
    """One supervised process: how to start it, the running Popen, and its restart backoff."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]):
        self.name, self.argv, self.env = name, argv, env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.backoff = BACKOFF_FIRST_SECONDS
        self.restart_at: float | None = None

    def start(self) -> None:
        """Start the process in its own session (a terminal's Ctrl-C reaches only the supervisor)."""
        self.process = subprocess.Popen(self.argv, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()
        self.restart_at = None
        say(f"{self.name} started (pid {self.process.pid})")

    def exited(self) -> int | None:
        """The exit code if the process ended since the last look (reported once), else None."""
        if self.process is None or self.restart_at is not None:
            return None
        return self.process.poll()

    def schedule_restart(self, code: int) -> float:
        """Note the death, pick the delay before the next start; returns the delay in seconds."""
        if time.monotonic() - self.started_at >= HEALTHY_RUN_SECONDS:
            self.backoff = BACKOFF_FIRST_SECONDS
        delay = self.backoff
        self.backoff = min(self.backoff * 2, BACKOFF_MAX_SECONDS)
        self.restart_at = time.monotonic() + delay
        return delay

    def due(self) -> bool:
        """True when a scheduled restart's time has come."""
        return self.restart_at is not None and time.monotonic() >= self.restart_at

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGINT, then SIGKILL if it has not exited within the timeout."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            say(f"{self.name} did not stop within {timeout:.0f} s; killing it")
            process.kill()
            process.wait()


class Stop(Exception):
    """Raised by the SIGINT/SIGTERM handler: stop the children and exit."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)


def _raise_stop(signum: int, _frame) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # a second Ctrl-C must not cut the orderly stop short
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stop(signum)


def wait_until_healthy(url: str, backend: Child, timeout: float = 60) -> None:
    """Poll /api/health until the backend answers, or fail if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (code := backend.exited()) is not None:
            raise SystemExit(f"[up] the backend exited with {exit_text(code)} while starting")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(POLL_SECONDS)
    raise SystemExit(f"[up] the backend did not answer at {url} within {timeout:.0f} s")


def supervise(backend: Child, workers: list[Child]) -> int:
    """Restart dead workers with backoff until the backend exits (its code) or a Stop arrives."""
    while True:
        if (code := backend.exited()) is not None:
            say(f"the backend exited with {exit_text(code)}; stopping")
            return code if code > 0 else 1
        for worker in workers:
            if (code := worker.exited()) is not None:
                delay = worker.schedule_restart(code)
                say(f"{worker.name} exited with {exit_text(code)}; starting it again in {delay:.0f} s")
            elif worker.due():
                worker.start()
        time.sleep(POLL_SECONDS)


def visible_gpus() -> int:
    """How many CUDA GPUs this process may use, without importing torch (seconds at every `make up`).

    CUDA_VISIBLE_DEVICES when set (empty or -1: none), else the lines of `nvidia-smi -L`, else 0.
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        entries = [e for e in visible.split(",") if e.strip()]
        return 0 if not entries or entries[0].strip() == "-1" else len(entries)
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(line.startswith("GPU ") for line in listing.stdout.splitlines()) if listing.returncode == 0 else 0


def worker_plan(count: int | None, device: str, gpus: int) -> list[tuple[str, str]]:
    """(name, device) of each local worker: `count` of them (default one per GPU, else one), GPUs dealt round-robin."""
    count = count if count is not None else max(gpus, 1)
    if count < 1:
        raise SystemExit("[up] WORKERS must be at least 1")
    if device == "auto" and gpus:
        devices = [f"cuda:{i % gpus}" for i in range(count)]
    else:
        devices = [device] * count
    names = ["local"] if count == 1 else [f"local-{i}" for i in range(count)]
    return list(zip(names, devices, strict=True))


def main(argv: list[str] | None = None) -> int:
    """Start the backend and the worker, print the URL, supervise, and stop both on SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--device", default="auto",
                        help="the local workers' device: auto (one GPU each when there are GPUs), cpu, cuda:0...")
    parser.add_argument("--workers", type=int, default=None,
                        help="how many local workers (make up WORKERS=N; default: one per visible GPU, else one)")
    parser.add_argument("--insecure", action="store_true",
                        help="let the backend serve a non-loopback --host without BATTLEFIELD_TOKEN")
    args = parser.parse_args(argv)
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    url = f"http://{args.host}:{args.port}"
    backend = Child("backend", [sys.executable, "-m", "backend", "--host", args.host, "--port", str(args.port),
                                *(["--insecure"] if args.insecure else [])], env)
    workers = [Child(f"worker {name}", [sys.executable, "-m", "worker", "--server", url, "--name", name,
                                        "--device", device], env)
               for name, device in worker_plan(args.workers, args.device, visible_gpus() if args.device == "auto" else 0)]
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        backend.start()
        wait_until_healthy(url, backend)
        for worker in workers:
            worker.start()
        print(f"\nIMDB Battlefield is up: {url}  (Ctrl-C stops the dashboard and the worker)\n", flush=True)
        return supervise(backend, workers)
    except Stop as stop:
        say(f"{stop} received; stopping the worker, then the backend")
        return 0
    finally:
        for child in [*workers, backend]:  # the workers first, so they can still report their runs
            child.stop()


if __name__ == "__main__":
    sys.exit(main())
