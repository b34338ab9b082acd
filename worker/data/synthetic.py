"""A small, deterministic, learnable set of English-looking reviews, generated as text offline."""

import functools
import itertools

import numpy as np

from worker.data.corpus import encode_texts
from worker.data.types import DataOptions, EncodedData

N_TRAIN = 3_000          # training reviews, before the validation share is held out
N_TEST = 500             # test reviews
GENERATOR_SEED = 20_240  # fixed: the reviews never change; options.seed only moves the validation split
LABEL_NOISE = 0.02       # share of reviews whose label is flipped
SOURCE_ID = f"synthetic-v4-{N_TRAIN}-{N_TEST}-{GENERATOR_SEED}-{LABEL_NOISE}"

POSITIVE_WORDS = (
    "great wonderful excellent brilliant superb amazing fantastic beautiful delightful enjoyable "
    "masterpiece moving charming gripping stunning touching hilarious perfect outstanding memorable "
    "loved favorite fun powerful clever engaging impressive refreshing magnificent splendid "
    "terrific inspiring heartwarming captivating marvelous best beautifully recommend entertaining remarkable"
).split()
NEGATIVE_WORDS = (
    "awful boring terrible horrible dreadful dull worst bad poor waste "
    "stupid annoying mediocre disappointing pointless tedious lame weak ridiculous unwatchable "
    "mess predictable bland forgettable painful clumsy incoherent lifeless overrated laughable "
    "tiresome wooden sloppy unfunny pathetic atrocious hated dire shallow cheap"
).split()
NEUTRAL_WORDS = (
    "the a an and of to in is it this that was as with for on at by from his her their its "
    "he she they we i you there which who when then than so but or also just about after before "
    "while into over under through during some every each other another more most many much "
    "film movie story plot actor actors actress director scene scenes character characters cast "
    "script ending music camera screen time year years man woman men women family city house night "
    "day world life people friend friends war school car road town country home father mother son "
    "daughter brother sister wife husband police doctor soldier teacher girl boy child children "
    "book novel series sequel episode studio budget dialogue score soundtrack shot shots frame "
    "minutes hours hour role roles part parts version remake genre drama comedy thriller western "
    "horror documentary audience viewer viewers critic critics theater television tv dvd "
    "first second third last next new old young long short big small real whole own same "
    "seems seemed watched watch saw see seen made make makes played plays play tells told "
    "takes took goes went comes came gets got looks looked finds found shows showed"
).split()
_SYLLABLES = ("bar", "den", "fil", "gor", "han", "kel", "lum", "mor", "nav", "pel", "quin", "ros", "tav", "vel", "zor")
_ENDINGS = ("a", "an", "en", "ik", "o", "us")


def filler_words() -> list[str]:
    """The neutral vocabulary: real words, then pseudo-words such as 'barden' or 'kelo' to pad it out."""
    pseudo = ["".join(parts) for parts in itertools.product(_SYLLABLES, _ENDINGS)]
    pseudo += ["".join(pair) for pair in itertools.permutations(_SYLLABLES, 2)][:120]
    taken = set(NEUTRAL_WORDS) | set(POSITIVE_WORDS) | set(NEGATIVE_WORDS)
    return list(NEUTRAL_WORDS) + [word for word in pseudo if word not in taken]


def generate_reviews(count: int, rng: np.random.Generator) -> tuple[list[str], list[int]]:
    """`count` balanced reviews: 4 to 8 words of their class (two in the last 8) amid filler, some noise."""
    filler = filler_words()
    weights = 1.0 / (np.arange(len(filler)) + 8.0)  # Zipf-like: function words are the commonest
    weights /= weights.sum()
    labels = (rng.permutation(count) % 2).tolist()
    texts = []
    for label in labels:
        own, other = (POSITIVE_WORDS, NEGATIVE_WORDS) if label else (NEGATIVE_WORDS, POSITIVE_WORDS)
        length = int(np.clip(rng.lognormal(np.log(30), 0.8), 14, 600))
        tokens = list(rng.choice(filler, size=length, p=weights))
        verdict = [rng.integers(length - 2, length), rng.integers(length - 8, length - 2)]  # the closing lines
        body = rng.choice(length - 8, size=int(rng.integers(2, 7)), replace=False)
        for position in [*verdict, *body]:
            tokens[position] = own[rng.integers(len(own))]
        if rng.random() < 0.2:  # one word of the other class, as real reviews hedge
            tokens[rng.integers(length - 8)] = other[rng.integers(len(other))]
        texts.append(_render(tokens, rng))
    flipped = rng.random(count) < LABEL_NOISE
    return texts, [1 - label if flip else label for label, flip in zip(labels, flipped)]


def _render(tokens: list[str], rng: np.random.Generator) -> str:
    """Join tokens into capitalised sentences, with the `<br /><br />` breaks of real IMDB reviews."""
    sentences, start = [], 0
    while start < len(tokens):
        end = start + int(rng.integers(6, 15))
        sentence = " ".join(tokens[start:end])
        sentences.append(sentence[0].upper() + sentence[1:] + rng.choice([".", ".", ".", "!"]))
        start = end
    return "".join(s + (" <br /><br />" if rng.random() < 0.1 else " ") for s in sentences).strip()


@functools.cache
def generated_reviews() -> tuple[tuple[tuple[str, ...], tuple[int, ...]], tuple[tuple[str, ...], tuple[int, ...]]]:
    """The train and test reviews with their labels, ((texts, labels), (texts, labels)), generated once per
    process: GENERATOR_SEED is fixed, so they never change, and generating them takes about a second."""
    rng = np.random.default_rng(GENERATOR_SEED)
    train, test = generate_reviews(N_TRAIN, rng), generate_reviews(N_TEST, rng)
    return (tuple(train[0]), tuple(train[1])), (tuple(test[0]), tuple(test[1]))


def load_synthetic(options: DataOptions, fingerprint: str) -> EncodedData:
    """Encode the reviews through the same tokenizer path as aclimdb."""
    train, test = generated_reviews()
    return encode_texts("synthetic", train, test, options, fingerprint)
