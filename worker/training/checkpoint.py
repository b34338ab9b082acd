"""Writing and reading checkpoints: plain tensors and lists only, loaded with weights_only=True."""

import os
from pathlib import Path

import torch

from worker.data.tokenizer import TOKENIZER_VERSION


def save_checkpoint(path: Path, *, architecture: str, dataset: str, hyperparams: dict,
                    state_dict: dict, vocab: list[str] | None) -> Path:
    """Write the checkpoint atomically (temp file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "architecture": architecture,
        "dataset": dataset,
        "hyperparams": hyperparams,
        "state_dict": state_dict,
        "vocab": list(vocab) if vocab is not None else None,
        "tokenizer_version": TOKENIZER_VERSION,  # absent in older checkpoints: version 1
    }
    temporary = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, temporary)
    os.replace(temporary, path)
    return path


def load_checkpoint(path: Path) -> dict:
    """Read a checkpoint on the CPU, refusing anything but tensors and plain containers."""
    return torch.load(Path(path), map_location="cpu", weights_only=True)
