"""Writing and reading checkpoints: plain tensors and lists only, loaded with weights_only=True.

A checkpoint records its format version, every resolved hyperparameter (defaults included) and the
tokenizer's version, so it rebuilds the model it was trained as whatever today's defaults are.
"""

import io
from pathlib import Path

import torch

from worker.contestants.base import TrainingParams
from worker.contestants.recorded import parse_recorded
from worker.data.tokenizer import TOKENIZER_VERSION
from worker.files import WriteFailed, write_bytes_atomically
from worker.record_format import RECORD_FORMAT  # what each format holds: worker/record_format.py


class CheckpointUnreadable(ValueError):
    """A checkpoint this code cannot rebuild faithfully; the message says why."""


class CheckpointNotSaved(WriteFailed):
    """Training finished but its checkpoint could not be written; `.result` keeps the run's metrics."""

    def __init__(self, cause: WriteFailed, result):
        super().__init__(cause.errno, f"Training finished (test accuracy {result.test_acc:.4f}, best epoch "
                                      f"{result.best_epoch}) but its checkpoint was not saved: {cause}")
        self.result = result


def save_checkpoint(path: Path, *, architecture: str, dataset: str, hyperparams: TrainingParams,
                    state_dict: dict, vocab: list[str] | None) -> Path:
    """Write the checkpoint atomically (worker.files); WriteFailed names the path and the space needed."""
    payload = {
        "format": RECORD_FORMAT,
        "architecture": architecture,
        "dataset": dataset,
        "hyperparams": hyperparams.model_dump(mode="json"),  # every field, defaults included
        "state_dict": state_dict,
        "vocab": list(vocab) if vocab is not None else None,
        "tokenizer_version": TOKENIZER_VERSION,
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return write_bytes_atomically(Path(path), buffer.getvalue())


def load_checkpoint(path: Path) -> dict:
    """Read a checkpoint on the CPU, refusing anything but tensors and plain containers.

    Raises CheckpointUnreadable for a format newer than this code's.
    """
    checkpoint = torch.load(Path(path), map_location="cpu", weights_only=True)
    version = checkpoint.get("format", 1)
    if not isinstance(version, int) or version > RECORD_FORMAT:
        raise CheckpointUnreadable(
            f"Checkpoint {path} has format {version!r}; this code reads formats 1 to {RECORD_FORMAT}: upgrade it.")
    return checkpoint


def checkpoint_hyperparams(checkpoint: dict) -> TrainingParams:
    """The hyperparameters the checkpoint's model was trained with; nothing taken from today's defaults."""
    return parse_recorded(checkpoint["architecture"], checkpoint["hyperparams"])


def checkpoint_tokenizer_version(checkpoint: dict) -> int:
    """The tokenizer version the checkpoint's vocabulary was built with (1 before it was recorded)."""
    return int(checkpoint.get("tokenizer_version", 1))
