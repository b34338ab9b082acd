"""Model hyperparameter fields shared by the contestants, and a way to change a training default."""

import copy
from typing import Annotated, Any

from pydantic import Field
from pydantic.fields import FieldInfo

from worker.contestants.base import TrainingParams


def retuned(name: str, default: Any) -> Any:
    """TrainingParams' field `name` with its bounds and description kept and a new default."""
    info: FieldInfo = copy.deepcopy(TrainingParams.model_fields[name])
    info.default = default
    return info


def embedding_dim(default: int) -> Any:
    """Width of each word vector."""
    return Field(default, ge=2, le=1024, description="Size of each word's embedding vector.")


def hidden_dim(default: int) -> Any:
    """Width of a recurrent layer's state."""
    return Field(default, ge=1, le=1024, description="Size of the recurrent layer's hidden state.")


def num_layers(default: int, le: int = 4) -> Any:
    """How many stacked layers."""
    return Field(default, ge=1, le=le, description="Number of stacked layers.")


def bidirectional(default: bool) -> Any:
    """Whether a recurrent layer also reads the review backwards."""
    return Field(default, description="Also read each review from the end to the start and join both directions.")


def pooling(default: str) -> Any:
    """How a recurrent layer's outputs become one summary of the review."""
    return Field(
        default,
        description="final: the state after the last word; max_mean: the max and the mean of every "
        "step's outputs over the real words, so early words reach the classifier directly.",
    )


def filters(default: int) -> Any:
    """Output channels of a convolution."""
    return Field(default, ge=1, le=1024, description="Number of convolution filters (output channels).")


def kernel_size(default: int) -> Any:
    """Width of a convolution window in tokens."""
    return Field(default, ge=1, le=15, description="Width of the convolution window, in tokens.")


KernelWidth = Annotated[int, Field(ge=1, le=15)]


def kernel_sizes(default: list[int] | None = None) -> Any:
    """Several convolution widths side by side (Kim 2014); None means one convolution of kernel_size."""
    return Field(
        default,
        min_length=1,
        max_length=6,
        description="Several window widths, one convolution each, pooled features joined (Kim 2014), "
        "e.g. [3, 4, 5]; overrides kernel_size when set.",
    )


def pool_size(default: int) -> Any:
    """Window of a max-pooling layer."""
    return Field(default, ge=1, le=16, description="Max-pooling window: keep the largest of this many steps.")


def dense_dim(default: int, description: str = "Size of the fully connected hidden layer.") -> Any:
    """Width of a fully connected layer."""
    return Field(default, ge=1, le=4096, description=description)


def ngram_buckets(default: int) -> Any:
    """Rows of the word-bigram table: hashed buckets, or one row per chosen pair (exact)."""
    return Field(
        default,
        ge=100,
        le=2_000_000,
        description="Rows of the word-bigram table (hashed buckets, or one per pair kept); more rows, fewer collisions or more pairs kept, more memory.",
    )


def num_heads(default: int) -> Any:
    """Attention heads per layer."""
    return Field(default, ge=1, le=16, description="Attention heads per layer; must divide embedding_dim.")
