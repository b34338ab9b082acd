"""Text to token ids with Keras conventions: 0 pad, 1 start, 2 out-of-vocabulary, words from 3."""

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

PAD_ID = 0
START_ID = 1
OOV_ID = 2
FIRST_WORD_ID = 3  # vocab[i] is the word with id i + FIRST_WORD_ID

_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9']+")


def tokenize(text: str) -> list[str]:
    """Lowercase words of a review, with the `<br />` tags of the IMDB reviews removed."""
    return _WORD.findall(_BREAK_TAG.sub(" ", text.lower()))


def build_vocab(token_lists: Iterable[Sequence[str]], num_words: int) -> list[str]:
    """The `num_words - 3` most frequent words (ties broken alphabetically), most frequent first."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[: max(num_words - FIRST_WORD_ID, 0)]]


def pad_pre(sequences: Sequence[Sequence[int]], maxlen: int) -> np.ndarray:
    """Pad with 0 and truncate at the front, as keras.utils.pad_sequences(padding='pre', truncating='pre')."""
    if maxlen < 1:
        raise ValueError(f"maxlen must be at least 1, got {maxlen}")
    padded = np.zeros((len(sequences), maxlen), dtype=np.int64)  # (N, maxlen)
    for row, sequence in enumerate(sequences):
        tail = sequence[-maxlen:]
        if len(tail):
            padded[row, maxlen - len(tail):] = tail
    return padded


def encode_batch(token_lists: Sequence[Sequence[str]], vocab: Sequence[str], maxlen: int) -> np.ndarray:
    """Token lists to pre-padded ids `(N, maxlen)` int64: start token, word ids, 2 for unknown words."""
    word_ids = {word: index + FIRST_WORD_ID for index, word in enumerate(vocab)}
    sequences = [[START_ID, *(word_ids.get(token, OOV_ID) for token in tokens)] for tokens in token_lists]
    return pad_pre(sequences, maxlen)


def encode(text_or_tokens: str | Sequence[str], vocab: Sequence[str], maxlen: int) -> np.ndarray:
    """One review (raw text or its tokens) to pre-padded ids `(maxlen,)` int64."""
    tokens = tokenize(text_or_tokens) if isinstance(text_or_tokens, str) else text_or_tokens
    return encode_batch([tokens], vocab, maxlen)[0]
