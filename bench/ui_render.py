"""Time the dashboard in a real browser: the runs table with 10,000 runs and Compare with 20 runs of 50 epochs.

Compare's runs are seeded through the worker HTTP API (register, claim, epoch rows, finish), not by
training; the bulk of the runs table is inserted straight into the backend's SQLite file (finished
runs with varied metrics and hyperparameters), so 10,000 runs seed in seconds. Measured: the runs
page's first screen (one server-side page of 50) from navigation start, then a sort by a column
and a name search, each from the action to the new page painted (targets: 500 ms and 300 ms).
Run: KERAS_BACKEND=torch .venv/bin/python bench/ui_render.py [--runs 10000] [--compare-runs 20] [--epochs 50]
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


def bulk_insert(database: Path, count: int, first_id: int) -> None:
    """Insert `count` finished runs straight into the runs table (ids from first_id), in one transaction."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine, insert

    from backend.models import runs

    rng = random.Random(1)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for i in range(count):
        started = now - timedelta(minutes=count - i)
        rows.append({
            "id": first_id + i, "name": f"bulk run {i}", "architecture": ["lstm", "cnn", "fasttext", "gru"][i % 4],
            "dataset": "synthetic", "hyperparams": {**HYPERPARAMS, "lr": round(rng.uniform(1e-4, 1e-2), 6), "seed": i},
            "tags": ["bench", f"sweep-{i % 10}"], "notes": "", "status": "succeeded", "created_at": started,
            "started_at": started, "finished_at": started + timedelta(seconds=rng.uniform(5, 300)), "attempts": 1,
            "param_count": 18193 + i % 97, "epochs_done": 3, "best_epoch": 3, "best_val_acc": rng.uniform(0.5, 0.9),
            "best_val_loss": rng.uniform(0.3, 0.7), "test_acc": rng.uniform(0.5, 0.9), "test_loss": rng.uniform(0.3, 0.7),
            "seconds_per_epoch": rng.uniform(0.5, 10), "has_checkpoint": False,
        })
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(insert(runs), rows)
    engine.dispose()


def timing(page: Page, key: str) -> dict:
    """Wait for window.__renderTimings[key] and return it."""
    page.wait_for_function(f"() => window.__renderTimings && window.__renderTimings.{key}", timeout=60_000)
    return page.evaluate(f"() => window.__renderTimings.{key}")


def measure(url: str, compare_ids: list[int], repeats: int) -> None:
    """Open the runs page, sort and search it, and open Compare, several times each; print the figures."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        first, sort, search = [], [], []
        for _ in range(repeats):
            page.goto("about:blank")
            page.goto(f"{url}/#/runs")
            first.append(timing(page, "runs"))
            for samples, act in ((sort, lambda: page.click('#runs-table th[data-sort="test_acc"] button')),
                                 (search, lambda: page.fill("#runs-search", "bulk run 99"))):
                loads = page.evaluate("() => window.__renderTimings.runsLoads")
                act()
                page.wait_for_function(f"() => window.__renderTimings.runsLoads > {loads}", timeout=60_000)
                page.wait_for_timeout(50)  # the timing lands two frames after the page is built
                samples.append(page.evaluate("() => window.__renderTimings.runs"))
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

    print(f"runs table, {first[0]['count']:,} runs, {first[0]['rows']} per page (median of {repeats}):")
    loads = [s["since_navigation_ms"] for s in first]
    print(f"  first screen painted, from navigation  {median(first, 'since_navigation_ms'):8.1f} ms   (target < 500 ms; "
          f"range {min(loads):.0f}-{max(loads):.0f} ms)")
    print(f"    of which GET /api/runs               {median(first, 'fetch_ms'):8.1f} ms")
    print(f"    the first load, a fresh browser       {loads[0]:8.1f} ms   (nothing cached)")
    print(f"  sort by test accuracy, click to paint  {median(sort, 'paint_ms'):8.1f} ms   (target < 300 ms)")
    print(f"  name search, request to paint          {median(search, 'paint_ms'):8.1f} ms   (target < 300 ms; "
          "after the box's 250 ms typing pause)")
    print(f"compare, {cold['runs']} runs, {cold['points']} epoch rows:")
    print(f"  cold (loads plotly.min.js)  fetch {cold['fetch_ms']:7.1f} ms   draw {cold['draw_ms']:7.1f} ms")
    print(f"  warm (median of {repeats})          fetch {median(warm_samples, 'fetch_ms'):7.1f} ms   draw {median(warm_samples, 'draw_ms'):7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    """Seed a fresh backend and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the table")
    parser.add_argument("--compare-runs", type=int, default=20, help="runs on the Compare page")
    parser.add_argument("--epochs", type=int, default=50, help="epoch rows per compared run")
    parser.add_argument("--repeats", type=int, default=3, help="page loads per figure")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ui-render-") as tmp, running_backend(Path(tmp)) as url:
        started = time.perf_counter()
        seeded = min(args.runs, args.compare_runs + 20)  # through the API: Compare's runs and a few live ones
        with httpx.Client(base_url=url, timeout=30) as client:
            compare_ids = seed(client, seeded, args.compare_runs, args.epochs)
            last_id = client.get("/api/runs", params={"limit": 1}).json()["data"][0]["id"]
        if args.runs > seeded:
            bulk_insert(Path(tmp) / "battlefield.db", args.runs - seeded, last_id + 1)
        print(f"seeded {args.runs} runs ({args.compare_runs} x {args.epochs} epochs for Compare) "
              f"through the worker API in {time.perf_counter() - started:.1f} s")
        measure(url, compare_ids, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
