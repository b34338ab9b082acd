"""Records the trainer reports through its callbacks, and the errors it raises."""

from dataclasses import dataclass, field

import numpy as np

from worker.wire import EpochMetrics, Progress  # the records the trainer reports are the wire records

__all__ = ["EpochMetrics", "Progress", "TrainResult", "TrainingCancelled", "TrainingDiverged"]


class TrainingCancelled(Exception):
    """should_stop() returned True; raised between batches."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message says at which epoch and batch and what to try."""


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
