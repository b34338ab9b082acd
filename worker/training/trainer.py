"""The training loop: a few pure functions around one loop, reporting through callbacks."""

import math
import time
from collections.abc import Callable
from contextlib import nullcontext

import numpy as np
import torch
from torch import nn

from worker.contestants.base import FitsTrainingData, TrainingParams
from worker.data.types import EncodedData
from worker.training.batching import evaluation_batches, review_lengths, take_batch, training_batches
from worker.training.device import autocast_dtype, configure_backends, resolve_device
from worker.training.types import EpochMetrics, Progress, TrainingCancelled, TrainingDiverged, TrainResult

EVAL_BATCH_SIZE = 512
PROGRESS_INTERVAL_S = 0.25  # progress callbacks at most four times a second


class _Split:
    """One split's ids and labels on the device, with the review lengths kept on the CPU."""

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


def evaluate(model: nn.Module, split: _Split, device: torch.device,
             should_stop: Callable[[], bool] | None = None) -> tuple[float, float]:
    """Mean loss and accuracy of the model on a split."""
    loss, accuracy, _ = evaluate_with_probabilities(model, split, device, should_stop)
    return loss, accuracy


@torch.no_grad()
def evaluate_with_probabilities(model: nn.Module, split: _Split, device: torch.device,
                                should_stop: Callable[[], bool] | None = None) -> tuple[float, float, np.ndarray]:
    """Mean loss, accuracy and each review's probability of 'positive' ((N,) float32, in the split's order)."""
    model.eval()
    loss_sum, correct = 0.0, 0.0
    probabilities = np.zeros(len(split), dtype=np.float32)  # (N,)
    for index in evaluation_batches(split.lengths, EVAL_BATCH_SIZE):
        if should_stop and should_stop():
            raise TrainingCancelled()
        ids = take_batch(split.x, split.lengths, index)  # (B, T)
        target = split.y[torch.from_numpy(index).to(device)]  # (B,)
        with _autocast(device):
            logits = model(ids).float()  # (B,)
        loss_sum += nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="sum").item()
        correct += ((logits > 0).float() == target).sum().item()
        probabilities[index] = torch.sigmoid(logits).cpu().numpy()  # (B,) back to their places
    return loss_sum / max(len(split), 1), correct / max(len(split), 1), probabilities


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


def _train_epoch(model, split, optimizer, loss_fn, hp, epoch, device, rng, on_progress, should_stop):
    """One pass over the training split; returns (mean loss, accuracy)."""
    model.train()
    batches = training_batches(split.lengths, hp.batch_size, rng)
    scaler = torch.amp.GradScaler("cuda") if autocast_dtype(device) == torch.float16 else None
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device)
    seen, last_report = 0, time.perf_counter()
    for number, index in enumerate(batches, start=1):
        if should_stop and should_stop():
            raise TrainingCancelled()
        ids = take_batch(split.x, split.lengths, index)  # (B, T)
        target = split.y[torch.from_numpy(index).to(device, non_blocking=True)]  # (B,)
        with _autocast(device):
            logits = model(ids).float()  # (B,)
            loss = loss_fn(logits, target)
        optimizer.zero_grad(set_to_none=True)
        for group in optimizer.param_groups:
            group["lr"] = scheduled_lr(hp, (epoch - 1 + (number - 1) / len(batches)) / hp.epochs)
        if scaler:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
        else:
            loss.backward()
        if hp.grad_clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), hp.grad_clip, foreach=True)
        if scaler:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        loss_sum += loss.detach() * len(index)
        correct += ((logits.detach() > 0).float() == target).sum()
        seen += len(index)
        now = time.perf_counter()
        if now - last_report >= PROGRESS_INTERVAL_S or number == len(batches):
            running_loss = loss_sum.item() / seen  # one device sync per report, not per batch
            _check_finite(running_loss, epoch, number, hp)
            if on_progress:
                on_progress(Progress(epoch=epoch, fraction=number / len(batches), loss=running_loss))
            last_report = now
    mean_loss = loss_sum.item() / max(seen, 1)
    _check_finite(mean_loss, epoch, len(batches), hp)
    return mean_loss, correct.item() / max(seen, 1)


def _is_better(metrics: EpochMetrics, best: EpochMetrics | None) -> bool:
    """The best epoch has the highest validation accuracy; the lower loss breaks ties."""
    if best is None:
        return True
    return (metrics.val_acc, -metrics.val_loss) > (best.val_acc, -best.val_loss)


def train(model: nn.Module, data: EncodedData, hp: TrainingParams, *,
          device: str | torch.device = "auto",
          on_epoch: Callable[[EpochMetrics], None] | None = None,
          on_progress: Callable[[Progress], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """Train, choose the epoch on validation, and test the chosen weights once."""
    started = time.perf_counter()
    device = resolve_device(device)
    configure_backends(device)
    model.to(device)
    train_split = _Split(data.x_train, data.y_train, device)
    val_split = _Split(data.x_val, data.y_val, device)
    if isinstance(model, FitsTrainingData):
        model.fit_from_data(train_split.x, train_split.y)  # training reviews only, once
    optimizer = make_optimizer(model, hp)
    loss_fn = nn.BCEWithLogitsLoss()
    result = TrainResult(param_count=sum(p.numel() for p in model.parameters()), device=str(device))
    best: EpochMetrics | None = None
    best_val_loss, epochs_without_gain = math.inf, 0
    for epoch in range(1, hp.epochs + 1):
        epoch_started = time.perf_counter()
        rng = np.random.default_rng([hp.seed, epoch])
        train_loss, train_acc = _train_epoch(
            model, train_split, optimizer, loss_fn, hp, epoch, device, rng, on_progress, should_stop)
        train_seconds = time.perf_counter() - epoch_started
        val_loss, val_acc = evaluate(model, val_split, device, should_stop)
        metrics = EpochMetrics(
            epoch=epoch, train_loss=train_loss, train_acc=train_acc, val_loss=val_loss, val_acc=val_acc,
            seconds=time.perf_counter() - epoch_started,
            samples_per_second=len(train_split) / max(train_seconds, 1e-9),
        )
        result.epochs.append(metrics)
        if _is_better(metrics, best):
            best = metrics
            result.state_dict = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        if on_epoch:
            on_epoch(metrics)
        if val_loss < best_val_loss:
            best_val_loss, epochs_without_gain = val_loss, 0
        else:
            epochs_without_gain += 1
            if hp.patience and epochs_without_gain >= hp.patience:
                break
    result.best_epoch = best.epoch
    model.load_state_dict(result.state_dict)
    result.test_loss, result.test_acc, result.test_probabilities = evaluate_with_probabilities(
        model, _Split(data.x_test, data.y_test, device), device, should_stop)
    result.seconds = time.perf_counter() - started
    return result
