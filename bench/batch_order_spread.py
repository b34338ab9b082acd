"""One-epoch test accuracy over many batch orders from one initialisation: how far each way of batching swings.

The accuracy check in train_speed.py pairs the two loops seed by seed, but a seed changes the
weights and the batch order at once. This script holds the initial weights fixed (`--init-seed`)
and trains one epoch per batch order k (torch seed k for dropout and the DataLoader, numpy seed
[k, 1] for our batches), so the spread of each side's test accuracy shows how much its batching
alone moves the result. Batchings (`--batching`, comma-separated):

  plain               the notebook's loop: DataLoader(shuffle=True) over reviews padded to maxlen
  length              the product's trainer: length-aware batches, each trimmed to its longest review
  random              the product's trainer over random batches (sorting window of one batch)
  plain-over-length   the notebook's loop over our length-aware batches, left maxlen wide

Every side keeps a constant learning rate and clips the gradient norm as the product does. For each
order it prints the test accuracy and the share of test reviews predicted positive (a model thrown
off balance by its last batches predicts one class too often), then each side's mean and spread.

Usage (repository root):
  KERAS_BACKEND=torch .venv/bin/python bench/batch_order_spread.py --init-seed 3 --orders 1-10 --batching length,plain
"""

import argparse
import copy
import statistics
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

from bench.train_speed import aclimdb_data, notebook_epoch, notebook_optimizer  # noqa: E402
from worker.contestants import get_contestant, parse_hyperparams  # noqa: E402
from worker.training import batching, seed_everything  # noqa: E402
from worker.training import Split, Trainer  # noqa: E402

BATCHINGS = ("plain", "length", "random", "plain-over-length")
CPU = torch.device("cpu")


def train_one_epoch(model: nn.Module, hp, x: np.ndarray, y: np.ndarray, batching_name: str, order: int) -> None:
    """One epoch of `model` on (x, y) with the named batching and batch order."""
    torch.manual_seed(order)
    rng = np.random.default_rng([order, 1])
    if batching_name.startswith("plain"):
        dataset = TensorDataset(torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.float32)))
        if batching_name == "plain":
            loader = DataLoader(dataset, batch_size=hp.batch_size, shuffle=True)
        else:
            batches = batching.training_batches(batching.review_lengths(x), hp.batch_size, rng)
            loader = DataLoader(dataset, batch_sampler=[batch.tolist() for batch in batches])
        notebook_epoch(model, loader, notebook_optimizer(model, hp), CPU, hp.grad_clip)
        return
    trainer = Trainer(model, hp, device=CPU)
    split = trainer.split(x, y)
    window = batching.BUCKET_BATCHES
    if batching_name == "random":
        batching.BUCKET_BATCHES = 1   # a window of one batch: random batches, trimmed to their longest review
    try:
        trainer.train_epoch(split, 1, rng)
    finally:
        batching.BUCKET_BATCHES = window


@torch.no_grad()
def positive_rate(model: nn.Module, split: Split) -> float:
    """Share of the split's reviews the model predicts positive."""
    model.eval()
    positives = 0
    for index in batching.evaluation_batches(split.lengths, 512):
        positives += int((model(batching.take_batch(split.x, split.lengths, index)) > 0).sum())
    return positives / len(split)


def parse_orders(text: str) -> list[int]:
    """'1-5' or '1,3,7' -> a list of ints."""
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(part) for part in text.split(",")]


def main(argv: list[str]) -> int:
    """Train one epoch per (batching, order) from one set of initial weights; print accuracies and spreads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contestant", default="lstm")
    parser.add_argument("--init-seed", type=int, default=3, help="seed of the initial weights (and of the data split)")
    parser.add_argument("--orders", default="1-6", help="batch orders: 1-6 or 1,4,9")
    parser.add_argument("--batching", default="length,plain", help=f"comma-separated, of {', '.join(BATCHINGS)}")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    names = args.batching.split(",")
    unknown = set(names) - set(BATCHINGS)
    if unknown:
        parser.error(f"unknown --batching {', '.join(sorted(unknown))}; choose from {', '.join(BATCHINGS)}")
    torch.set_num_threads(args.threads)
    hp = parse_hyperparams(args.contestant, {"seed": args.init_seed}).model_copy(update={"lr_schedule": "constant"})
    data = aclimdb_data(hp)
    seed_everything(args.init_seed)
    initial = get_contestant(args.contestant).build(hp)
    test = Split(data.x_test, data.y_test, CPU)
    results: dict[str, list[float]] = {name: [] for name in names}
    for order in parse_orders(args.orders):
        for name in names:
            model = copy.deepcopy(initial)
            train_one_epoch(model, hp, data.x_train, data.y_train, name, order)
            _, accuracy, _ = Trainer(model, hp, device=CPU).evaluate(test)
            results[name].append(accuracy)
            print(f"{args.contestant} init {args.init_seed} order {order} {name}: test acc {accuracy:.4f}, "
                  f"predicted positive {positive_rate(model, test):.2f}", flush=True)
    for name, accuracies in results.items():
        spread = statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0
        print(f"{name}: {len(accuracies)} orders, mean {statistics.mean(accuracies):.4f}, standard deviation "
              f"{100 * spread:.2f} points, min {min(accuracies):.4f}, max {max(accuracies):.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
