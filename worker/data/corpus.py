"""Raw labelled review texts to an EncodedData: split, vocabulary on the training split, encode."""

from collections.abc import Sequence

import numpy as np

from worker.data.split import stratified_split
from worker.data.tokenizer import build_vocab, encode_batch, tokenize
from worker.data.types import DataOptions, EncodedData


def encode_texts(
    name: str,
    train: tuple[Sequence[str], Sequence[int]],
    test: tuple[Sequence[str], Sequence[int]],
    options: DataOptions,
    fingerprint: str,
    source_report: dict | None = None,
) -> EncodedData:
    """Tokenize, hold out a stratified validation share, rank the vocabulary on what is left, encode."""
    train_tokens = [tokenize(text) for text in train[0]]
    test_tokens = [tokenize(text) for text in test[0]]
    train_labels = np.asarray(train[1], dtype=np.float32)
    train_idx, val_idx = stratified_split(train_labels, options.val_split, options.seed)
    vocab = build_vocab((train_tokens[i] for i in train_idx), options.num_words)

    def encode_rows(token_lists: Sequence[list[str]], rows: np.ndarray) -> np.ndarray:
        return encode_batch([token_lists[i] for i in rows], vocab, options.maxlen)  # (N, maxlen)

    return EncodedData(
        name=name,
        x_train=encode_rows(train_tokens, train_idx),
        y_train=train_labels[train_idx],
        x_val=encode_rows(train_tokens, val_idx),
        y_val=train_labels[val_idx],
        x_test=encode_batch(test_tokens, vocab, options.maxlen),
        y_test=np.asarray(test[1], dtype=np.float32),
        num_words=options.num_words,
        maxlen=options.maxlen,
        vocab=vocab,
        fingerprint=fingerprint,
        source_report=source_report,
    )
