"""Generated aclImdb archives and folders in the original layout, for the reader's tests."""

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from worker.data import DatasetUnavailable

WORDS = {1: "great superb moving lovely brilliant".split(), 0: "awful dull boring dreadful tedious".split()}
FILLER = "the a film story cast scene and of it was".split()


def generated_reviews(per_class: int, *, seed: int = 0, splits=("train", "test")) -> dict[str, str]:
    """Member name -> text: `per_class` reviews of each class in each split, with varied words (compressible
    but not trivially, so a flipped byte lands in real deflate data)."""
    rng = np.random.default_rng(seed)
    members = {}
    for split in splits:
        for polarity, label in (("pos", 1), ("neg", 0)):
            for index in range(per_class):
                words = [*rng.choice(FILLER, 30), *rng.choice(WORDS[label], 4), str(rng.integers(10**6))]
                members[f"aclImdb/{split}/{polarity}/{index}_{7 if label else 2}.txt"] = " ".join(rng.permutation(words))
    return members


def write_archive(path: Path, members: dict[str, str | bytes]) -> Path:
    """A gzipped tar holding `members` (name -> text or raw bytes), like aclImdb_v1.tar.gz."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            payload = content if isinstance(content, bytes) else content.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return path


def write_folder(root: Path, members: dict[str, str | bytes]) -> Path:
    """The extracted form of the archive under `root`."""
    for name, content in members.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        payload = content if isinstance(content, bytes) else content.encode("utf-8")
        (root / name).write_bytes(payload)
    return root


def without(members: dict[str, str], folder: str) -> dict[str, str]:
    """`members` less those under aclImdb/`folder`/ (e.g. "train/neg")."""
    return {name: text for name, text in members.items() if not name.startswith(f"aclImdb/{folder}/")}


def flip_bytes(path: Path, at: float = 0.5, count: int = 16) -> Path:
    """Invert `count` bytes of the file from the fraction `at` of its length, in place."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    for offset in range(start, start + count):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def unavailable_message(load: Callable, *args, **kwargs) -> str:
    """The message of the DatasetUnavailable that `load(*args, **kwargs)` raises; the test fails if it raises none."""
    with pytest.raises(DatasetUnavailable) as error:
        load(*args, **kwargs)
    return str(error.value)
