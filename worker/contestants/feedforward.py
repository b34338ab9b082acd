"""Feedforward contestants: the notebook's dense network on raw ids, and on flattened embeddings."""

import torch
from torch import nn

from worker.contestants import fields
from worker.contestants.base import Contestant, TrainingParams
from worker.contestants.layers import fit_length, logit_head, word_embedding


class RawFeedforwardParams(TrainingParams):
    """Hyperparameters of the feedforward network on raw token ids."""

    dense_dim: int = fields.dense_dim(250)
    dropout: float = fields.retuned("dropout", 0.0)  # the notebook had none


class RawFeedforward(nn.Module):
    """Linear(maxlen -> dense) -> ReLU -> Linear(dense -> 1) on the token ids read as numbers."""

    def __init__(self, hp: RawFeedforwardParams):
        super().__init__()
        self.maxlen = hp.maxlen
        self.hidden = nn.Linear(hp.maxlen, hp.dense_dim)
        self.dropout = nn.Dropout(hp.dropout)
        self.out = nn.Linear(hp.dense_dim, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> logits (B,)."""
        x = fit_length(ids, self.maxlen).float()  # (B, L), an id's value is just a number here
        x = self.dropout(torch.relu(self.hidden(x)))  # (B, D)
        return self.out(x).squeeze(-1)  # (B,)


class EmbeddingFeedforwardParams(TrainingParams):
    """Hyperparameters of the feedforward network over flattened word embeddings."""

    # 32-wide vectors keep the flattened layer at 16,000 x 250 inputs: 4 M weights instead of 12.5 M,
    # a third of the CPU time per step; it overfits within a few epochs either way.
    embedding_dim: int = fields.embedding_dim(32)
    dense_dim: int = fields.dense_dim(250)
    # It overfits from the second epoch (training 0.96, validation falling): at lr 2e-3 and dropout 0.2
    # validation peaked at 0.880 after one epoch; lr 5e-4 and dropout 0.5 climbed to 0.883 by epoch 3.
    dropout: float = fields.retuned("dropout", 0.5)
    lr: float = fields.retuned("lr", 5e-4)
    batch_size: int = fields.retuned("batch_size", 128)
    epochs: int = fields.retuned("epochs", 4)


class EmbeddingFeedforward(nn.Module):
    """Embedding -> flatten (L*E) -> Linear -> ReLU -> Dropout -> Linear -> 1 logit."""

    def __init__(self, hp: EmbeddingFeedforwardParams):
        super().__init__()
        self.maxlen = hp.maxlen
        self.embedding = word_embedding(hp.num_words, hp.embedding_dim)
        self.embedding_dropout = nn.Dropout(hp.dropout)
        self.head = logit_head(hp.maxlen * hp.embedding_dim, hp.dropout, dense_dim=hp.dense_dim)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> logits (B,)."""
        ids = fit_length(ids, self.maxlen)  # (B, L): each weight belongs to one position
        x = self.embedding_dropout(self.embedding(ids))  # (B, L, E)
        x = x.flatten(start_dim=1)  # (B, L*E)
        return self.head(x).squeeze(-1)  # (B,)


FF_RAW = Contestant(
    name="ff_raw",
    title="Feedforward on raw token ids",
    description=(
        "The notebook's first contestant: a dense network that reads each review's token ids as plain "
        "numbers, one input per position, through one hidden ReLU layer. An id is an arbitrary label "
        "(word 4017 is not 'more' than word 12), so there is nothing for the network to learn and it "
        "stays near chance. The lesson: words must become vectors (embeddings) before a network can "
        "use them."
    ),
    params=RawFeedforwardParams,
    build=RawFeedforward,
    presets={
        # the notebook: SGD lr 1e-5, batch 2048, 10 epochs -> 0.4999 test accuracy
        "seed": {"optimizer": "sgd", "lr": 1e-5, "batch_size": 2048, "epochs": 10},
        "quick": {"epochs": 2},
    },
)

FF_EMBEDDING = Contestant(
    name="ff_embedding",
    title="Feedforward over embeddings",
    description=(
        "Each word id becomes a learned vector; the vectors of the whole review are laid end to end "
        "and fed to one hidden ReLU layer. It learns which words signal sentiment, but every weight "
        "is tied to a position, so 'great' at position 10 and at position 11 are learned separately, "
        "and most of its millions of parameters sit in that one flattened layer. The lesson: "
        "embeddings make words learnable; position-bound weights waste them and overfit."
    ),
    params=EmbeddingFeedforwardParams,
    build=EmbeddingFeedforward,
    presets={
        # the notebook: SGD lr 1e-4, batch 256, 10 epochs -> 0.6548 test accuracy
        "seed": {"optimizer": "sgd", "lr": 1e-4, "batch_size": 256, "epochs": 10},
        "quick": {"epochs": 2},
    },
)
