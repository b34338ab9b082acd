"""`make up` (scripts/up.py) with real processes: a dead worker is reported and restarted while the
backend stays up; SIGTERM and SIGINT stop every child."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live import REPO_ROOT, _child_env, free_port, wait_for


def _started_pids(console: Path, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"\[up\] {name} started \(pid (\d+)\)", console.read_text())]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _start_up(tmp_path: Path) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    console = tmp_path / "up.log"
    with open(console, "wb") as out:
        process = subprocess.Popen([sys.executable, "scripts/up.py", "--port", str(port), "--device", "cpu"],
                                   cwd=REPO_ROOT, env=_child_env(tmp_path, None), stdout=out, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}", console


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_up_restarts_a_killed_worker_keeps_the_backend_and_stops_everything_on_a_signal(tmp_path, stop_signal):
    process, url, console = _start_up(tmp_path)
    try:
        wait_for(lambda: _started_pids(console, "worker local"), timeout=60, interval=0.1)
        backend_pid = _started_pids(console, "backend")[0]
        first_worker = _started_pids(console, "worker local")[0]
        os.kill(first_worker, signal.SIGKILL)
        wait_for(lambda: "worker local exited with signal SIGKILL; starting it again in 1 s" in console.read_text(),
                 timeout=10)
        assert _healthy(url)  # the backend stayed up
        workers = wait_for(lambda: (pids := _started_pids(console, "worker local"))[1:] and pids, timeout=15)
        assert _started_pids(console, "backend") == [backend_pid]
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) == 0
        assert all(_gone(pid) for pid in (backend_pid, *workers))
        assert f"{stop_signal.name} received" in console.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
