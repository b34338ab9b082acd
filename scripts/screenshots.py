"""Make the README's screenshots (docs/img/*.png) from runs trained here: `make screenshots`.

With BATTLEFIELD_ACLIMDB set to aclImdb_v1.tar.gz (or its extracted folder) the runs train on the
real reviews (`aclimdb`, a few minutes on a CPU); without it the script refuses, unless --synthetic
is given (then the pictures show generated reviews and say nothing about IMDB). Starts its own
backend and worker on a fresh temporary data dir, drives Debian's Chromium through Playwright,
and writes docs/img/compare.png and docs/img/leaderboard.png. Tests never call this: it rewrites
tracked files on purpose.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.live import REPO_ROOT, running_backend, running_worker, wait_for  # noqa: E402

DOCS_IMG = REPO_ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
# Contestants and settings that finish on the real reviews in minutes on a CPU and show a spread.
REAL = {
    "fasttext": {"epochs": 3},
    "nbsvm": {"epochs": 3},
    "cnn": {"epochs": 2, "maxlen": 256},
    "lstm": {"epochs": 2, "maxlen": 200, "hidden_dim": 64, "embedding_dim": 64},
    "ff_embedding": {"epochs": 3},
}
SYNTHETIC = {"fasttext": {"epochs": 4}, "cnn": {"epochs": 4}, "lstm": {"epochs": 4}, "ff_embedding": {"epochs": 4}}
TERMINAL = {"succeeded", "failed", "cancelled"}


def launch_all(url: str, dataset: str, plan: dict[str, dict]) -> list[dict]:
    """Queue one run per contestant the backend knows; return the finished runs that succeeded."""
    known = {item["name"] for item in httpx.get(f"{url}/api/architectures", timeout=10).json()}
    ids = []
    for architecture, hyperparams in plan.items():
        if architecture not in known:
            continue
        reply = httpx.post(f"{url}/api/runs", json={"architecture": architecture, "dataset": dataset,
                                                    "hyperparams": hyperparams, "tags": ["readme"]}, timeout=30)
        reply.raise_for_status()
        ids.append(reply.json()["id"])
    finished = []
    for run_id in ids:
        run = wait_for(lambda: (r := httpx.get(f"{url}/api/runs/{run_id}", timeout=10).json())["status"] in TERMINAL and r,
                       timeout=3600, interval=2)
        print(f"run {run_id} {run['architecture']}: {run['status']} test_acc={run['test_acc']}"
              + (f" ({run['error']})" if run.get("error") else ""), flush=True)
        if run["status"] == "succeeded":
            finished.append(run)
    return finished


PAGES = ("compare", "leaderboard")


def shoot(url: str, runs: list[dict], pages: tuple[str, ...] = PAGES) -> None:
    """Screenshot Compare (accuracy, both splits) and the Leaderboard with a scored review (those in `pages`)."""
    from playwright.sync_api import sync_playwright

    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    ids = ",".join(str(run["id"]) for run in runs)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800}, base_url=url)
        if "compare" in pages:
            page.goto(f"/#/compare?ids={ids}&metric=acc&split=both")
            page.wait_for_function(f"() => document.querySelector('#compare-chart')?.data?.length >= {len(runs)}")
            page.wait_for_timeout(500)
            page.screenshot(path=str(DOCS_IMG / "compare.png"), full_page=True)
            print(f"wrote {DOCS_IMG / 'compare.png'}")
        if "leaderboard" in pages:
            page.goto("/#/leaderboard")
            page.wait_for_selector("#battle-review")
            page.fill("#battle-review", "A moving story with superb acting; I loved every minute.")
            page.click("#battle-score")
            page.wait_for_selector("#battle-score-table tbody tr")
            page.evaluate("() => window.scrollTo(0, 0)")
            page.wait_for_timeout(500)
            page.screenshot(path=str(DOCS_IMG / "leaderboard.png"), full_page=True)
            print(f"wrote {DOCS_IMG / 'leaderboard.png'}")
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", action="store_true", help="train on the synthetic reviews (no BATTLEFIELD_ACLIMDB)")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help="comma-separated pictures to write (default: all): " + ", ".join(PAGES))
    args = parser.parse_args()
    pages = tuple(name.strip() for name in args.pages.split(",") if name.strip())
    if unknown := set(pages) - set(PAGES):
        parser.error(f"unknown page(s) {', '.join(sorted(unknown))}; choose from {', '.join(PAGES)}")
    real = bool(os.environ.get("BATTLEFIELD_ACLIMDB"))
    if not real and not args.synthetic:
        print("Set BATTLEFIELD_ACLIMDB to aclImdb_v1.tar.gz (the README's pictures show real reviews), "
              "or pass --synthetic for a quick look.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="battlefield-shots-") as tmp:
        data_dir = Path(tmp)
        with running_backend(data_dir) as url, running_worker(url, name="screenshots", data_dir=data_dir):
            runs = launch_all(url, "aclimdb" if real else "synthetic", REAL if real else SYNTHETIC)
            if len(runs) < 2:
                print("fewer than two runs succeeded; no screenshots written", file=sys.stderr)
                return 1
            shoot(url, runs, pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
