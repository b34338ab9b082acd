"""`python -m worker train ARCH ...`: one run from the command line, with no server."""

import argparse
import logging
import math
import sys
from pathlib import Path

import numpy as np
from scipy import stats
from tqdm import tqdm

from worker.config import settings
from worker.contestants import REGISTRY, HyperparamError, UnknownContestant, get_contestant, parse_hyperparams
from worker.contestants.memory import InsufficientMemory
from worker.data import describe_report
from worker.data.types import DatasetUnavailable
from worker.files import WriteFailed
from worker.runner import run_experiment
from worker.training.checkpoint import CheckpointNotSaved
from worker.training import EpochMetrics, Progress, TrainingCancelled, TrainingDiverged
from worker.wire import to_json

DATASET_CHOICES = ("imdb", "aclimdb", "synthetic")


def build_parser() -> argparse.ArgumentParser:
    """The `train` command's arguments."""
    parser = argparse.ArgumentParser(prog="python -m worker train", description="Train one contestant, no server needed.")
    parser.add_argument("architecture", help=f"one of: {', '.join(REGISTRY)}")
    parser.add_argument("--dataset", default="synthetic", choices=DATASET_CHOICES)
    parser.add_argument("--epochs", type=int, help="shortcut for --set epochs=N")
    parser.add_argument("--preset", help="start from a named preset, e.g. seed (the notebook's settings)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="set one hyperparameter; repeatable")
    parser.add_argument("--device", default=settings.device, help="auto (default), cpu, cuda, cuda:1 or mps")
    parser.add_argument("--aclimdb", type=Path, default=None, help="path to aclImdb_v1.tar.gz (default: $BATTLEFIELD_ACLIMDB)")
    parser.add_argument("--checkpoint", type=Path, default=None, help="write the best weights here")
    parser.add_argument("--repeats", type=int, default=1, metavar="N",
                        help="train N seeds (seed, seed + 1, ...), 1 to 20; ends with the mean, sd and 95%% interval")
    parser.add_argument("--json", action="store_true", help="print one JSON object per epoch and a last one")
    return parser


def collect_hyperparams(architecture: str, preset: str | None, overrides: list[str], epochs: int | None) -> dict:
    """The preset's values, then each --set, then --epochs."""
    values: dict = {}
    if preset:
        presets = get_contestant(architecture).presets
        if preset not in presets:
            raise HyperparamError([{"loc": "preset", "type": "unknown_preset",
                                    "msg": f"Unknown preset '{preset}' for {architecture}; choose one of: {', '.join(presets)}"}])
        values.update(presets[preset])
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise HyperparamError([{"loc": item, "type": "bad_format",
                                    "msg": f"--set expects NAME=VALUE (got '{item}')"}])
        values[name.strip()] = value.strip()
    if epochs is not None:
        values["epochs"] = epochs
    return values


def _emit_json(payload: dict) -> None:
    """One JSON object per line on stdout (NaN and infinity as null)."""
    print(to_json(payload).decode(), flush=True)


class _TextReport:
    """A tqdm progress bar per epoch on stderr and a readable table on stdout."""

    HEADER = f"{'epoch':>5}  {'train_loss':>10}  {'train_acc':>9}  {'val_loss':>8}  {'val_acc':>7}  {'seconds':>7}  {'samples/s':>9}"

    def __init__(self):
        self.printed_header = False
        self.bar: tqdm | None = None

    def progress(self, p: Progress) -> None:
        """Move the current epoch's bar (0 to 100 %) and show the running loss."""
        if self.bar is None:
            self.bar = tqdm(total=100, desc=f"epoch {p.epoch}", unit="%", file=sys.stderr, leave=False,
                            bar_format="{desc} {bar} {n:.0f}% [{elapsed}<{remaining}] {postfix}")
        self.bar.n = 100 * p.fraction
        self.bar.set_postfix_str(f"loss {p.loss:.4f}" if p.loss is not None else "", refresh=False)
        self.bar.refresh()

    def epoch(self, m: EpochMetrics) -> None:
        """Close the epoch's bar and print one row of the table."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if not self.printed_header:
            print(self.HEADER)
            self.printed_header = True
        print(f"{m.epoch:>5}  {m.train_loss:>10.4f}  {m.train_acc:>9.4f}  {m.val_loss:>8.4f}  {m.val_acc:>7.4f}"
              f"  {m.seconds:>7.1f}  {m.samples_per_second:>9.0f}", flush=True)


def main(argv: list[str]) -> int:
    """Run the `train` command; 0 on success, 1 when training failed, 2 for bad arguments."""
    logging.basicConfig(level=logging.WARNING)
    args = build_parser().parse_args(argv)
    text = _TextReport()
    on_epoch = (lambda m: _emit_json(m.model_dump())) if args.json else text.epoch
    on_progress = None if args.json else text.progress
    read: dict = {}  # the reader's report (reviews read and files skipped), when the dataset has files

    def on_data(report: dict) -> None:
        read.update(report)
        if not args.json:
            print(f"{args.dataset}: {describe_report(report)}", flush=True)

    if not 1 <= args.repeats <= 20:
        print(f"error: --repeats must be 1 to 20 (got {args.repeats})", file=sys.stderr)
        return 2
    failure: CheckpointNotSaved | None = None  # trained, but the checkpoint could not be written
    accuracies = []
    try:
        values = collect_hyperparams(args.architecture, args.preset, args.overrides, args.epochs)
        first_seed = parse_hyperparams(args.architecture, values).seed
        for seed in range(first_seed, first_seed + args.repeats):
            if args.repeats > 1 and not args.json:
                print(f"\nseed {seed}", flush=True)
            try:
                result = run_experiment(args.architecture, args.dataset, {**values, "seed": seed}, device=args.device,
                                        on_epoch=on_epoch, on_progress=on_progress, on_data=on_data,
                                        checkpoint_path=args.checkpoint, aclimdb_path=args.aclimdb)
            except CheckpointNotSaved as error:
                result, failure = error.result, error
            _report(args, result, read, seed)
            accuracies.append(result.test_acc)
    except (UnknownContestant, HyperparamError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (DatasetUnavailable, TrainingDiverged, TrainingCancelled, ValueError, WriteFailed, InsufficientMemory) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.repeats > 1:
        _report_seeds(args, accuracies)
    if failure is not None:  # after the metrics, so they are not lost
        print(f"error: {failure}", file=sys.stderr)
        return 1
    return 0


def _report(args: argparse.Namespace, result, read: dict, seed: int) -> None:
    """One run's summary: a JSON object (with its seed when there are several), or a sentence."""
    summary = {"test_loss": result.test_loss, "test_acc": result.test_acc, "best_epoch": result.best_epoch,
               "param_count": result.param_count, "seconds": round(result.seconds, 2), "device": result.device}
    if args.repeats > 1:
        summary["seed"] = seed
    if read:
        summary["data"] = read
    if args.json:
        _emit_json(summary)
    else:
        print(f"\n{args.architecture}: test accuracy {result.test_acc:.4f} (loss {result.test_loss:.4f}) "
              f"with the weights of epoch {result.best_epoch}; {result.param_count:,} parameters; "
              f"{result.seconds:.1f} s on {result.device}")


def _report_seeds(args: argparse.Namespace, accuracies: list[float]) -> None:
    """Mean, sample sd and 95 % Student-t interval of the seeds' test accuracies (scipy.stats.t.interval)."""
    values = np.asarray(accuracies, dtype=float)
    mean, sd = float(values.mean()), float(values.std(ddof=1))
    low, high = (mean, mean) if sd == 0 else stats.t.interval(0.95, values.size - 1, loc=mean, scale=sd / math.sqrt(values.size))
    if args.json:
        _emit_json({"seeds": values.size, "test_acc_mean": mean, "test_acc_sd": sd,
                    "test_acc_ci_low": float(low), "test_acc_ci_high": float(high)})
    else:
        print(f"\n{args.architecture} over {values.size} seeds: test accuracy {mean:.4f} +- {sd:.4f} (sd), "
              f"95% interval [{low:.4f}, {high:.4f}]")
