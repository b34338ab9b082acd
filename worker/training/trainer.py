"""The training loop: a `Trainer` with `fit`, `train_epoch` and `evaluate`, reporting through callbacks.

After minGPT's mingpt/trainer.py: the trainer knows nothing of who listens; callers register
callbacks (`add_callback("on_epoch_end", fn)`) and a `should_stop` predicate.
"""

import math
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext

import numpy as np
import torch
from torch import nn

from worker.contestants.base import FitsTrainingData, TrainingParams, count_parameters
from worker.data.types import EncodedData
from worker.training.batching import evaluation_batches, review_lengths, take_batch, training_batches
from worker.training.device import autocast_dtype, configure_backends, resolve_device
from worker.training.types import EpochMetrics, Progress, TrainingCancelled, TrainingDiverged, TrainResult

EVAL_BATCH_SIZE = 512
PROGRESS_INTERVAL_S = 0.25  # progress callbacks at most four times a second


class Split:
    """One split's ids `x` (N, maxlen) int64 and labels `y` (N,) float32 on the device; review lengths on the CPU."""

    def __init__(self, x: np.ndarray, y: np.ndarray, device: torch.device):
        self.lengths = review_lengths(x)
        self.x = _to_device(torch.from_numpy(np.ascontiguousarray(x, dtype=np.int64)), device)  # (N, maxlen)
        self.y = _to_device(torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32)), device)  # (N,)

    def __len__(self) -> int:
        return len(self.lengths)


def _to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Copy once to the device; through pinned memory and without blocking on CUDA."""
    if device.type == "cuda":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)


def make_optimizer(model: nn.Module, hp: TrainingParams) -> torch.optim.Optimizer:
    """The optimiser named by hp.optimizer."""
    params = [p for p in model.parameters() if p.requires_grad]
    if hp.optimizer == "sgd":
        return torch.optim.SGD(params, lr=hp.lr, momentum=hp.momentum, weight_decay=hp.weight_decay)
    # One fused kernel per step instead of a loop over tensors: fasttext's Adam step 54 -> 6.5 ms on the CPU.
    fused = params[0].device.type in ("cpu", "cuda")
    if hp.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=hp.lr, weight_decay=hp.weight_decay, fused=fused)
    return torch.optim.Adam(params, lr=hp.lr, weight_decay=hp.weight_decay, fused=fused)


def _autocast(device: torch.device):
    """Mixed precision on CUDA, a no-op elsewhere."""
    dtype = autocast_dtype(device)
    return torch.autocast(device_type=device.type, dtype=dtype) if dtype else nullcontext()


def _check_finite(loss: float, epoch: int, batch: int, hp: TrainingParams) -> None:
    """Stop the run with advice when the loss is NaN or infinite."""
    if not math.isfinite(loss):
        raise TrainingDiverged(
            f"Training diverged at epoch {epoch}, batch {batch}: the loss became {loss}. "
            f"Try a lower learning rate (lr is {hp.lr:g}), gradient clipping (grad_clip is {hp.grad_clip:g}) "
            f"or the adam optimizer (optimizer is {hp.optimizer})."
        )


def scheduled_lr(hp: TrainingParams, progress: float) -> float:
    """The learning rate once `progress` (0 to 1) of all epochs' steps are done."""
    if hp.lr_schedule == "linear":
        return hp.lr * max(1.0 - progress, 0.0)
    return hp.lr


def _is_better(metrics: EpochMetrics, best: EpochMetrics | None) -> bool:
    """The best epoch has the highest validation accuracy; the lower loss breaks ties."""
    if best is None:
        return True
    return (metrics.val_acc, -metrics.val_loss) > (best.val_acc, -best.val_loss)



EVENTS = ("on_progress", "on_epoch_end")
"""on_progress(Progress): within an epoch, at most every PROGRESS_INTERVAL_S s and at its last batch;
on_epoch_end(EpochMetrics): after each epoch's validation."""


class Trainer:
    """Trains one model with hyperparameters `hp` on one device; binary cross-entropy on the logits.

    The optimiser and (for float16 autocast on CUDA) the GradScaler are built once here, so both keep
    their state across epochs. `should_stop()` is asked between batches; True raises TrainingCancelled.
    A NaN or infinite training loss raises TrainingDiverged naming the epoch and batch.
    """

    def __init__(self, model: nn.Module, hp: TrainingParams, *, device: str | torch.device = "auto",
                 should_stop: Callable[[], bool] | None = None):
        self.hp = hp
        self.device = resolve_device(device)
        configure_backends(self.device)
        self.model = model.to(self.device)
        self.param_count = count_parameters(model)
        self.optimizer = make_optimizer(model, hp)
        self.scaler = torch.amp.GradScaler("cuda") if autocast_dtype(self.device) == torch.float16 else None
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.should_stop = should_stop
        self.callbacks: dict[str, list[Callable]] = defaultdict(list)

    def add_callback(self, event: str, callback: Callable) -> None:
        """Call `callback` on `event` (one of EVENTS); ValueError for another name."""
        if event not in EVENTS:
            raise ValueError(f"Unknown trainer event '{event}'; choose one of: {', '.join(EVENTS)}")
        self.callbacks[event].append(callback)

    def _emit(self, event: str, record) -> None:
        for callback in self.callbacks[event]:
            callback(record)

    def split(self, x: np.ndarray, y: np.ndarray) -> Split:
        """Ids (N, maxlen) and labels (N,) as a Split on this trainer's device."""
        return Split(x, y, self.device)

    def _stop_requested(self) -> None:
        if self.should_stop and self.should_stop():
            raise TrainingCancelled()

    def train_epoch(self, split: Split, epoch: int, rng: np.random.Generator | None = None) -> tuple[float, float]:
        """One pass over `split` in length-bucketed batches; (mean loss in nats, accuracy in [0, 1]).

        `epoch` (from 1) sets the learning-rate schedule and the progress records; `rng` orders the
        batches (default: seeded by hp.seed and the epoch, as fit does).
        """
        model, hp, device = self.model, self.hp, self.device
        model.train()
        rng = rng if rng is not None else np.random.default_rng([hp.seed, epoch])
        batches = training_batches(split.lengths, hp.batch_size, rng)
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        seen, last_report = 0, time.perf_counter()
        for number, index in enumerate(batches, start=1):
            self._stop_requested()
            ids = take_batch(split.x, split.lengths, index)  # (B, T)
            target = split.y[torch.from_numpy(index).to(device, non_blocking=True)]  # (B,)
            with _autocast(device):
                logits = model(ids).float()  # (B,)
                loss = self.loss_fn(logits, target)
            self.optimizer.zero_grad(set_to_none=True)
            for group in self.optimizer.param_groups:
                group["lr"] = scheduled_lr(hp, (epoch - 1 + (number - 1) / len(batches)) / hp.epochs)
            if self.scaler:
                self.scaler.scale(loss).backward()
                self.scaler.unscale_(self.optimizer)
            else:
                loss.backward()
            if hp.grad_clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), hp.grad_clip, foreach=True)
            if self.scaler:
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                self.optimizer.step()
            loss_sum += loss.detach() * len(index)
            correct += ((logits.detach() > 0).float() == target).sum()
            seen += len(index)
            now = time.perf_counter()
            if now - last_report >= PROGRESS_INTERVAL_S or number == len(batches):
                running_loss = loss_sum.item() / seen  # one device sync per report, not per batch
                _check_finite(running_loss, epoch, number, hp)
                self._emit("on_progress", Progress(epoch=epoch, fraction=number / len(batches), loss=running_loss))
                last_report = now
        mean_loss = loss_sum.item() / max(seen, 1)
        _check_finite(mean_loss, epoch, len(batches), hp)
        return mean_loss, correct.item() / max(seen, 1)

    @torch.no_grad()
    def evaluate(self, split: Split) -> tuple[float, float, np.ndarray]:
        """(mean loss in nats, accuracy in [0, 1], P(positive) of each review: (N,) float32 in split order)."""
        model, device = self.model, self.device
        model.eval()
        loss_sum, correct = 0.0, 0.0
        probabilities = np.zeros(len(split), dtype=np.float32)  # (N,)
        for index in evaluation_batches(split.lengths, EVAL_BATCH_SIZE):
            self._stop_requested()
            ids = take_batch(split.x, split.lengths, index)  # (B, T)
            target = split.y[torch.from_numpy(index).to(device)]  # (B,)
            with _autocast(device):
                logits = model(ids).float()  # (B,)
            loss_sum += nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="sum").item()
            correct += ((logits > 0).float() == target).sum().item()
            probabilities[index] = torch.sigmoid(logits).cpu().numpy()  # (B,) back to their places
        return loss_sum / max(len(split), 1), correct / max(len(split), 1), probabilities

    def fit(self, data: EncodedData) -> TrainResult:
        """Train up to hp.epochs (early stop after hp.patience epochs without a lower validation loss),
        keep the epoch with the best validation accuracy, and test those weights once."""
        started = time.perf_counter()
        hp, model = self.hp, self.model
        train_split, val_split = self.split(data.x_train, data.y_train), self.split(data.x_val, data.y_val)
        if isinstance(model, FitsTrainingData):
            model.fit_from_data(train_split.x, train_split.y)  # training reviews only, once
        result = TrainResult(param_count=self.param_count, device=str(self.device))
        best: EpochMetrics | None = None
        best_val_loss, epochs_without_gain = math.inf, 0
        for epoch in range(1, hp.epochs + 1):
            epoch_started = time.perf_counter()
            train_loss, train_acc = self.train_epoch(train_split, epoch)
            train_seconds = time.perf_counter() - epoch_started
            val_loss, val_acc, _ = self.evaluate(val_split)
            metrics = EpochMetrics(
                epoch=epoch, train_loss=train_loss, train_acc=train_acc, val_loss=val_loss, val_acc=val_acc,
                seconds=time.perf_counter() - epoch_started,
                samples_per_second=len(train_split) / max(train_seconds, 1e-9),
            )
            result.epochs.append(metrics)
            if _is_better(metrics, best):
                best = metrics
                result.state_dict = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            self._emit("on_epoch_end", metrics)
            if val_loss < best_val_loss:
                best_val_loss, epochs_without_gain = val_loss, 0
            else:
                epochs_without_gain += 1
                if hp.patience and epochs_without_gain >= hp.patience:
                    break
        result.best_epoch = best.epoch
        model.load_state_dict(result.state_dict)
        result.test_loss, result.test_acc, result.test_probabilities = self.evaluate(
            self.split(data.x_test, data.y_test))
        result.seconds = time.perf_counter() - started
        return result


def train(model: nn.Module, data: EncodedData, hp: TrainingParams, *,
          device: str | torch.device = "auto",
          on_epoch: Callable[[EpochMetrics], None] | None = None,
          on_progress: Callable[[Progress], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """Trainer(model, hp, ...).fit(data) with the two callbacks: the one-call form the runner uses."""
    trainer = Trainer(model, hp, device=device, should_stop=should_stop)
    if on_epoch:
        trainer.add_callback("on_epoch_end", on_epoch)
    if on_progress:
        trainer.add_callback("on_progress", on_progress)
    return trainer.fit(data)
