"""The server exits promptly on SIGTERM even with an event stream and a long-poll claim open."""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.support.live import REPO_ROOT, _backend_healthy, free_port, wait_for


def test_sigterm_ends_open_streams_and_exits_within_seconds(tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "backend.log"
    env = {"BATTLEFIELD_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "KERAS_BACKEND": "torch"}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend", "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=out, stderr=out
        )
    try:
        wait_for(lambda: _backend_healthy(url, process, log), timeout=60, interval=0.1)
        opened = threading.Event()

        def listen() -> None:
            with httpx.stream("GET", f"{url}/api/events", timeout=30) as stream:
                opened.set()
                for _ in stream.iter_lines():
                    pass

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert opened.wait(10)
        claimer = threading.Thread(
            target=lambda: httpx.post(f"{url}/api/worker/claim", json={"worker": "w", "wait": 25}, timeout=30),
            daemon=True,
        )
        claimer.start()
        time.sleep(0.3)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        assert time.monotonic() - started < 3.0
        listener.join(timeout=5)
        assert not listener.is_alive()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
