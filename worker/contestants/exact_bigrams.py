"""An exact word-pair table: the pairs found in the most training reviews, each with a row of its own.

Wang & Manning 2012 (NBSVM-bigram) and the Keras imdb_fasttext example both give every training
bigram its own feature, where fastText's own code hashes pairs into shared buckets. The table is a
sorted int64 tensor of pair keys `first * num_words + second` (layers.bigram_keys), unused slots
filled with ABSENT_KEY; a pair is looked up by `torch.searchsorted`. It lives in a registered buffer
of the model that uses it (nbsvm, fasttext with `bigrams=exact`), so checkpoints carry it.
"""

import torch

from worker.contestants.layers import bigram_keys

ABSENT_KEY = torch.iinfo(torch.int64).max  # fills unused slots; sorts after every real pair
FIT_CHUNK = 1024  # training reviews per chunk while counting (bounds the memory of the sort)
# Copies of every training review's word pairs (int64) that choosing the table holds at once: the pairs
# gathered once per review, joined, torch.unique's sort with its counts, the sort by count. Measured with
# bench/memory_estimate.py on random ids (every pair distinct: the worst case), docs/RELIABILITY.md.
FIT_PAIR_COPIES = 10


def empty_table(size: int) -> torch.Tensor:
    """A table of `size` slots, none used: (size,) int64 of ABSENT_KEY."""
    return torch.full((size,), ABSENT_KEY, dtype=torch.int64)


@torch.no_grad()
def fill_table(table: torch.Tensor, x: torch.Tensor, num_words: int) -> int:
    """Fill `table` (K,) in place with the pairs found in the most reviews of x (N, T), sorted by key.

    x: pre-padded int64 token ids below `num_words`. Ties go to the smaller key; a review holding a
    pair twice counts once. Returns how many slots were filled (at most K; the rest stay ABSENT_KEY).
    """
    per_review = []
    for start in range(0, len(x), FIT_CHUNK):
        keys, real = bigram_keys(x[start:start + FIT_CHUNK], num_words)  # (C, T-1) each
        rows = torch.arange(start, start + len(keys), device=x.device).unsqueeze(1).expand_as(keys)  # (C, T-1)
        pairs = torch.stack([rows[real], keys[real]], dim=1)  # (P, 2)
        per_review.append(torch.unique(pairs, dim=0)[:, 1])  # each pair once per review
    keys, reviews = torch.unique(torch.cat(per_review), return_counts=True)  # sorted by key
    order = torch.sort(reviews, descending=True, stable=True).indices[: len(table)]  # most reviews first
    chosen = torch.sort(keys[order]).values  # (K',)
    table.fill_(ABSENT_KEY)
    table[: len(chosen)] = chosen
    return len(chosen)


def look_up(table: torch.Tensor, ids: torch.Tensor, num_words: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each neighbouring pair's row in `table` (K,), and whether the pair is real and in the table.

    ids (B, T) -> row (B, T-1) int64 in [0, K), known (B, T-1) bool; where `known` is False the row
    is meaningless and must be masked out.
    """
    keys, real = bigram_keys(ids, num_words)  # (B, T-1) each
    row = torch.searchsorted(table, keys.contiguous()).clamp(max=len(table) - 1)  # (B, T-1)
    return row, real & (table[row] == keys)  # (B, T-1) each


def fill_memory_bytes(maxlen: int, n_train: int) -> int:
    """What `fill_table` holds at its peak, in bytes, for `n_train` reviews of `maxlen` tokens:
    FIT_PAIR_COPIES copies of their word pairs (maxlen - 1 per review, int64)."""
    return FIT_PAIR_COPIES * n_train * (maxlen - 1) * 8
