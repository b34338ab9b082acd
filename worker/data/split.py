"""The seeded, stratified validation split carved out of a training set."""

import numpy as np


def stratified_split(labels: np.ndarray, val_split: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, val), each shuffled by `seed`, holding out `val_split` of every class."""
    rng = np.random.default_rng(seed)
    train_parts, val_parts = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_val = int(round(len(members) * val_split))
        val_parts.append(members[:n_val])
        train_parts.append(members[n_val:])
    train = np.concatenate(train_parts) if train_parts else np.zeros(0, dtype=np.int64)
    val = np.concatenate(val_parts) if val_parts else np.zeros(0, dtype=np.int64)
    return rng.permutation(train).astype(np.int64), rng.permutation(val).astype(np.int64)
