"""bench/accuracy.py end to end on synthetic data: a row per seed group, and resume skips finished runs."""

import json
import subprocess

import pytest

from tests.support.bench import load_bench
from worker.training import EpochMetrics, TrainResult

TINY = ["--dataset", "synthetic", "--epochs", "1", "--limit", "200", "--device", "cpu",
        "--set", "num_words=1000", "--set", "maxlen=32", "--set", "embedding_dim=8", "--set", "batch_size=64", "--set", "ngram_buckets=1000",
        "--seeds", "1"]


@pytest.fixture(scope="module")
def bench():
    """The bench script loaded as a module."""
    return load_bench("accuracy")


def _run(bench, tmp_path, *names, extra=()):
    argv = [*names, *TINY, "--results-dir", str(tmp_path / "results"), "--data-dir", str(tmp_path / "data"),
            "--markdown", str(tmp_path / "table.md"), *extra]
    assert bench.main(argv) == 0
    return (tmp_path / "table.md").read_text().splitlines()


def _runs(tmp_path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "results" / "runs.jsonl").read_text().splitlines()]


def test_markdown_table_has_one_row_per_contestant_asked(bench, tmp_path):
    lines = _run(bench, tmp_path, "fasttext", "ff_embedding")
    assert lines[0] == ("| contestant | preset | seeds | val acc | test acc (mean ± sd) | 95 % interval | test accs "
                        "| epochs run | params | s/epoch | device |")
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| fasttext", "| ff_embedding"]
    assert all(line.split(" | ")[1] == "default" for line in lines[2:])


def test_seeds_make_one_run_each_and_one_group_row(bench, tmp_path):
    lines = _run(bench, tmp_path, "fasttext", extra=("--seeds", "1,2"))
    runs = _runs(tmp_path)
    assert [(run["contestant"], run["seed"], run["hyperparams"]["seed"]) for run in runs] == [
        ("fasttext", 1, 1), ("fasttext", 2, 2)]
    cells = lines[2].split(" | ")
    assert len(lines) == 3 and cells[2] == "1,2"
    mean = (runs[0]["test_acc"] + runs[1]["test_acc"]) / 2
    assert cells[4].startswith(f"{mean:.4f} ± ")
    assert cells[6] == f"{runs[0]['test_acc']:.4f}, {runs[1]['test_acc']:.4f}"


def test_group_stats_give_the_student_t_interval_of_the_mean(bench):
    group = bench.group_stats([0.90, 0.91, 0.92])
    assert group["mean"] == pytest.approx(0.91) and group["sd"] == pytest.approx(0.01)
    half = 4.302653 * 0.01 / 3 ** 0.5  # t(0.975, 2 degrees of freedom)
    assert (group["low"], group["high"]) == (pytest.approx(0.91 - half), pytest.approx(0.91 + half))
    assert bench.group_stats([0.9]) == {"n": 1, "mean": 0.9, "sd": None, "low": None, "high": None}


def test_with_seed_adds_a_seed_row_per_contestant(bench, tmp_path):
    lines = _run(bench, tmp_path, "fasttext", extra=("--with-seed",))
    assert [line.split(" | ")[1] for line in lines[2:]] == ["default", "seed"]


def test_run_record_has_the_chosen_epoch_and_test_accuracy(bench, tmp_path, monkeypatch):
    # A training whose chosen epoch (2) is neither the last nor the one of the highest validation accuracy:
    # the record must take the trainer's choice and its test figures, not recompute them.
    epochs = [EpochMetrics(epoch=n, train_loss=0.7, train_acc=0.5, val_loss=loss, val_acc=acc, seconds=s)
              for n, loss, acc, s in ((1, 0.6, 0.70, 1.0), (2, 0.4, 0.80, 2.0), (3, 0.5, 0.85, 6.0))]
    trained = TrainResult(epochs=epochs, best_epoch=2, test_loss=0.45, test_acc=0.8125, param_count=1234, device="cpu")
    monkeypatch.setattr(bench.runner, "run_experiment", lambda *args, **kwargs: trained)
    _run(bench, tmp_path, "fasttext")
    [record] = _runs(tmp_path)
    assert (record["epochs_run"], record["best_epoch"], record["val_acc"]) == (3, 2, 0.80)
    assert (record["test_acc"], record["test_loss"], record["param_count"]) == (0.8125, 0.45, 1234)
    assert record["seconds_per_epoch"] == pytest.approx(3.0)
    assert record["hyperparams"]["maxlen"] == 32
    tree = subprocess.run(["git", "rev-parse", "--short", "HEAD:worker"], capture_output=True, text=True).stdout.strip()
    assert record["worker_code"].split("+")[0] == (tree or "unknown")  # the worker/ code it was trained with


def test_resume_skips_finished_runs_and_trains_the_missing_seeds(bench, tmp_path, capsys):
    _run(bench, tmp_path, "fasttext")
    first = _runs(tmp_path)
    capsys.readouterr()
    _run(bench, tmp_path, "fasttext", "ff_embedding", extra=("--seeds", "1,2"))
    out = capsys.readouterr().out
    assert "fasttext/default/seed 1: done before, kept" in out
    assert "fasttext/default/seed 2: training" in out and "ff_embedding/default/seed 1: training" in out
    runs = _runs(tmp_path)
    assert runs[0] == first[0] and len(runs) == 4  # appended, the first line untouched


def test_force_trains_a_finished_run_again(bench, tmp_path, capsys):
    _run(bench, tmp_path, "fasttext")
    capsys.readouterr()
    _run(bench, tmp_path, "fasttext", extra=("--force",))
    assert "fasttext/default/seed 1: training" in capsys.readouterr().out
    assert len(_runs(tmp_path)) == 2


def test_bad_seeds_are_refused_with_an_example(bench, tmp_path, capsys):
    with pytest.raises(SystemExit):
        _run(bench, tmp_path, "fasttext", extra=("--seeds", "1,x"))
    assert "--seeds takes comma-separated integers, e.g. 1,2,3 (got '1,x')" in capsys.readouterr().err


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
    assert "ff_embedding/default/seed 1: no result yet" in capsys.readouterr().out
    assert [run["contestant"] for run in _runs(tmp_path)] == ["fasttext"]


def test_kept_result_with_other_hyperparameters_is_flagged(bench, tmp_path, capsys):
    _run(bench, tmp_path, "fasttext")
    capsys.readouterr()
    _run(bench, tmp_path, "fasttext", extra=("--set", "dropout=0.1"))
    out = capsys.readouterr().out
    from worker.contestants import parse_hyperparams
    kept = parse_hyperparams("fasttext", {}).dropout
    assert f"warning: trained with other hyperparameters than now asked (kept, now): {{'dropout': ({kept}, 0.1)}}" in out


def _record(contestant: str, seed: int, test_acc: float, preset: str = "default") -> dict:
    return {"contestant": contestant, "preset": preset, "seed": seed, "test_acc": test_acc, "val_acc": test_acc}


def test_significance_matrix_runs_welch_between_every_two_groups_from_the_best_down(bench):
    from scipy import stats
    records = [_record("lstm", s, a) for s, a in ((1, 0.860), (2, 0.862), (3, 0.861))]
    records += [_record("nbsvm", s, a) for s, a in ((1, 0.911), (2, 0.912), (3, 0.9115))]
    records += [_record("cnn", s, a) for s, a in ((1, 0.850), (2, 0.880), (3, 0.870))]
    records += [_record("gru", 1, 0.87)]  # one seed: no test
    lines = bench.significance_matrix(bench.group_rows(records)).splitlines()
    assert lines[0] == "| Welch p (row vs column) | nbsvm | cnn | lstm |"
    far = stats.ttest_ind([0.911, 0.912, 0.9115], [0.860, 0.862, 0.861], equal_var=False).pvalue
    near = stats.ttest_ind([0.850, 0.880, 0.870], [0.860, 0.862, 0.861], equal_var=False).pvalue
    nbsvm_row = lines[2].removesuffix(" |").split(" | ")
    assert nbsvm_row[0] == "| nbsvm" and nbsvm_row[1] == "" and nbsvm_row[3] == f"**{far:.2g}**"
    assert lines[3].removesuffix(" |").split(" | ")[3] == f"{near:.3f}" and near > 0.05   # cnn vs lstm: not significant, not bold
    assert len(lines) == 5


def test_significance_matrix_needs_two_groups_of_two_seeds(bench):
    records = [_record("lstm", s, 0.86 + s / 1000) for s in (1, 2)] + [_record("gru", 1, 0.87)]
    assert bench.significance_matrix(bench.group_rows(records)) == ""
