"""Atomic writes for every file the worker leaves on disk: a temporary sibling, then one rename.

A reader sees the old file or the whole new one, never a part; the temporary is removed on any
failure; a full disk or an unwritable folder raises WriteFailed naming the path and the space needed.
"""

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


class WriteFailed(OSError):
    """A file could not be written; the message names the path, the cause and, for a full disk, the space needed.

    `errno` is the cause's (ENOSPC, EACCES...); str() is the message alone.
    """

    def __str__(self) -> str:
        return str(self.strerror)


def write_failed(path: Path, exc: OSError, needed_bytes: int | None = None) -> WriteFailed:
    """The WriteFailed for `exc` raised while writing `path` (about `needed_bytes` long when known)."""
    path = Path(path)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        free = _free_bytes(path.parent)
        need = f"{_mb(needed_bytes)} needed" if needed_bytes is not None else "more space needed"
        have = f", {_mb(free)} free there" if free is not None else ""
        advice = "free some space there or set BATTLEFIELD_DATA_DIR to a larger disk"
        return WriteFailed(exc.errno, f"Could not write {path}: the disk is full ({need}{have}); {advice}.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return WriteFailed(exc.errno, f"Could not write {path}: the folder is not writable ({exc.strerror}); "
                                      "make it writable or set BATTLEFIELD_DATA_DIR to a writable folder.")
    return WriteFailed(exc.errno, f"Could not write {path}: {exc.strerror or exc}.")


@contextmanager
def atomic_writer(path: Path, *, size_hint: int | None = None) -> Iterator[BinaryIO]:
    """A binary file to fill; on leaving the block it is synced and renamed to `path`.

    Raises WriteFailed (the temporary removed, `path` untouched) when the folder cannot be written
    or the disk fills, from the file's own writes or the final sync and rename; any other exception
    in the block (a network error of a download, say) also removes the temporary and propagates as is.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_failed(path, exc, size_hint) from exc
    temporary = Path(name)
    out = os.fdopen(handle, "wb")
    try:
        yield _GuardedFile(out, path, size_hint)
        try:
            out.flush()
            os.fsync(out.fileno())
            out.close()
            os.replace(temporary, path)
        except OSError as exc:
            raise write_failed(path, exc, size_hint if size_hint is not None else _written(out)) from exc
    finally:
        out.close()
        temporary.unlink(missing_ok=True)


class _GuardedFile:
    """The temporary file, whose write() raises WriteFailed naming the final path instead of a bare OSError."""

    def __init__(self, raw: BinaryIO, path: Path, size_hint: int | None):
        self._raw, self._path, self._size_hint = raw, path, size_hint

    def write(self, data: bytes) -> int:
        try:
            return self._raw.write(data)
        except OSError as exc:
            needed = self._size_hint if self._size_hint is not None else (_written(self._raw) or 0) + len(data)
            raise write_failed(self._path, exc, needed) from exc

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


def write_bytes_atomically(path: Path, payload: bytes) -> Path:
    """Write `payload` to `path` atomically; WriteFailed as atomic_writer."""
    with atomic_writer(path, size_hint=len(payload)) as out:
        out.write(payload)
    return Path(path)


def write_folder_atomically(target: Path, files: Mapping[str, bytes]) -> Path:
    """Write `files` (name -> bytes) into a temporary sibling folder, then rename it to `target` in one step.

    A `target` already there is replaced. Raises WriteFailed as atomic_writer, the staging folder removed.
    """
    target = Path(target)
    needed = sum(len(payload) for payload in files.values())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise write_failed(target, exc, needed) from exc
    try:
        for name, payload in files.items():
            (staging / name).write_bytes(payload)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)  # an unreadable or stale entry being replaced
        os.rename(staging, target)
    except OSError as exc:
        raise write_failed(target, exc, needed) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _written(out: BinaryIO) -> int | None:
    try:
        return out.tell()
    except (OSError, ValueError):
        return None


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _mb(size: int | None) -> str:
    """A byte count for a message: '512 bytes', '12.3 MB', '70.3 GB', or 'an unknown amount'."""
    if size is None:
        return "an unknown amount"
    if size >= 1e9:
        return f"{size / 1e9:.1f} GB"
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size:,} bytes"
