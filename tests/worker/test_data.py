"""Datasets: tokenizer conventions, the aclImdb reader, the cache, the Keras copy offline, synthetic data."""

import io
import os
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from tests.support.archives import unavailable_message, write_archive, write_folder
from worker.config import settings
from worker.data import DATASETS, DatasetUnavailable, load_dataset
from worker.data import archive as archive_module
from worker.data import download as download_module
from worker.data import synthetic
from worker.data.download import DownloadFailed, download_verified
from worker.data.split import stratified_split
from worker.data.tokenizer import build_vocab, encode, encode_batch, tokenize

REVIEWS = {  # member name -> text, in the layout of the original archive
    "aclImdb/train/pos/0_9.txt": "A great film.<br /><br />Great acting, great story.",
    "aclImdb/train/pos/1_8.txt": "Great fun and a lovely story.",
    "aclImdb/train/pos/2_10.txt": "Lovely, great, moving.",
    "aclImdb/train/pos/3_7.txt": "Great cast; great film.",
    "aclImdb/train/neg/0_1.txt": "An awful film.<br />Awful story.",
    "aclImdb/train/neg/1_2.txt": "Boring and awful.",
    "aclImdb/train/neg/2_3.txt": "Awful, dull, boring film.",
    "aclImdb/train/neg/3_4.txt": "Dull story, awful cast.",
    "aclImdb/test/pos/0_10.txt": "Great film, zanzibar great.",
    "aclImdb/test/pos/1_9.txt": "Lovely film.",
    "aclImdb/test/neg/0_2.txt": "Awful zanzibar film.",
    "aclImdb/test/neg/1_1.txt": "Boring.",
}
EXTRA_MEMBERS = {  # present in the original archive, never read as reviews
    "aclImdb/README": "Large Movie Review Dataset",
    "aclImdb/imdb.vocab": "the\nand\ngreat\n",
    "aclImdb/train/unsup/0_0.txt": "unlabelled unlabelled unlabelled review",
    "aclImdb/train/labeledBow.feat": "0 9:1 1:2",
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "aclImdb_v1.tar.gz", {**REVIEWS, **EXTRA_MEMBERS})


def load_tiny(path: Path, data_dir: Path, **options):
    return load_dataset("aclimdb", aclimdb_path=path, data_dir=data_dir, num_words=20, maxlen=8,
                        val_split=options.pop("val_split", 0.25), **options)


def refuse_to_open_archives(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the archive was read again")

    monkeypatch.setattr(archive_module.tarfile, "open", refuse)


# tokenizer


def test_tokenize_lowercases_and_removes_break_tags():
    assert tokenize("Great<br />MOVIE<br/>It's GOOD<BR>") == ["great", "movie", "it's", "good"]


def test_tokenize_splits_on_punctuation_and_keeps_digits():
    assert tokenize("Well-made, 10/10!! (really)") == ["well", "made", "10", "10", "really"]


def test_build_vocab_ranks_by_frequency_then_alphabetically():
    assert build_vocab([["b", "a", "c", "c"], ["a", "b", "d"]], num_words=100) == ["a", "b", "c", "d"]


def test_build_vocab_keeps_num_words_minus_three_words():
    assert build_vocab([["x", "x", "x", "y", "y", "z"]], num_words=5) == ["x", "y"]


def test_encode_starts_with_1_maps_words_from_3_and_unknown_to_2():
    assert encode("Great film, awful zanzibar", ["great", "film", "awful"], maxlen=6).tolist() == [0, 1, 3, 4, 5, 2]


def test_encode_returns_int64_of_length_maxlen():
    ids = encode(["great"], ["great"], maxlen=4)
    assert (ids.dtype, ids.shape) == (np.dtype(np.int64), (4,))


def test_encode_batch_pads_and_truncates_like_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    vocab = [f"w{i}" for i in range(10)]
    token_lists = [["w0"], ["w1", "w2", "w3"], [f"w{i}" for i in range(10)], [], ["nope", "w9"]]
    ids = [[1, *(vocab.index(t) + 3 if t in vocab else 2 for t in tokens)] for tokens in token_lists]
    expected = keras.utils.pad_sequences(ids, maxlen=5, padding="pre", truncating="pre")
    np.testing.assert_array_equal(encode_batch(token_lists, vocab, maxlen=5), expected)


# seeded, stratified validation split


def test_stratified_split_is_the_same_for_the_same_seed():
    labels = np.array([0, 1] * 50)
    first, second = stratified_split(labels, 0.2, seed=7), stratified_split(labels, 0.2, seed=7)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_stratified_split_changes_with_the_seed():
    labels = np.array([0, 1] * 50)
    assert stratified_split(labels, 0.2, seed=7)[1].tolist() != stratified_split(labels, 0.2, seed=8)[1].tolist()


def test_stratified_split_keeps_the_class_balance_and_covers_every_row():
    labels = np.array([1] * 80 + [0] * 20)
    train, val = stratified_split(labels, 0.25, seed=0)
    assert (int(labels[val].sum()), len(val)) == (20, 25)
    assert sorted([*train, *val]) == list(range(100))


# aclimdb


def test_archive_loads_labelled_reviews_and_skips_other_members(archive: Path, tmp_path: Path):
    data = load_tiny(archive, tmp_path / "data")
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (6, 2, 4)
    assert (data.y_train.sum() + data.y_val.sum(), data.y_test.tolist()) == (4, [0.0, 0.0, 1.0, 1.0])
    assert "unlabelled" not in data.vocab and "and" in data.vocab


def test_archive_arrays_have_the_documented_types(archive: Path, tmp_path: Path):
    data = load_tiny(archive, tmp_path / "data")
    assert (data.x_train.dtype, data.x_train.shape[1], data.y_train.dtype) == (np.int64, 8, np.float32)


def test_validation_reviews_are_held_out_class_by_class(archive: Path, tmp_path: Path):
    data = load_tiny(archive, tmp_path / "data", val_split=0.5)
    assert (data.y_val.tolist().count(1.0), data.y_val.tolist().count(0.0)) == (2, 2)


def test_word_seen_only_in_the_test_split_is_out_of_vocabulary(archive: Path, tmp_path: Path):
    data = load_tiny(archive, tmp_path / "data")
    assert "zanzibar" not in data.vocab
    great, film = data.vocab.index("great") + 3, data.vocab.index("film") + 3
    assert data.x_test[2].tolist() == [0, 0, 0, 1, great, film, 2, great]  # "Great film, zanzibar great."


def test_extracted_folder_loads_the_same_arrays_as_the_archive(archive: Path, tmp_path: Path):
    folder = write_folder(tmp_path / "extracted", {**REVIEWS, **EXTRA_MEMBERS})
    from_archive = load_tiny(archive, tmp_path / "data")
    from_folder = load_tiny(folder, tmp_path / "data")
    np.testing.assert_array_equal(from_folder.x_train, from_archive.x_train)
    np.testing.assert_array_equal(from_folder.x_test, from_archive.x_test)


def test_second_load_comes_from_the_cache_without_reading_the_archive(archive, tmp_path, monkeypatch):
    first = load_tiny(archive, tmp_path / "data")
    refuse_to_open_archives(monkeypatch)
    second = load_tiny(archive, tmp_path / "data")
    np.testing.assert_array_equal(second.x_train, first.x_train)
    assert (second.x_train.dtype, second.vocab, second.fingerprint) == (np.int64, first.vocab, first.fingerprint)


def test_new_options_reuse_the_parsed_reviews_without_reading_the_archive(archive, tmp_path, monkeypatch):
    load_tiny(archive, tmp_path / "data")
    refuse_to_open_archives(monkeypatch)
    assert load_tiny(archive, tmp_path / "data", seed=3).x_train.shape == (6, 8)


def test_cache_entry_is_stored_under_the_fingerprint(archive: Path, tmp_path: Path):
    data = load_tiny(archive, tmp_path / "data")
    assert sorted(p.name for p in (tmp_path / "data" / "cache" / data.fingerprint).iterdir()) == ["arrays.npz", "meta.json"]


def test_fingerprint_changes_with_the_options(archive: Path, tmp_path: Path):
    assert load_tiny(archive, tmp_path / "data").fingerprint != load_tiny(archive, tmp_path / "data", seed=1).fingerprint


def test_corrupt_archive_raises_dataset_unavailable_naming_the_variable(tmp_path: Path):
    corrupt = tmp_path / "aclImdb_v1.tar.gz"
    corrupt.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(DatasetUnavailable, match=f"The aclImdb archive at {corrupt} is corrupt ") as error:
        load_tiny(corrupt, tmp_path / "data")
    assert "download aclImdb_v1.tar.gz again (sha256 c40f74a1" in str(error.value)
    assert "and set BATTLEFIELD_ACLIMDB to it or to its extracted folder." in str(error.value)


def test_truncated_archive_raises_dataset_unavailable(archive: Path, tmp_path: Path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:300])
    with pytest.raises(DatasetUnavailable, match="BATTLEFIELD_ACLIMDB"):
        load_tiny(truncated, tmp_path / "data")


def test_archive_without_reviews_raises_dataset_unavailable(tmp_path: Path):
    empty = write_archive(tmp_path / "empty.tar.gz", EXTRA_MEMBERS)
    assert unavailable_message(load_tiny, empty, tmp_path / "data") == (
        f"The aclImdb data at {empty} holds no reviews under aclImdb/train/neg (read 0 train/neg, 0 train/pos, "
        "0 test/neg, 0 test/pos reviews; skipped nothing); each split needs both classes, laid out as "
        "aclImdb/{train,test}/{pos,neg}/*.txt. Set BATTLEFIELD_ACLIMDB to the complete aclImdb_v1.tar.gz or its "
        "extracted folder."
    )


def test_missing_path_raises_dataset_unavailable_naming_the_variable(tmp_path: Path):
    missing = tmp_path / "nowhere.tar.gz"
    assert unavailable_message(load_tiny, missing, tmp_path / "data") == (
        f"aclImdb archive not found at {missing}; set BATTLEFIELD_ACLIMDB to the path of "
        "aclImdb_v1.tar.gz or its extracted folder."
    )


def test_failed_download_raises_dataset_unavailable_with_advice(tmp_path, monkeypatch):
    def offline(url, timeout):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr("worker.data.settings", settings.model_copy(update={"aclimdb_path": None}))
    monkeypatch.setattr(download_module.urllib.request, "urlopen", offline)
    assert unavailable_message(load_dataset, "aclimdb", data_dir=tmp_path) == (
        "Could not download the aclImdb archive (URLError: <urlopen error no route to host>). Download "
        "aclImdb_v1.tar.gz yourself and set BATTLEFIELD_ACLIMDB to its path, or use the synthetic dataset."
    )


def test_download_with_a_wrong_checksum_fails_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(download_module.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"not the archive"))
    with pytest.raises(DownloadFailed, match="differs from the expected 00"):
        download_verified("https://example.invalid/a.tar.gz", tmp_path / "a.tar.gz", "00" * 32)
    assert list(tmp_path.iterdir()) == []


def test_download_with_the_right_checksum_writes_the_file(tmp_path, monkeypatch):
    import hashlib

    payload = b"archive bytes"
    monkeypatch.setattr(download_module.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(payload))
    dest = download_verified("https://example.invalid/a.tar.gz", tmp_path / "a.tar.gz", hashlib.sha256(payload).hexdigest())
    assert (dest.read_bytes(), [p.name for p in tmp_path.iterdir()]) == (payload, ["a.tar.gz"])


# imdb (Keras copy), never downloaded in tests


def test_imdb_offline_raises_dataset_unavailable_suggesting_aclimdb(tmp_path, monkeypatch):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras.datasets.imdb

    def offline(**kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.imdb, "load_data", offline)
    assert unavailable_message(load_dataset, "imdb", data_dir=tmp_path) == (
        "Could not download the Keras IMDB dataset (OSError: no network). You appear to be offline: use the "
        "aclimdb dataset with a local archive (set BATTLEFIELD_ACLIMDB) or the synthetic dataset."
    )


def test_imdb_is_pre_padded_and_its_vocab_follows_the_keras_word_index(tmp_path, monkeypatch):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras.datasets.imdb

    x_train = [[1, 4, 5], [1, 6, 7, 8, 9], [1, 4], [1, 5, 5]]
    fake = ((np.array(x_train, dtype=object), np.array([1, 0, 1, 0])), (np.array([[1, 2, 4]], dtype=object), np.array([1])))
    monkeypatch.setattr(keras.datasets.imdb, "load_data", lambda num_words: fake)
    monkeypatch.setattr(keras.datasets.imdb, "get_word_index", lambda: {"the": 1, "and": 2, "a": 3, "of": 4})
    data = load_dataset("imdb", data_dir=tmp_path, num_words=6, maxlen=4, val_split=0.5)
    assert (data.x_test.tolist(), data.vocab, len(data.x_val), data.y_val.sum()) == ([[0, 1, 2, 4]], ["<unused>", "the", "and"], 2, 1)


# synthetic


def test_synthetic_is_deterministic(tmp_path: Path):
    # the generator itself (load_synthetic keeps its reviews for the process: generated_reviews)
    assert synthetic.generate_reviews(100, np.random.default_rng(synthetic.GENERATOR_SEED)) == \
        synthetic.generate_reviews(100, np.random.default_rng(synthetic.GENERATOR_SEED))
    first = load_dataset("synthetic", data_dir=tmp_path / "a", num_words=200, maxlen=64)
    second = load_dataset("synthetic", data_dir=tmp_path / "b", num_words=200, maxlen=64)
    np.testing.assert_array_equal(first.x_train, second.x_train)
    np.testing.assert_array_equal(first.y_test, second.y_test)


def test_synthetic_ids_stay_below_num_words(tmp_path: Path):
    data = load_dataset("synthetic", data_dir=tmp_path, num_words=50, maxlen=64)
    assert max(data.x_train.max(), data.x_val.max(), data.x_test.max()) == 49


def test_synthetic_is_balanced_and_has_reviews_shorter_and_longer_than_maxlen(tmp_path: Path):
    data = load_dataset("synthetic", data_dir=tmp_path, maxlen=64)
    assert 0.45 < data.y_train.mean() < 0.55
    assert (data.x_train[:, 0] == 0).any() and (data.x_train[:, 0] != 0).any()


def test_synthetic_vocabulary_knows_everyday_review_words(tmp_path: Path):
    data = load_dataset("synthetic", data_dir=tmp_path, maxlen=64)
    assert 2 not in encode("A wonderful, great film. Awful and boring plot!", data.vocab, maxlen=64)


# registry


def test_unknown_dataset_raises_value_error_listing_the_choices():
    with pytest.raises(ValueError) as error:
        load_dataset("x")
    assert str(error.value) == "Unknown dataset 'x'; choose one of: aclimdb, imdb, synthetic"


def test_every_dataset_has_a_title_and_description():
    assert {name: sorted(info) for name, info in DATASETS.items()} == {
        name: ["description", "title"] for name in ("aclimdb", "imdb", "synthetic")
    }
