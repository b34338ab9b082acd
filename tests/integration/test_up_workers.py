"""`make up WORKERS=N`: how many local workers, on which devices; a real start with two workers."""

import importlib.util
import signal
import subprocess
import sys

import httpx
import pytest

from tests.support.live import REPO_ROOT, _child_env, free_port, wait_for

_spec = importlib.util.spec_from_file_location("up_script", REPO_ROOT / "scripts" / "up.py")
up = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(up)


def test_one_worker_per_visible_gpu_by_default_else_one():
    assert up.worker_plan(None, "auto", 0) == [("local", "auto")]
    assert up.worker_plan(None, "auto", 2) == [("local-0", "cuda:0"), ("local-1", "cuda:1")]


def test_workers_n_deals_the_gpus_round_robin_or_repeats_the_device():
    assert up.worker_plan(3, "auto", 2) == [("local-0", "cuda:0"), ("local-1", "cuda:1"), ("local-2", "cuda:0")]
    assert up.worker_plan(2, "cpu", 4) == [("local-0", "cpu"), ("local-1", "cpu")]
    with pytest.raises(SystemExit, match="at least 1"):
        up.worker_plan(0, "auto", 0)


@pytest.mark.parametrize(("visible", "count"), [("0,1,3", 3), ("", 0), ("-1", 0), ("2", 1)])
def test_visible_gpus_follows_cuda_visible_devices(monkeypatch, visible, count):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    assert up.visible_gpus() == count


def test_up_with_two_workers_registers_both(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "up.log", "wb") as out:
        process = subprocess.Popen([sys.executable, "scripts/up.py", "--port", str(port), "--device", "cpu", "--workers", "2"],
                                   cwd=REPO_ROOT, env=_child_env(tmp_path, None), stdout=out, stderr=subprocess.STDOUT)
    try:
        def names():
            try:
                return sorted(w["name"] for w in httpx.get(f"{url}/api/workers", timeout=2).json() if w["state"] == "idle")
            except httpx.HTTPError:
                return []

        assert wait_for(lambda: names() == ["local-0", "local-1"] and names(), timeout=120, interval=0.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
