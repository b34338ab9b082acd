"""fastText's two bigram tables: hashed buckets (fastText's code) and exact rows (Keras imdb_fasttext)."""

import pytest
import torch

from worker.contestants import exact_bigrams, get_contestant, parse_hyperparams, summarize
from worker.contestants.memory import estimate_memory
from worker.inference import Predictor
from worker.training.checkpoint import save_checkpoint

WORDS = 100


def _model(bigrams: str, buckets: int = 100) -> torch.nn.Module:
    torch.manual_seed(0)
    hp = parse_hyperparams("fasttext", {"num_words": WORDS, "maxlen": 16, "ngram_buckets": buckets, "bigrams": bigrams})
    return get_contestant("fasttext").build(hp).eval()


def _reviews() -> torch.Tensor:
    """Three reviews hold the pair (8, 9), three (1, 6), two (1, 5) and two (6, 7)."""
    return torch.tensor([
        [0, 0, 1, 5, 7, 8, 9],
        [0, 1, 5, 5, 7, 8, 9],
        [0, 0, 0, 1, 8, 9, 7],
        [0, 0, 0, 1, 6, 7, 3],
        [0, 0, 1, 6, 7, 3, 4],
        [0, 0, 0, 0, 1, 6, 2],
    ])  # (6, 7)


def test_the_exact_table_keeps_the_pairs_found_in_most_reviews_and_ignores_the_others():
    model = _model("exact")
    model.bigram_table = model.bigram_table[:2].clone()   # room for two pairs
    model.fit_from_data(_reviews(), torch.zeros(6))
    assert model.bigram_table.tolist() == sorted([8 * WORDS + 9, 1 * WORDS + 6])   # in 3 reviews each
    with torch.no_grad():
        known = model(torch.tensor([[1, 6, 11, 12]]))
        # (6, 11) and (11, 12) are in no training review: the review scores as its words and (1, 6) alone
        rows, counted = model.bigram_rows(torch.tensor([[1, 6, 11, 12]]))
        assert counted.tolist() == [[True, False, False]]
        model.bigram_embedding.weight[rows[0, 1:]] += 100.0   # whatever those rows hold does not count
        assert torch.allclose(model(torch.tensor([[1, 6, 11, 12]])), known)


def test_hashed_pairs_all_count_and_need_no_fit():
    model = _model("hashed")
    assert not hasattr(model, "bigram_table")
    model.fit_from_data(_reviews(), torch.zeros(6))   # nothing to choose
    _, counted = model.bigram_rows(torch.tensor([[0, 1, 5, 11, 12]]))
    assert counted.tolist() == [[False, True, True, True]]   # every real pair, padding excluded


def test_the_exact_table_travels_in_the_checkpoint(tmp_path):
    model = _model("exact")
    model.fit_from_data(_reviews(), torch.zeros(6))
    path = tmp_path / "fasttext.pt"
    hp = parse_hyperparams("fasttext", {"num_words": WORDS, "maxlen": 16, "ngram_buckets": 100, "bigrams": "exact"})
    save_checkpoint(path, architecture="fasttext", dataset="synthetic", hyperparams=hp, state_dict=model.state_dict(), vocab=None)
    rebuilt = Predictor.from_checkpoint(path).model.eval()
    assert torch.equal(rebuilt.bigram_table, model.bigram_table)
    review = torch.tensor([[0, 1, 8, 9, 7]])
    with torch.no_grad():
        assert torch.allclose(rebuilt(review), model(review))


def test_the_memory_estimate_counts_choosing_the_exact_table_only():
    def estimate(bigrams: str):
        hp = parse_hyperparams("fasttext", {"bigrams": bigrams})
        return hp, estimate_memory("fasttext", hp, summarize("fasttext", hp)["param_count"], "imdb")

    assert estimate("hashed")[1].fitting == 0
    hp, exact = estimate("exact")
    assert exact.fitting == exact_bigrams.fill_memory_bytes(hp.maxlen, int(25_000 * (1 - hp.val_split))) > 0


def test_an_unknown_bigram_mode_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="bigrams") as error:
        parse_hyperparams("fasttext", {"bigrams": "sparse"})
    assert "hashed" in str(error.value) and "exact" in str(error.value)
