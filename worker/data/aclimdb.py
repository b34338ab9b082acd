"""The original Stanford aclImdb archive (or its extracted folder): locate or download, check, read, encode.

The reader checks what it read: a corrupt or truncated archive is refused (worker.data.archive), each
split must hold both classes, and files beside the reviews that are not reviews (macOS `._*` and
`__MACOSX/`, hidden files, other extensions, bytes that are not UTF-8) are skipped and counted.
"""

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from worker.data.archive import ArchiveDamaged, tar_files
from worker.data.cache import cache_root, read_json_entry, write_json_entry
from worker.data.corpus import encode_texts
from worker.data.download import DownloadFailed, download_verified
from worker.data.identity import file_sha256, listing_sha256
from worker.data.types import DataOptions, DatasetUnavailable, EncodedData

log = logging.getLogger(__name__)

ACLIMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
ACLIMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
ARCHIVE_NAME = "aclImdb_v1.tar.gz"
SPLITS = ("train", "test")
LABELS = {"neg": 0, "pos": 1}
CLASSES = tuple(f"{split}/{polarity}" for split in SPLITS for polarity in LABELS)
READER_VERSION = 2  # bump when read_reviews changes what it keeps, so cached reviews are read again
LAYOUT = "aclImdb/{train,test}/{pos,neg}/*.txt"
# A file in one of the four review folders (train/unsup, README, imdb.vocab and the .feat files are elsewhere).
_REVIEW_PLACE = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/([^/]+)$")
SKIP_REASONS = {  # reason -> what it means, for the log
    "macos_metadata": "macOS metadata (._* files, __MACOSX/)",
    "hidden": "hidden files",
    "not_txt": "files without the .txt extension",
    "not_utf8": "files that are not UTF-8 text",
}

Reviews = dict[str, dict[str, list]]  # split -> {"texts": [...], "labels": [...]}
ReadReport = dict[str, dict[str, int]]  # {"reviews": {"train/pos": n, ...}, "skipped": {reason: n}}


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


def source_id(path: Path, data_dir: Path, expected_sha256: str | None = None) -> str:
    """The source's identity by content: `sha256:<hex>` of an archive, `files:<hex>` of a folder's listing.

    With `expected_sha256` (BATTLEFIELD_ACLIMDB_SHA256) an archive of another digest is refused.
    """
    if path.is_dir():
        root = folder_root(path)
        return "files:" + listing_sha256(root, [file for _, file in _review_files(root)])
    try:
        digest = file_sha256(path, data_dir)
    except OSError as exc:
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from exc
    if expected_sha256 and digest != expected_sha256.strip().lower():
        raise DatasetUnavailable(
            f"The aclImdb archive at {path} has sha256 {digest}, not the {expected_sha256.strip()} that "
            "BATTLEFIELD_ACLIMDB_SHA256 asks for: download aclImdb_v1.tar.gz again, or unset the variable."
        )
    return f"sha256:{digest}"


def load_aclimdb(path: Path, source: str, data_dir: Path, options: DataOptions, fingerprint: str) -> EncodedData:
    """Encode the reviews at `path` (identified by `source`) with these options; the parsed reviews are cached apart."""
    reviews, report = cached_reviews(path, source, data_dir)
    log.info("aclImdb at %s: %s", path, describe_report(report))
    return encode_texts(
        "aclimdb",
        (reviews["train"]["texts"], reviews["train"]["labels"]),
        (reviews["test"]["texts"], reviews["test"]["labels"]),
        options,
        fingerprint,
        source_report=report,
    )


def cached_reviews(path: Path, source: str, data_dir: Path) -> tuple[Reviews, ReadReport]:
    """The parsed reviews of `path` and the reader's report, read once and then served from data_dir's cache."""
    key = {"reader": READER_VERSION, "source": source}
    entry = cache_root(data_dir) / f"aclimdb-reviews-{hashlib.sha256(repr(sorted(key.items())).encode()).hexdigest()[:16]}"
    cached = read_json_entry(entry)
    if isinstance(cached, dict) and cached.get("key") == key:
        return cached["reviews"], cached["report"]
    reviews, report = read_reviews(path)
    write_json_entry(entry, {"key": key, "reviews": reviews, "report": report})
    return reviews, report


def read_reviews(path: Path) -> tuple[Reviews, ReadReport]:
    """Every labelled review under aclImdb/{train,test}/{pos,neg}, sorted by file name within a split.

    Raises DatasetUnavailable for a corrupt, truncated or unreadable archive and for a split without
    both classes; files that are not reviews are skipped and counted in the report.
    """
    found: list[tuple[str, str, int, str]] = []  # (split, member name, label, text)
    skipped: Counter[str] = Counter()
    try:
        for name, raw in _folder_reviews(path) if path.is_dir() else _archive_reviews(path):
            split, polarity, file = _REVIEW_PLACE.search(name).groups()
            reason = skip_reason(name)
            if reason is None:
                try:
                    found.append((split, f"{split}/{polarity}/{file}", LABELS[polarity], raw.decode("utf-8")))
                    continue
                except UnicodeDecodeError:
                    reason = "not_utf8"
            skipped[reason] += 1
    except ArchiveDamaged as exc:
        raise DatasetUnavailable(
            f"The aclImdb archive at {path} is {exc.kind} ({exc}), so its reviews cannot all be read. "
            f"Check it with `gzip -t {path}`, then download aclImdb_v1.tar.gz again (sha256 {ACLIMDB_SHA256}) "
            "and set BATTLEFIELD_ACLIMDB to it or to its extracted folder."
        ) from exc
    except OSError as exc:
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from exc
    reviews: Reviews = {split: {"texts": [], "labels": []} for split in SPLITS}
    counts = Counter(f"{split}/{name.split('/')[1]}" for split, name, _, _ in found)
    for split, _, label, text in sorted(found):
        reviews[split]["texts"].append(text)
        reviews[split]["labels"].append(label)
    report = {"reviews": {cls: counts[cls] for cls in CLASSES}, "skipped": dict(sorted(skipped.items()))}
    empty = [cls for cls in CLASSES if not counts[cls]]
    if empty:
        raise DatasetUnavailable(
            f"The aclImdb data at {path} holds no reviews under aclImdb/{empty[0]} ({describe_report(report)}); "
            f"each split needs both classes, laid out as {LAYOUT}. Set BATTLEFIELD_ACLIMDB to the complete "
            "aclImdb_v1.tar.gz or its extracted folder."
        )
    return reviews, report


def skip_reason(name: str) -> str | None:
    """Why the file `name` in a review folder is not a review (a key of SKIP_REASONS), or None for a review."""
    parts = name.split("/")
    if "__MACOSX" in parts or parts[-1].startswith("._"):
        return "macos_metadata"
    if parts[-1].startswith("."):
        return "hidden"
    if not parts[-1].endswith(".txt"):
        return "not_txt"
    return None


def describe_report(report: ReadReport) -> str:
    """One line for the log: the reviews read per class and the files skipped, by reason."""
    read = ", ".join(f"{count:,} {cls}" for cls, count in report["reviews"].items())
    skipped = report.get("skipped") or {}
    if not skipped:
        return f"read {read} reviews; skipped nothing"
    reasons = ", ".join(f"{count:,} {SKIP_REASONS.get(reason, reason)}" for reason, count in skipped.items())
    return f"read {read} reviews; skipped {sum(skipped.values()):,} files that are not reviews: {reasons}"


def _archive_reviews(path: Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of the files in the review folders, streamed from the tar without extracting it."""
    return tar_files(path, lambda name: _REVIEW_PLACE.search(name) is not None)


def _folder_reviews(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name in the archive's layout, bytes) of the files in the review folders of an extracted archive."""
    for name, file in _review_files(folder_root(path)):
        yield name, file.read_bytes()


def _review_files(root: Path) -> list[tuple[str, Path]]:
    """(name in the archive's layout, path) of every file in the four review folders, which must exist."""
    missing = [cls for cls in CLASSES if not (root / cls).is_dir()]
    if missing:
        raise DatasetUnavailable(
            f"The aclImdb folder {root} has no {missing[0]} folder; expected the layout {LAYOUT}. Set "
            "BATTLEFIELD_ACLIMDB to the folder the archive extracts to (or to the archive itself)."
        )
    return [(f"aclImdb/{cls}/{file.name}", file) for cls in CLASSES
            for file in sorted((root / cls).iterdir()) if file.is_file()]


def folder_root(path: Path) -> Path:
    """The aclImdb folder itself, whether `path` is it or the folder holding it."""
    return path if (path / "train").is_dir() or (path / "test").is_dir() else path / "aclImdb"


def _unreadable(path: Path, reason: str) -> DatasetUnavailable:
    return DatasetUnavailable(
        f"Could not read the aclImdb archive at {path} ({reason}); set BATTLEFIELD_ACLIMDB to the path of "
        "an intact aclImdb_v1.tar.gz or its extracted folder."
    )
