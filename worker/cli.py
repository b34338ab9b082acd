"""`python -m worker train ARCH ...`: one run from the command line, with no server."""

import argparse
import json
import logging
import math
import sys
from pathlib import Path

from worker.config import settings
from worker.contestants import REGISTRY, HyperparamError, UnknownContestant, get_contestant
from worker.data import describe_report
from worker.data.types import DatasetUnavailable
from worker.files import WriteFailed
from worker.runner import run_experiment
from worker.training.checkpoint import CheckpointNotSaved
from worker.training import EpochMetrics, Progress, TrainingCancelled, TrainingDiverged

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


def _json_number(value: float) -> float | None:
    """NaN and infinity become null, never invalid JSON."""
    return value if math.isfinite(value) else None


def _emit_json(payload: dict) -> None:
    """One JSON object per line on stdout."""
    print(json.dumps({k: _json_number(v) if isinstance(v, float) else v for k, v in payload.items()}), flush=True)


class _TextReport:
    """A progress bar on stderr and a readable table on stdout."""

    HEADER = f"{'epoch':>5}  {'train_loss':>10}  {'train_acc':>9}  {'val_loss':>8}  {'val_acc':>7}  {'seconds':>7}  {'samples/s':>9}"

    def __init__(self):
        self.printed_header = False

    def progress(self, p: Progress) -> None:
        """Redraw the bar for the current epoch."""
        filled = int(p.fraction * 30)
        sys.stderr.write(f"\repoch {p.epoch} [{'#' * filled}{'.' * (30 - filled)}] {p.fraction:5.1%} loss {p.loss:.4f}")
        sys.stderr.flush()

    def epoch(self, m: EpochMetrics) -> None:
        """Print one row of the table."""
        sys.stderr.write("\r" + " " * 70 + "\r")
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
    on_epoch = (lambda m: _emit_json(vars(m))) if args.json else text.epoch
    on_progress = None if args.json else text.progress
    read: dict = {}  # the reader's report (reviews read and files skipped), when the dataset has files

    def on_data(report: dict) -> None:
        read.update(report)
        if not args.json:
            print(f"{args.dataset}: {describe_report(report)}", flush=True)

    failure: CheckpointNotSaved | None = None  # trained, but the checkpoint could not be written
    try:
        values = collect_hyperparams(args.architecture, args.preset, args.overrides, args.epochs)
        result = run_experiment(args.architecture, args.dataset, values, device=args.device,
                                on_epoch=on_epoch, on_progress=on_progress, on_data=on_data,
                                checkpoint_path=args.checkpoint, aclimdb_path=args.aclimdb)
    except CheckpointNotSaved as error:
        result, failure = error.result, error
    except (UnknownContestant, HyperparamError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (DatasetUnavailable, TrainingDiverged, TrainingCancelled, ValueError, WriteFailed) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    summary = {"test_loss": result.test_loss, "test_acc": result.test_acc, "best_epoch": result.best_epoch,
               "param_count": result.param_count, "seconds": round(result.seconds, 2), "device": result.device}
    if read:
        summary["data"] = read
    if args.json:
        _emit_json(summary)
    else:
        print(f"\n{args.architecture}: test accuracy {result.test_acc:.4f} (loss {result.test_loss:.4f}) "
              f"with the weights of epoch {result.best_epoch}; {result.param_count:,} parameters; "
              f"{result.seconds:.1f} s on {result.device}")
    if failure is not None:  # after the metrics, so they are not lost
        print(f"error: {failure}", file=sys.stderr)
        return 1
    return 0
