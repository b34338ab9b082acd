"""Datasets by name: `load_dataset(name, ...) -> EncodedData`, cached on disk, and their descriptions."""

from pathlib import Path

from worker.config import settings
from worker.data import aclimdb, keras_imdb, synthetic
from worker.data.aclimdb import describe_report
from worker.data.cache import cache_key, load_or_build
from worker.data.types import DataOptions, DatasetUnavailable, EncodedData

__all__ = ["DATASETS", "DataOptions", "DatasetUnavailable", "EncodedData", "describe_report", "load_dataset"]

DATASETS: dict[str, dict[str, str]] = {
    "aclimdb": {
        "title": "aclImdb (Stanford raw reviews)",
        "description": "The original Large Movie Review Dataset: 25,000 training and 25,000 test reviews as raw "
        "text, tokenised by the project with a vocabulary ranked on the training split. Set BATTLEFIELD_ACLIMDB "
        "to a local aclImdb_v1.tar.gz (or its extracted folder), otherwise it is downloaded and checked by sha256. "
        "Finished runs can score reviews typed in the browser.",
    },
    "imdb": {
        "title": "IMDB (Keras copy)",
        "description": "keras.datasets.imdb, pre-tokenised into word ids exactly as the course notebook loads it; "
        "downloaded by Keras on first use and cached in ~/.keras.",
    },
    "synthetic": {
        "title": "Synthetic reviews",
        "description": f"{synthetic.N_TRAIN:,} training and {synthetic.N_TEST:,} test short generated reviews with "
        "clear positive and negative words amid filler; deterministic, offline and learnable in seconds, for "
        "demos and tests.",
    },
}


def load_dataset(
    name: str,
    *,
    num_words: int = 10_000,
    maxlen: int = 500,
    val_split: float = 0.2,
    seed: int = 42,
    aclimdb_path: Path | None = None,
    data_dir: Path | None = None,
) -> EncodedData:
    """The encoded dataset `name`, from data_dir's cache when it was built before from the same content and options.

    Raises ValueError for an unknown name and DatasetUnavailable (its message says what to do) for data
    that cannot be had, is corrupt or incomplete, or leaves the validation share without a class.
    """
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of: {', '.join(sorted(DATASETS))}")
    options = DataOptions(num_words=num_words, maxlen=maxlen, val_split=val_split, seed=seed)
    data_dir = Path(data_dir if data_dir is not None else settings.data_dir)
    if name == "synthetic":
        key = cache_key(name, synthetic.SOURCE_ID, options)
        return load_or_build(data_dir, key, lambda fingerprint: synthetic.load_synthetic(options, fingerprint))
    if name == "imdb":
        key = cache_key(name, keras_imdb.SOURCE_ID, options)
        return load_or_build(data_dir, key, lambda fingerprint: keras_imdb.load_keras_imdb(options, fingerprint))
    path = aclimdb.resolve_archive(Path(aclimdb_path) if aclimdb_path else settings.aclimdb_path, data_dir)
    source = aclimdb.source_id(path, data_dir, settings.aclimdb_sha256)
    key = cache_key(name, source, options)
    return load_or_build(data_dir, key,
                         lambda fingerprint: aclimdb.load_aclimdb(path, source, data_dir, options, fingerprint))
