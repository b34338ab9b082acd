"""Time the dashboard in a real browser: the runs table with 1,000 runs and Compare with 20 runs of 50 epochs.

The data is seeded through the worker HTTP API (register, claim, epoch rows, finish), not by training.
Run: KERAS_BACKEND=torch .venv/bin/python bench/ui_render.py [--runs 1000] [--compare-runs 20] [--epochs 50]
"""

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.live import running_backend  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
WORKER = "bench-seeder"
HYPERPARAMS = {"embedding_dim": 16, "hidden_dim": 16, "maxlen": 64, "num_words": 1000}


def curve(epoch: int, rng: random.Random) -> dict:
    """A plausible epoch row: losses falling, accuracies rising, with noise."""
    progress = 1 - math.exp(-epoch / 8)
    return {
        "train_loss": 0.69 - 0.5 * progress + rng.uniform(-0.01, 0.01),
        "train_acc": 0.5 + 0.45 * progress + rng.uniform(-0.01, 0.01),
        "val_loss": 0.69 - 0.4 * progress + rng.uniform(-0.02, 0.02),
        "val_acc": 0.5 + 0.38 * progress + rng.uniform(-0.02, 0.02),
        "seconds": 2.0 + rng.uniform(-0.2, 0.2),
        "samples_per_second": 5000.0,
    }


def seed(client: httpx.Client, total_runs: int, compare_runs: int, epochs: int) -> list[int]:
    """Create `total_runs` runs; finish the first `compare_runs` with `epochs` rows each; return their ids."""
    rng = random.Random(0)
    client.post("/api/worker/register", json={"name": WORKER, "host": "bench", "device": "cpu"}).raise_for_status()
    architectures = ["lstm", "rnn", "gru"]
    for i in range(total_runs):
        long_run = i < compare_runs
        body = {
            "architecture": architectures[i % len(architectures)],
            "dataset": "synthetic",
            "hyperparams": {**HYPERPARAMS, "epochs": epochs if long_run else 3, "seed": i},
            "tags": ["bench", "compare" if long_run else "bulk"],
        }
        client.post("/api/runs", json=body).raise_for_status()
    compare_ids = []
    leave_queued = 10
    for i in range(total_runs - leave_queued):
        reply = client.post("/api/worker/claim", json={"worker": WORKER, "device": "cpu", "wait": 0})
        reply.raise_for_status()
        run_id = reply.json()["run"]["id"]
        rows = epochs if i < compare_runs else 3
        for epoch in range(1, rows + 1):
            row = {"worker": WORKER, "epoch": epoch, **curve(epoch, rng)}
            client.post(f"/api/worker/runs/{run_id}/epochs", json=row).raise_for_status()
        if i >= total_runs - leave_queued - 5:
            continue  # a few stay running
        finish = {"worker": WORKER, "status": "succeeded", "test_loss": 0.35, "test_acc": 0.85 + rng.uniform(-0.05, 0.05),
                  "best_epoch": rows, "param_count": 18193, "device": "cpu"}
        client.post(f"/api/worker/runs/{run_id}/finish", json=finish).raise_for_status()
        if i < compare_runs:
            compare_ids.append(run_id)
    return compare_ids


def timing(page: Page, key: str) -> dict:
    """Wait for window.__renderTimings[key] and return it."""
    page.wait_for_function(f"() => window.__renderTimings && window.__renderTimings.{key}", timeout=60_000)
    return page.evaluate(f"() => window.__renderTimings.{key}")


def measure(url: str, compare_ids: list[int], repeats: int) -> None:
    """Open the runs page and Compare several times each and print the figures."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        runs_samples = []
        for _ in range(repeats):
            page.goto(f"{url}/#/runs")
            runs_samples.append(timing(page, "runs"))
            page.wait_for_function("() => window.__renderTimings.runs.complete_ms !== undefined", timeout=60_000)
            runs_samples[-1]["complete_ms"] = page.evaluate("() => window.__renderTimings.runs.complete_ms")
            page.goto("about:blank")
        compare_hash = f"#/compare?ids={','.join(map(str, compare_ids))}"
        page.goto(f"{url}/{compare_hash}")
        cold = timing(page, "compare")
        warm_samples = []
        for _ in range(repeats):
            page.evaluate("() => { delete window.__renderTimings.compare; location.hash = '#/runs'; }")
            timing(page, "runs")
            page.evaluate(f"() => {{ location.hash = '{compare_hash}'; }}")
            warm_samples.append(timing(page, "compare"))
        browser.close()

    def median(samples: list[dict], field: str) -> float:
        return statistics.median(s[field] for s in samples)

    rows = runs_samples[0]["rows"]
    print(f"runs table, {rows} runs (median of {repeats} page loads):")
    print(f"  fetch GET /api/runs?limit=1000   {median(runs_samples, 'fetch_ms'):8.1f} ms")
    print(f"  build all rows                   {median(runs_samples, 'build_ms'):8.1f} ms")
    print(f"  layout of the first screen       {median(runs_samples, 'layout_ms'):8.1f} ms")
    print(f"  first screen painted             {median(runs_samples, 'paint_ms'):8.1f} ms   (target < 500 ms)")
    print(f"  every row attached               {median(runs_samples, 'complete_ms'):8.1f} ms")
    print(f"compare, {cold['runs']} runs, {cold['points']} epoch rows:")
    print(f"  cold (loads plotly.min.js)  fetch {cold['fetch_ms']:7.1f} ms   draw {cold['draw_ms']:7.1f} ms")
    print(f"  warm (median of {repeats})          fetch {median(warm_samples, 'fetch_ms'):7.1f} ms   draw {median(warm_samples, 'draw_ms'):7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    """Seed a fresh backend and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs in the table")
    parser.add_argument("--compare-runs", type=int, default=20, help="runs on the Compare page")
    parser.add_argument("--epochs", type=int, default=50, help="epoch rows per compared run")
    parser.add_argument("--repeats", type=int, default=3, help="page loads per figure")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ui-render-") as tmp, running_backend(Path(tmp)) as url:
        started = time.perf_counter()
        with httpx.Client(base_url=url, timeout=30) as client:
            compare_ids = seed(client, args.runs, args.compare_runs, args.epochs)
        print(f"seeded {args.runs} runs ({args.compare_runs} x {args.epochs} epochs for Compare) "
              f"through the worker API in {time.perf_counter() - started:.1f} s")
        measure(url, compare_ids, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
