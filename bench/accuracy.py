"""Train contestants in groups of seeds through the product's runner and tabulate them (docs/RESULTS.md).

Each (contestant, preset, seed) is trained once with `worker.runner.run_experiment` (best epoch
chosen on the validation share, which the seed also draws; the test reviews scored once with those
weights) and its record appended as one JSON line to `runs.jsonl` in the results folder as soon as
it finishes; a rerun skips every (contestant, preset, seed) already there unless --force, so an
interrupted bench resumes where it stopped. The table has one row per (contestant, preset): the
seeds' mean test accuracy, its standard deviation and its 95 % interval (Student's t over the
seeds, scipy.stats), printed and written as Markdown.

Usage (from the repository root):
  BATTLEFIELD_ACLIMDB=path/to/aclImdb_v1.tar.gz KERAS_BACKEND=torch OMP_NUM_THREADS=1 \
    .venv/bin/python bench/accuracy.py nbsvm fasttext --seeds 1,2,3 --markdown bench/results/accuracy.md
Quick check on a subset: --limit 2000 (each split capped at 2000 reviews; not comparable figures).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))   # a script, run from anywhere: import the repo
sys.path.insert(0, str(REPO_ROOT / "bench"))

from worker import runner  # noqa: E402
from worker.cli import DATASET_CHOICES, collect_hyperparams  # noqa: E402
from worker.config import settings  # noqa: E402
from worker.contestants import REGISTRY, parse_hyperparams  # noqa: E402
from worker.training import EpochMetrics, TrainResult  # noqa: E402
from backend.stats import ALPHA, format_p_value, spread, welch  # noqa: E402
from subsets import limited_data, subset  # noqa: E402,F401  (subset: the tests' handle)

DEFAULT_RESULTS_DIR = Path(__file__).resolve().parent / "results" / "accuracy"
DEFAULT_PRESET = "default"   # the registry's defaults, no preset applied
DEFAULT_SEEDS = "1,2,3"      # the protocol: targets are on the mean of these three seeds
RUNS_FILE = "runs.jsonl"     # one finished run per line, appended
COLUMNS = ("contestant", "preset", "seeds", "val acc", "test acc (mean ± sd)", "95 % interval", "test accs",
           "epochs run", "params", "s/epoch", "device")


def build_parser() -> argparse.ArgumentParser:
    """The bench's arguments."""
    parser = argparse.ArgumentParser(description="Test accuracy of each contestant at its defaults (and seed preset).")
    parser.add_argument("contestants", nargs="*", help=f"contestants to train, in this order (default: all: {', '.join(REGISTRY)})")
    parser.add_argument("--preset", default=None, help="train with this preset instead of the defaults, e.g. seed")
    parser.add_argument("--with-seed", action="store_true", help="train both the defaults and the seed preset")
    parser.add_argument("--seeds", type=seed_list, default=seed_list(DEFAULT_SEEDS),
                        help=f"comma-separated seeds, one run each (default {DEFAULT_SEEDS}); the group is their mean")
    parser.add_argument("--dataset", default="aclimdb", choices=DATASET_CHOICES)
    parser.add_argument("--epochs", type=int, help="shortcut for --set epochs=N")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="set one hyperparameter for every contestant that takes it; repeatable")
    parser.add_argument("--limit", type=int, default=None, help="cap each split at N reviews (a quick check)")
    parser.add_argument("--device", default=settings.device, help="auto (default), cpu, cuda or mps")
    parser.add_argument("--aclimdb", type=Path, default=None, help="aclImdb_v1.tar.gz (default: $BATTLEFIELD_ACLIMDB)")
    parser.add_argument("--data-dir", type=Path, default=None, help="dataset cache (default: $BATTLEFIELD_DATA_DIR)")
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS_DIR, help=f"where {RUNS_FILE} is kept")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table here as Markdown")
    parser.add_argument("--force", action="store_true", help="train again even when a result file exists")
    parser.add_argument("--table-only", action="store_true",
                        help="train nothing: tabulate the result files there are (e.g. while another bench runs)")
    return parser


def presets_to_run(args: argparse.Namespace) -> list[str]:
    """The presets asked: the defaults, the named preset, or both the defaults and seed."""
    if args.with_seed:
        return [DEFAULT_PRESET, "seed"]
    return [args.preset or DEFAULT_PRESET]


def seed_list(text: str) -> list[int]:
    """"1,2,3" -> [1, 2, 3]; argparse shows the ValueError's message for anything else."""
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seeds takes comma-separated integers, e.g. 1,2,3 (got {text!r})")
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"--seeds takes one or more distinct integers, e.g. 1,2,3 (got {text!r})")
    return seeds


RunKey = tuple[str, str, int]   # (contestant, preset, seed)


def run_key(record: dict) -> RunKey:
    """The (contestant, preset, seed) a record belongs to."""
    return record["contestant"], record["preset"], record["seed"]


def read_runs(results_dir: Path) -> dict[RunKey, dict]:
    """The finished runs kept in results_dir, by key; a later line for the same key (--force) wins."""
    path = results_dir / RUNS_FILE
    if not path.exists():
        return {}
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {run_key(record): record for record in records}


def append_run(results_dir: Path, record: dict) -> None:
    """Add one finished run to runs.jsonl, on disk before the next run starts."""
    with open(results_dir / RUNS_FILE, "a", encoding="utf-8") as runs:
        runs.write(json.dumps(record) + "\n")
        runs.flush()
        os.fsync(runs.fileno())


def worker_code_version() -> str:
    """The git tree id of worker/ (the models and trainer), with "+dirty" when it has uncommitted changes."""
    def git(*command: str) -> str:
        return subprocess.run(["git", *command], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()

    tree = git("rev-parse", "--short", "HEAD:worker") or "unknown"
    return tree + ("+dirty" if git("status", "--porcelain", "--", "worker") else "")


WORKER_CODE = worker_code_version()   # taken when the models are imported, not when a long training ends


def summarize_result(contestant: str, preset: str, args: argparse.Namespace, hyperparams: dict,
                     result: TrainResult) -> dict:
    """The JSON record of one finished training."""
    best = next(m for m in result.epochs if m.epoch == result.best_epoch)
    return {
        "contestant": contestant,
        "preset": preset,
        "seed": hyperparams["seed"],
        "dataset": args.dataset,
        "limit": args.limit,
        "hyperparams": hyperparams,
        "epochs_run": len(result.epochs),
        "best_epoch": result.best_epoch,
        "val_acc": best.val_acc,
        "test_acc": result.test_acc,
        "test_loss": result.test_loss,
        "param_count": result.param_count,
        "seconds_per_epoch": sum(m.seconds for m in result.epochs) / len(result.epochs),
        "seconds": result.seconds,
        "device": result.device,
        "epochs": [m.model_dump() for m in result.epochs],
        "finished_at": datetime.now(UTC).isoformat(),
        "worker_code": WORKER_CODE,
    }


def overrides_for(contestant: str, overrides: list[str]) -> list[str]:
    """The --set items naming a hyperparameter this contestant takes (one --set serves several models)."""
    takes = REGISTRY[contestant].params.model_fields
    return [item for item in overrides if item.partition("=")[0].strip() in takes]


def check_overrides(contestants: list[str], overrides: list[str]) -> None:
    """Refuse a --set that no asked contestant takes: a typo would otherwise be ignored."""
    for item in overrides:
        if not any(overrides_for(name, [item]) for name in contestants):
            raise SystemExit(f"--set {item}: no contestant asked ({', '.join(contestants)}) takes it")


def asked_values(contestant: str, preset: str, seed: int, args: argparse.Namespace) -> dict:
    """The hyperparameters asked for one run: the preset's, then --set, then --epochs, then the seed."""
    values = collect_hyperparams(contestant, None if preset == DEFAULT_PRESET else preset,
                                 overrides_for(contestant, args.overrides), args.epochs)
    return {**values, "seed": seed}


def stale_fields(record: dict, args: argparse.Namespace) -> dict:
    """Hyperparameters where a kept result differs from what would be trained now: {name: (kept, now)}."""
    asked = asked_values(record["contestant"], record["preset"], record["seed"], args)
    now = parse_hyperparams(record["contestant"], asked).model_dump()
    return {name: (record["hyperparams"].get(name), value) for name, value in now.items()
            if record["hyperparams"].get(name) != value}


def train_one(contestant: str, preset: str, seed: int, args: argparse.Namespace) -> dict:
    """Train one contestant+preset+seed through the runner; its JSON record."""
    values = asked_values(contestant, preset, seed, args)

    def report(m: EpochMetrics) -> None:
        print(f"  {contestant}/{preset}/seed {seed} epoch {m.epoch}: train_acc {m.train_acc:.4f} val_acc {m.val_acc:.4f} "
              f"val_loss {m.val_loss:.4f} ({m.seconds:.0f} s)", flush=True)

    with limited_data(args.limit, seed):
        result = runner.run_experiment(contestant, args.dataset, values, device=args.device, on_epoch=report,
                                       aclimdb_path=args.aclimdb, data_dir=args.data_dir)
    hyperparams = parse_hyperparams(contestant, values).model_dump()
    return summarize_result(contestant, preset, args, hyperparams, result)


def group_stats(values: list[float]) -> dict:
    """Mean, sample standard deviation and 95 % interval of the mean (Student's t) of one group's runs.

    The product's own statistics (backend/stats.py `spread`, scipy.stats); sd and the interval are None
    for a single run (no spread to estimate).
    """
    group = spread(values)
    return {"n": group.n, "mean": group.mean, "sd": group.sd, "low": group.ci_low, "high": group.ci_high}


def group_rows(records: list[dict]) -> list[dict]:
    """One summary per (contestant, preset), in the order first met: its runs and test-accuracy statistics."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for record in records:
        groups.setdefault((record["contestant"], record["preset"]), []).append(record)
    return [{"contestant": contestant, "preset": preset, "runs": runs,
             "test": group_stats([run["test_acc"] for run in runs]),
             "val": group_stats([run["val_acc"] for run in runs])}
            for (contestant, preset), runs in groups.items()]


def format_row(group: dict) -> list[str]:
    """One table row's cells."""
    runs, test = group["runs"], group["test"]
    seconds = sum(run["seconds_per_epoch"] for run in runs) / len(runs)
    return [
        group["contestant"],
        group["preset"],
        ",".join(str(run["seed"]) for run in runs),
        f"{group['val']['mean']:.4f}",
        f"{test['mean']:.4f} ± {test['sd']:.4f}" if test["sd"] is not None else f"{test['mean']:.4f}",
        f"{test['low']:.4f} to {test['high']:.4f}" if test["low"] is not None else "n/a (1 seed)",
        ", ".join(f"{run['test_acc']:.4f}" for run in runs),
        ", ".join(str(run["epochs_run"]) for run in runs),
        f"{runs[0]['param_count']:,}",
        f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}",
        runs[0]["device"],
    ]


def markdown_table(records: list[dict]) -> str:
    """The records as a Markdown table, one row per (contestant, preset) group, then the significance matrix."""
    groups = group_rows(records)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(format_row(group)) + " |" for group in groups]
    matrix = significance_matrix(groups)
    return "\n".join(lines) + "\n" + ("\n" + matrix if matrix else "")


def significance_matrix(groups: list[dict]) -> str:
    """Welch's t-test between every two groups of 2 or more seeds, as a Markdown matrix ("" if fewer than two).

    Rows and columns are the groups from the highest mean test accuracy down; a cell gives the two-sided
    p-value of the row against the column (backend/stats.py `welch`, the product's group verdict), bold
    below ALPHA (0.05). Not corrected for the number of pairs: with k groups there are k(k-1)/2 tests.
    """
    tested = sorted((group for group in groups if group["test"]["n"] >= 2), key=lambda group: -group["test"]["mean"])
    if len(tested) < 2:
        return ""
    names = [group["contestant"] if group["preset"] == DEFAULT_PRESET else f"{group['contestant']} ({group['preset']})"
             for group in tested]
    lines = ["| Welch p (row vs column) | " + " | ".join(names) + " |", "|---|" + "|".join("---:" for _ in names) + "|"]
    for name, row in zip(names, tested):
        cells = []
        for column in tested:
            if column is row:
                cells.append("")
                continue
            p_value = welch([run["test_acc"] for run in row["runs"]], [run["test_acc"] for run in column["runs"]]).p_value
            text = format_p_value(p_value)
            cells.append(f"**{text}**" if p_value < ALPHA else text)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run_bench(args: argparse.Namespace) -> list[dict]:
    """Train each asked run not yet in runs.jsonl (or every one with --force); every asked record, in order."""
    contestants = args.contestants or list(REGISTRY)
    unknown = [name for name in contestants if name not in REGISTRY]
    if unknown:
        raise SystemExit(f"Unknown contestant(s): {', '.join(unknown)}; choose from: {', '.join(REGISTRY)}")
    check_overrides(contestants, args.overrides)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    finished = read_runs(args.results_dir)
    records = []
    for contestant in contestants:
        for preset in presets_to_run(args):
            for seed in args.seeds:
                label = f"{contestant}/{preset}/seed {seed}"
                record = finished.get((contestant, preset, seed))
                if record is None and args.table_only:
                    print(f"{label}: no result yet", flush=True)
                    continue
                if record is not None and (args.table_only or not args.force):
                    print(f"{label}: done before, kept", flush=True)
                    stale = stale_fields(record, args)
                    if stale:
                        print(f"  warning: trained with other hyperparameters than now asked (kept, now): {stale}; "
                              "--force trains it again", flush=True)
                    records.append(record)
                    continue
                print(f"{label}: training", flush=True)
                started = time.perf_counter()
                record = train_one(contestant, preset, seed, args)
                append_run(args.results_dir, record)
                print(f"{label}: test_acc {record['test_acc']:.4f} ({time.perf_counter() - started:.0f} s)", flush=True)
                records.append(record)
    return records


def main(argv: list[str]) -> int:
    """Run the bench, print the table and write it as Markdown when asked."""
    args = build_parser().parse_args(argv)
    records = run_bench(args)
    table = markdown_table(records)
    print(table)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
