"""Tensor helpers the contestants share: padding, masks, pooling over real tokens, heads."""

import torch
import torch.nn.functional as F
from torch import nn

PAD_ID = 0  # Keras conventions: 0 pad, 1 start, 2 out-of-vocabulary, words from 3


EMBEDDING_INIT_SCALE = 0.05  # Keras's uniform(-0.05, 0.05); torch's N(0, 1) rows take Adam many epochs to reshape


def word_embedding(num_words: int, embedding_dim: int) -> nn.Embedding:
    """An embedding table initialised as Keras does, whose pad row (id 0) stays zero and gets no gradient."""
    return uniform_embedding(num_words, embedding_dim, padding_idx=PAD_ID)


def uniform_embedding(num_rows: int, embedding_dim: int, padding_idx: int | None = None) -> nn.Embedding:
    """An embedding table drawn from Keras' uniform(-0.05, 0.05); a padding row, if named, is zero."""
    embedding = nn.Embedding(num_rows, embedding_dim, padding_idx=padding_idx)
    nn.init.uniform_(embedding.weight, -EMBEDDING_INIT_SCALE, EMBEDDING_INIT_SCALE)
    if padding_idx is not None:
        with torch.no_grad():
            embedding.weight[padding_idx].zero_()
    return embedding


def fit_length(ids: torch.Tensor, length: int) -> torch.Tensor:
    """Left-pad `ids` with 0 up to `length` columns, or keep the last `length` (Keras pre-truncation)."""
    steps = ids.shape[1]
    if steps < length:
        return F.pad(ids, (length - steps, 0), value=PAD_ID)  # (B, length)
    return ids[:, steps - length :]  # (B, length)


def pad_to_at_least(ids: torch.Tensor, length: int) -> torch.Tensor:
    """Left-pad `ids` with 0 so it has at least `length` columns (for windows wider than a short batch)."""
    steps = ids.shape[1]
    if steps >= length:
        return ids
    return F.pad(ids, (length - steps, 0), value=PAD_ID)  # (B, length)


def real_token_mask(ids: torch.Tensor) -> torch.Tensor:
    """True where a column holds a token rather than padding."""
    return ids != PAD_ID  # (B, T)


def bigram_keys(ids: torch.Tensor, base: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One integer per pair of neighbouring tokens, `first * base + second`, and whether both are real.

    ids (B, T) -> keys (B, T-1) int64, real (B, T-1) bool. With `base` above every id the key is the
    pair itself (nbsvm's exact bigram table); fastText hashes it into buckets with a prime base.
    """
    mask = real_token_mask(ids)  # (B, T)
    real = mask[:, :-1] & mask[:, 1:]  # (B, T-1)
    return ids[:, :-1] * base + ids[:, 1:], real  # (B, T-1) each


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of x (B, T, D) over the steps where mask (B, T) is True; zeros for a row with none."""
    weights = mask.unsqueeze(-1).to(x.dtype)  # (B, T, 1)
    total = (x * weights).sum(dim=1)  # (B, D)
    count = weights.sum(dim=1).clamp(min=1.0)  # (B, 1)
    return total / count  # (B, D)


def masked_max(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Max of x (B, T, D) over the steps where mask (B, T) is True; zeros for a row with none."""
    filled = x.masked_fill(~mask.unsqueeze(-1), float("-inf"))  # (B, T, D)
    largest = filled.max(dim=1).values  # (B, D)
    has_tokens = mask.any(dim=1, keepdim=True)  # (B, 1)
    return torch.where(has_tokens, largest, torch.zeros_like(largest))  # (B, D)


def final_states(outputs: torch.Tensor, ids: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    """Summary of a batch-first recurrent layer's outputs (B, T, D*H) over a pre-padded review.

    Forward direction: the output at the last step, which pre-padding puts on a real token.
    Backward direction: the output at the review's first real token, where it has read the whole
    review (its state at step 0 would have also read the leading padding).
    """
    if not bidirectional:
        return outputs[:, -1, :]  # (B, H)
    hidden = outputs.shape[-1] // 2
    forward = outputs[:, -1, :hidden]  # (B, H)
    steps = ids.shape[1]
    lengths = real_token_mask(ids).sum(dim=1)  # (B,)
    first_real = (steps - lengths).clamp(max=steps - 1)  # (B,), last column for an all-pad row
    rows = torch.arange(ids.shape[0], device=ids.device)  # (B,)
    backward = outputs[rows, first_real, hidden:]  # (B, H)
    return torch.cat([forward, backward], dim=-1)  # (B, 2H)


def logit_head(in_features: int, dropout: float, dense_dim: int | None = None) -> nn.Sequential:
    """Dropout then one logit; with dense_dim, a ReLU hidden layer (and dropout) comes first."""
    if dense_dim is None:
        return nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, 1))
    return nn.Sequential(
        nn.Linear(in_features, dense_dim),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(dense_dim, 1),
    )
