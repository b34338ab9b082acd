"""bench/memory_estimate.py on small settings: the sizes it doubles, and one case measured in this process."""

import pytest

from tests.support.bench import load_bench
from worker.contestants import get_contestant


@pytest.fixture(scope="module")
def bench():
    """The bench script loaded as a module."""
    return load_bench("memory_estimate")


def test_big_doubles_the_batch_the_length_and_the_widths_within_their_bounds(bench):
    assert bench.size_overrides("lstm", "default") == {}
    lstm = get_contestant("lstm").params()
    assert bench.size_overrides("lstm", "big") == {"batch_size": 2 * lstm.batch_size, "maxlen": 2 * lstm.maxlen,
                                                   "embedding_dim": 2 * lstm.embedding_dim, "hidden_dim": 2 * lstm.hidden_dim}
    assert bench.size_overrides("nbsvm", "big")["maxlen"] == 2000   # 2 x 1,000 is its bound


def test_one_case_reports_the_estimate_the_measured_peak_and_their_ratio(bench):
    row = bench.measure_one("fasttext", "default", "cpu", steps=2, reviews=3000)
    assert row["estimate_mb"] > 0 and row["measured_mb"] > 0
    assert row["ratio"] == pytest.approx(row["estimate_mb"] / row["measured_mb"], rel=0.01)   # of the rounded MB figures
    assert row["reviews"] == [3000, 3000] and row["how"].startswith("peak RSS")
