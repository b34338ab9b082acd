"""`make up`: the backend and one local worker (on the GPU if there is one); Ctrl-C stops both."""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request


def wait_until_healthy(url: str, backend: subprocess.Popen, timeout: float = 60) -> None:
    """Poll /api/health until the backend answers, or fail if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if backend.poll() is not None:
            raise SystemExit(f"the backend exited with code {backend.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the backend did not answer at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGINT, then a kill if it has not exited within the timeout."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> int:
    """Start both processes, print the URL, and stop both on Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--device", default="auto", help="the local worker's device: auto, cpu, cuda:0...")
    args = parser.parse_args()
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    url = f"http://{args.host}:{args.port}"
    # Own sessions: a terminal's Ctrl-C reaches only this script, which stops the worker before the backend.
    backend = subprocess.Popen([sys.executable, "-m", "backend", "--host", args.host, "--port", str(args.port)],
                               env=env, start_new_session=True)
    processes = [backend]
    try:
        wait_until_healthy(url, backend)
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "worker", "--server", url, "--name", "local", "--device", args.device],
            env=env, start_new_session=True))
        print(f"\nIMDB Battlefield is up: {url}  (Ctrl-C stops the dashboard and the worker)\n", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for process in reversed(processes):  # the worker first, so it can still report its run
            stop(process)


if __name__ == "__main__":
    sys.exit(main())
