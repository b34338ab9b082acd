"""The fastText contestant: the mean of word and hashed-bigram embeddings (Joulin et al. 2016)."""

import torch
from torch import nn

from worker.contestants import fields
from worker.contestants.base import Contestant, TrainingParams
from worker.contestants.layers import bigram_keys, logit_head, real_token_mask, uniform_embedding, word_embedding

BIGRAM_HASH_MULTIPLIER = 1_000_003  # a prime; bucket = (a * M + b) % ngram_buckets


class FastTextParams(TrainingParams):
    """Hyperparameters of the fastText bag of words and bigrams."""

    # fastText's own sentiment runs use 10 dimensions: narrow vectors let the table have 5 times the
    # rows (fewer bigrams sharing one) for the same memory and time.
    embedding_dim: int = fields.embedding_dim(16)
    # Adam updates every row of both tables each step, so the table size sets the CPU time per step.
    ngram_buckets: int = fields.ngram_buckets(500_000)
    lr: float = fields.retuned("lr", 5e-3)
    batch_size: int = fields.retuned("batch_size", 64)
    epochs: int = fields.retuned("epochs", 4)
    dropout: float = fields.retuned("dropout", 0.2)


def bigram_buckets(ids: torch.Tensor, buckets: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Hashed ids of each pair of neighbouring tokens, and whether both tokens of the pair are real."""
    keys, real = bigram_keys(ids, BIGRAM_HASH_MULTIPLIER)  # (B, T-1) each
    return keys % buckets, real  # (B, T-1) each


class FastText(nn.Module):
    """Mean of word and bigram vectors over the real tokens -> dropout -> Linear -> 1 logit."""

    def __init__(self, hp: FastTextParams):
        super().__init__()
        self.ngram_buckets = hp.ngram_buckets
        self.embedding = word_embedding(hp.num_words, hp.embedding_dim)
        self.bigram_embedding = uniform_embedding(hp.ngram_buckets, hp.embedding_dim)  # on the words' scale
        self.head = logit_head(hp.embedding_dim, hp.dropout)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> logits (B,)."""
        words = real_token_mask(ids).unsqueeze(-1).float()  # (B, T, 1)
        hashed, real_pairs = bigram_buckets(ids, self.ngram_buckets)  # (B, T-1) each
        pairs = real_pairs.unsqueeze(-1).float()  # (B, T-1, 1)
        word_sum = (self.embedding(ids) * words).sum(dim=1)  # (B, E)
        bigram_sum = (self.bigram_embedding(hashed) * pairs).sum(dim=1)  # (B, E)
        count = (words.sum(dim=1) + pairs.sum(dim=1)).clamp(min=1.0)  # (B, 1)
        mean = (word_sum + bigram_sum) / count  # (B, E)
        return self.head(mean).squeeze(-1)  # (B,)


FASTTEXT = Contestant(
    name="fasttext",
    title="fastText (bag of words and bigrams)",
    description=(
        "Joulin et al. 2016: average the vectors of every word and of every pair of neighbouring "
        "words (hashed into ngram_buckets rows), then one linear layer. No order beyond word pairs, "
        "no recurrence, no convolution, yet it rivals the LSTM on IMDB and trains in a fraction of "
        "the time. It teaches the strength of a simple baseline: bigrams like 'not good' carry much "
        "of what the heavier models learn."
    ),
    params=FastTextParams,
    build=FastText,
    presets={
        # the notebook had no fastText; these are the settings of its LSTM cell
        "seed": {"optimizer": "adam", "lr": 1e-3, "batch_size": 256, "epochs": 10},
        "quick": {"epochs": 2},
    },
)
