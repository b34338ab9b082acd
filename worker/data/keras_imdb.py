"""The Keras copy of IMDB, loaded exactly as the notebook does, then split and pre-padded."""

import os

import numpy as np

from worker.data.split import stratified_split
from worker.data.tokenizer import FIRST_WORD_ID, pad_pre
from worker.data.types import DataOptions, DatasetUnavailable, EncodedData

SOURCE_ID = "keras-imdb-v1"
UNUSED_WORD = "<unused>"  # id 3: Keras ranks words from 1, so index 0 names no word


def load_keras_imdb(options: DataOptions, fingerprint: str) -> EncodedData:
    """keras.datasets.imdb.load_data(num_words=...), a stratified validation share, pre-padding."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        from keras.datasets import imdb

        (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=options.num_words)
        word_index = imdb.get_word_index()
    except Exception as exc:  # any failure here means the files could not be had
        raise DatasetUnavailable(
            f"Could not download the Keras IMDB dataset ({type(exc).__name__}: {exc}). You appear to be offline: "
            "use the aclimdb dataset with a local archive (set BATTLEFIELD_ACLIMDB) or the synthetic dataset."
        ) from exc
    labels = np.asarray(y_train, dtype=np.float32)
    train_idx, val_idx = stratified_split(labels, options.val_split, options.seed)
    return EncodedData(
        name="imdb",
        x_train=pad_pre([x_train[i] for i in train_idx], options.maxlen),
        y_train=labels[train_idx],
        x_val=pad_pre([x_train[i] for i in val_idx], options.maxlen),
        y_val=labels[val_idx],
        x_test=pad_pre(list(x_test), options.maxlen),
        y_test=np.asarray(y_test, dtype=np.float32),
        num_words=options.num_words,
        maxlen=options.maxlen,
        vocab=keras_vocab(word_index, options.num_words),
        fingerprint=fingerprint,
    )


def keras_vocab(word_index: dict[str, int], num_words: int) -> list[str]:
    """vocab[i] is the word with id i + 3, i.e. Keras rank i (ranks start at 1; rank 0 is unused)."""
    by_rank = {rank: word for word, rank in word_index.items()}
    return [by_rank.get(rank, UNUSED_WORD) for rank in range(num_words - FIRST_WORD_ID)]
