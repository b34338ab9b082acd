"""The trainer: `train(model, data, hp, ...)` and the records it reports."""

from worker.training.device import resolve_device, seed_everything
from worker.training.trainer import evaluate, train
from worker.training.types import EpochMetrics, Progress, TrainingCancelled, TrainingDiverged, TrainResult

__all__ = [
    "EpochMetrics", "Progress", "TrainResult", "TrainingCancelled", "TrainingDiverged",
    "evaluate", "resolve_device", "seed_everything", "train",
]
