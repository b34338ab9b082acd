"""bench/keras_anchors.py: imdb_fasttext's explicit bigram table, and one recipe end to end through Keras."""

import json

import pytest

from tests.support.bench import load_bench


@pytest.fixture(scope="module")
def anchors():
    """The bench script loaded as a module."""
    return load_bench("keras_anchors")


def test_bigram_table_numbers_every_training_pair_after_the_words(anchors):
    table = anchors.bigram_table([[5, 6, 7], [6, 7]], first_id=101)
    assert table == {(5, 6): 101, (6, 7): 102}


def test_add_bigrams_appends_the_known_pairs_after_the_words(anchors):
    table = {(5, 6): 101, (6, 7): 102}
    assert anchors.add_bigrams([[5, 6, 7, 9]], table) == [[5, 6, 7, 9, 101, 102]]  # (7, 9) is unknown


def test_imdb_fasttext_runs_beside_our_fasttext_and_records_both_speeds(anchors, tmp_path):
    argv = ["imdb_fasttext", "--dataset", "synthetic", "--epochs", "1", "--limit", "300",
            "--results-dir", str(tmp_path / "anchors"), "--data-dir", str(tmp_path / "data")]
    assert anchors.main(argv) == 0
    record = json.loads((tmp_path / "anchors" / "imdb_fasttext__seed1.json").read_text())
    assert record["ours"] == "fasttext" and record["best_epoch"] == 1
    assert record["input_dim"] > 20_000  # words + the bigram table
    # Keras's accuracy over the 300 test reviews --limit keeps: a whole number of them, at the best epoch.
    assert record["test_acc"] * 300 == pytest.approx(round(record["test_acc"] * 300), abs=1e-3)
    assert record["val_acc"] == record["epochs"][0]["val_acc"] and record["test_loss"] > 0
    assert record["our_test_acc_at_those_epochs"] > 0.8   # our fasttext, one epoch at its defaults, learns synthetic
    assert record["keras_samples_per_second"] > 0 and record["our_samples_per_second"] > 0
