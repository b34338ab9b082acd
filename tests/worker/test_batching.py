"""Length-aware batching: every review once per epoch, batches trimmed to their longest review."""

import numpy as np
import torch

from worker.training.batching import evaluation_batches, review_lengths, take_batch, training_batches


def _pre_padded(lengths, maxlen=12):
    x = np.zeros((len(lengths), maxlen), dtype=np.int64)
    for row, length in enumerate(lengths):
        if length:
            x[row, -length:] = np.arange(3, 3 + length)
    return x


def test_training_batches_cover_every_review_once():
    lengths = np.random.default_rng(0).integers(1, 12, size=1000)
    batches = training_batches(lengths, 32, np.random.default_rng(1))
    seen = np.concatenate(batches)
    assert sorted(seen.tolist()) == list(range(1000))
    assert all(len(b) <= 32 for b in batches)


def test_training_batches_group_similar_lengths():
    lengths = np.random.default_rng(0).integers(1, 500, size=3200)
    batches = training_batches(lengths, 32, np.random.default_rng(1))
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    random_spread = np.mean([np.ptp(lengths[i:i + 32]) for i in range(0, 3200, 32)])
    assert spread < random_spread / 5


def test_training_batches_depend_on_the_seed_only():
    lengths = np.arange(1, 101)
    first = training_batches(lengths, 10, np.random.default_rng(7))
    second = training_batches(lengths, 10, np.random.default_rng(7))
    assert all((a == b).all() for a, b in zip(first, second))


def test_take_batch_trims_leading_padding_to_the_longest_review():
    x = _pre_padded([2, 5, 3, 0])
    lengths = review_lengths(x)
    batch = take_batch(torch.from_numpy(x), lengths, np.array([0, 2]))
    assert batch.shape == (2, 3)
    assert batch.tolist() == [[0, 3, 4], [3, 4, 5]]


def test_take_batch_keeps_one_column_for_empty_reviews():
    x = _pre_padded([0, 0])
    batch = take_batch(torch.from_numpy(x), review_lengths(x), np.array([0, 1]))
    assert batch.shape == (2, 1)


def test_evaluation_batches_are_in_length_order():
    lengths = np.array([5, 1, 3, 2])
    assert [b.tolist() for b in evaluation_batches(lengths, 2)] == [[1, 3], [2, 0]]
