"""Records the trainer reports through its callbacks, and the errors it raises."""

from dataclasses import dataclass, field

import numpy as np


class TrainingCancelled(Exception):
    """should_stop() returned True; raised between batches."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message says at which epoch and batch and what to try."""


@dataclass
class EpochMetrics:
    """One row of the learning curve."""

    epoch: int                # from 1
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float
    samples_per_second: float


@dataclass
class Progress:
    """Where the trainer is within an epoch."""

    epoch: int
    fraction: float           # 0..1 of the epoch's batches done
    loss: float               # running mean training loss of this epoch


@dataclass
class TrainResult:
    """What a finished training gives back."""

    epochs: list[EpochMetrics] = field(default_factory=list)
    best_epoch: int = 0
    test_loss: float = float("nan")
    test_acc: float = float("nan")
    param_count: int = 0
    seconds: float = 0.0
    device: str = "cpu"
    state_dict: dict | None = None   # best-validation weights, on the CPU
    test_probabilities: np.ndarray | None = None  # (N_test,) float32: P(positive) of each test review, test order
    predictions: dict | None = None  # the upload built from them (worker/training/predictions.py)
