"""`python -m worker train`: JSON lines, readable refusals, and a checkpoint that scores text.

One test runs the real command in its own process (the `python -m worker` entry, its exit code and
streams); the others call the same entry, `worker.__main__.main`, in this process: a fresh Python
that imports torch costs seconds per test, and what they check is the command's logic.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
import torch

from worker.__main__ import main as worker_main
from worker.config import settings
from worker.inference import Predictor

TINY = ["--set", "num_words=1000", "--set", "maxlen=64", "--set", "embedding_dim=16", "--set", "batch_size=32"]


@dataclass
class Done:
    """What a finished command left: like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """`python -m worker train ARGS` in this process, its data under tmp_path; returns a Done."""
    monkeypatch.setattr("worker.data.settings", settings.model_copy(update={"data_dir": tmp_path / "data"}))

    def run(*args: str) -> Done:
        capsys.readouterr()   # only this command's output
        try:
            code = worker_main(["train", *args])
        except SystemExit as exit_:   # argparse's refusals
            code = exit_.code
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def test_json_mode_prints_one_object_per_epoch_and_a_summary(tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "torch", "BATTLEFIELD_DATA_DIR": str(tmp_path / "data"),
           "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "worker", "train", "fasttext", "--dataset", "synthetic",
                           "--epochs", "2", "--json", *TINY], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["epoch"] for line in lines[:2]] == [1, 2]
    assert set(lines[0]) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds", "samples_per_second"}
    assert set(lines[2]) == {"test_loss", "test_acc", "best_epoch", "param_count", "seconds", "device"}
    assert lines[2]["device"] == "cpu"


def test_unknown_hyperparameter_is_refused_with_the_valid_names(cli):
    done = cli("cnn", "--set", "hidden_dim=3")
    assert done.returncode == 2
    assert "Unknown hyperparameter 'hidden_dim' for cnn; it takes: batch_size, dense_dim, dropout," in done.stderr


def test_out_of_bounds_value_is_refused_with_the_bound(cli):
    done = cli("lstm", "--set", "lr=-1")
    assert done.returncode == 2
    assert "lr must be greater than 0 (got '-1')" in done.stderr


def test_unknown_preset_lists_the_presets(cli):
    done = cli("lstm", "--preset", "nope")
    assert done.returncode == 2
    assert "Unknown preset 'nope' for lstm; choose one of: seed" in done.stderr


def test_missing_archive_names_the_variable_to_set(cli, tmp_path):
    done = cli("cnn", "--dataset", "aclimdb", "--aclimdb", str(tmp_path / "missing.tar.gz"))
    assert done.returncode == 1
    assert "BATTLEFIELD_ACLIMDB" in done.stderr


def test_checkpoint_loads_with_weights_only_and_scores_text(cli, tmp_path):
    path = tmp_path / "run.pt"
    done = cli("cnn", "--dataset", "synthetic", "--epochs", "2", "--checkpoint", str(path), *TINY)
    assert done.returncode == 0, done.stderr
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["architecture"] == "cnn" and checkpoint["vocab"]
    predictor = Predictor.from_checkpoint(path)
    praise = predictor.predict("a wonderful great film, excellent and brilliant, i loved it")
    scorn = predictor.predict("an awful boring film, terrible and dreadful, i hated it")
    assert praise > 0.5 > scorn  # the checkpoint carries what the run learnt, not fresh weights


def test_text_mode_prints_a_table_and_the_test_accuracy(cli):
    done = cli("fasttext", "--dataset", "synthetic", "--epochs", "1", *TINY)
    assert done.returncode == 0, done.stderr
    assert "train_loss" in done.stdout and "fasttext: test accuracy" in done.stdout


@pytest.mark.parametrize("flag", ["--epochs=0", "--epochs=1000"])
def test_epochs_out_of_range_is_refused(cli, flag):
    done = cli("cnn", flag)
    assert done.returncode == 2
    assert "epochs must be" in done.stderr


def test_repeats_train_consecutive_seeds_and_summarise_them(cli):
    result = cli("fasttext", "--dataset", "synthetic", "--epochs", "1", "--repeats", "2", "--set", "seed=5",
                  *TINY, "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    runs = [line for line in lines if "seed" in line and "test_acc" in line]
    assert [run["seed"] for run in runs] == [5, 6]
    accuracies = [run["test_acc"] for run in runs]
    summary = lines[-1]
    assert summary["seeds"] == 2 and summary["test_acc_mean"] == pytest.approx(sum(accuracies) / 2)
    assert summary["test_acc_ci_low"] <= summary["test_acc_mean"] <= summary["test_acc_ci_high"]


def test_repeats_outside_1_to_20_is_refused(cli):
    result = cli("fasttext", "--repeats", "21")
    assert result.returncode == 2 and "--repeats must be 1 to 20 (got 21)" in result.stderr
