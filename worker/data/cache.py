"""On-disk cache of encoded datasets under data_dir/cache/<fingerprint>/, written atomically."""

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from worker.data.tokenizer import TOKENIZER_VERSION
from worker.data.types import DataOptions, EncodedData

log = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when the encoding changes, so old entries are ignored
_ARRAYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")


def cache_root(data_dir: Path) -> Path:
    """The folder holding every cache entry."""
    return Path(data_dir) / "cache"


def fingerprint(name: str, source_id: str, options: DataOptions) -> str:
    """A short stable key for a dataset built from one source with these options and this tokenizer."""
    key = json.dumps({"format": CACHE_FORMAT, "tokenizer": TOKENIZER_VERSION, "name": name, "source": source_id,
                      **asdict(options)}, sort_keys=True)
    return f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def load_or_build(data_dir: Path, key: str, build: Callable[[], EncodedData]) -> EncodedData:
    """The cached entry `key` when it is readable, else `build()` stored under `key`."""
    entry = cache_root(data_dir) / key
    if entry.is_dir():
        try:
            return _read_entry(entry)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("Ignoring unreadable cache entry %s: %s", entry, exc)
    data = build()
    _write_entry(entry, data)
    return data


def _read_entry(entry: Path) -> EncodedData:
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    with np.load(entry / "arrays.npz", allow_pickle=False) as arrays:
        ids = {name: arrays[name].astype(np.int64) for name in _ARRAYS if name.startswith("x_")}
        labels = {name: arrays[name] for name in _ARRAYS if name.startswith("y_")}
        return EncodedData(**ids, **labels, **meta)


def _write_entry(entry: Path, data: EncodedData) -> None:
    meta = {"name": data.name, "num_words": data.num_words, "maxlen": data.maxlen,
            "vocab": data.vocab, "fingerprint": data.fingerprint}
    id_dtype = np.uint16 if data.num_words <= 1 << 16 else np.int32  # ids stored small, read back as int64
    arrays = {name: getattr(data, name) for name in _ARRAYS}
    stored = {name: a.astype(id_dtype) if name.startswith("x_") else a for name, a in arrays.items()}

    def write(folder: Path) -> None:
        np.savez(folder / "arrays.npz", **stored)
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    write_folder_atomically(entry, write)


def write_folder_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Fill a temporary sibling folder with `write`, then rename it to `target` in one step."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        write(staging)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)  # an unreadable entry being replaced
        os.rename(staging, target)
    except OSError as exc:
        log.warning("Could not write cache entry %s: %s", target, exc)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_json_entry(entry: Path) -> Any | None:
    """The JSON document cached in folder `entry`, or None when absent or unreadable."""
    try:
        return json.loads((entry / "data.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json_entry(entry: Path, document: Any) -> None:
    """Cache a JSON document in folder `entry`, atomically."""
    write_folder_atomically(entry, lambda folder: (folder / "data.json").write_text(json.dumps(document), encoding="utf-8"))
