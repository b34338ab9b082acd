"""The original Stanford aclImdb archive (or its extracted folder): locate or download, read, encode."""

import hashlib
import re
import tarfile
import zlib
from pathlib import Path

from worker.data.cache import cache_root, read_json_entry, write_json_entry
from worker.data.corpus import encode_texts
from worker.data.download import DownloadFailed, download_verified
from worker.data.types import DataOptions, DatasetUnavailable, EncodedData

ACLIMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
ACLIMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
ARCHIVE_NAME = "aclImdb_v1.tar.gz"
SPLITS = ("train", "test")
LABELS = {"neg": 0, "pos": 1}
# Only labelled reviews: train/unsup, README, imdb.vocab and the .feat files are skipped.
_REVIEW_MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/[^/]+\.txt$")

Reviews = dict[str, dict[str, list]]  # split -> {"texts": [...], "labels": [...]}


def resolve_archive(aclimdb_path: Path | None, data_dir: Path) -> Path:
    """The archive or folder to read: the given path, else a copy in data_dir, downloaded if absent."""
    if aclimdb_path is not None:
        if not aclimdb_path.exists():
            raise DatasetUnavailable(
                f"aclImdb archive not found at {aclimdb_path}; set BATTLEFIELD_ACLIMDB to the path of "
                "aclImdb_v1.tar.gz or its extracted folder."
            )
        return aclimdb_path
    local_copy = Path(data_dir) / ARCHIVE_NAME
    if local_copy.is_file():
        return local_copy
    try:
        return download_verified(ACLIMDB_URL, local_copy, ACLIMDB_SHA256)
    except DownloadFailed as exc:
        raise DatasetUnavailable(
            f"Could not download the aclImdb archive ({exc}). Download aclImdb_v1.tar.gz yourself and set "
            "BATTLEFIELD_ACLIMDB to its path, or use the synthetic dataset."
        ) from exc


def source_id(path: Path) -> str:
    """Identifies the archive or folder by its resolved path, size and modification time."""
    if path.is_dir():
        root = _folder_root(path)
        folders = [root / split / polarity for split in SPLITS for polarity in LABELS]
        stamps = ",".join(f"{folder.stat().st_mtime_ns}" if folder.is_dir() else "-" for folder in folders)
        return f"dir:{path.resolve()}:{stamps}"
    stat = path.stat()
    return f"file:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def load_aclimdb(path: Path, data_dir: Path, options: DataOptions, fingerprint: str) -> EncodedData:
    """Encode the reviews at `path` with these options (the parsed reviews are cached apart from them)."""
    reviews = cached_reviews(path, data_dir)
    return encode_texts(
        "aclimdb",
        (reviews["train"]["texts"], reviews["train"]["labels"]),
        (reviews["test"]["texts"], reviews["test"]["labels"]),
        options,
        fingerprint,
    )


def cached_reviews(path: Path, data_dir: Path) -> Reviews:
    """The parsed reviews of `path`, read once and then served from data_dir's cache."""
    entry = cache_root(data_dir) / f"aclimdb-reviews-{hashlib.sha256(source_id(path).encode()).hexdigest()[:16]}"
    reviews = read_json_entry(entry)
    if reviews is None:
        reviews = read_reviews(path)
        write_json_entry(entry, reviews)
    return reviews


def read_reviews(path: Path) -> Reviews:
    """Every labelled review under aclImdb/{train,test}/{pos,neg}, sorted by file name within a split."""
    found: list[tuple[str, str, int, str]] = []  # (split, member name, label, text)
    try:
        members = _folder_reviews(path) if path.is_dir() else _archive_reviews(path)
        for name, raw in members:
            match = _REVIEW_MEMBER.search(name)
            if match:
                split, polarity = match.groups()
                found.append((split, match.group(0).lstrip("/"), LABELS[polarity], raw.decode("utf-8", "replace")))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from exc
    reviews: Reviews = {split: {"texts": [], "labels": []} for split in SPLITS}
    for split, _, label, text in sorted(found):
        reviews[split]["texts"].append(text)
        reviews[split]["labels"].append(label)
    empty = [split for split in SPLITS if not reviews[split]["texts"]]
    if empty:
        raise _unreadable(path, f"no reviews found under aclImdb/{empty[0]}/pos or aclImdb/{empty[0]}/neg")
    return reviews


def _archive_reviews(path: Path):
    """(member name, bytes) of the review members, streamed from the tar without extracting it."""
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            if member.isfile() and _REVIEW_MEMBER.search(member.name):
                yield member.name, archive.extractfile(member).read()


def _folder_reviews(path: Path):
    """(relative name, bytes) of the review files of an extracted archive."""
    root = _folder_root(path)
    for split in SPLITS:
        for polarity in LABELS:
            for file in sorted((root / split / polarity).glob("*.txt")):
                yield f"aclImdb/{split}/{polarity}/{file.name}", file.read_bytes()


def _folder_root(path: Path) -> Path:
    """The aclImdb folder itself, whether `path` is it or the folder holding it."""
    return path if (path / "train").is_dir() or (path / "test").is_dir() else path / "aclImdb"


def _unreadable(path: Path, reason: str) -> DatasetUnavailable:
    return DatasetUnavailable(
        f"Could not read the aclImdb archive at {path} ({reason}); set BATTLEFIELD_ACLIMDB to the path of "
        "an intact aclImdb_v1.tar.gz or its extracted folder."
    )
