"""Train contestants through the product's runner and tabulate their test accuracy (docs/RESULTS.md).

Each contestant+preset is trained once with `worker.runner.run_experiment` (best epoch chosen on the
validation share, the test reviews scored once with those weights) and its result written as one
JSON file in the results folder; a finished contestant is skipped on the next start unless --force,
so an interrupted bench resumes where it stopped. The table covers every asked contestant with a
result file, printed and written as Markdown.

Usage (from the repository root):
  BATTLEFIELD_ACLIMDB=/work/shared/datasets/aclImdb_v1.tar.gz KERAS_BACKEND=torch \
    .venv/bin/python bench/accuracy.py fasttext cnn --with-seed --markdown bench/results/accuracy.md
Quick check on a subset: --limit 2000 (each split capped at 2000 reviews; not comparable figures).
"""

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))   # a script, run from anywhere: import the repo

from worker import runner  # noqa: E402
from worker.cli import DATASET_CHOICES, collect_hyperparams  # noqa: E402
from worker.config import settings  # noqa: E402
from worker.contestants import REGISTRY, parse_hyperparams  # noqa: E402
from worker.data.types import EncodedData  # noqa: E402
from worker.training import EpochMetrics, TrainResult  # noqa: E402

DEFAULT_RESULTS_DIR = Path(__file__).resolve().parent / "results" / "accuracy"
DEFAULT_PRESET = "default"   # the registry's defaults, no preset applied
COLUMNS = ("contestant", "preset", "epochs run", "best epoch", "val acc", "test acc", "params",
           "s/epoch", "device")


def build_parser() -> argparse.ArgumentParser:
    """The bench's arguments."""
    parser = argparse.ArgumentParser(description="Test accuracy of each contestant at its defaults (and seed preset).")
    parser.add_argument("contestants", nargs="*", help=f"contestants to train, in this order (default: all: {', '.join(REGISTRY)})")
    parser.add_argument("--preset", default=None, help="train with this preset instead of the defaults, e.g. seed")
    parser.add_argument("--with-seed", action="store_true", help="train both the defaults and the seed preset")
    parser.add_argument("--dataset", default="aclimdb", choices=DATASET_CHOICES)
    parser.add_argument("--epochs", type=int, help="shortcut for --set epochs=N")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="set one hyperparameter for every contestant that takes it; repeatable")
    parser.add_argument("--limit", type=int, default=None, help="cap each split at N reviews (a quick check)")
    parser.add_argument("--device", default=settings.device, help="auto (default), cpu, cuda or mps")
    parser.add_argument("--aclimdb", type=Path, default=None, help="aclImdb_v1.tar.gz (default: $BATTLEFIELD_ACLIMDB)")
    parser.add_argument("--data-dir", type=Path, default=None, help="dataset cache (default: $BATTLEFIELD_DATA_DIR)")
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS_DIR, help="one JSON file per contestant+preset")
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


def result_path(results_dir: Path, contestant: str, preset: str) -> Path:
    """Where the result of one contestant+preset is kept."""
    return results_dir / f"{contestant}__{preset}.json"


def subset(data: EncodedData, limit: int, seed: int) -> EncodedData:
    """The same data with each split cut to at most `limit` reviews, drawn at random (seeded)."""
    rng = np.random.default_rng(seed)

    def cut(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = np.sort(rng.permutation(len(y))[:limit])
        return x[keep], y[keep]

    x_train, y_train = cut(data.x_train, data.y_train)
    x_val, y_val = cut(data.x_val, data.y_val)
    x_test, y_test = cut(data.x_test, data.y_test)
    return EncodedData(name=data.name, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val,
                       x_test=x_test, y_test=y_test, num_words=data.num_words, maxlen=data.maxlen,
                       vocab=data.vocab, fingerprint=f"{data.fingerprint}-limit{limit}")


@contextmanager
def limited_data(limit: int | None) -> Iterator[None]:
    """While open, the runner's datasets are cut to `limit` reviews per split (no-op for None)."""
    if limit is None:
        yield
        return
    load = runner.load_dataset

    def load_subset(*args, **kwargs) -> EncodedData:
        return subset(load(*args, **kwargs), limit, kwargs.get("seed", 0))

    with mock.patch.object(runner, "load_dataset", load_subset):
        yield


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
        "epochs": [asdict(m) for m in result.epochs],
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


def asked_values(contestant: str, preset: str, args: argparse.Namespace) -> dict:
    """The hyperparameters asked for one contestant+preset: the preset's, then --set, then --epochs."""
    return collect_hyperparams(contestant, None if preset == DEFAULT_PRESET else preset,
                               overrides_for(contestant, args.overrides), args.epochs)


def stale_fields(record: dict, args: argparse.Namespace) -> dict:
    """Hyperparameters where a kept result differs from what would be trained now: {name: (kept, now)}."""
    now = parse_hyperparams(record["contestant"], asked_values(record["contestant"], record["preset"], args)).model_dump()
    return {name: (record["hyperparams"].get(name), value) for name, value in now.items()
            if record["hyperparams"].get(name) != value}


def train_one(contestant: str, preset: str, args: argparse.Namespace) -> dict:
    """Train one contestant+preset through the runner; its JSON record."""
    values = asked_values(contestant, preset, args)

    def report(m: EpochMetrics) -> None:
        print(f"  {contestant}/{preset} epoch {m.epoch}: train_acc {m.train_acc:.4f} val_acc {m.val_acc:.4f} "
              f"val_loss {m.val_loss:.4f} ({m.seconds:.0f} s)", flush=True)

    with limited_data(args.limit):
        result = runner.run_experiment(contestant, args.dataset, values, device=args.device, on_epoch=report,
                                       aclimdb_path=args.aclimdb, data_dir=args.data_dir)
    hyperparams = parse_hyperparams(contestant, values).model_dump()
    return summarize_result(contestant, preset, args, hyperparams, result)


def format_row(record: dict) -> list[str]:
    """One table row's cells."""
    return [
        record["contestant"],
        record["preset"],
        str(record["epochs_run"]),
        str(record["best_epoch"]),
        f"{record['val_acc']:.4f}",
        f"{record['test_acc']:.4f}",
        f"{record['param_count']:,}",
        f"{record['seconds_per_epoch']:.1f}" if record["seconds_per_epoch"] < 10 else f"{record['seconds_per_epoch']:.0f}",
        record["device"],
    ]


def markdown_table(records: list[dict]) -> str:
    """The records as a Markdown table, one row each."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(format_row(record)) + " |" for record in records]
    return "\n".join(lines) + "\n"


def run_bench(args: argparse.Namespace) -> list[dict]:
    """Train what has no result file yet (or everything with --force); every asked record, in order."""
    contestants = args.contestants or list(REGISTRY)
    unknown = [name for name in contestants if name not in REGISTRY]
    if unknown:
        raise SystemExit(f"Unknown contestant(s): {', '.join(unknown)}; choose from: {', '.join(REGISTRY)}")
    check_overrides(contestants, args.overrides)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for contestant in contestants:
        for preset in presets_to_run(args):
            path = result_path(args.results_dir, contestant, preset)
            if args.table_only and not path.exists():
                print(f"{contestant}/{preset}: no result yet", flush=True)
                continue
            if path.exists() and (args.table_only or not args.force):
                record = json.loads(path.read_text())
                print(f"{contestant}/{preset}: done before, kept ({path})", flush=True)
                stale = stale_fields(record, args)
                if stale:
                    print(f"  warning: trained with other hyperparameters than now asked (kept, now): {stale}; "
                          "--force trains it again", flush=True)
                records.append(record)
                continue
            print(f"{contestant}/{preset}: training", flush=True)
            started = time.perf_counter()
            record = train_one(contestant, preset, args)
            path.write_text(json.dumps(record, indent=1))
            print(f"{contestant}/{preset}: test_acc {record['test_acc']:.4f} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
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
