"""bench/batch_order_spread.py's batchings each train one epoch on small made-up reviews."""

import copy

import numpy as np
import pytest
import torch

from tests.support.bench import load_bench
from worker.contestants import get_contestant, parse_hyperparams
from worker.training import batching
from worker.training import Split


@pytest.fixture(scope="module")
def bench():
    """The bench script loaded as a module."""
    return load_bench("batch_order_spread")


def _reviews(count=96, maxlen=24):
    """Pre-padded reviews of random lengths and labels."""
    rng = np.random.default_rng(0)
    x = np.zeros((count, maxlen), dtype=np.int64)
    for row, length in enumerate(rng.integers(1, maxlen + 1, size=count)):
        x[row, -length:] = rng.integers(3, 200, size=length)
    return x, rng.integers(0, 2, size=count).astype(np.float32)


@pytest.mark.parametrize("name", ["plain", "length", "random", "plain-over-length"])
def test_every_batching_trains_the_model_and_leaves_the_window_alone(bench, name):
    hp = parse_hyperparams("lstm", {"num_words": 200, "maxlen": 24, "embedding_dim": 8, "hidden_dim": 8, "batch_size": 16})
    model = get_contestant("lstm").build(hp)
    before = copy.deepcopy(model.state_dict())
    x, y = _reviews()
    window = batching.BUCKET_BATCHES
    bench.train_one_epoch(model, hp, x, y, name, order=1)
    assert any(not torch.equal(before[key], value) for key, value in model.state_dict().items())
    assert batching.BUCKET_BATCHES == window



class _PositiveAboveHundred(torch.nn.Module):
    """Predicts positive exactly for the reviews whose largest token id is above 100."""

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return (ids.max(dim=1).values > 100).float() * 2 - 1  # (B,)


def test_positive_rate_is_the_share_predicted_positive(bench):
    x, y = _reviews()
    expected = float((x.max(axis=1) > 100).mean())
    assert 0 < expected < 1
    assert bench.positive_rate(_PositiveAboveHundred(), Split(x, y, torch.device("cpu"))) == pytest.approx(expected)


def test_orders_parse_as_ranges_or_lists(bench):
    assert bench.parse_orders("2-5") == [2, 3, 4, 5]
    assert bench.parse_orders("1,4,9") == [1, 4, 9]
