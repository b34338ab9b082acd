"""bench/tune.py on synthetic data: an Optuna study that only ever sees validation accuracy, and resumes."""

import json

import pytest

from tests.support.bench import load_bench

TINY = ["--dataset", "synthetic", "--epochs", "1", "--limit", "200", "--startup-trials", "1",
        "--set", "num_words=1000", "--set", "maxlen=32", "--set", "ngram_buckets=1000"]


@pytest.fixture(scope="module")
def tune():
    """The bench script loaded as a module."""
    return load_bench("tune")


def _study(tune, tmp_path, trials: int) -> dict:
    argv = ["nbsvm", *TINY, "--trials", str(trials), "--results-dir", str(tmp_path / "tune"),
            "--data-dir", str(tmp_path / "data")]
    assert tune.main(argv) == 0
    return json.loads((tmp_path / "tune" / "nbsvm-synthetic-seed1.json").read_text())


def test_study_records_each_trial_with_its_validation_accuracy_per_epoch(tune, tmp_path):
    record = _study(tune, tmp_path, 2)
    assert [trial["number"] for trial in record["trials"]] == [0, 1]
    first = record["trials"][0]
    assert first["state"] == "COMPLETE" and first["value"] == first["val_acc_per_epoch"]["1"]
    assert set(first["params"]) == {"lr", "batch_size", "dropout", "weight_decay"}  # ngram_buckets held fixed
    assert record["best"]["value"] == max(t["value"] for t in record["trials"] if t["state"] == "COMPLETE")


def test_rerun_continues_the_study_up_to_the_budget(tune, tmp_path):
    _study(tune, tmp_path, 1)
    assert len(_study(tune, tmp_path, 2)["trials"]) == 2


def test_trials_never_see_the_test_reviews(tune, tmp_path, monkeypatch):
    from worker.training import trainer
    seen = []
    train = trainer.train
    monkeypatch.setattr("worker.runner.train", lambda model, data, hp, **kw: (seen.append(len(data.y_test)), train(model, data, hp, **kw))[1])
    _study(tune, tmp_path, 1)
    assert seen == [0]


def test_every_search_space_draws_only_values_inside_its_contestants_bounds(tune):
    import optuna

    from worker.contestants import parse_hyperparams

    for contestant, space in {**tune.SPACES, "rnn": tune.TRAINING_SPACE}.items():
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        for _ in range(30):
            values = tune.draw(study.ask(), space, {})
            parse_hyperparams(contestant, values)   # raises on a value out of bounds
