"""Text to token ids with Keras conventions: 0 pad, 1 start, 2 out-of-vocabulary, words from 3.

The text is cleaned by ftfy (https://ftfy.readthedocs.io): mojibake repaired, HTML entities unescaped
(`&amp;` -> `&`, `&#39;` -> `'`), curly quotes and apostrophes folded to straight ones, Unicode
normalised to NFKC; then every `<br>` variant is removed and the words are taken as runs of Unicode
letters and digits joined by inner apostrophes (`didn't`, `amélie`; the quotes around `'great'` go).
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import ftfy
import numpy as np

PAD_ID = 0
START_ID = 1
OOV_ID = 2
FIRST_WORD_ID = 3  # vocab[i] is the word with id i + FIRST_WORD_ID

# Bump when tokenize() changes what it returns for any text: it is part of every cache key and of
# every checkpoint, so old caches rebuild and old checkpoints keep the tokenizer they were trained with.
TOKENIZER_VERSION = 2

_FIXES = ftfy.TextFixerConfig(
    unescape_html=True,        # always: IMDB reviews hold `<br />`, which would switch ftfy's "auto" off
    uncurl_quotes=True,        # ’ ‘ “ ” -> ' "
    fix_latin_ligatures=True,  # ﬁ -> fi
    fix_character_width=True,  # fullwidth letters -> ASCII
    normalization="NFKC",
    explain=False,
)
# <br>, <br/>, <br />, <br / >, </br>, < BR >: any break tag, whatever its spaces and slashes.
_BREAK_TAG = re.compile(r"<\s*/?\s*br\s*/?\s*>", re.IGNORECASE)
# Letters and digits of any script ([^\W_]), joined by single inner apostrophes.
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

# The release before TOKENIZER_VERSION 2: ASCII words only, `<br />` and `<br>` removed.
_BREAK_TAG_V1 = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD_V1 = re.compile(r"[a-z0-9']+")


def clean(text: str) -> str:
    """The text as ftfy fixes it; ASCII text without an entity passes as is, since no fix applies to it."""
    if text.isascii() and "&" not in text:
        return text  # ten times faster on most IMDB reviews, and the same tokens
    return ftfy.fix_text(text, _FIXES)


def tokenize(text: str) -> list[str]:
    """Lowercase words of a review: ftfy-cleaned (entities, curly quotes, NFKC), break tags removed."""
    return _WORD.findall(_BREAK_TAG.sub(" ", clean(text)).lower())


def tokenize_v1(text: str) -> list[str]:
    """The tokenizer of version 1, kept so that checkpoints trained with it score text as they were trained."""
    return _WORD_V1.findall(_BREAK_TAG_V1.sub(" ", text.lower()))


TOKENIZERS: dict[int, Callable[[str], list[str]]] = {1: tokenize_v1, TOKENIZER_VERSION: tokenize}


def tokenizer_for(version: int) -> Callable[[str], list[str]]:
    """The tokenize function of `version`; ValueError for a version this code does not know."""
    try:
        return TOKENIZERS[version]
    except KeyError:
        raise ValueError(f"Unknown tokenizer version {version}; this code knows {sorted(TOKENIZERS)}") from None


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


def encode(text_or_tokens: str | Sequence[str], vocab: Sequence[str], maxlen: int,
           tokenizer_version: int = TOKENIZER_VERSION) -> np.ndarray:
    """One review (raw text or its tokens) to pre-padded ids `(maxlen,)` int64, tokenised by that version."""
    tokens = tokenizer_for(tokenizer_version)(text_or_tokens) if isinstance(text_or_tokens, str) else text_or_tokens
    return encode_batch([tokens], vocab, maxlen)[0]
