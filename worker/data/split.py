"""The seeded, stratified validation split carved out of a training set."""

import numpy as np

from worker.data.types import DatasetUnavailable

CLASS_NAMES = {0: "negative", 1: "positive"}


def stratified_split(labels: np.ndarray, val_split: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, val), each shuffled by `seed`, holding out `val_split` of every class.

    Raises DatasetUnavailable, with the figures, when the labels lack a class or the validation
    share would hold no review of one (a tiny dataset, or a val_split that rounds to zero).
    """
    rng = np.random.default_rng(seed)
    train_parts, val_parts, held_out = [], [], {}
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_val = int(round(len(members) * val_split))
        val_parts.append(members[:n_val])
        train_parts.append(members[n_val:])
        held_out[CLASS_NAMES.get(int(label), str(label))] = (n_val, len(members))
    _check_both_classes(held_out, val_split)
    train = np.concatenate(train_parts)
    val = np.concatenate(val_parts)
    return rng.permutation(train).astype(np.int64), rng.permutation(val).astype(np.int64)


def _check_both_classes(held_out: dict[str, tuple[int, int]], val_split: float) -> None:
    """Refuse a split whose validation share lacks a class; held_out maps class -> (in validation, in all)."""
    figures = ", ".join(f"{n_val} of {total} {name}" for name, (n_val, total) in held_out.items()) or "no reviews"
    missing = [name for name in CLASS_NAMES.values() if held_out.get(name, (0, 0))[0] == 0]
    if not missing:
        return
    smallest = min((total for _, total in held_out.values()), default=0)
    least = _least_val_split(smallest)
    if least is not None:
        advice = f"raise val_split to at least {least:g} or train on more reviews"
    else:
        advice = "each class needs at least 3 training reviews (one for validation, two for training)"
    raise DatasetUnavailable(
        f"The validation share would hold no {missing[0]} review: val_split {val_split:g} keeps {figures} "
        f"training reviews for validation; {advice}."
    )


def _least_val_split(count: int) -> float | None:
    """The smallest val_split in steps of 0.01 that holds out one of `count` reviews; None if none below 0.5."""
    for hundredths in range(1, 50):
        if round(count * hundredths / 100) >= 1:
            return hundredths / 100
    return None
