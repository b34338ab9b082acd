"""Screenshot a running backend's leaderboard of one dataset and print its significance table.

Usage: .venv/bin/python scripts/leaderboard_shot.py --server http://127.0.0.1:8771 --dataset aclimdb --out /tmp/leaderboard.png
Drives Debian's Chromium (Playwright) at 1400x900, full page; writes only `--out`.
"""

import argparse
import sys

import httpx

CHROMIUM = "/usr/bin/chromium"


def main(argv: list[str]) -> int:
    """Take the screenshot once the chart is drawn; print the leaderboard's tests; 1 when no run qualifies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--dataset", default="aclimdb")
    parser.add_argument("--out", required=True, help="PNG path to write")
    args = parser.parse_args(argv)
    board = httpx.get(f"{args.server}/api/leaderboard", params={"dataset": args.dataset}, timeout=60).raise_for_status().json()
    for entry in board["entries"]:
        acc = entry["group"]["test_acc"]
        print(f"{entry['rank']}. {entry['architecture']}: mean {acc['mean']:.4f}, n={acc['n']}, 95% CI {acc['ci_low']} - {acc['ci_high']}")
    for item in board["significance"]:
        print(f"   {item['leader']} vs {item['other']}: {item['test']}, p = {item['p_value']:.4g}: {item['reading']}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900}, base_url=args.server)
        page.goto(f"/#/leaderboard?dataset={args.dataset}")
        if board["entries"]:
            page.wait_for_function("() => document.querySelector('#leaderboard-chart')?.data?.length >= 1", timeout=60_000)
        else:
            page.wait_for_selector(".empty", timeout=60_000)
        page.wait_for_timeout(500)
        page.screenshot(path=args.out, full_page=True)
        browser.close()
    print(f"wrote {args.out}")
    return 0 if board["entries"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
