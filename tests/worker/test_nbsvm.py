"""The nbsvm contestant: naive-Bayes ratios from the training reviews only, binarised features, exact bigrams."""

import math

import pytest
import torch

from worker.contestants import get_contestant, parse_hyperparams
from worker.contestants.nbsvm import NB_SMOOTHING
from worker.data import load_dataset
from worker.training import seed_everything, train

WORDS = 100
POSITIVE, NEGATIVE, NEUTRAL = 5, 6, 7


def _model(**overrides) -> torch.nn.Module:
    torch.manual_seed(0)
    hp = parse_hyperparams("nbsvm", {"num_words": WORDS, "maxlen": 16, "ngram_buckets": 100, **overrides})
    return get_contestant("nbsvm").build(hp)


def _reviews() -> tuple[torch.Tensor, torch.Tensor]:
    """Three positive reviews holding word 5 and the pair (8, 9), three negative ones holding word 6; all hold 7."""
    x = torch.tensor([
        [0, 0, 1, 5, 7, 8, 9],
        [0, 1, 5, 5, 7, 8, 9],
        [0, 0, 0, 1, 8, 9, 7],
        [0, 0, 0, 1, 6, 7, 3],
        [0, 0, 1, 6, 6, 7, 4],
        [0, 0, 0, 0, 1, 6, 7],
    ])  # (6, 7)
    return x, torch.tensor([1.0, 1, 1, 0, 0, 0])


def test_ratios_favour_the_words_of_each_class_and_hardly_weigh_a_word_of_both():
    model = _model()
    model.fit_from_data(*_reviews())
    assert model.ratios[POSITIVE] > 0 > model.ratios[NEGATIVE]
    assert abs(model.ratios[NEUTRAL]) < min(model.ratios[POSITIVE], -model.ratios[NEGATIVE]) / 4  # in every review


def test_ratio_is_the_smoothed_log_count_ratio_of_wang_and_manning():
    model = _model()
    x, y = _reviews()
    model.fit_from_data(x, y)
    positive, negative = torch.zeros(model.none + 1), torch.zeros(model.none + 1)
    for row, label in zip(x, y):
        found = model.features(row[None])[0]
        counts = positive if label else negative
        counts[found[found != model.none]] += 1  # each feature once per review
    used = model.used_features()  # every word id but padding, the filled bigram rows
    p, q = (positive + NB_SMOOTHING)[used], (negative + NB_SMOOTHING)[used]
    expected = math.log((p[POSITIVE - 1] / p.sum()) / (q[POSITIVE - 1] / q.sum()))  # Wang & Manning 2012, eq. 2
    assert model.ratios[POSITIVE].item() == pytest.approx(expected, rel=1e-5)


def test_bigram_table_holds_the_pairs_found_in_most_reviews_each_in_its_own_row():
    model = _model(ngram_buckets=100)
    model.fit_from_data(*_reviews())
    table = model.bigram_table.tolist()
    assert 8 * WORDS + 9 in table and table == sorted(table)
    small = _model(ngram_buckets=100)
    small.bigram_table = small.bigram_table[:1].clone()
    small.fit_from_data(*_reviews())
    assert small.bigram_table.tolist() == [1 * WORDS + 6]  # in 3 reviews, as (6, 7) and (8, 9): ties to the smaller key


def test_a_repeated_word_counts_once():
    model = _model().eval()
    model.fit_from_data(*_reviews())
    with torch.no_grad():
        once = model(torch.tensor([[0, 1, 5, 7]]))
        again = model(torch.tensor([[1, 5, 7, 5]]))  # the pair (7, 5) is not in the table: only 5 repeats
        assert torch.allclose(once, again)


def test_logit_does_not_depend_on_padding():
    model = _model().eval()
    model.fit_from_data(*_reviews())
    review = torch.tensor([[1, 5, 8, 9]])  # (1, 4)
    with torch.no_grad():
        assert torch.allclose(model(review), model(torch.nn.functional.pad(review, (6, 0))), atol=1e-6)


def test_state_dict_carries_the_table_and_ratios_so_a_rebuilt_model_predicts_the_same():
    model = _model().eval()
    model.fit_from_data(*_reviews())
    rebuilt = _model().eval()
    rebuilt.load_state_dict(model.state_dict())
    review = torch.tensor([[1, 5, 8, 9, 6]])
    with torch.no_grad():
        assert torch.equal(model(review), rebuilt(review))


def test_trainer_fits_the_ratios_once_on_the_training_reviews_only(tmp_path, monkeypatch):
    data = load_dataset("synthetic", num_words=1000, maxlen=64, val_split=0.2, seed=42, data_dir=tmp_path)
    hp = parse_hyperparams("nbsvm", {"num_words": 1000, "maxlen": 64, "ngram_buckets": 5000, "epochs": 2})
    seed_everything(hp.seed)
    model = get_contestant("nbsvm").build(hp)
    seen = []
    fit = type(model).fit_from_data
    monkeypatch.setattr(type(model), "fit_from_data", lambda self, x, y: (seen.append((x.clone(), y.clone())), fit(self, x, y)))
    result = train(model, data, hp, device="cpu")
    assert len(seen) == 1
    x, y = seen[0]
    assert torch.equal(x, torch.from_numpy(data.x_train)) and torch.equal(y, torch.from_numpy(data.y_train))
    assert model.ratios.abs().sum() > 0
    assert result.test_acc >= 0.9


def test_a_finished_run_predicts_typed_text_from_its_checkpoint_alone(tmp_path):
    from worker.data.synthetic import NEGATIVE_WORDS, POSITIVE_WORDS
    from worker.inference import Predictor
    from worker.runner import run_experiment

    hyperparams = {"num_words": 1000, "maxlen": 64, "ngram_buckets": 5000, "epochs": 2}
    run_experiment("nbsvm", "synthetic", hyperparams, device="cpu", checkpoint_path=tmp_path / "run.pt",
                   data_dir=tmp_path / "data")
    predictor = Predictor.from_checkpoint(tmp_path / "run.pt")  # the table and ratios come from the file
    assert predictor.predict(" ".join(POSITIVE_WORDS[:4])) > 0.5 > predictor.predict(" ".join(NEGATIVE_WORDS[:4]))
