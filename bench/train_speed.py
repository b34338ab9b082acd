"""Training speed: the product's epoch loop against the notebook's DataLoader loop, alternated in one run.

For each contestant both sides train the same model (same initial weights, same hyperparameters,
same batch size) on the same subset of aclImdb training reviews, alternating A B A B after a
warm-up, and the script prints samples per second for each side and the ratio ours / notebook.

- notebook: DataLoader(TensorDataset(x padded to maxlen, y), batch_size, shuffle=True) -> model(xb)
  -> BCEWithLogitsLoss -> Adam step; every batch is the full maxlen wide.
- ours: worker.training.Trainer.train_epoch over a Split (slices of pre-encoded tensors, length
  buckets, each batch trimmed to its longest review), with the product's default hyperparameters
  (so gradient clipping is on for us and off for the notebook: a cost only we pay).

The reviews are whole batches of a full epoch's length-aware batching (so they have a real epoch's
length mix; --random-subset draws them at random instead), and "width" is the mean width of our
batches in the race and "epoch" over a full epoch (the notebook's are maxlen, 500, wide). Only training time is measured (no validation). In the accuracy check the plain side clips the
gradient norm like ours, so that the two differ in batching only. "ratio" divides wall-clock samples per second;
"CPU ratio" divides samples per second of the process's CPU time, which a busy shared machine
disturbs far less (use --threads 1 so that no thread spins while waiting for a core). `--accuracy-check` instead trains one full epoch each
way and compares test accuracy.

Usage (repository root):
  KERAS_BACKEND=torch .venv/bin/python bench/train_speed.py [--contestants lstm,cnn] [--samples 1500]
      [--repeats 2] [--device cpu|cuda] [--threads N]
  KERAS_BACKEND=torch .venv/bin/python bench/train_speed.py --accuracy-check --contestants cnn,lstm
"""

import argparse
import math
import copy
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

from worker.config import settings as worker_settings  # noqa: E402
from worker.contestants import REGISTRY, get_contestant, parse_hyperparams  # noqa: E402
from worker.data import load_dataset  # noqa: E402
from worker.data.types import EncodedData  # noqa: E402
from worker.training import resolve_device, seed_everything  # noqa: E402
from worker.training.device import configure_backends  # noqa: E402
from worker.training.batching import review_lengths, training_batches  # noqa: E402
from worker.training import Split, Trainer  # noqa: E402

# Samples per measurement on a CPU: the slow contestants get fewer so the whole bench stays ~10-15 min.
CPU_SAMPLES = {
    "ff_raw": 10000, "ff_embedding": 4000, "cnn": 1500, "fasttext": 2000, "transformer": 1000,
    "rnn": 1000, "lstm": 640, "gru": 640, "bilstm": 384, "cnn_lstm": 1000,
}
WARMUP_SAMPLES = 128


def aclimdb_data(hp) -> EncodedData:
    """The cached aclImdb encoding for the contestant's vocabulary size and length."""
    archive = worker_settings.aclimdb_path
    if archive is None:
        raise SystemExit("set BATTLEFIELD_ACLIMDB to a local aclImdb_v1.tar.gz (or its extracted folder); "
                         "this bench never downloads it")
    return load_dataset("aclimdb", num_words=hp.num_words, maxlen=hp.maxlen, val_split=hp.val_split,
                        seed=hp.seed, aclimdb_path=archive)


def subset(x: np.ndarray, y: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` training reviews drawn at random (the same ones for both sides)."""
    index = np.random.default_rng(seed).permutation(len(x))[:count]
    return x[index], y[index]


def epoch_sample(x: np.ndarray, y: np.ndarray, count: int, batch_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` reviews taken as whole batches of a full epoch's length-aware batching, spread over its widths.

    A small random subset sorts into few batches whose widths swing widely from draw to draw (a
    few 500-wide batches more or less); whole batches of the full training split picked evenly
    across the epoch's range of widths keep the length mix of a real epoch. The notebook side trains
    on the same reviews.
    """
    lengths = review_lengths(x)
    batches = training_batches(lengths, batch_size, np.random.default_rng(seed))
    widths = np.array([lengths[b].max() for b in batches])
    picks = np.argsort(widths, kind="stable")[np.linspace(0, len(batches) - 1, max(1, count // batch_size)).round().astype(int)]
    index = np.concatenate([batches[i] for i in picks])
    return x[index], y[index]


def epoch_width(x: np.ndarray, batch_size: int, seed: int) -> float:
    """Mean width of our batches over a full epoch of the training split."""
    return trimmed_width(x, batch_size, seed)


def trimmed_width(x: np.ndarray, batch_size: int, seed: int) -> float:
    """Mean width of our batches over this sample (the notebook's are all maxlen wide)."""
    lengths = review_lengths(x)
    batches = training_batches(lengths, batch_size, np.random.default_rng(seed))
    return float(np.mean([max(int(lengths[b].max()), 1) for b in batches]))


def sync(device: torch.device) -> None:
    """Wait for queued device work so that the clock measures it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def notebook_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer,
                   device: torch.device, grad_clip: float = 0.0) -> float:
    """The notebook's loop: full-width batches from a DataLoader, BCEWithLogitsLoss, optimiser step.

    `grad_clip` > 0 clips the gradient norm as the product does (the accuracy check compares batching only).
    """
    model.train()
    loss_fn = nn.BCEWithLogitsLoss()
    total = 0.0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)  # (B, maxlen), (B,)
        logits = model(xb)  # (B,)
        loss = loss_fn(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        if grad_clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        total += loss.item()
    return total


def notebook_optimizer(model: nn.Module, hp) -> torch.optim.Optimizer:
    """The notebook's optimiser as it builds it: torch's default (unfused) Adam, or SGD."""
    if hp.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=hp.lr, momentum=hp.momentum, weight_decay=hp.weight_decay)
    return torch.optim.Adam(model.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)


class Contender:
    """One side of the match: a model, its optimiser, and a function that trains one pass over the subset."""

    def __init__(self, name: str, model: nn.Module, hp, x: np.ndarray, y: np.ndarray, device: torch.device,
                 clip_plain: bool = False):
        hp = hp.model_copy(update={"lr_schedule": "constant"})   # the notebook's loop keeps lr fixed; so do we here
        self.name, self.model, self.hp, self.device = name, model, hp, device
        self.plain_clip = hp.grad_clip if clip_plain else 0.0
        self.seconds, self.cpu_seconds, self.samples, self.passes = 0.0, 0.0, 0, 0
        if name == "ours":
            self.trainer = Trainer(model, hp, device=device)   # its own optimiser, built once
            self.split = self.trainer.split(x, y)
        else:
            self.optimizer = notebook_optimizer(model, hp)
            dataset = TensorDataset(torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.float32)))
            self.loader = DataLoader(dataset, batch_size=hp.batch_size, shuffle=True)

    def one_pass(self) -> tuple[float, float]:
        """Train once over the subset; return the wall and CPU seconds it took."""
        self.passes += 1
        sync(self.device)
        started, cpu_started = time.perf_counter(), time.process_time()
        if self.name == "ours":
            self.trainer.train_epoch(self.split, self.passes)
        else:
            notebook_epoch(self.model, self.loader, self.optimizer, self.device, self.plain_clip)
        sync(self.device)
        return time.perf_counter() - started, time.process_time() - cpu_started

    def measure(self, count: int) -> None:
        """One timed pass, added to the totals."""
        wall, cpu = self.one_pass()
        self.seconds += wall
        self.cpu_seconds += cpu
        self.samples += count

    @property
    def samples_per_second(self) -> float:
        """Samples per wall-clock second."""
        return self.samples / max(self.seconds, 1e-9)

    @property
    def samples_per_cpu_second(self) -> float:
        """Samples per second of this process's CPU time (steadier than wall time on a shared machine)."""
        return self.samples / max(self.cpu_seconds, 1e-9)


def race(architecture: str, samples: int | None, repeats: int, device: torch.device, seed: int,
         random_subset: bool = False) -> dict:
    """Alternate the two sides `repeats` times each after a warm-up; return samples/s of each and the ratio."""
    contestant = get_contestant(architecture)
    hp = parse_hyperparams(architecture, {"seed": seed})
    data = aclimdb_data(hp)
    count = samples or CPU_SAMPLES.get(architecture, 1000)
    if random_subset:
        x, y = subset(data.x_train, data.y_train, count, seed)
    else:
        x, y = epoch_sample(data.x_train, data.y_train, count, hp.batch_size, seed)
        count = len(x)
    seed_everything(seed)
    model = contestant.build(hp).to(device)
    sides = {name: Contender(name, copy.deepcopy(model), hp, x, y, device)
             for name in ("notebook", "ours")}
    warm_x, warm_y = x[:WARMUP_SAMPLES], y[:WARMUP_SAMPLES]
    for name, side in sides.items():   # warm-up: allocator, kernels, lazy init, on a few batches
        Contender(name, side.model, hp, warm_x, warm_y, device).one_pass()
    laps = []
    for _ in range(repeats):
        for side in sides.values():
            before = side.seconds
            side.measure(count)
            laps.append(f"{side.name[0]}{side.seconds - before:.1f}s")
    notebook, ours = sides["notebook"], sides["ours"]
    return {
        "architecture": architecture, "samples": count, "repeats": repeats, "batch_size": hp.batch_size,
        "width": trimmed_width(x, hp.batch_size, seed), "maxlen": hp.maxlen,
        "epoch_width": epoch_width(data.x_train, hp.batch_size, seed),
        "notebook": notebook.samples_per_second, "ours": ours.samples_per_second,
        "ratio": ours.samples_per_second / notebook.samples_per_second, "laps": " ".join(laps),
        "cpu_ratio": ours.samples_per_cpu_second / notebook.samples_per_cpu_second,
    }


def accuracy_check(architecture: str, device: torch.device, seed: int, train_limit: int | None,
                   overrides: dict[str, str]) -> dict:
    """One epoch on the (possibly limited) training split each way from the same weights; test accuracy of both."""
    values = {**overrides, "seed": seed}
    contestant = get_contestant(architecture)
    hp = parse_hyperparams(architecture, values)
    data = aclimdb_data(hp)
    x, y = (data.x_train, data.y_train) if not train_limit else subset(data.x_train, data.y_train, train_limit, seed)
    seed_everything(seed)
    model = contestant.build(hp).to(device)
    test = Split(data.x_test, data.y_test, device)
    result = {"architecture": architecture, "train_samples": len(x), "test_samples": len(test),
              "hyperparams": values}
    for name in ("notebook", "ours"):
        torch.manual_seed(seed)   # the same dropout and shuffling seed for both sides
        side = Contender(name, copy.deepcopy(model), hp, x, y, device, clip_plain=True)
        seconds, _ = side.one_pass()
        _, test_acc, _ = Trainer(side.model, hp, device=device).evaluate(test)
        result[name] = {"test_acc": test_acc, "train_seconds": seconds}
        print(f"  {architecture} {name}: test acc {test_acc:.4f} after one epoch in {seconds:.0f} s", flush=True)
    result["difference_points"] = 100 * (result["ours"]["test_acc"] - result["notebook"]["test_acc"])
    return result


def paired_summary(name: str, results: list[dict]) -> str:
    """Mean test accuracy of each side over the seeds, and the mean paired difference with its standard error."""
    differences = [r["difference_points"] for r in results]
    error = statistics.stdev(differences) / math.sqrt(len(differences))
    notebook = statistics.mean(r["notebook"]["test_acc"] for r in results)
    ours = statistics.mean(r["ours"]["test_acc"] for r in results)
    return (f"{name} over {len(results)} seeds: notebook {notebook:.4f}, ours {ours:.4f}, "
            f"difference {statistics.mean(differences):+.2f} +/- {error:.2f} points (standard error)")


def machine() -> str:
    """nproc and CPU model, for the record."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} CPUs ({model}), torch {torch.__version__}, {torch.get_num_threads()} threads"


def main(argv: list[str]) -> int:
    """Parse the flags, run the races (or the accuracy check), print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contestants", default=",".join(REGISTRY), help="comma-separated (default: all)")
    parser.add_argument("--samples", type=int, default=None, help="training samples per measurement (default: per contestant)")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes per side, alternating (default 2)")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1, auto")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--seeds", default=None,
                        help="accuracy check: comma-separated seeds, one paired check each, then the mean difference")
    parser.add_argument("--random-subset", action="store_true",
                        help="a plain random subset instead of whole batches of a full epoch")
    parser.add_argument("--accuracy-check", action="store_true", help="one full epoch each way; compare test accuracy")
    parser.add_argument("--train-limit", type=int, default=None, help="accuracy check: training reviews (default all)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="accuracy check: set one hyperparameter for both sides, e.g. hidden_dim=64; repeatable")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    configure_backends(device)
    names = [name.strip() for name in args.contestants.split(",") if name.strip()]
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, device {device}", flush=True)
    if args.accuracy_check:
        seeds = [int(seed) for seed in args.seeds.split(",")] if args.seeds else [args.seed]
        for name in names:
            results = []
            for seed in seeds:
                result = accuracy_check(name, device, seed, args.train_limit, dict(item.split("=", 1) for item in args.overrides))
                results.append(result)
                print(f"{name} seed {seed}: notebook {result['notebook']['test_acc']:.4f}, ours "
                      f"{result['ours']['test_acc']:.4f}, difference {result['difference_points']:+.2f} points "
                      f"({result['train_samples']} training reviews, {result['test_samples']} test)", flush=True)
            if len(results) > 1:
                print(paired_summary(name, results), flush=True)
        return 0
    print(f"{'contestant':<13}{'samples':>8}{'batch':>6}{'notebook/s':>12}{'ours/s':>10}{'ratio':>8}{'CPU ratio':>10}{'width':>7}{'epoch':>7}"
          f"  wall laps (n=notebook, o=ours)")
    for name in names:
        r = race(name, args.samples, args.repeats, device, args.seed, args.random_subset)
        print(f"{name:<13}{r['samples']:>8}{r['batch_size']:>6}{r['notebook']:>12.0f}{r['ours']:>10.0f}"
              f"{r['ratio']:>7.2f}x{r['cpu_ratio']:>9.2f}x{r['width']:>7.0f}{r['epoch_width']:>7.0f}  {r['laps']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
