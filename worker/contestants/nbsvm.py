"""The nbsvm contestant: naive-Bayes log-count ratios over words and word pairs, one linear layer.

Wang & Manning 2012, "Baselines and Bigrams: Simple, Good Sentiment and Topic Classification"
(ACL), NBSVM-bigram; trained here as a logistic regression by gradient steps, in the form of
fast.ai's `DotProdNB` (Howard, 2017): a review's logit is the sum over the distinct words and
word pairs it contains of (w_f + NB_WEIGHT_OFFSET) * r_f / NB_RATIO_SCALE, where r_f is the
feature's naive-Bayes log-count ratio taken once from the training reviews and w_f is learnt
from zero-ish. The offset plays the part of Wang & Manning's interpolation towards the plain
naive-Bayes weights (their beta): before any step the model already is multinomial naive Bayes.
"""

import torch
from torch import nn

from worker.contestants import fields
from worker.contestants.base import Contestant, TrainingParams
from worker.contestants import exact_bigrams
from worker.contestants.layers import real_token_mask, uniform_embedding

NB_SMOOTHING = 1.0       # alpha: the count added to every feature in each class (Laplace), as Wang & Manning
NB_WEIGHT_OFFSET = 0.4   # added to each learnt weight: the naive-Bayes ratios count from the first step
NB_RATIO_SCALE = 10.0    # ratios divided by this, so a review's ~300 features start at a logit of a few units
FIT_CHUNK = exact_bigrams.FIT_CHUNK   # training reviews per chunk while counting


class NBSVMParams(TrainingParams):
    """Hyperparameters of the naive-Bayes-weighted bag of words and word pairs."""

    # Wang & Manning keep every word; 50,000 covers the words seen in 3 or more training reviews.
    num_words: int = fields.retuned("num_words", 50_000)
    # Whole reviews: 1,000 tokens keep about 98 % of them uncut (500 cuts one in ten).
    maxlen: int = fields.retuned("maxlen", 1_000)
    # The table holds the pairs found in the most training reviews, each with its own row (no hashing).
    ngram_buckets: int = fields.ngram_buckets(1_000_000)
    lr: float = fields.retuned("lr", 1e-2)
    batch_size: int = fields.retuned("batch_size", 64)
    epochs: int = fields.retuned("epochs", 3)
    dropout: float = fields.retuned("dropout", 0.0)
    grad_clip: float = fields.retuned("grad_clip", 0.0)
    weight_decay: float = fields.retuned("weight_decay", 0.0)


class NBSVM(nn.Module):
    """Distinct words and word pairs of a review -> sum of (w + offset) * r / scale + bias -> 1 logit.

    Features: id i < num_words is the word i; id num_words + j is row j of the bigram table, a
    sorted array of pair keys `first * num_words + second` (the pairs found in most training
    reviews, chosen by `fit_from_data`); `self.none` (the last id) is "no feature" (padding, a pair
    outside the table, a repeat within the review: features are binarised as Wang & Manning do).
    """

    def __init__(self, hp: NBSVMParams):
        super().__init__()
        self.num_words = hp.num_words
        self.none = hp.num_words + hp.ngram_buckets
        self.register_buffer("bigram_table", exact_bigrams.empty_table(hp.ngram_buckets))
        self.register_buffer("ratios", torch.zeros(self.none + 1))  # r per feature; 0 until fitted
        self.weights = uniform_embedding(self.none + 1, 1, padding_idx=self.none)  # w per feature
        self.bias = nn.Parameter(torch.zeros(()))
        self.dropout = nn.Dropout(hp.dropout)

    def features(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> distinct feature ids (B, 2T-1), `self.none` where there is none."""
        none = torch.full_like(ids, self.none)  # (B, T)
        words = torch.where(real_token_mask(ids), ids, none)  # (B, T)
        row, known = exact_bigrams.look_up(self.bigram_table, ids, self.num_words)  # (B, T-1) each
        pairs = torch.where(known, row + self.num_words, none[:, 1:])  # (B, T-1)
        found = torch.cat([words, pairs], dim=1).sort(dim=1).values  # (B, 2T-1)
        repeat = torch.zeros_like(found, dtype=torch.bool)  # (B, 2T-1)
        repeat[:, 1:] = found[:, 1:] == found[:, :-1]
        return found.masked_fill(repeat, self.none)  # (B, 2T-1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> logits (B,)."""
        found = self.features(ids)  # (B, F)
        weights = self.weights(found).squeeze(-1)  # (B, F)
        terms = (weights + NB_WEIGHT_OFFSET) * self.ratios[found] / NB_RATIO_SCALE  # (B, F), 0 for none
        return self.dropout(terms).sum(dim=1) + self.bias  # (B,)

    @torch.no_grad()
    def fit_from_data(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Choose the bigram table and the log-count ratios from the training reviews.

        x: (N, T) int64 pre-padded ids, y: (N,) labels in {0, 1}. The table: the `ngram_buckets`
        pairs found in the most reviews (ties to the smaller key). The ratios (Wang & Manning eq. 2):
        r = log((p / |p|_1) / (q / |q|_1)), p = alpha + the number of positive reviews holding the
        feature, q likewise over the negative ones, both over the features a review can hold
        (`used_features`); 0 for the others.
        """
        exact_bigrams.fill_table(self.bigram_table, x, self.num_words)
        positive = torch.zeros(self.none + 1, device=x.device, dtype=torch.float64)
        negative = torch.zeros_like(positive)
        for start in range(0, len(x), FIT_CHUNK):
            found = self.features(x[start:start + FIT_CHUNK])  # (C, F)
            label = y[start:start + FIT_CHUNK].to(torch.float64).unsqueeze(1).expand_as(found)  # (C, F)
            positive.index_add_(0, found.flatten(), label.flatten())
            negative.index_add_(0, found.flatten(), 1.0 - label.flatten())
        used = self.used_features()  # (F_all,)
        p = torch.where(used, positive + NB_SMOOTHING, 0.0)  # (F_all,)
        q = torch.where(used, negative + NB_SMOOTHING, 0.0)  # (F_all,)
        ratios = torch.log(p / p.sum()) - torch.log(q / q.sum())  # (F_all,), NaN where unused
        self.ratios.copy_(torch.where(used, ratios, 0.0).to(self.ratios.dtype))

    def used_features(self) -> torch.Tensor:
        """(F_all,) bool: the feature ids a review can hold: every word id but padding, the filled table rows."""
        used = torch.ones(self.none + 1, dtype=torch.bool, device=self.ratios.device)
        used[0] = False  # padding
        used[self.num_words:self.none] = self.bigram_table != exact_bigrams.ABSENT_KEY
        used[self.none] = False
        return used


def fit_memory_bytes(hp: NBSVMParams, n_train: int) -> int:
    """What `fit_from_data` holds at its peak beyond the model and the data, in bytes, for `n_train`
    training reviews: choosing the bigram table (exact_bigrams.fill_memory_bytes)."""
    return exact_bigrams.fill_memory_bytes(hp.maxlen, n_train)


NBSVM_CONTESTANT = Contestant(
    name="nbsvm",
    title="NBSVM (naive-Bayes weighted words and word pairs)",
    description=(
        "Wang & Manning 2012, 'Baselines and Bigrams': which words and word pairs a review contains "
        "(each counted once), each weighted by how much more often it appears in positive than in "
        "negative training reviews (its naive-Bayes log-count ratio), then one linear layer learns "
        "corrections to those weights. No word vectors, no order beyond pairs. It teaches how far word "
        "pairs alone go: a ten-year-old classic that the neural nets must beat to have learnt anything "
        "more than 'not good' and 'a must'."
    ),
    params=NBSVMParams,
    build=NBSVM,
    fit_memory=fit_memory_bytes,
    presets={
        # the notebook had no NBSVM; these are its vocabulary, length and LSTM cell's settings
        "seed": {"num_words": 10_000, "maxlen": 500, "optimizer": "adam", "lr": 1e-3, "batch_size": 256,
                 "epochs": 10},
        "quick": {"epochs": 1},
    },
)
