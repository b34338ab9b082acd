"""The Workers page: reached from the header's worker count, live states, current run, device and memory."""

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend import __version__
from tests.browser.helpers import launch, wait_finished
from tests.support.live import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_url(own_live_url: str) -> str:
    """A live backend of this module's own: the page counts every worker."""
    return own_live_url


@pytest.fixture(autouse=True)
def _local_worker_registered(live_url: str) -> None:
    """The module's worker process is up (importing torch takes a while on a busy machine)."""
    wait_for(lambda: any(w["name"] == "browser-w1" for w in httpx.get(f"{live_url}/api/workers", timeout=10).json()),
             timeout=120, interval=0.5)
    # and the backend has loaded the contestants (torch), which its first launch would wait for
    assert httpx.post(f"{live_url}/api/architectures/lstm/summary", json={}, timeout=120).status_code == 200


def test_the_header_worker_count_opens_the_workers_page_with_the_local_worker(page: Page, live_url: str):
    page.goto("/#/runs")
    link = page.locator("#health-workers")
    expect(link).to_contain_text("1 worker")
    link.click()

    expect(page).to_have_url(f"{live_url}/#/workers")
    row = page.locator("#workers-body tr[data-worker=browser-w1]")
    expect(row).to_contain_text("idle")
    expect(row).to_contain_text("cpu")
    expect(row).to_contain_text(f"v{__version__}")
    expect(row).to_contain_text("GiB")   # host memory of a CPU worker
    expect(page.locator("#workers-summary")).to_contain_text("0 training · 1 idle · 0 lost")


def test_the_page_follows_new_workers_and_training_without_a_reload(page: Page, live_url: str):
    page.goto("/#/workers")
    expect(page.locator("#workers-body tr")).to_have_count(1)

    gpu = {"name": "gpu-box-7", "host": "gpu-box", "device": "cuda:0", "device_name": "NVIDIA H100 80GB HBM3",
           "memory_total_bytes": 85_520_809_984, "memory_free_bytes": 80_000_000_000,
           "torch_version": "2.13.0+cu128", "cuda_version": "12.8", "version": __version__}
    assert httpx.post(f"{live_url}/api/worker/register", json=gpu, timeout=10).status_code == 200
    gpu_row = page.locator("#workers-body tr[data-worker=gpu-box-7]")
    expect(gpu_row).to_contain_text("NVIDIA H100 80GB HBM3", timeout=20_000)   # the next 2 s refresh, on a busy machine
    expect(gpu_row).to_contain_text("79.6 GiB")
    expect(gpu_row).to_contain_text("74.5 GiB free")
    expect(gpu_row).to_contain_text("CUDA 12.8")

    run = launch(live_url, "lstm", epochs=60, name="long-run")
    local = page.locator("#workers-body tr[data-worker=browser-w1]")
    expect(local).to_have_attribute("data-state", "training", timeout=30_000)
    expect(local.get_by_role("link", name="long-run")).to_have_attribute("href", f"#/run/{run['id']}")

    httpx.post(f"{live_url}/api/runs/{run['id']}/cancel", timeout=10)
    wait_finished(live_url, run["id"], timeout=60)
    expect(local).to_have_attribute("data-state", "idle", timeout=10_000)
    wait_for(lambda: page.locator("#workers-summary").inner_text().startswith("0 training"), timeout=10)
