"""The encoded dataset handed to the trainer, and the error raised when data cannot be had."""

from dataclasses import dataclass

import numpy as np


class DatasetUnavailable(RuntimeError):
    """The dataset cannot be loaded; the message says what to do (set a variable, go online...)."""


@dataclass
class EncodedData:
    """Pre-padded token ids (Keras conventions: 0 pad, 1 start, 2 OOV, words from 3) and labels."""

    name: str                 # "imdb", "aclimdb" or "synthetic"
    x_train: np.ndarray       # (N_train, maxlen) int64, pre-padded
    y_train: np.ndarray       # (N_train,) float32 in {0, 1}
    x_val: np.ndarray         # (N_val, maxlen)
    y_val: np.ndarray
    x_test: np.ndarray        # (N_test, maxlen)
    y_test: np.ndarray
    num_words: int
    maxlen: int
    # index -> word for ids >= 3 (vocab[0] is the word with id 3); None when unknown.
    vocab: list[str] | None = None
    fingerprint: str = ""     # identifies source + options; the cache key
    # What the reader found: {"reviews": {"train/pos": n, ...}, "skipped": {reason: n}}; None when not read from files.
    source_report: dict | None = None


@dataclass(frozen=True)
class DataOptions:
    """The options that shape an encoded dataset; part of its cache key."""

    num_words: int = 10_000   # vocabulary size, ids 0..num_words-1
    maxlen: int = 500         # review length after pre-padding and pre-truncation
    val_split: float = 0.2    # share of the training reviews held out for validation
    seed: int = 42            # seeds the validation split

    def __post_init__(self) -> None:
        if self.num_words < 4:
            raise ValueError(f"num_words must be at least 4, got {self.num_words}")
        if self.maxlen < 1:
            raise ValueError(f"maxlen must be at least 1, got {self.maxlen}")
        if not 0 <= self.val_split < 1:
            raise ValueError(f"val_split must be in [0, 1), got {self.val_split}")
