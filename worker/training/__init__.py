"""The trainer: `Trainer(model, hp).fit(data)` (or `train(model, data, hp, ...)`) and the records it reports."""

from worker.training.device import resolve_device, seed_everything
from worker.training.trainer import Split, Trainer, train
from worker.training.types import EpochMetrics, Progress, TrainingCancelled, TrainingDiverged, TrainResult

__all__ = [
    "EpochMetrics", "Progress", "TrainResult", "TrainingCancelled", "TrainingDiverged",
    "Split", "Trainer", "resolve_device", "seed_everything", "train",
]
