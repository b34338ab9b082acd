"""What every contestant shares: the common hyperparameters and the Contestant record."""

from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field
import torch
from torch import nn


LrSchedule = Literal["constant", "linear"]


class TrainingParams(BaseModel):
    """Training and data hyperparameters taken by every contestant (DESIGN.md names)."""

    model_config = ConfigDict(extra="forbid")

    # training
    epochs: int = Field(5, ge=1, le=200, description="Passes over the training reviews.")
    batch_size: int = Field(64, ge=1, le=4096, description="Reviews per optimisation step.")
    optimizer: Literal["adam", "adamw", "sgd"] = Field("adam", description="Optimisation algorithm.")
    lr: float = Field(1e-3, gt=0, le=10, description="Learning rate.")
    lr_schedule: LrSchedule = Field(
        "constant", description="constant: lr throughout; linear: decay from lr to 0 over the epochs (as fastText)."
    )
    momentum: float = Field(0.9, ge=0, lt=1, description="Momentum (SGD only).")
    weight_decay: float = Field(0.0, ge=0, le=1, description="L2 penalty (decoupled for adamw).")
    grad_clip: float = Field(1.0, ge=0, le=100, description="Clip the gradient norm to this; 0 turns clipping off.")
    dropout: float = Field(0.3, ge=0, lt=1, description="Dropout probability.")
    seed: int = Field(42, ge=0, le=2**31 - 1, description="Seed for torch, numpy and random.")
    patience: int = Field(2, ge=0, le=100, description="Stop after this many epochs without a better validation loss; 0 never stops early.")
    # data
    num_words: int = Field(10_000, ge=100, le=100_000, description="Vocabulary size: the most frequent words kept.")
    maxlen: int = Field(500, ge=10, le=2_000, description="Review length in tokens (pre-padded and pre-truncated).")
    val_split: float = Field(0.2, gt=0, lt=0.5, description="Share of the training reviews held out for validation.")


@dataclass(frozen=True)
class Contestant:
    """One architecture: its name, its texts, its hyperparameter model, its builder and presets."""

    name: str
    title: str
    description: str
    params: type[TrainingParams]
    build: Callable[[TrainingParams], nn.Module]
    presets: dict[str, dict] = field(default_factory=dict)
    # A contestant that fits statistics of the training reviews (FitsTrainingData): the bytes its fit holds
    # at its peak beyond the model and the data, given its hyperparameters and the training reviews' count.
    fit_memory: Callable[[TrainingParams, int], int] | None = None

    def defaults(self) -> TrainingParams:
        """The contestant's default hyperparameters."""
        return self.params()


@runtime_checkable
class FitsTrainingData(Protocol):
    """A contestant with statistics taken from the training reviews before any gradient step.

    The trainer calls `fit_from_data` once, after moving the model to its device and before the first
    epoch, with the training split only (never the validation or test reviews), so whatever it
    computes (nbsvm's naive-Bayes log-count ratios) is chosen on the same data as the weights.
    What it computes must live in registered buffers, so checkpoints carry it and a rebuilt model
    predicts without the training reviews.
    """

    def fit_from_data(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """x: (N, T) int64 pre-padded token ids; y: (N,) float32 labels in {0, 1}; on the model's device."""


def count_parameters(module: nn.Module) -> int:
    """Number of parameters (trainable or not) in the module: what a run's param_count shows."""
    return sum(parameter.numel() for parameter in module.parameters())
