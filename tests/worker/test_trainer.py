"""The trainer on synthetic data: learns, repeats under a seed, stops on NaN and on cancel."""

import math

import pytest
import torch
from torch import nn

from worker.contestants import REGISTRY, get_contestant, parse_hyperparams
from worker.data import load_dataset
from worker.training import TrainingCancelled, TrainingDiverged, seed_everything, train
from worker.training.trainer import scheduled_lr

TINY = {"num_words": 1000, "maxlen": 64, "embedding_dim": 16, "hidden_dim": 16, "filters": 16,
        "dense_dim": 16, "ngram_buckets": 5000, "batch_size": 32, "epochs": 6, "lr": 5e-3, "patience": 0}


def _tiny(name: str, **extra):
    """Small hyperparameters for `name`, keeping only the fields it takes."""
    fields = get_contestant(name).params.model_fields
    return parse_hyperparams(name, {k: v for k, v in {**TINY, **extra}.items() if k in fields})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return load_dataset("synthetic", num_words=1000, maxlen=64, val_split=0.2, seed=42,
                        data_dir=tmp_path_factory.mktemp("data"))


def _train(name, data, **extra):
    hp = _tiny(name, **extra)
    seed_everything(hp.seed)
    return train(get_contestant(name).build(hp), data, hp, device="cpu")


@pytest.mark.parametrize("name", [n for n in REGISTRY if n != "ff_raw"])
def test_contestant_learns_synthetic_data(name, synthetic):
    result = _train(name, synthetic)
    assert max(epoch.val_acc for epoch in result.epochs) >= 0.9
    assert result.test_acc >= 0.85


def test_epoch_metrics_are_complete_and_finite(synthetic):
    result = _train("fasttext", synthetic, epochs=2)
    assert [m.epoch for m in result.epochs] == [1, 2]
    for m in result.epochs:
        for value in (m.train_loss, m.train_acc, m.val_loss, m.val_acc, m.seconds, m.samples_per_second):
            assert math.isfinite(value)
    assert 1 <= result.best_epoch <= 2
    assert result.device == "cpu"


def test_same_seed_gives_the_same_metrics(synthetic):
    first = _train("cnn", synthetic, epochs=2)
    second = _train("cnn", synthetic, epochs=2)
    assert [vars(m) | {"seconds": 0, "samples_per_second": 0} for m in first.epochs] == \
           [vars(m) | {"seconds": 0, "samples_per_second": 0} for m in second.epochs]
    assert first.test_acc == second.test_acc


def test_progress_is_reported_within_each_epoch(synthetic):
    hp = _tiny("fasttext", epochs=1)
    reports = []
    train(get_contestant("fasttext").build(hp), synthetic, hp, device="cpu", on_progress=reports.append)
    assert reports and reports[-1].fraction == 1.0
    assert all(0 < r.fraction <= 1 and r.epoch == 1 for r in reports)


def test_cancellation_stops_between_batches(synthetic):
    hp = _tiny("cnn", epochs=50)
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(TrainingCancelled):
        train(get_contestant("cnn").build(hp), synthetic, hp, device="cpu", should_stop=should_stop)
    assert len(calls) == 4


class _Exploding(nn.Module):
    """A model whose logits become NaN."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, ids):
        return ids.float().sum(1) * self.scale * float("nan")  # (B,)


def test_nan_loss_stops_the_run_with_advice(synthetic):
    hp = _tiny("cnn", epochs=1)
    with pytest.raises(TrainingDiverged, match=r"Training diverged at epoch 1, batch \d+: the loss became nan\. "
                                               r"Try a lower learning rate \(lr is 0\.005\)"):
        train(_Exploding(), synthetic, hp, device="cpu")


def test_early_stopping_ends_when_validation_loss_stops_improving(synthetic):
    result = _train("cnn", synthetic, epochs=30, patience=1, lr=0.02)
    assert len(result.epochs) < 30
    assert result.best_epoch <= len(result.epochs)


def test_linear_schedule_decays_the_learning_rate_to_zero_over_the_epochs():
    linear, constant = _tiny("cnn", lr=1e-2, lr_schedule="linear"), _tiny("cnn", lr=1e-2, lr_schedule="constant")
    assert [scheduled_lr(linear, progress) for progress in (0.0, 0.5, 1.0)] == pytest.approx([1e-2, 5e-3, 0.0])
    assert scheduled_lr(constant, 0.9) == 1e-2


def test_linear_schedule_changes_the_steps_and_still_learns(synthetic):
    constant = _train("fasttext", synthetic, epochs=3)
    linear = _train("fasttext", synthetic, epochs=3, lr_schedule="linear")
    assert linear.epochs[0].train_loss != constant.epochs[0].train_loss
    assert max(epoch.val_acc for epoch in linear.epochs) >= 0.9
