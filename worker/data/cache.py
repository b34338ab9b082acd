"""On-disk cache of encoded datasets under data_dir/cache/<fingerprint>/, written atomically.

An entry's key is a JSON document naming everything its arrays depend on: the cache format, the
tokenizer's version, the dataset, the identity of its source (a content hash for an archive) and the
options. The entry carries that document and is rebuilt when it differs from the one asked for.
"""

import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from worker.data.tokenizer import TOKENIZER_VERSION
from worker.data.types import DataOptions, EncodedData
from worker.files import WriteFailed, write_folder_atomically

log = logging.getLogger(__name__)

CACHE_FORMAT = 2  # bump when the stored layout or the encoding changes, so old entries are rebuilt
_ARRAYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")

CacheKey = dict[str, Any]  # the JSON document an entry is built from


def cache_root(data_dir: Path) -> Path:
    """The folder holding every cache entry."""
    return Path(data_dir) / "cache"


def cache_key(name: str, source_id: str, options: DataOptions) -> CacheKey:
    """The document naming a dataset built from one source with these options and this tokenizer."""
    return {"format": CACHE_FORMAT, "tokenizer": TOKENIZER_VERSION, "name": name, "source": source_id,
            **asdict(options)}


def fingerprint(key: CacheKey) -> str:
    """A short stable name for the entry of `key`: the dataset's name and a hash of the document."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return f"{key['name']}-{digest}"


def load_or_build(data_dir: Path, key: CacheKey, build: Callable[[str], EncodedData]) -> EncodedData:
    """The cached entry of `key` when it is readable and carries `key`, else `build(fingerprint)` stored.

    A cache that cannot be written (full disk, read-only folder) is logged and the data returned anyway.
    """
    name = fingerprint(key)
    entry = cache_root(data_dir) / name
    if entry.is_dir():
        try:
            data, stored_key = _read_entry(entry)
            if stored_key == key:
                return data
            log.warning("Rebuilding cache entry %s: it was built from %s, not %s", entry, stored_key, key)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("Rebuilding unreadable cache entry %s: %s", entry, exc)
    data = build(name)
    try:
        _write_entry(entry, key, data)
    except WriteFailed as exc:
        log.warning("Not cached: %s", exc)
    return data


def _read_entry(entry: Path) -> tuple[EncodedData, CacheKey | None]:
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    stored_key = meta.pop("key", None)
    with np.load(entry / "arrays.npz", allow_pickle=False) as arrays:
        ids = {name: arrays[name].astype(np.int64) for name in _ARRAYS if name.startswith("x_")}
        labels = {name: arrays[name] for name in _ARRAYS if name.startswith("y_")}
        return EncodedData(**ids, **labels, **meta), stored_key


def _write_entry(entry: Path, key: CacheKey, data: EncodedData) -> None:
    meta = {"key": key, "name": data.name, "num_words": data.num_words, "maxlen": data.maxlen,
            "vocab": data.vocab, "fingerprint": data.fingerprint, "source_report": data.source_report}
    id_dtype = np.uint16 if data.num_words <= 1 << 16 else np.int32  # ids stored small, read back as int64
    arrays = {name: getattr(data, name) for name in _ARRAYS}
    stored = {name: a.astype(id_dtype) if name.startswith("x_") else a for name, a in arrays.items()}
    buffer = io.BytesIO()
    np.savez(buffer, **stored)
    write_folder_atomically(entry, {"arrays.npz": buffer.getvalue(), "meta.json": json.dumps(meta).encode()})


def read_json_entry(entry: Path) -> Any | None:
    """The JSON document cached in folder `entry`, or None when absent or unreadable."""
    try:
        return json.loads((entry / "data.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json_entry(entry: Path, document: Any) -> None:
    """Cache a JSON document in folder `entry`, atomically; a failure to write is logged, not raised."""
    try:
        write_folder_atomically(entry, {"data.json": json.dumps(document).encode()})
    except WriteFailed as exc:
        log.warning("Not cached: %s", exc)
