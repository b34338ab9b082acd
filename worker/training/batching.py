"""Length-aware batches: slices of pre-encoded tensors, each trimmed to its longest review."""

import numpy as np
import torch

BUCKET_BATCHES = 50  # batches per sorting window: big enough to group lengths, small enough to stay random


def review_lengths(x: np.ndarray) -> np.ndarray:
    """Real tokens per pre-padded review (0 is only ever padding)."""
    return np.count_nonzero(x, axis=1)


def training_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar length: shuffle, sort within windows, cut, shuffle the batches."""
    order = rng.permutation(len(lengths))
    window = batch_size * BUCKET_BATCHES
    batches = []
    for start in range(0, len(order), window):
        chunk = order[start:start + window]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def evaluation_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Batches in length order, so evaluation pays for as little padding as possible."""
    order = np.argsort(lengths, kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def take_batch(x: torch.Tensor, lengths: np.ndarray, index: np.ndarray) -> torch.Tensor:
    """The rows `index` of x, with the leading columns that are padding in every row cut off."""
    longest = max(int(lengths[index].max()), 1)
    rows = torch.from_numpy(index).to(x.device, non_blocking=True)
    return x[rows, -longest:]  # (B, T<=maxlen)
