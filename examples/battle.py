"""Launch every contestant on the same data and seed, wait for all, print their test accuracies and the leaderboard.

Usage: python examples/battle.py [--server http://127.0.0.1:8000] [--dataset synthetic] [--epochs 3] [--repeats 3]
      [--only fasttext,cnn,lstm]

With --repeats N each contestant runs N seeds (seed, seed + 1, ...) and the script ends with the
leaderboard: mean test accuracy with its 95 % interval, and the leader's significance tests.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime

import httpx

TERMINAL = {"succeeded", "failed", "cancelled"}
POLL_SECONDS = 2.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The script's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="http://127.0.0.1:8000", help="the backend's base URL")
    # A standalone script, so it reads the variable itself (the project's code reads settings once, in config.py).
    parser.add_argument("--token", default=os.environ.get("BATTLEFIELD_TOKEN"),
                        help="the server's access token, sent as a bearer token (default: $BATTLEFIELD_TOKEN)")
    parser.add_argument("--dataset", default="synthetic", help="synthetic, imdb or aclimdb")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: each contestant's)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=1, help="seeds per contestant, 1 to 20 (seed, seed + 1, ...)")
    parser.add_argument("--only", default=None, help="comma-separated contestants, queued in this order (default: every one)")
    parser.add_argument("--maxlen", type=int, default=None, help="review length (default: each contestant's)")
    parser.add_argument("--num-words", type=int, default=None, help="vocabulary size (default: each contestant's)")
    return parser.parse_args(argv)


def shared_hyperparams(args: argparse.Namespace) -> dict:
    """The hyperparameters every contestant gets, so the battle is fair."""
    values = {"epochs": args.epochs, "seed": args.seed, "maxlen": args.maxlen, "num_words": args.num_words}
    return {name: value for name, value in values.items() if value is not None}


def launch_all(api: httpx.Client, dataset: str, hyperparams: dict, tag: str, repeats: int = 1,
               only: list[str] | None = None) -> list[int]:
    """`repeats` runs per contestant listed by GET /api/architectures (or only those named, in that order); the ids launched."""
    launched = []
    contestants = api.get("/api/architectures").raise_for_status().json()
    if only:  # in the order given, so the slowest can be queued first
        contestants = sorted((c for c in contestants if c["name"] in only), key=lambda c: only.index(c["name"]))
    for contestant in contestants:
        body = {"architecture": contestant["name"], "dataset": dataset, "hyperparams": hyperparams, "tags": [tag],
                "repeats": repeats}
        response = api.post("/api/runs", json=body)
        if response.status_code != 201:
            print(f"{contestant['name']}: not launched ({response.status_code}): {response.text}", file=sys.stderr)
            continue
        ids = response.json()["launched_ids"]
        launched += ids
        print(f"launched run{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))}: {contestant['name']}")
    return launched


def wait_for_all(api: httpx.Client, tag: str, count: int) -> list[dict]:
    """Poll the battle's runs every 2 s until all are finished; the finished runs."""
    last_line = ""
    while True:
        runs = api.get("/api/runs", params={"tag": tag, "limit": 1000}).raise_for_status().json()["data"]
        done = [run for run in runs if run["status"] in TERMINAL]
        line = f"{len(done)}/{count} finished"
        if line != last_line:
            print(line)
            last_line = line
        if len(done) >= count:
            return runs
        time.sleep(POLL_SECONDS)


def print_table(runs: list[dict]) -> None:
    """The runs by test accuracy, best first (failed runs last, with their reason)."""
    ranked = sorted(runs, key=lambda run: -1 if run["test_acc"] is None else run["test_acc"], reverse=True)
    print(f"\n{'rank':>4}  {'contestant':<16} {'status':<10} {'test_acc':>8} {'best_epoch':>10} {'params':>10} {'s/epoch':>8}")
    for rank, run in enumerate(ranked, start=1):
        acc = "-" if run["test_acc"] is None else f"{run['test_acc']:.4f}"
        speed = "-" if run["seconds_per_epoch"] is None else f"{run['seconds_per_epoch']:.1f}"
        print(f"{rank:>4}  {run['architecture']:<16} {run['status']:<10} {acc:>8} {run['best_epoch'] or '-':>10} "
              f"{run['param_count']:>10,} {speed:>8}")
        if run["error"]:
            print(f"      {run['error']}")


def print_leaderboard(api: httpx.Client, dataset: str) -> None:
    """The dataset's leaderboard: mean test accuracy and 95 % interval per contestant, then the significance tests."""
    board = api.get("/api/leaderboard", params={"dataset": dataset}).raise_for_status().json()
    print(f"\nleaderboard on {board['dataset']}: mean test accuracy over the seeds, 95 % Student-t interval")
    for entry in board["entries"]:
        acc = entry["group"]["test_acc"]
        interval = "1 seed" if entry["single_seed"] else f"[{acc['ci_low']:.4f}, {acc['ci_high']:.4f}]  sd {acc['sd']:.4f}"
        print(f"{entry['rank']:>4}  {entry['architecture']:<16} {acc['mean']:.4f}  n={acc['n']}  {interval}")
    for item in board["significance"]:
        print(f"      {item['test']:<22} p = {item['p_value']:.4g}  {item['reading']}")


def main(argv: list[str]) -> int:
    """Launch the battle, wait, print the table; exit 1 if any run did not succeed."""
    args = parse_args(argv)
    tag = f"battle-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    with httpx.Client(base_url=args.server, timeout=30.0, headers=headers) as api:
        only = [name.strip() for name in args.only.split(",")] if args.only else None
        launched = launch_all(api, args.dataset, shared_hyperparams(args), tag, args.repeats, only)
        if not launched:
            return 1
        runs = wait_for_all(api, tag, len(launched))
        print_table(runs)
        print_leaderboard(api, args.dataset)
    return 0 if all(run["status"] == "succeeded" for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
