"""Length-aware batches: slices of pre-encoded tensors, each trimmed to its longest review."""

import numpy as np
import torch

BUCKET_BATCHES = 50  # batches per sorting window: big enough to group lengths, small enough to stay random


def review_lengths(x: np.ndarray) -> np.ndarray:
    """Real tokens per pre-padded review (0 is only ever padding)."""
    return np.count_nonzero(x, axis=1)


def training_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator,
                     labels: np.ndarray | None = None) -> list[np.ndarray]:
    """Shuffled batches of similar length: shuffle, sort within windows, cut, shuffle the batches.

    With `labels`, each batch takes every class in the window's proportion, each class's reviews
    in length order: a batch of one length then holds the window's label mix instead of a random
    one. Batches of nearly one length swing the model more than mixed ones; without this, a
    one-epoch pooled LSTM's test accuracy swung by 4 points from one batch order to the next where
    the notebook's random batches held it within 1 (docs/BENCHMARKS.md, "Accuracy check").
    """
    order = rng.permutation(len(lengths))
    window = batch_size * BUCKET_BATCHES
    batches = []
    for start in range(0, len(order), window):
        chunk = _length_order(order[start:start + window], lengths, labels)
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def _length_order(chunk: np.ndarray, lengths: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    """The reviews of one window by length; with labels, by their length's rank within their class.

    Ranks as fractions of each class's size interleave the classes in proportion, so that any
    run of consecutive reviews holds every class in the window's mix, at similar lengths.
    """
    if labels is None:
        return chunk[np.argsort(lengths[chunk], kind="stable")]
    rank = np.empty(len(chunk))
    for label in np.unique(labels[chunk]):
        members = np.flatnonzero(labels[chunk] == label)
        members = members[np.argsort(lengths[chunk[members]], kind="stable")]
        rank[members] = (np.arange(len(members)) + 0.5) / len(members)
    return chunk[np.argsort(rank, kind="stable")]


def evaluation_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Batches in length order, so evaluation pays for as little padding as possible."""
    order = np.argsort(lengths, kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def take_batch(x: torch.Tensor, lengths: np.ndarray, index: np.ndarray) -> torch.Tensor:
    """The rows `index` of x, with the leading columns that are padding in every row cut off."""
    longest = max(int(lengths[index].max()), 1)
    rows = torch.from_numpy(index).to(x.device, non_blocking=True)
    return x[rows, -longest:]  # (B, T<=maxlen)
