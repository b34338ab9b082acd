"""bench/accuracy.py end to end on synthetic data: a table row per contestant, and resume skips finished ones."""

import json
import subprocess

import pytest

from tests.support.bench import load_bench

TINY = ["--dataset", "synthetic", "--epochs", "1", "--limit", "200", "--device", "cpu",
        "--set", "num_words=1000", "--set", "maxlen=32", "--set", "embedding_dim=8", "--set", "batch_size=64", "--set", "ngram_buckets=1000"]


@pytest.fixture(scope="module")
def bench():
    """The bench script loaded as a module."""
    return load_bench("accuracy")


def _run(bench, tmp_path, *names, extra=()):
    argv = [*names, *TINY, "--results-dir", str(tmp_path / "results"), "--data-dir", str(tmp_path / "data"),
            "--markdown", str(tmp_path / "table.md"), *extra]
    assert bench.main(argv) == 0
    return (tmp_path / "table.md").read_text().splitlines()


def test_markdown_table_has_one_row_per_contestant_asked(bench, tmp_path):
    lines = _run(bench, tmp_path, "fasttext", "ff_embedding")
    assert lines[0] == "| contestant | preset | epochs run | best epoch | val acc | test acc | params | s/epoch | device |"
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| fasttext", "| ff_embedding"]
    assert all(line.split(" | ")[1] == "default" for line in lines[2:])


def test_with_seed_adds_a_seed_row_per_contestant(bench, tmp_path):
    lines = _run(bench, tmp_path, "fasttext", extra=("--with-seed",))
    assert [line.split(" | ")[1] for line in lines[2:]] == ["default", "seed"]


def test_result_file_records_the_chosen_epoch_and_test_accuracy(bench, tmp_path):
    _run(bench, tmp_path, "fasttext")
    record = json.loads((tmp_path / "results" / "fasttext__default.json").read_text())
    assert record["epochs_run"] == 1 and record["best_epoch"] == 1
    assert 0.0 <= record["test_acc"] <= 1.0
    assert record["hyperparams"]["maxlen"] == 32
    tree = subprocess.run(["git", "rev-parse", "--short", "HEAD:worker"], capture_output=True, text=True).stdout.strip()
    assert record["worker_code"].split("+")[0] == (tree or "unknown")  # the worker/ code it was trained with


def test_resume_skips_a_finished_contestant(bench, tmp_path, capsys):
    _run(bench, tmp_path, "fasttext")
    first = (tmp_path / "results" / "fasttext__default.json").read_text()
    capsys.readouterr()
    _run(bench, tmp_path, "fasttext", "ff_embedding")
    out = capsys.readouterr().out
    assert "fasttext/default: done before, kept" in out
    assert "ff_embedding/default: training" in out
    assert (tmp_path / "results" / "fasttext__default.json").read_text() == first


def test_force_trains_a_finished_contestant_again(bench, tmp_path, capsys):
    _run(bench, tmp_path, "fasttext")
    capsys.readouterr()
    _run(bench, tmp_path, "fasttext", extra=("--force",))
    assert "fasttext/default: training" in capsys.readouterr().out


def test_limit_caps_every_split(bench, tmp_path):
    from worker.data import load_dataset
    data = load_dataset("synthetic", num_words=1000, maxlen=32, data_dir=tmp_path / "data")
    cut = bench.subset(data, 50, seed=1)
    assert (len(cut.y_train), len(cut.y_val), len(cut.y_test)) == (50, 50, 50)


def test_set_that_no_contestant_takes_is_refused(bench, tmp_path):
    with pytest.raises(SystemExit, match=r"--set hidden_dim=4: no contestant asked \(fasttext\) takes it"):
        _run(bench, tmp_path, "fasttext", extra=("--set", "hidden_dim=4"))


def test_table_only_lists_finished_contestants_and_trains_nothing(bench, tmp_path, capsys):
    _run(bench, tmp_path, "fasttext")
    capsys.readouterr()
    lines = _run(bench, tmp_path, "fasttext", "ff_embedding", extra=("--table-only",))
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| fasttext"]
    assert "ff_embedding/default: no result yet" in capsys.readouterr().out
    assert not (tmp_path / "results" / "ff_embedding__default.json").exists()


def test_kept_result_with_other_hyperparameters_is_flagged(bench, tmp_path, capsys):
    _run(bench, tmp_path, "fasttext")
    capsys.readouterr()
    _run(bench, tmp_path, "fasttext", extra=("--set", "dropout=0.1"))
    out = capsys.readouterr().out
    assert "warning: trained with other hyperparameters than now asked (kept, now): {'dropout': (0.2, 0.1)}" in out
