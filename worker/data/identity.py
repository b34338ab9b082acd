"""What a dataset source is, by content: an archive's sha256, or a folder's listing of review files.

Hashing the aclImdb archive (84 MB) takes about a second; the digest is remembered in
data_dir/cache/file-hashes.json by the file's path, size, modification and change times and inode,
so it is computed once per file version. A file replaced by another of the same size and mtime still
changes its inode or ctime and is hashed again.
"""

import hashlib
import json
import logging
from pathlib import Path

from worker.files import WriteFailed, write_bytes_atomically

log = logging.getLogger(__name__)

HASHES_FILE = "file-hashes.json"


def file_sha256(path: Path, data_dir: Path) -> str:
    """The sha256 (hex) of the file at `path`, streamed once per version of the file, then remembered."""
    path = Path(path).resolve()
    memo_path = Path(data_dir) / "cache" / HASHES_FILE
    memo = _read_memo(memo_path)
    stamp = _stamp(path)
    remembered = memo.get(str(path))
    if remembered and remembered.get("stamp") == stamp:
        return remembered["sha256"]
    with open(path, "rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    memo[str(path)] = {"stamp": stamp, "sha256": digest}
    try:
        write_bytes_atomically(memo_path, json.dumps(memo, indent=1, sort_keys=True).encode())
    except WriteFailed as exc:
        log.warning("Not remembering the hash of %s: %s", path, exc)
    return digest


def listing_sha256(root: Path, files: list[Path]) -> str:
    """A sha256 over every file's path (relative to `root`), size and modification time (ns).

    It changes when any file is added, removed, renamed or edited in place; moving `root` keeps it.
    """
    digest = hashlib.sha256()
    for file in sorted(files):
        stat = file.stat()
        digest.update(f"{file.relative_to(root).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def _read_memo(memo_path: Path) -> dict:
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        return memo if isinstance(memo, dict) else {}
    except (OSError, ValueError):
        return {}
