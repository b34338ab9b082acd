"""The transformer contestant: a small self-attention encoder with learned positions."""

import torch
from pydantic import ValidationInfo, field_validator
from torch import nn

from worker.contestants import fields
from worker.contestants.base import Contestant, LrSchedule, TrainingParams
from worker.contestants.layers import logit_head, masked_mean, real_token_mask, uniform_embedding, word_embedding


class TransformerParams(TrainingParams):
    """Hyperparameters of the transformer encoder."""

    embedding_dim: int = fields.embedding_dim(64)
    num_heads: int = fields.num_heads(4)
    num_layers: int = fields.num_layers(1, le=6)
    dense_dim: int = fields.dense_dim(128, description="Size of the feed-forward layer inside each encoder layer.")
    # It peaks by the third epoch and then overfits (dropout 0.1: validation 0.876 at epoch 3, 0.850
    # at 4); dropout 0.3 with the learning rate decayed linearly to 0 over 3 epochs reached 0.885.
    dropout: float = fields.retuned("dropout", 0.3)
    lr_schedule: LrSchedule = fields.retuned("lr_schedule", "linear")
    epochs: int = fields.retuned("epochs", 3)
    # Attention costs grow with the square of the length: 256 tokens (the last 256 of longer reviews,
    # about a third of the reviews) cost a quarter of 500 per long batch on a CPU.
    maxlen: int = fields.retuned("maxlen", 256)

    @field_validator("num_heads")
    @classmethod
    def heads_divide_width(cls, num_heads: int, info: ValidationInfo) -> int:
        """Each head gets embedding_dim / num_heads channels, so the division must be exact."""
        width = info.data.get("embedding_dim")
        if width is not None and width % num_heads:
            raise ValueError(f"must divide embedding_dim ({width}) evenly")
        return num_heads


class Transformer(nn.Module):
    """Embedding + learned position -> pre-norm encoder layers -> mean over real tokens -> 1 logit."""

    def __init__(self, hp: TransformerParams):
        super().__init__()
        self.maxlen = hp.maxlen
        self.embedding = word_embedding(hp.num_words, hp.embedding_dim)
        self.position = uniform_embedding(hp.maxlen, hp.embedding_dim)  # on the words' scale, as Keras
        self.embedding_dropout = nn.Dropout(hp.dropout)
        layer = nn.TransformerEncoderLayer(
            hp.embedding_dim,
            hp.num_heads,
            dim_feedforward=hp.dense_dim,
            dropout=hp.dropout,
            batch_first=True,
            norm_first=True,  # pre-norm: steadier at lr 1e-3 without warm-up
        )
        self.encoder = nn.TransformerEncoder(
            layer, hp.num_layers, norm=nn.LayerNorm(hp.embedding_dim), enable_nested_tensor=False
        )
        self.head = logit_head(hp.embedding_dim, hp.dropout)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> logits (B,)."""
        mask = real_token_mask(ids)  # (B, T)
        # Pre-padding and batch trimming move a review's start; count positions from its first word.
        position = (mask.long().cumsum(dim=1) - 1).clamp(min=0, max=self.maxlen - 1)  # (B, T)
        x = self.embedding_dropout(self.embedding(ids) + self.position(position))  # (B, T, E)
        # A review with no tokens would mask every key and softmax would give NaN: let it attend to
        # its last column. Its pooled vector is still zero, since pooling uses the real mask.
        padding = ~mask  # (B, T), True = ignore
        empty = ~mask.any(dim=1)  # (B,)
        padding[:, -1] &= ~empty
        x = self.encoder(x, src_key_padding_mask=padding)  # (B, T, E)
        pooled = masked_mean(x, mask)  # (B, E)
        return self.head(pooled).squeeze(-1)  # (B,)


TRANSFORMER = Contestant(
    name="transformer",
    title="Transformer encoder",
    description=(
        "A small transformer encoder: every word attends to every other word in the review in one "
        "step (num_heads attention heads per layer), with learned position vectors counted from the "
        "review's first word, then the outputs are averaged over the real words. It teaches "
        "attention: long-range relations without recurrence, computed in parallel, at the cost of "
        "memory that grows with the square of the review length."
    ),
    params=TransformerParams,
    build=Transformer,
    presets={
        # the notebook had no transformer; these are the settings of its LSTM cell
        "seed": {"optimizer": "adam", "lr": 1e-3, "batch_size": 256, "epochs": 10, "lr_schedule": "constant"},
        "quick": {"epochs": 2},
    },
)
