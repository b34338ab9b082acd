"""Checkpoints: a format version, every resolved hyperparameter, old releases' files, and a full disk."""

import errno
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from worker import files
from worker.cli import main as cli_main
from worker.config import settings
from worker.contestants import REGISTRY, HyperparamError, get_contestant, parse_hyperparams
from worker.contestants.recorded import BEFORE_THEY_EXISTED, parse_recorded
from worker.data.tokenizer import TOKENIZER_VERSION
from worker.inference import Predictor
from worker.record_format import RECORD_FORMAT
from worker.runner import run_experiment
from worker.training.checkpoint import CheckpointNotSaved, CheckpointUnreadable, load_checkpoint, save_checkpoint

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TINY = {"epochs": 1, "num_words": 100, "maxlen": 16, "embedding_dim": 4, "batch_size": 64}


def expected_predictions(name: str) -> dict[str, float]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["predictions"]


# what a checkpoint records


def test_a_checkpoint_records_its_format_every_hyperparameter_and_the_tokenizer(tmp_path):
    hp = parse_hyperparams("lstm", {"hidden_dim": 4, "embedding_dim": 4, "num_words": 100})
    model = get_contestant("lstm").build(hp)
    save_checkpoint(tmp_path / "c.pt", architecture="lstm", dataset="synthetic", hyperparams=hp,
                    state_dict=model.state_dict(), vocab=["a"])
    checkpoint = load_checkpoint(tmp_path / "c.pt")
    assert (checkpoint["format"], checkpoint["tokenizer_version"]) == (RECORD_FORMAT, TOKENIZER_VERSION)
    assert set(checkpoint["hyperparams"]) == set(get_contestant("lstm").params.model_fields)
    assert checkpoint["hyperparams"]["pooling"] == "max_mean"  # today's default, written down


def test_a_checkpoint_of_a_newer_format_is_refused(tmp_path):
    torch.save({"format": RECORD_FORMAT + 1, "architecture": "lstm"}, tmp_path / "new.pt")
    with pytest.raises(CheckpointUnreadable, match=f"has format {RECORD_FORMAT + 1}; this code reads formats 1 to"):
        load_checkpoint(tmp_path / "new.pt")


# old releases' checkpoints


def test_the_previous_releases_checkpoint_loads_and_predicts_as_it_did():
    predictor = Predictor.from_checkpoint(FIXTURES / "lstm-8f100b5.pt")
    assert predictor.tokenizer_version == 1
    for text, probability in expected_predictions("lstm-8f100b5").items():
        assert predictor.predict(text) == pytest.approx(probability, abs=1e-5), text


def test_a_checkpoint_from_before_pooling_loads_with_the_final_state_it_was_trained_with():
    checkpoint = load_checkpoint(FIXTURES / "lstm-b0fe866.pt")
    assert "pooling" not in checkpoint["hyperparams"] and "format" not in checkpoint
    predictor = Predictor.from_checkpoint(FIXTURES / "lstm-b0fe866.pt")
    assert predictor.model.pooling == "final"
    for text, probability in expected_predictions("lstm-b0fe866").items():
        assert predictor.predict(text) == pytest.approx(probability, abs=1e-5), text


def test_a_checkpoint_from_before_pooling_fails_with_todays_default():
    checkpoint = load_checkpoint(FIXTURES / "lstm-b0fe866.pt")
    model = get_contestant("lstm").build(parse_hyperparams("lstm", checkpoint["hyperparams"]))
    with pytest.raises(RuntimeError, match="size mismatch for head"):
        model.load_state_dict(checkpoint["state_dict"])


def test_recorded_hyperparameters_take_the_old_behaviour_per_contestant():
    assert parse_recorded("lstm", {**parse_hyperparams("lstm", {}).model_dump(exclude={"pooling"})}).pooling == "final"
    assert parse_recorded("bilstm", parse_hyperparams("bilstm", {}).model_dump(exclude={"pooling"})).pooling == "max_mean"
    assert parse_recorded("cnn", parse_hyperparams("cnn", {}).model_dump(exclude={"lr_schedule"})).lr_schedule == "constant"


def test_a_recorded_run_missing_a_field_of_unknown_old_behaviour_is_refused():
    recorded = parse_hyperparams("lstm", {}).model_dump(exclude={"hidden_dim"})
    with pytest.raises(HyperparamError, match="lack 'hidden_dim', and its value before 'hidden_dim' existed is not known"):
        parse_recorded("lstm", recorded)


def test_every_old_behaviour_is_a_valid_value():
    for field, values in BEFORE_THEY_EXISTED.items():
        for architecture in REGISTRY:
            params = get_contestant(architecture).params
            if field in params.model_fields:
                value = values.get(architecture, values["*"])
                params.model_validate({field: value})


# a checkpoint that cannot be written


def no_space_on_write(monkeypatch):
    """Every atomic file write fails as on a full disk."""
    real_fdopen = files.os.fdopen

    class Full:
        def __init__(self, raw):
            self.raw = raw

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.raw, name)

    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))


def test_a_full_disk_fails_after_training_with_the_metrics_and_the_space_needed(tmp_path, monkeypatch):
    epochs = []
    no_space_on_write(monkeypatch)
    target = tmp_path / "checkpoints" / "run-1.pt"
    with pytest.raises(CheckpointNotSaved) as error:
        run_experiment("fasttext", "synthetic", TINY, device="cpu", on_epoch=epochs.append,
                       checkpoint_path=target, data_dir=tmp_path / "data")
    result = error.value.result   # the finished training's own metrics, not placeholders
    assert result.epochs == epochs and len(epochs) == 1 and result.best_epoch == 1
    labels = np.asarray(result.predictions["labels"])   # (N_test,) the test reviews' labels, in test order
    assert result.test_acc == pytest.approx(np.mean((result.test_probabilities > 0.5) == labels))
    message = str(error.value)
    assert message.startswith(f"Training finished (test accuracy {error.value.result.test_acc:.4f}, best epoch 1) "
                              f"but its checkpoint was not saved: Could not write {target}: the disk is full (")
    assert " MB needed, " in message and "free there" in message
    assert list(target.parent.iterdir()) == []  # no temporary left to keep the disk full


def test_the_command_line_prints_the_metrics_then_the_write_failure(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("worker.data.settings", settings.model_copy(update={"data_dir": tmp_path / "data"}))
    no_space_on_write(monkeypatch)
    code = cli_main(["fasttext", "--json", "--device", "cpu", "--checkpoint", str(tmp_path / "c.pt"),
                     *[f"--set={name}={value}" for name, value in TINY.items()]])
    out, err = capsys.readouterr()
    assert code == 1
    assert "test_acc" in json.loads(out.splitlines()[-1])
    assert f"but its checkpoint was not saved: Could not write {tmp_path / 'c.pt'}: the disk is full" in err


def test_a_queued_run_recorded_before_pooling_trains_with_the_final_state(tmp_path):
    recorded = parse_hyperparams("lstm", {**TINY, "hidden_dim": 4}).model_dump(mode="json", exclude={"pooling"})
    run_experiment("lstm", "synthetic", recorded, device="cpu", checkpoint_path=tmp_path / "c.pt",
                   data_dir=tmp_path / "data", recorded=True)
    assert load_checkpoint(tmp_path / "c.pt")["hyperparams"]["pooling"] == "final"
