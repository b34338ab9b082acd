"""The launch's memory estimate (worker/contestants/memory.py) against the measured peak, per contestant.

For each contestant at two sizes (its defaults, and "big": batch, review length and the model's widths
doubled), one fresh subprocess per case (so peaks do not mix):

1. imports torch and the registry and warms the same contestant up on a tiny batch (the kernels, thread
   pools and allocator the framework loads once; the estimate does not count them), then takes the
   baseline: the process's resident memory (CPU) or torch's allocated bytes (CUDA);
2. does what a run holds at its peak: the dataset's train, validation and test ids on the device (random
   ids of the estimate's review counts, every review full length), the model built by the product's
   `Trainer`, `fit_from_data` where the contestant has it, `--steps` real training steps through
   `Trainer.train_epoch` (stopped by its `should_stop`), and the best-weights copy `fit` keeps;
3. reports the peak above the baseline: on CPU the highest resident set size sampled every millisecond
   (and the kernel's own peak, getrusage's ru_maxrss, when it rose past the baseline), on CUDA
   torch.cuda.max_memory_allocated.

It prints a table (contestant, size, estimate MB, measured MB, ratio = estimate / measured: under 1 the
estimate is short) and, with --json, writes the rows.

Usage (repository root):
  KERAS_BACKEND=torch .venv/bin/python bench/memory_estimate.py [--contestants lstm,cnn] [--sizes default,big]
      [--device cpu|cuda] [--steps 3] [--reviews N] [--json out.json]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # a script, run from anywhere: import the repo

MB = 2**20
SIZES = ("default", "big")
DOUBLED = ("batch_size", "maxlen", "embedding_dim", "hidden_dim", "filters", "dense_dim")  # "big" doubles these


def size_overrides(name: str, size: str) -> dict:
    """The hyperparameters of `size` for contestant `name`: {} for its defaults, for "big" each field of
    DOUBLED that it takes, doubled within its bound."""
    if size == "default":
        return {}
    from worker.contestants import get_contestant

    params = get_contestant(name).params
    defaults = params().model_dump()
    out = {}
    for field in DOUBLED:
        if field in params.model_fields:
            bound = next((m.le for m in params.model_fields[field].metadata if getattr(m, "le", None) is not None), None)
            out[field] = min(2 * defaults[field], bound) if bound is not None else 2 * defaults[field]
    if "num_heads" in params.model_fields and out.get("embedding_dim", 1) % defaults["num_heads"]:
        out.pop("embedding_dim")  # heads must divide the width
    return out


class PeakSampler:
    """The highest resident set size of this process, sampled every `interval` s in a thread (bytes)."""

    def __init__(self, interval: float = 0.001):
        import psutil

        self._process, self._interval = psutil.Process(), interval
        self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(self._interval)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def _train_steps(name: str, hp, device: str, reviews: tuple[int, int], steps: int, seed: int) -> None:
    """What a run holds at its peak: the data on the device, the model, `steps` training steps, the best copy."""
    import numpy as np

    from worker.contestants import get_contestant
    from worker.contestants.base import FitsTrainingData
    from worker.training import Trainer
    from worker.training.types import TrainingCancelled

    rng = np.random.default_rng(seed)
    n_train, n_test = reviews
    n_val = int(n_train * hp.val_split)

    def ids(n: int) -> np.ndarray:
        return rng.integers(3, hp.num_words, size=(n, hp.maxlen), dtype=np.int64)  # (n, maxlen), no padding

    def labels(n: int) -> np.ndarray:
        return rng.integers(0, 2, size=n).astype(np.float32)  # (n,)

    asked = 0

    def stop_after_steps() -> bool:
        nonlocal asked
        asked += 1
        return asked > steps

    trainer = Trainer(get_contestant(name).build(hp), hp, device=device, should_stop=stop_after_steps)
    train = trainer.split(ids(n_train - n_val), labels(n_train - n_val))
    kept = [trainer.split(ids(n_val), labels(n_val)), trainer.split(ids(n_test), labels(n_test))]  # held, as fit does
    if isinstance(trainer.model, FitsTrainingData):
        trainer.model.fit_from_data(train.x, train.y)
    try:
        trainer.train_epoch(train, 1)
    except TrainingCancelled:
        pass
    best = {key: value.detach().to("cpu", copy=True) for key, value in trainer.model.state_dict().items()}
    if trainer.device.type == "cuda":
        import torch

        torch.cuda.synchronize(trainer.device)
    del best, kept, train


def measure_one(name: str, size: str, device: str, steps: int, reviews: int | None) -> dict:
    """One case in this process: the estimate and the measured peak above the warmed-up baseline (MB)."""
    import torch

    from worker.contestants import get_contestant, parse_hyperparams, summarize
    from worker.contestants.memory import estimate_memory, review_counts

    hp = parse_hyperparams(name, size_overrides(name, size))
    counts = review_counts("imdb") if reviews is None else (reviews, reviews)
    estimate = estimate_memory(name, hp, summarize(name, hp)["param_count"], "imdb")
    if reviews is not None:  # the data part for the review counts asked, the rest as the estimate has it
        data = 2 * reviews * (hp.maxlen * 8 + 4)
        estimate_mb = (estimate.total - estimate.data + data) / MB
    else:
        estimate_mb = estimate.total_mb
    tiny = parse_hyperparams(name, {"batch_size": 2, "maxlen": min(hp.maxlen, 64), "num_words": 100,
                                    **({"ngram_buckets": 100} if "ngram_buckets" in get_contestant(name).params.model_fields else {})})
    _train_steps(name, tiny, device, (64, 16), 2, seed=0)  # warm-up: kernels, thread pools, allocator
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        baseline = torch.cuda.memory_allocated()
        _train_steps(name, hp, device, counts, steps, seed=1)
        peak = torch.cuda.max_memory_allocated() - baseline
        how = "torch.cuda.max_memory_allocated"
    else:
        import gc

        gc.collect()
        with PeakSampler() as sampler:
            baseline = sampler.peak
            maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            _train_steps(name, hp, device, counts, steps, seed=1)
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        peak = max(sampler.peak, maxrss if maxrss > maxrss_before else 0) - baseline
        how = "peak RSS (sampled 1 ms, ru_maxrss)"
    return {"contestant": name, "size": size, "hyperparams": size_overrides(name, size), "device": device,
            "estimate_mb": round(estimate_mb, 1), "measured_mb": round(peak / MB, 1),
            "ratio": round(estimate_mb / max(peak / MB, 1e-9), 2), "how": how, "steps": steps,
            "reviews": list(counts)}


def run_case(name: str, size: str, args: argparse.Namespace) -> dict:
    """measure_one in a fresh interpreter (so each peak is its own); its JSON line back."""
    command = [sys.executable, __file__, "--one", name, size, "--device", args.device, "--steps", str(args.steps)]
    if args.reviews:
        command += ["--reviews", str(args.reviews)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "KERAS_BACKEND": "torch"})
    if done.returncode != 0:
        raise SystemExit(f"{name} {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    lines = ["| contestant | size | estimate MB | measured MB | ratio |", "|---|---|---:|---:|---:|"]
    lines += [f"| {r['contestant']} | {r['size']} | {r['estimate_mb']:,.1f} | {r['measured_mb']:,.1f} | {r['ratio']:.2f} |"
              for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the cases (or, with --one, one case in this process) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contestants", default="", help="comma-separated; default: every contestant")
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=3, help="training steps measured (the peak needs two)")
    parser.add_argument("--reviews", type=int, default=None,
                        help="train and test reviews each (default: the estimate's, 25,000 each, as IMDB)")
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    parser.add_argument("--one", nargs=2, metavar=("CONTESTANT", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(*args.one, args.device, args.steps, args.reviews)))
        return 0
    from worker.contestants import REGISTRY

    names = [name for name in args.contestants.split(",") if name] or list(REGISTRY)
    rows = []
    for name in names:
        for size in args.sizes.split(","):
            rows.append(run_case(name, size, args))
            row = rows[-1]
            print(f"{name:13s} {size:8s} estimate {row['estimate_mb']:9,.1f} MB  measured {row['measured_mb']:9,.1f} MB"
                  f"  ratio {row['ratio']:.2f}", flush=True)
    print(f"\n{table(rows)}\n\ndevice {args.device}, {args.steps} steps, load average {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
